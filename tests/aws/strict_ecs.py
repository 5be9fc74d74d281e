"""strict_ecs.py: the ECS and IAM behaviours of the strict AWS layer
(strict_proxy.py imports BEHAVIOURS and DELAY_DEFAULTS from here).

moto 5.2.1 answers ECS and IAM as if everything happened at once: a service
runs its tasks the moment it is created or updated, a deleted service stays
INACTIVE for ever, a cluster deletes whatever it holds, a new role or policy
is usable everywhere at once. AWS does none of that; these behaviours make
the answers follow AWS's sequence, so that the provider's waits, retries and
reads are exercised as they will be against AWS:

  EcsDeployments    a deployment runs for `ecs_deployment` seconds (longer
                    while a new task role cannot be assumed yet) before its
                    rollout COMPLETES; a deployment named by
                    PUT /_strict/fail-deployment FAILS instead, and rolls back
                    when the service's circuit breaker says so.
  EcsDeletion       a deleted service is DRAINING for `ecs_drain` seconds,
                    INACTIVE for as long again, then gone (MISSING).
  EcsClusters       DeleteCluster refused while the cluster holds services or
                    draining tasks, or just after an update; CreateService
                    refused while a new cluster propagates, and once for the
                    service-linked role.
  IamPropagation    new roles and policies are recorded (other plug-ins read
                    proxy.state["iam_roles_created"]); a just-made policy
                    cannot be attached yet.

What the provider calls of these services (resources/ and resources/support/,
which is what the behaviours cover):
  ecs  CreateCluster DescribeClusters UpdateCluster DeleteCluster
       RegisterTaskDefinition DescribeTaskDefinition DeregisterTaskDefinition
       CreateService DescribeServices UpdateService DeleteService
       TagResource UntagResource
  iam  CreateRole GetRole UpdateRole UpdateAssumeRolePolicy DeleteRole
       PutRolePolicy GetRolePolicy DeleteRolePolicy ListRolePolicies
       AttachRolePolicy DetachRolePolicy ListAttachedRolePolicies
       PutRolePermissionsBoundary DeleteRolePermissionsBoundary
       CreatePolicy GetPolicy GetPolicyVersion CreatePolicyVersion
       ListPolicyVersions DeletePolicyVersion DeletePolicy, and tagging
  ecr, ssm, logs: no ECS/IAM timing is involved; nothing here.
  lambda: the provider makes no Lambda calls (aurora_lambda_trigger only
       names a function ARN), so no Lambda behaviour.

Sources are named at each behaviour: the AWS provider is
hashicorp/terraform-provider-aws (internal/service/ecs, internal/service/iam);
"ECS API reference" is the error and field documentation botocore's ecs model
carries.
"""
import json
import os
import random
import re
import time
import uuid

# Delays of our own (seconds); strict_proxy.py has the defaults of
# ecs_deployment, ecs_drain, ecs_cluster_propagation and iam_propagation.
DELAY_DEFAULTS = {
    # How long a cluster is busy after UpdateCluster or
    # PutClusterCapacityProviders (its attachments are updating).
    "ecs_cluster_update": 2,
}

# The ones the core also defines, for when a core without them runs us.
_FALLBACK_DELAYS = {"ecs_deployment": 3, "ecs_drain": 3, "ecs_cluster_propagation": 1, "iam_propagation": 3}

# AWS's own wording, quoted where each is used.
MSG_CLUSTER_NOT_FOUND = "Cluster not found."
MSG_SERVICE_NOT_FOUND = "Service not found."
MSG_SERVICE_NOT_ACTIVE = "Service was not ACTIVE."
MSG_LINKED_ROLE = "Unable to assume the service linked role. Please verify that the ECS service linked role exists."
MSG_SERVICE_ROLE = ("Unable to assume role and validate the specified targetGroupArn. "
                    "Please verify that the ECS service role being passed has the proper permissions.")
MSG_STILL_DRAINING = "Unable to Start a service that is still Draining."
MSG_CONTAINS_SERVICES = "The Cluster cannot be deleted while Services are active."
MSG_CONTAINS_TASKS = "The Cluster cannot be deleted while Tasks are active."
MSG_CLUSTER_BUSY = ("The specified cluster is in a busy state. Cluster attachments must be in "
                    "UPDATE_COMPLETE or UPDATE_FAILED state before they can be {}.")
MSG_BREAKER = "ECS deployment circuit breaker: tasks failed to start."
MSG_ROLE_NOT_ASSUMABLE = ("ECS was unable to assume the role '{}' that was provided for this task. Please verify "
                          "that the role being passed has the proper trust relationship and permissions and that "
                          "your IAM user has permissions to pass this role.")
MSG_POLICY_NOT_ATTACHABLE = "Policy {} does not exist or is not attachable."


# ---- helpers ----

def _delay(proxy, name):
    known = getattr(proxy, "delays", None)
    if isinstance(known, dict) and name not in known:
        return float(DELAY_DEFAULTS.get(name, _FALLBACK_DELAYS.get(name, 0)))
    return proxy.delay(name)


def _params(call):
    """The request's members: the core's botocore-shaped decoding when it
    has one, else the JSON body or the form."""
    if call.params:
        return call.params
    if call.protocol == "json":
        try:
            doc = json.loads(call.body or b"{}")
            return doc if isinstance(doc, dict) else {}
        except ValueError:
            return {}
    return dict(getattr(call, "fields", {}) or {})


def _last(text, default=None):
    """A name from a name or an ARN (cluster/NAME, service/CLUSTER/NAME)."""
    if not text:
        return default
    return str(text).rsplit("/", 1)[-1]


def _cluster_of(params):
    # ECS takes the default cluster when a request names none.
    return _last(params.get("cluster"), "default")


def _revision(arn):
    """family:revision of a task definition ARN or family:revision."""
    return _last(arn) if arn else None


def _json(body):
    try:
        doc = json.loads(body or b"{}")
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


def _state(proxy):
    s = proxy.state.setdefault("ecs", {})
    s.setdefault("services", {})          # (region, cluster, name) -> service record
    s.setdefault("clusters_created", {})  # (region, cluster) -> when
    s.setdefault("cluster_updates", {})   # (region, cluster) -> when
    s.setdefault("task_roles", {})        # task definition family:revision -> [role ARNs]
    s.setdefault("linked_role_refused", False)
    return s


def _fresh(created, key, window, now):
    t = created.get(key)
    return t is not None and now - t < window


def _deployment_id():
    return "ecs-svc/" + "".join(random.choice("0123456789") for _ in range(19))


def _event(svc, message):
    svc["events"].insert(0, {"id": str(uuid.uuid4()), "createdAt": time.time(), "message": message})
    del svc["events"][100:]


def _moto_cap():
    """The most tasks moto pretends to run (MOTO_ECS_SERVICE_RUNNING, which
    the acceptance tests set so that a service of more tasks never becomes
    steady); None when unset. The proxy is started from the same shell."""
    try:
        return max(int(os.environ["MOTO_ECS_SERVICE_RUNNING"]), 0)
    except (KeyError, ValueError):
        return None


# ---- the ECS service model ----
#
# A record per service the proxy saw created:
#   deployments  newest first; [0] is PRIMARY, the rest ACTIVE. Each:
#                id, taskDefinition, desiredCount, started (monotonic),
#                ready (when its tasks can start: a new task role must have
#                propagated), fail, state IN_PROGRESS|COMPLETED|FAILED,
#                created (wall clock), scale_from/scale_at (a desiredCount
#                change of a COMPLETED deployment).
#   breaker      {"enable", "rollback"} as last sent (moto 5.2.1 drops
#                CreateService's deploymentConfiguration).
#   completed    the task definition of the last COMPLETED deployment, what
#                a rollback returns to.
#   deleted      when DeleteService succeeded (None while ACTIVE).
#   last         the service as last described, to describe it once moto
#                no longer does.


def _role_ready(proxy, region, task_definition, now):
    """When ECS can assume the roles of TASK_DEFINITION: IAM propagation of
    a role made less than iam_propagation ago, else now."""
    s = _state(proxy)
    roles = s["task_roles"].get(_revision(task_definition))
    if roles is None:
        roles = []
        try:
            td = proxy.client("ecs", region).describe_task_definition(taskDefinition=task_definition)["taskDefinition"]
            roles = [td[k] for k in ("executionRoleArn", "taskRoleArn") if td.get(k)]
        except Exception as e:  # noqa: BLE001 - a failed side call only loses the IAM delay
            proxy.log(f"strict_ecs: DescribeTaskDefinition {task_definition}: {e}")
        s["task_roles"][_revision(task_definition)] = roles
    created = proxy.state.setdefault("iam_roles_created", {})
    window = _delay(proxy, "iam_propagation")
    ready, late = now, None
    for role in roles:
        t = created.get(role)
        if t is not None and t + window > ready:
            ready, late = t + window, role
    return ready, late


def _start_deployment(proxy, svc, region, task_definition, desired, now, network=None, may_fail=True):
    """A new PRIMARY deployment; the former ones stay listed as ACTIVE until
    it completes. Consumes a pending fail-deployment order for the service
    (a rollback, may_fail false, leaves it for the next deployment)."""
    ready, late = _role_ready(proxy, region, task_definition, now)
    orders = proxy.state.get("fail_deployment") if may_fail else None
    fail = False
    if isinstance(orders, list) and svc["name"] in [_last(o) for o in orders]:
        orders[:] = [o for o in orders if _last(o) != svc["name"]]
        fail = True
    elif isinstance(orders, (str, dict)):  # a single order, in either spelling
        name = orders.get("service") if isinstance(orders, dict) else orders
        if _last(name) == svc["name"]:
            proxy.state.pop("fail_deployment", None)
            fail = True
    deployment = {"id": _deployment_id(), "taskDefinition": task_definition, "desiredCount": desired,
                  "started": now, "ready": ready, "fail": fail, "state": "IN_PROGRESS", "created": time.time(),
                  "network": network}
    svc["deployments"].insert(0, deployment)
    del svc["deployments"][4:]
    if late:
        # Source: ECS reports a task whose role it cannot assume as a service
        # event, "failed to launch a task with (error ECS was unable to assume
        # the role ...)", and keeps trying; CreateService and UpdateService
        # themselves succeed (AWS provider ecs: neither retries on it).
        _event(svc, f"(service {svc['name']}) failed to launch a task with (error {MSG_ROLE_NOT_ASSUMABLE.format(late)})")
    proxy.log(f"strict_ecs: {svc['name']} deployment {deployment['id']} of {_revision(task_definition)} started"
              f"{' (will fail)' if fail else ''}{' (waits for IAM)' if late else ''}")
    return deployment


def _advance(proxy, svc, region, now):
    """Moves the PRIMARY deployment on to where time has taken it:
    COMPLETED after ecs_deployment; FAILED instead when ordered to fail,
    then (breaker with rollback) a new deployment of the last completed
    revision."""
    step = _delay(proxy, "ecs_deployment")
    cap = _moto_cap()
    for _ in range(4):  # a rollback is a new deployment that may be due too
        primary = svc["deployments"][0] if svc["deployments"] else None
        if not primary or primary["state"] != "IN_PROGRESS":
            return
        due = max(primary["started"], primary["ready"]) + step
        if now < due:
            return
        if not primary["fail"]:
            if cap is not None and primary["desiredCount"] > cap:
                return  # moto runs no more than cap tasks: never steady
            primary["state"] = "COMPLETED"
            primary["updated"] = time.time()
            svc["completed"] = primary["taskDefinition"]
            del svc["deployments"][1:]
            if not primary.get("announced"):
                primary["announced"] = True
                _event(svc, f"(service {svc['name']}) has reached a steady state.")
                proxy.log(f"strict_ecs: {svc['name']} deployment {primary['id']} COMPLETED")
            return
        # Source: ECS deployment circuit breaker (ECS API reference,
        # DeploymentCircuitBreaker): the failing deployment's rolloutState
        # becomes FAILED; with rollback on, ECS deploys the last revision that
        # completed, as a new deployment. The AWS provider's waitServiceStable
        # counts a STOPPED or ROLLBACK_* service deployment as failure, with
        # its reason as the error.
        primary["state"] = "FAILED"
        primary["updated"] = time.time()
        _event(svc, f"(service {svc['name']}) deployment {primary['id']} deployment failed: tasks failed to start.")
        breaker = svc.get("breaker") or {}
        target = svc.get("completed")
        if not (breaker.get("enable") and breaker.get("rollback") and target and
                _revision(target) != _revision(primary["taskDefinition"])):
            return
        try:
            proxy.client("ecs", region).update_service(cluster=svc["cluster"], service=svc["name"],
                                                       taskDefinition=target)
        except Exception as e:  # noqa: BLE001 - report, and stay FAILED without the rollback
            proxy.log(f"strict_ecs: rollback of {svc['name']} to {target}: {e}")
            return
        old = svc["deployments"][1] if len(svc["deployments"]) > 1 else None
        _event(svc, f"(service {svc['name']}) rolling back to deployment {old['id'] if old else primary['id']}.")
        # ECS replaces the earlier ACTIVE deployment with the rollback: the
        # list is then the rollback (PRIMARY) and the failed one (ACTIVE).
        del svc["deployments"][1:]
        _start_deployment(proxy, svc, region, target, primary["desiredCount"], due,
                          network=primary.get("network"), may_fail=False)


def _render_deployment(proxy, dep, template, status, now):
    cap = _moto_cap()
    out = dict(template or {})
    desired = dep["desiredCount"]
    if dep["state"] == "COMPLETED":
        running = desired
        if dep.get("scale_at") is not None:
            up = desired >= dep["scale_from"]
            if now < dep["scale_at"] + _delay(proxy, "ecs_deployment" if up else "ecs_drain"):
                running = dep["scale_from"]
    elif dep["state"] == "FAILED":
        running = 0
    else:  # IN_PROGRESS: no task runs until the rollout completes (or moto's cap)
        due = max(dep["started"], dep["ready"]) + _delay(proxy, "ecs_deployment")
        running = min(desired, cap) if cap is not None and now >= due and not dep["fail"] else 0
    if cap is not None:
        running = min(running, cap)
    reason = {"IN_PROGRESS": f"ECS deployment {dep['id']} in progress.",
              "COMPLETED": f"ECS deployment {dep['id']} completed.",
              "FAILED": MSG_BREAKER}[dep["state"]]
    out.update({
        "id": dep["id"], "status": status, "taskDefinition": dep["taskDefinition"], "desiredCount": desired,
        "runningCount": running, "pendingCount": 0 if dep["state"] == "FAILED" else max(desired - running, 0),
        "failedTasks": max(desired, 1) if dep["state"] == "FAILED" else 0,
        "rolloutState": dep["state"], "rolloutStateReason": reason,
        "createdAt": dep["created"], "updatedAt": dep.get("updated", dep["created"]),
    })
    if dep.get("network"):
        out["networkConfiguration"] = dep["network"]
    return out


def _deleted_phase(proxy, svc, now):
    """None (not deleted), DRAINING, INACTIVE or PURGED."""
    if svc.get("deleted") is None:
        return None
    drain = svc.get("drain") or _delay(proxy, "ecs_drain")
    age = now - svc["deleted"]
    return "DRAINING" if age < drain else "INACTIVE" if age < 2 * drain else "PURGED"


def _render_service(proxy, svc, service, now):
    """SERVICE (moto's description, or the last one kept) as ECS would
    describe it now."""
    out = dict(service)
    template = (service.get("deployments") or [{}])[0]
    phase = _deleted_phase(proxy, svc, now)
    if phase:
        # Source: ECS API reference (DeleteService): the service is DRAINING
        # while its tasks stop, then INACTIVE; inactive services stay
        # discoverable for a while, then are gone.
        out["status"] = phase
        out["desiredCount"] = 0
        left = svc.get("running_at_delete", 0) if phase == "DRAINING" else 0
        out["runningCount"], out["pendingCount"] = left, 0
        deps = svc["deployments"][:1]
        out["deployments"] = [dict(_render_deployment(proxy, d, template, "PRIMARY", now),
                                   desiredCount=0, runningCount=left, pendingCount=0) for d in deps]
    else:
        deps = [_render_deployment(proxy, d, template, "PRIMARY" if i == 0 else "ACTIVE", now)
                for i, d in enumerate(svc["deployments"])]
        out["deployments"] = deps
        out["runningCount"] = sum(d["runningCount"] for d in deps)
        out["pendingCount"] = sum(d["pendingCount"] for d in deps)
        out["status"] = "ACTIVE"
        if svc["deployments"]:
            out["taskDefinition"] = svc["deployments"][0]["taskDefinition"]
    if svc.get("breaker") is not None:
        config = dict(out.get("deploymentConfiguration") or {})
        config["deploymentCircuitBreaker"] = dict(svc["breaker"])
        out["deploymentConfiguration"] = config
    out["events"] = list(svc["events"]) + [e for e in service.get("events") or []
                                           if e.get("id") not in {x["id"] for x in svc["events"]}]
    return out


def _breaker_of(params):
    breaker = (params.get("deploymentConfiguration") or {}).get("deploymentCircuitBreaker")
    if not isinstance(breaker, dict):
        return None
    return {"enable": bool(breaker.get("enable")), "rollback": bool(breaker.get("rollback"))}


def _record(proxy, call):
    """The record of the service CALL names, or None."""
    p = _params(call)
    name = _last(p.get("service") or p.get("serviceName"))
    return _state(proxy)["services"].get((call.region, _cluster_of(p), name))


class EcsDeployments:
    """Deployments take time, and may fail and roll back.

    Source: ECS API reference (Deployment: status PRIMARY/ACTIVE,
    rolloutState IN_PROGRESS/COMPLETED/FAILED, runningCount); AWS provider
    ecs service.go: waitServiceStable waits for one deployment whose
    runningCount equals desiredCount (newer versions: the service
    deployment's status), wait_for_steady_state.
    """

    def after(self, proxy, call, status, body):
        if call.service != "ecs" or status != 200:
            return status, body
        op = call.operation
        if op not in ("CreateService", "UpdateService", "DescribeServices", "RegisterTaskDefinition"):
            return status, body
        doc = _json(body)
        if doc is None:
            return status, body
        with proxy.lock:
            now = proxy.now()
            s = _state(proxy)
            p = _params(call)
            if op == "RegisterTaskDefinition":
                td = doc.get("taskDefinition") or {}
                roles = [td.get(k) or p.get(k) for k in ("executionRoleArn", "taskRoleArn")]
                s["task_roles"][_revision(td.get("taskDefinitionArn"))] = [r for r in roles if r]
                return status, body
            if op == "CreateService":
                service = doc.get("service") or {}
                cluster = _last(service.get("clusterArn")) or _cluster_of(p)
                key = (call.region, cluster, service.get("serviceName") or p.get("serviceName"))
                svc = {"name": key[2], "cluster": cluster, "arn": service.get("serviceArn"), "deployments": [],
                       "breaker": _breaker_of(p), "completed": None, "deleted": None, "events": [],
                       "network": p.get("networkConfiguration"), "platform": p.get("platformVersion"),
                       "balancers": p.get("loadBalancers")}
                s["services"][key] = svc
                _start_deployment(proxy, svc, call.region, service.get("taskDefinition"),
                                  int(service.get("desiredCount") or 0), now, network=p.get("networkConfiguration"))
                svc["last"] = service
                doc["service"] = _render_service(proxy, svc, service, now)
                return status, json.dumps(doc).encode()
            if op == "UpdateService":
                svc = _record(proxy, call)
                service = doc.get("service") or {}
                if svc is None or svc.get("deleted") is not None:
                    return status, body
                _advance(proxy, svc, call.region, now)
                self._update(proxy, call, svc, p, service, now)
                svc["last"] = service
                doc["service"] = _render_service(proxy, svc, service, now)
                return status, json.dumps(doc).encode()
            # DescribeServices
            cluster = _cluster_of(p)
            for i, service in enumerate(doc.get("services") or []):
                svc = s["services"].get((call.region, _last(service.get("clusterArn")) or cluster,
                                         service.get("serviceName")))
                if svc is None or svc.get("deleted") is not None:
                    continue  # EcsDeletion's
                _advance(proxy, svc, call.region, now)
                svc["last"] = service
                doc["services"][i] = _render_service(proxy, svc, service, now)
            return status, json.dumps(doc).encode()

    def _update(self, proxy, call, svc, p, service, now):
        """What UpdateService started: a new deployment (new task definition,
        forceNewDeployment, a new network, platform or load balancers: the
        changes ECS rolls out), or a scale of the current one."""
        primary = svc["deployments"][0] if svc["deployments"] else None
        breaker = _breaker_of(p)
        if breaker is not None:
            svc["breaker"] = breaker
        td = service.get("taskDefinition") or (primary or {}).get("taskDefinition")
        desired = int(service.get("desiredCount") if service.get("desiredCount") is not None
                      else (primary or {}).get("desiredCount", 0))
        changed = []
        if p.get("taskDefinition") and primary and _revision(td) != _revision(primary["taskDefinition"]):
            changed.append("taskDefinition")
        if p.get("forceNewDeployment") in (True, "true"):
            changed.append("forceNewDeployment")
        for member, kept in (("networkConfiguration", "network"), ("platformVersion", "platform"),
                             ("loadBalancers", "balancers")):
            if p.get(member) is not None and p.get(member) != svc.get(kept):
                svc[kept] = p.get(member)
                changed.append(member)
        if changed or primary is None:
            _start_deployment(proxy, svc, call.region, td, desired, now,
                              network=svc.get("network") or (primary or {}).get("network"))
            return
        if desired != primary["desiredCount"]:
            # A new desired count is no new deployment: the PRIMARY one
            # starts or stops tasks (ECS API reference, UpdateService).
            if primary["state"] == "COMPLETED":
                shown = _render_deployment(proxy, primary, {}, "PRIMARY", now)
                primary["scale_from"], primary["scale_at"] = shown["runningCount"], now
            primary["desiredCount"] = desired


class EcsDeletion:
    """A deleted service drains, lingers INACTIVE, then is gone.

    Source: ECS API reference (DeleteService: "the service status moves
    from ACTIVE to DRAINING ... after all tasks have transitioned to
    STOPPED, the service status moves from DRAINING to INACTIVE ... services
    in INACTIVE status can still be viewed with DescribeServices ... this
    behaviour is subject to change"; UpdateService: ServiceNotActiveException,
    ServiceNotFoundException); AWS provider ecs service.go: delete skips the
    scale-down of a DRAINING service (UpdateService refuses it), waits for
    INACTIVE, and treats MISSING / ServiceNotFoundException as gone.
    """

    def before(self, proxy, call):
        if call.service != "ecs" or call.operation not in ("UpdateService", "DeleteService", "CreateService"):
            return None
        with proxy.lock:
            now = proxy.now()
            svc = _record(proxy, call)
            phase = _deleted_phase(proxy, svc, now) if svc else None
            if call.operation == "CreateService":
                # Source: ECS answers CreateService of a name whose former
                # service still drains with this InvalidParameterException
                # (AWS provider ecs: not in CreateService's retry list).
                if phase == "DRAINING":
                    return proxy.error(call, 400, "InvalidParameterException", MSG_STILL_DRAINING)
                return None
            if phase == "PURGED":
                return proxy.error(call, 400, "ServiceNotFoundException", MSG_SERVICE_NOT_FOUND)
            if phase and call.operation == "UpdateService":
                return proxy.error(call, 400, "ServiceNotActiveException", MSG_SERVICE_NOT_ACTIVE)
            if call.operation == "DeleteService" and svc and phase is None:
                # What still runs when the service is deleted drains away.
                shown = _render_service(proxy, svc, svc.get("last") or {}, now)
                svc["running_at_delete"] = shown.get("runningCount", 0)
        return None

    def after(self, proxy, call, status, body):
        if call.service != "ecs" or call.operation not in ("DeleteService", "DescribeServices", "ListServices"):
            return status, body
        if status != 200:
            return status, body
        doc = _json(body)
        if doc is None:
            return status, body
        with proxy.lock:
            now = proxy.now()
            s = _state(proxy)
            p = _params(call)
            cluster = _cluster_of(p)
            if call.operation == "DeleteService":
                svc = _record(proxy, call)
                service = doc.get("service") or {}
                if svc is None:
                    return status, body
                if svc.get("deleted") is None:
                    svc["deleted"] = now
                    # How long this service's tasks take to stop is fixed
                    # when it is deleted (a later change of the delay, for
                    # another case, does not shorten it).
                    svc["drain"] = _delay(proxy, "ecs_drain")
                    proxy.log(f"strict_ecs: {svc['name']} deleted: DRAINING")
                svc["last"] = dict(svc.get("last") or {}, **service)
                doc["service"] = _render_service(proxy, svc, svc["last"], now)
                return status, json.dumps(doc).encode()
            if call.operation == "ListServices":
                # INACTIVE services are no longer listed.
                gone = {svc["arn"] for key, svc in s["services"].items()
                        if key[0] == call.region and key[1] == cluster and
                        _deleted_phase(proxy, svc, now) in ("INACTIVE", "PURGED")}
                doc["serviceArns"] = [a for a in doc.get("serviceArns") or [] if a not in gone]
                return status, json.dumps(doc).encode()
            # DescribeServices: a deleted service is described from its last
            # description when moto no longer has it; a purged one is MISSING.
            services, failures = [], list(doc.get("failures") or [])
            described = {}
            for service in doc.get("services") or []:
                described[service.get("serviceName")] = service
            for asked in p.get("services") or []:
                name = _last(asked)
                svc = s["services"].get((call.region, cluster, name))
                phase = _deleted_phase(proxy, svc, now) if svc else None
                if phase is None:
                    if name in described:
                        services.append(described.pop(name))
                    continue
                failures = [f for f in failures if _last(f.get("arn")) != name]
                described.pop(name, None)
                if phase == "PURGED":
                    failures.append({"arn": svc.get("arn") or asked, "reason": "MISSING"})
                else:
                    services.append(_render_service(proxy, svc, svc.get("last") or {}, now))
            services.extend(described.values())
            doc["services"], doc["failures"] = services, failures
            return status, json.dumps(doc).encode()


class EcsClusters:
    """Clusters take a moment to appear, refuse deletion while in use or
    busy; the account's first service meets the service-linked role."""

    def before(self, proxy, call):
        if call.service != "ecs":
            return None
        op = call.operation
        if op not in ("CreateService", "DeleteCluster", "PutClusterCapacityProviders"):
            return None
        with proxy.lock:
            now = proxy.now()
            s = _state(proxy)
            p = _params(call)
            key = (call.region, _cluster_of(p))
            if op == "CreateService":
                # Source: AWS provider ecs service.go, serviceCreateWithRetry:
                # CreateService is retried on ClusterNotFoundException (a new
                # cluster is not yet known to ECS everywhere).
                if _fresh(s["clusters_created"], key, _delay(proxy, "ecs_cluster_propagation"), now):
                    return proxy.error(call, 400, "ClusterNotFoundException", MSG_CLUSTER_NOT_FOUND)
                # Source: AWS provider ecs service.go, serviceCreateWithRetry
                # (and cluster.go's create): retried on InvalidParameterException
                # "Unable to assume the service linked role" - ECS makes
                # AWSServiceRoleForECS on first use, and IAM propagates it.
                if not s["linked_role_refused"]:
                    s["linked_role_refused"] = True
                    return proxy.error(call, 400, "InvalidParameterException", MSG_LINKED_ROLE)
                # Source: AWS provider ecs service.go, serviceCreateWithRetry:
                # retried on "verify that the ECS service role being passed has
                # the proper permissions" - ECS assumes the service role
                # (`role`) at once to validate the target group.
                role = p.get("role")
                if role and _fresh(proxy.state.setdefault("iam_roles_created", {}), role,
                                   _delay(proxy, "iam_propagation"), now):
                    return proxy.error(call, 400, "InvalidParameterException", MSG_SERVICE_ROLE)
                return None
            busy = _fresh(s["cluster_updates"], key, _delay(proxy, "ecs_cluster_update"), now)
            if op == "PutClusterCapacityProviders":
                # Source: ECS API reference (PutClusterCapacityProviders:
                # UpdateInProgressException); the text is ECS's answer to it.
                if busy:
                    return proxy.error(call, 400, "UpdateInProgressException", MSG_CLUSTER_BUSY.format("updated"))
                return None
            # DeleteCluster. Source: AWS provider ecs cluster.go: delete is
            # retried on ClusterContainsServicesException,
            # ClusterContainsTasksException, ClusterContainsContainerInstances-
            # Exception and UpdateInProgressException.
            if busy:
                return proxy.error(call, 400, "UpdateInProgressException", MSG_CLUSTER_BUSY.format("deleted"))
            active, draining = self._services(proxy, call, key, now)
            if active:
                # ECS API reference: "You can't delete a cluster that
                # contains services" (activeServicesCount: ACTIVE ones).
                return proxy.error(call, 400, "ClusterContainsServicesException", MSG_CONTAINS_SERVICES)
            if draining:
                # The tasks of a DRAINING service still run ("You can't
                # delete a cluster that has active tasks").
                return proxy.error(call, 400, "ClusterContainsTasksException", MSG_CONTAINS_TASKS)
        return None

    def _services(self, proxy, call, key, now):
        """(names of ACTIVE services, names of DRAINING ones) in the cluster:
        moto's list, corrected by what the proxy knows of deletions."""
        s = _state(proxy)
        active, draining = set(), set()
        try:
            ecs = proxy.client("ecs", call.region)
            arns = []
            for page in ecs.get_paginator("list_services").paginate(cluster=key[1]):
                arns += page.get("serviceArns") or []
            for i in range(0, len(arns), 10):
                for service in ecs.describe_services(cluster=key[1], services=arns[i:i + 10]).get("services") or []:
                    if service.get("status") == "ACTIVE":
                        active.add(service["serviceName"])
        except Exception as e:  # noqa: BLE001 - no cluster (moto answers that), or a side call that failed
            proxy.log(f"strict_ecs: services of cluster {key[1]}: {e}")
        for (region, cluster, name), svc in s["services"].items():
            if (region, cluster) != key:
                continue
            phase = _deleted_phase(proxy, svc, now)
            if phase is not None:
                active.discard(name)
            if phase == "DRAINING":
                draining.add(name)
        return active, draining

    def after(self, proxy, call, status, body):
        if call.service != "ecs" or status != 200:
            return status, body
        op = call.operation
        if op not in ("CreateCluster", "UpdateCluster", "UpdateClusterSettings", "PutClusterCapacityProviders",
                      "DeleteCluster"):
            return status, body
        with proxy.lock:
            s = _state(proxy)
            p = _params(call)
            now = proxy.now()
            if op == "CreateCluster":
                key = (call.region, p.get("clusterName") or "default")
                # CreateCluster of an existing cluster answers it again: no new
                # propagation for one made long ago.
                if key not in s["clusters_created"]:
                    s["clusters_created"][key] = now
            elif op == "DeleteCluster":
                key = (call.region, _cluster_of(p))
                s["clusters_created"].pop(key, None)
                s["cluster_updates"].pop(key, None)
            else:
                s["cluster_updates"][(call.region, _cluster_of(p))] = now
        return status, body


class IamPropagation:
    """New IAM roles and policies take a while to be usable elsewhere.

    Source: AWS provider iam: role_policy_attachment.go reads a new
    attachment back with retries on NoSuchEntity, and the NoSuchEntity
    "Policy ... does not exist or is not attachable" of an attachment made
    right after its policy is a known IAM eventual-consistency answer (the
    provider's attachPolicyToRole itself retries only
    ConcurrentModificationException). The roles' times are shared:
    proxy.state["iam_roles_created"] (read by the RDS behaviours and by
    EcsDeployments for task roles).
    """

    def before(self, proxy, call):
        if call.service != "iam" or call.operation != "AttachRolePolicy":
            return None
        with proxy.lock:
            arn = _params(call).get("PolicyArn")
            if arn and _fresh(proxy.state.setdefault("iam_policies_created", {}), arn,
                              _delay(proxy, "iam_propagation"), proxy.now()):
                return proxy.error(call, 404, "NoSuchEntity", MSG_POLICY_NOT_ATTACHABLE.format(arn))
        return None

    def after(self, proxy, call, status, body):
        if call.service != "iam" or status != 200 or call.operation not in ("CreateRole", "CreatePolicy"):
            return status, body
        match = re.search(rb"<Arn>([^<]+)</Arn>", body or b"")
        if match:
            table = "iam_roles_created" if call.operation == "CreateRole" else "iam_policies_created"
            with proxy.lock:
                proxy.state.setdefault(table, {})[match.group(1).decode()] = proxy.now()
        return status, body


BEHAVIOURS = [EcsClusters(), EcsDeletion(), EcsDeployments(), IamPropagation()]
