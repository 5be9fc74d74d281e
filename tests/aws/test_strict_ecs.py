#!/usr/bin/env python3
"""test_strict_ecs.py: the ECS and IAM behaviours of the strict AWS layer
(strict_ecs.py), driven with boto3 through the strict proxy
(strict_proxy.py) in front of a real moto server that checks signatures.

    python3 tests/aws/test_strict_ecs.py [-v]

Starts its own moto_server (MOTO_SERVER, default moto_server) and proxy,
with delays of a second or two. Ends with `N passed, N failed`; exits 1 on a
failure. Logs are kept in a temporary directory, named at the end when
something failed (or always with -v).
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
REGION = "eu-west-1"
ACCOUNT = "123456789012"
DELAYS = {"ecs_deployment": 1, "ecs_drain": 1, "ecs_cluster_propagation": 1, "iam_propagation": 1,
          "ecs_cluster_update": 1}
VERBOSE = "-v" in sys.argv[1:]

passed = failed = 0
work = tempfile.mkdtemp(prefix="strict-ecs-")
processes = []


def ok(name):
    global passed
    passed += 1
    print(f"ok {name}")


def notok(name, detail=""):
    global failed
    failed += 1
    print(f"FAIL {name}{': ' + detail if detail else ''}")


def check(name, condition, detail=""):
    (ok if condition else notok)(name, *([] if condition else [detail]))
    return condition


def code_of(fn, *args, **kwargs):
    """The AWS error code FN answers with, or None when it succeeds."""
    try:
        fn(*args, **kwargs)
        return None
    except ClientError as e:
        return e.response["Error"]["Code"]


def message_of(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
        return None
    except ClientError as e:
        return e.response["Error"].get("Message")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_http(url, proc, what):
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:  # noqa: BLE001 - not up yet
            if proc.poll() is not None:
                raise SystemExit(f"{what} exited; see {work}")
            time.sleep(0.05)
    raise SystemExit(f"{what} did not answer; see {work}")


def start_moto():
    """moto_server as tests/aws/moto.sh starts it: three unchecked requests
    make a user, its policy and its key; everything after is signed."""
    port = free_port()
    env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="3")
    env.pop("MOTO_ECS_SERVICE_RUNNING", None)
    log = open(os.path.join(work, "moto.log"), "w")
    proc = subprocess.Popen([os.environ.get("MOTO_SERVER", "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    processes.append(proc)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/moto-api/", proc, "moto_server")
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName="strict-ecs")
    iam.put_user_policy(UserName="strict-ecs", PolicyName="everything", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = iam.create_access_key(UserName="strict-ecs")["AccessKey"]
    return url, key["AccessKeyId"], key["SecretAccessKey"]


# Runs strict_proxy.py as its command line does. Until the core's RDS
# plug-in exists, an empty stand-in module takes its place (the core imports
# it unconditionally); nothing else is replaced.
PROXY_MAIN = """
import sys, types
sys.path.insert(0, sys.argv[1])
try:
    import strict_rds
except ImportError:
    stub = types.ModuleType("strict_rds")
    stub.BEHAVIOURS = []
    stub.maintenance = lambda proxy: []
    sys.modules["strict_rds"] = stub
import strict_proxy
sys.argv = ["strict_proxy.py"] + sys.argv[2:]
strict_proxy.main()
"""


def start_proxy(moto_url, access, secret):
    port_file = os.path.join(work, "proxy.port")
    env = dict(os.environ, MOTO_ACCESS_KEY=access, MOTO_SECRET_KEY=secret, STRICT_AWS_DELAYS=json.dumps(DELAYS))
    env.pop("MOTO_ECS_SERVICE_RUNNING", None)
    log = open(os.path.join(work, "proxy.log"), "w")
    proc = subprocess.Popen([sys.executable, "-c", PROXY_MAIN, HERE, moto_url, port_file],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    processes.append(proc)
    for _ in range(200):
        if os.path.exists(port_file):
            break
        if proc.poll() is not None:
            raise SystemExit(f"strict_proxy.py exited; see {work}/proxy.log")
        time.sleep(0.05)
    url = f"http://127.0.0.1:{open(port_file).read().strip()}"
    wait_http(url + "/_strict/delays", proc, "strict_proxy.py")
    return url


def control(url, path, data):
    request = urllib.request.Request(url + path, data=json.dumps(data).encode(), method="PUT",
                                     headers={"Content-Type": "application/json"})
    return urllib.request.urlopen(request, timeout=5).read()


def until(predicate, timeout=10, step=0.2):
    """Polls PREDICATE until it is true (returns its value) or TIMEOUT."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > end:
            return value
        time.sleep(step)


class World:
    def __init__(self, proxy_url, moto_url, access, secret):
        self.proxy_url = proxy_url
        config = Config(retries={"max_attempts": 1})
        kw = dict(region_name=REGION, aws_access_key_id=access, aws_secret_access_key=secret, config=config)
        self.ecs = boto3.client("ecs", endpoint_url=proxy_url, **kw)
        self.iam = boto3.client("iam", endpoint_url=proxy_url, **kw)
        self.moto_ecs = boto3.client("ecs", endpoint_url=moto_url, **kw)
        self.revisions = {}

    def task(self, family, image="app:1", execution_role=None):
        args = dict(family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256",
                    memory="512", containerDefinitions=[{"name": "app", "image": image, "essential": True}])
        if execution_role:
            args["executionRoleArn"] = execution_role
        return self.ecs.register_task_definition(**args)["taskDefinition"]["taskDefinitionArn"]

    def cluster(self, name):
        """A cluster past its propagation."""
        self.ecs.create_cluster(clusterName=name)
        time.sleep(DELAYS["ecs_cluster_propagation"] + 0.2)

    def service(self, cluster, name, task, desired=1, breaker=None, **extra):
        args = dict(cluster=cluster, serviceName=name, taskDefinition=task, desiredCount=desired, **extra)
        if breaker is not None:
            args["deploymentConfiguration"] = {"deploymentCircuitBreaker": breaker}
        return self.ecs.create_service(**args)["service"]

    def describe(self, cluster, name):
        answer = self.ecs.describe_services(cluster=cluster, services=[name], include=["TAGS"])
        services = answer.get("services") or []
        return (services[0] if services else None), answer.get("failures") or []

    def steady(self, cluster, name):
        service, _ = self.describe(cluster, name)
        deps = service["deployments"] if service else []
        return (service if len(deps) == 1 and deps[0].get("rolloutState") == "COMPLETED" and
                service["runningCount"] == service["desiredCount"] else None)


def primary(service):
    return next(d for d in service["deployments"] if d["status"] == "PRIMARY")


def brief(service):
    return json.dumps([{k: d.get(k) for k in ("status", "rolloutState", "taskDefinition", "runningCount",
                                               "desiredCount")} for d in service.get("deployments") or []])


# ---- the cases ----

def test_new_cluster_and_linked_role(w):
    w.ecs.create_cluster(clusterName="fresh")
    task = w.task("fresh")
    code = code_of(w.service, "fresh", "first", task)
    check("create-service-right-after-create-cluster-cluster-not-found", code == "ClusterNotFoundException", code)
    time.sleep(DELAYS["ecs_cluster_propagation"] + 0.2)
    message = message_of(w.service, "fresh", "first", task)
    check("first-create-service-meets-the-linked-role-once",
          message and "Unable to assume the service linked role" in message, message)
    code = code_of(w.service, "fresh", "first", task)
    check("create-service-retried-succeeds", code is None, code)
    code = code_of(w.service, "fresh", "second", task)
    check("linked-role-refusal-only-once", code is None, code)


def test_rollout(w):
    w.cluster("roll")
    first = w.task("roll", "app:1")
    created = w.service("roll", "web", first, desired=2)
    check("create-answer-shows-rollout-in-progress", primary(created)["rolloutState"] == "IN_PROGRESS", brief(created))
    service, _ = w.describe("roll", "web")
    dep = primary(service)
    check("new-service-in-progress-below-desired",
          dep["rolloutState"] == "IN_PROGRESS" and service["runningCount"] < 2 and dep["runningCount"] < 2,
          brief(service))
    service = until(lambda: w.steady("roll", "web"))
    check("new-service-completed-all-running", service and primary(service)["runningCount"] == 2,
          brief(service or w.describe("roll", "web")[0]))
    second = w.task("roll", "app:2")
    w.ecs.update_service(cluster="roll", service="web", taskDefinition=second)
    service, _ = w.describe("roll", "web")
    deps = service["deployments"]
    check("update-two-deployments-new-primary-in-progress",
          len(deps) == 2 and primary(service)["rolloutState"] == "IN_PROGRESS" and
          primary(service)["taskDefinition"] == second and
          any(d["status"] == "ACTIVE" and d["taskDefinition"] == first for d in deps), brief(service))
    service = until(lambda: w.steady("roll", "web"))
    check("update-completes-on-new-revision", service and service["taskDefinition"] == second,
          brief(service or w.describe("roll", "web")[0]))
    w.ecs.update_service(cluster="roll", service="web", forceNewDeployment=True)
    service, _ = w.describe("roll", "web")
    check("force-new-deployment-starts-one", len(service["deployments"]) == 2, brief(service))
    until(lambda: w.steady("roll", "web"))
    w.ecs.update_service(cluster="roll", service="web", enableExecuteCommand=True)
    service, _ = w.describe("roll", "web")
    check("settings-change-starts-no-deployment", w.steady("roll", "web") is not None, brief(service))


def test_failed_with_rollback(w):
    w.cluster("fail")
    good = w.task("fail", "app:1")
    w.service("fail", "api", good, breaker={"enable": True, "rollback": True})
    until(lambda: w.steady("fail", "api"))
    bad = w.task("fail", "app:broken")
    control(w.proxy_url, "/_strict/fail-deployment", {"service": "api"})
    w.ecs.update_service(cluster="fail", service="api", taskDefinition=bad)
    service, _ = w.describe("fail", "api")
    check("failing-deployment-first-in-progress", primary(service)["rolloutState"] == "IN_PROGRESS", brief(service))

    def rolled_back():
        s, _ = w.describe("fail", "api")
        return s if any(d.get("rolloutState") == "FAILED" for d in s["deployments"]) else None
    service = until(rolled_back)
    if not check("deployment-fails", service is not None, brief(w.describe("fail", "api")[0])):
        return
    failed_dep = next(d for d in service["deployments"] if d["rolloutState"] == "FAILED")
    check("failed-deployment-reason", failed_dep["rolloutStateReason"] ==
          "ECS deployment circuit breaker: tasks failed to start.", failed_dep.get("rolloutStateReason"))
    check("rollback-is-a-new-primary-deployment-of-the-old-revision",
          primary(service)["taskDefinition"] == good and failed_dep["status"] == "ACTIVE" and
          failed_dep["taskDefinition"] == bad, brief(service))
    moto_view = w.moto_ecs.describe_services(cluster="fail", services=["api"])["services"][0]
    check("rollback-re-pointed-the-service-in-moto", moto_view["taskDefinition"] == good, moto_view["taskDefinition"])
    service = until(lambda: w.steady("fail", "api"))
    check("rollback-completes-on-old-revision", service and service["taskDefinition"] == good,
          brief(service or w.describe("fail", "api")[0]))
    events = " | ".join(e["message"] for e in (service or {}).get("events", []))
    check("rollback-events", "deployment failed: tasks failed to start" in events and "rolling back" in events, events)
    # The order is used up: the next deployment succeeds.
    w.ecs.update_service(cluster="fail", service="api", forceNewDeployment=True)
    service = until(lambda: w.steady("fail", "api"), timeout=5)
    check("fail-order-consumed", service is not None, brief(w.describe("fail", "api")[0]))


def test_failed_without_rollback(w):
    w.cluster("stuck")
    good = w.task("stuck", "app:1")
    w.service("stuck", "api", good, breaker={"enable": True, "rollback": False})
    until(lambda: w.steady("stuck", "api"))
    bad = w.task("stuck", "app:broken")
    control(w.proxy_url, "/_strict/fail-deployment", {"service": "api"})
    w.ecs.update_service(cluster="stuck", service="api", taskDefinition=bad)

    def failed_primary():
        s, _ = w.describe("stuck", "api")
        return s if primary(s).get("rolloutState") == "FAILED" else None
    service = until(failed_primary)
    check("without-rollback-primary-stays-failed",
          service and primary(service)["taskDefinition"] == bad and
          any(d["status"] == "ACTIVE" and d["taskDefinition"] == good for d in service["deployments"]),
          brief(service or w.describe("stuck", "api")[0]))
    time.sleep(DELAYS["ecs_deployment"] + 0.3)
    service, _ = w.describe("stuck", "api")
    check("without-rollback-no-rollback-later", primary(service)["rolloutState"] == "FAILED" and
          service["taskDefinition"] == bad, brief(service))


def test_delete_sequence(w):
    w.cluster("gone")
    task = w.task("gone")
    w.service("gone", "svc", task)
    until(lambda: w.steady("gone", "svc"))
    code = code_of(w.ecs.delete_cluster, cluster="gone")
    check("delete-cluster-refused-while-service-active", code == "ClusterContainsServicesException", code)
    w.ecs.update_service(cluster="gone", service="svc", desiredCount=0)
    deleted = w.ecs.delete_service(cluster="gone", service="svc")["service"]
    check("delete-service-answers-draining", deleted["status"] == "DRAINING", deleted["status"])
    service, _ = w.describe("gone", "svc")
    check("deleted-service-draining", service and service["status"] == "DRAINING", service and service["status"])
    code = code_of(w.ecs.update_service, cluster="gone", service="svc", desiredCount=0)
    check("update-of-draining-service-not-active", code == "ServiceNotActiveException", code)
    message = message_of(w.service, "gone", "svc", task)
    check("create-over-draining-service-refused", message == "Unable to Start a service that is still Draining.",
          message)
    code = code_of(w.ecs.delete_cluster, cluster="gone")
    check("delete-cluster-refused-while-tasks-drain", code == "ClusterContainsTasksException", code)

    def status():
        s, f = w.describe("gone", "svc")
        return s["status"] if s else ("MISSING" if f and f[0].get("reason") == "MISSING" else None)
    check("then-inactive", until(lambda: status() == "INACTIVE", timeout=5), status())
    listed = w.ecs.list_services(cluster="gone")["serviceArns"]
    check("inactive-service-not-listed", not listed, json.dumps(listed))
    check("then-missing", until(lambda: status() == "MISSING", timeout=5), status())
    code = code_of(w.ecs.update_service, cluster="gone", service="svc", desiredCount=0)
    check("update-of-purged-service-not-found", code == "ServiceNotFoundException", code)
    code = code_of(w.ecs.delete_service, cluster="gone", service="svc")
    check("delete-of-purged-service-not-found", code == "ServiceNotFoundException", code)
    code = code_of(w.ecs.delete_cluster, cluster="gone")
    check("delete-cluster-succeeds-once-empty", code is None, code)


def test_delete_while_moto_dropped(w):
    """moto 5.2.1 keeps deleted services (INACTIVE) for ever, so the path
    for a peer that drops them at once is driven directly: EcsDeletion's
    after() gets a DescribeServices answer listing the service under
    failures, as such a peer answers, and must describe it DRAINING, then
    INACTIVE, from its last description, then leave it MISSING."""
    import threading
    sys.path.insert(0, HERE)
    import strict_ecs

    class Stand:  # what after() uses of the proxy: no AWS in it
        def __init__(self):
            self.lock, self.state, self.delays, self.t = threading.RLock(), {}, dict(DELAYS), 100.0

        def now(self):
            return self.t

        def delay(self, name):
            return self.delays[name]

        def log(self, text):
            pass

    class Call:
        def __init__(self, operation, params):
            self.service, self.region, self.protocol, self.operation = "ecs", REGION, "json", operation
            self.params, self.body, self.fields = params, json.dumps(params).encode(), {}

    p = Stand()
    arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/c/s"
    last = {"serviceName": "s", "serviceArn": arn, "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/c",
            "status": "ACTIVE", "desiredCount": 0, "runningCount": 0, "deployments": []}
    p.state["ecs"] = {"services": {(REGION, "c", "s"): {
        "name": "s", "cluster": "c", "arn": arn, "deployments": [], "breaker": None, "completed": None,
        "deleted": 100.0, "events": [], "last": last, "running_at_delete": 0}}}
    dropped = json.dumps({"services": [], "failures": [{"arn": arn, "reason": "MISSING"}]}).encode()
    ask = Call("DescribeServices", {"cluster": "c", "services": ["s"]})
    seen = []
    for t in (100.5, 101.5, 102.5):
        p.t = t
        _, body = strict_ecs.EcsDeletion().after(p, ask, 200, dropped)
        doc = json.loads(body)
        seen.append(doc["services"][0]["status"] if doc["services"] else
                    doc["failures"][0]["reason"] if doc["failures"] else None)
    check("dropped-service-described-draining-inactive-then-missing", seen == ["DRAINING", "INACTIVE", "MISSING"],
          json.dumps(seen))


def test_cluster_update_busy(w):
    w.cluster("busy")
    w.ecs.update_cluster(cluster="busy", settings=[{"name": "containerInsights", "value": "enabled"}])
    code = code_of(w.ecs.delete_cluster, cluster="busy")
    check("delete-cluster-refused-during-update", code == "UpdateInProgressException", code)
    time.sleep(DELAYS["ecs_cluster_update"] + 0.2)
    code = code_of(w.ecs.delete_cluster, cluster="busy")
    check("delete-cluster-after-update-succeeds", code is None, code)


def test_iam(w):
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "logs:CreateLogStream", "Resource": "*"}]})
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    policy = w.iam.create_policy(PolicyName="fresh-policy", PolicyDocument=document)["Policy"]["Arn"]
    role = w.iam.create_role(RoleName="fresh-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    try:
        w.iam.attach_role_policy(RoleName="fresh-role", PolicyArn=policy)
        notok("attach-of-new-policy-no-such-entity", "attached at once")
    except ClientError as e:
        check("attach-of-new-policy-no-such-entity",
              e.response["Error"]["Code"] == "NoSuchEntity" and e.response["ResponseMetadata"]["HTTPStatusCode"] == 404
              and e.response["Error"]["Message"] == f"Policy {policy} does not exist or is not attachable.",
              json.dumps(e.response["Error"]))
    time.sleep(DELAYS["iam_propagation"] + 0.2)
    code = code_of(w.iam.attach_role_policy, RoleName="fresh-role", PolicyArn=policy)
    check("attach-after-propagation-succeeds", code is None, code)

    # A task role ECS cannot assume yet: CreateService succeeds (AWS does not
    # refuse it) and the deployment waits for IAM, with ECS's event.
    w.cluster("iam")
    role2 = w.iam.create_role(RoleName="fresh-exec", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    control(w.proxy_url, "/_strict/delays", {"iam_propagation": 2.5})
    try:
        task = w.task("iam", execution_role=role2)
        check("register-task-definition-with-new-role-accepted", bool(task))
        started = time.monotonic()
        w.service("iam", "svc", task)
        service = until(lambda: w.steady("iam", "svc"), timeout=8, step=0.1)
        took = time.monotonic() - started
        check("deployment-waits-for-new-task-role", service is not None and took >= 1.5, f"{took:.1f}s")
        events = " | ".join(e["message"] for e in (service or {}).get("events", []))
        check("event-names-the-role-ecs-cannot-assume", f"ECS was unable to assume the role '{role2}'" in events,
              events)
        # The service role (`role`) is assumed by CreateService itself.
        role3 = w.iam.create_role(RoleName="fresh-service-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        message = message_of(w.service, "iam", "lb", task, role=role3)
        check("create-service-with-new-service-role-refused",
              message and "verify that the ECS service role being passed has the proper permissions" in message,
              message)
    finally:
        control(w.proxy_url, "/_strict/delays", {"iam_propagation": DELAYS["iam_propagation"]})
    del role


CASES = [test_new_cluster_and_linked_role, test_rollout, test_failed_with_rollback, test_failed_without_rollback,
         test_delete_sequence, test_delete_while_moto_dropped, test_cluster_update_busy, test_iam]


def main():
    started = time.monotonic()
    try:
        moto_url, access, secret = start_moto()
        proxy_url = start_proxy(moto_url, access, secret)
        control(proxy_url, "/_strict/delays", DELAYS)
        world = World(proxy_url, moto_url, access, secret)
        for case in CASES:
            try:
                case(world)
            except Exception:  # noqa: BLE001 - a case that blew up is a failure, the rest still run
                notok(case.__name__, traceback.format_exc().strip().splitlines()[-1])
                if VERBOSE:
                    traceback.print_exc()
    finally:
        for proc in processes:
            proc.terminate()
        for proc in processes:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
    if failed or VERBOSE:
        print(f"logs: {work} ({time.monotonic() - started:.1f}s)")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
