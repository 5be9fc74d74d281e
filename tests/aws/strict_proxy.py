"""strict_proxy.py: the strict AWS layer. A forwarding proxy between the
provider and moto that behaves as real AWS does where moto is lenient.

    strict_proxy.py UPSTREAM PORT_FILE

UPSTREAM is moto's URL. The proxy listens on a free 127.0.0.1 port (HTTP/1.1)
and writes that port to PORT_FILE (atomically). Every request is forwarded
unchanged (the Host header is kept, so the SigV4 signature stays valid)
unless a step below answers it first.

Per request:
 1. /_strict/... is a control request, answered here (see Control).
 2. The request is decoded and checked against botocore's model of the
    service (strict_model.py). Each violation becomes one line of the
    violations file (env STRICT_AWS_VIOLATIONS, default PORT_FILE +
    ".violations") and is counted. A violation AWS itself refuses (a
    required member missing, a wrong type, a length, range, pattern or enum
    broken) is answered with HTTP 400 in the service's own words
    (ValidationError for the Query APIs, ValidationException for the JSON
    ones, MissingParameter / InvalidParameterValue for EC2), unforwarded.
 3. A follow-up page of a listing the pager (strict_paging.py) sliced is
    answered from the pager.
 4. The behaviours' before() may answer (a refusal) or re-issue the request
    in a changed form (re-signed with moto's own key, MOTO_ACCESS_KEY /
    MOTO_SECRET_KEY).
 5. The request goes to moto.
 6. moto's error codes become the wire code the model declares (botocore's
    `error.code`: DBSubnetGroupAlreadyExistsFault -> DBSubnetGroupAlreadyExists).
 7. The behaviours' after() rewrite moto's answer.
 8. A listing is cut into pages as AWS may (the pager).

Behaviours (plug-ins) are objects with two optional methods:
    before(proxy, call) -> None | (status, content_type, body)
    after(proxy, call, status, body) -> (status, body)
RDS's and EC2's are in strict_rds.py, ECS's and IAM's in strict_ecs.py
(BEHAVIOURS lists in each).

Control (never forwarded):
    GET  /_strict/stats            JSON {"requests", "validated", "violations",
                                   "refused": {code: n}, "rewritten": {what: n},
                                   "paged": n}
    PUT  /_strict/delays           JSON {name: seconds}, merged into the delays
    GET  /_strict/delays           the delays now
    PUT  /_strict/fail-deployment  JSON {"service": name}: the next deployment
                                   of that ECS service fails (strict_ecs.py;
                                   kept in proxy.state["fail_deployment"], a
                                   list of names)
    POST /_strict/maintenance      RDS's maintenance window, now: pending
                                   modifications are applied

Delays (seconds; defaults small so that the suite stays fast; env
STRICT_AWS_DELAYS, a JSON object, overrides them at start):
    rds_cluster_create      a new cluster is `creating`
    rds_backup              then `backing-up` (its first automated backup)
    rds_instance_create     a new instance is `creating`
    rds_enhanced_monitoring then `configuring-enhanced-monitoring` (when
                            MonitoringInterval > 0)
    rds_modify              a modified cluster/instance is `modifying`
    rds_iam_auth            then `configuring-iam-database-auth` (when IAM
                            database authentication changed)
    rds_delete              a deleted cluster/instance is still listed as
                            `deleting`
    rds_role_association    an associated IAM role is PENDING before ACTIVE
    ec2_eni_release         a deleted cluster's network interfaces keep its
                            security groups in use (DependencyViolation)
    iam_propagation         a new IAM role cannot be used by another service
    ecs_deployment, ecs_drain, ecs_cluster_propagation   (strict_ecs.py)

Each request is logged to stdout as `<seconds since start> <service>:<operation>
<status> [what the layer did] [error code]`.
"""
import http.client
import http.server
import json
import os
import re
import socket
import sys
import threading
import time
import traceback
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# The other parts of the layer. Each is optional so that the core runs while
# they are being written; the finished layer has all of them.
try:
    import strict_model
except ImportError:
    strict_model = None
try:
    import strict_paging
except ImportError:
    strict_paging = None
try:
    import strict_ecs
except ImportError:
    strict_ecs = None
import strict_rds

DEFAULT_DELAYS = {
    "rds_cluster_create": 3,
    "rds_backup": 1,
    "rds_instance_create": 3,
    "rds_enhanced_monitoring": 1,
    "rds_modify": 2,
    "rds_iam_auth": 1,
    "rds_delete": 2,
    "rds_role_association": 2,
    "ec2_eni_release": 2,
    "iam_propagation": 3,
    "ecs_deployment": 3,
    "ecs_drain": 3,
    "ecs_cluster_propagation": 1,
}

# XML namespaces of the Query services' answers (their models' xmlNamespace).
QUERY_NAMESPACES = {
    "rds": "http://rds.amazonaws.com/doc/2014-10-31/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}

STARTED = time.monotonic()
SERVER_FAULTS = ("InternalFailure", "ServiceUnavailable", "InternalError")

# strict_model.py's wording of the violations AWS refuses.
REFUSED = re.compile(r"missing required member|expected, got|expected \(true or false\)|below min|exceeds max|"
                     r"out of \w+ range|not one of|does not match pattern|may hold only|not valid base64|"
                     r"union: exactly one")


class Call:
    """One request, as the behaviours see it."""

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        scope = re.search(r"Credential=[^/]+/[^/]+/([^/]+)/([^/]+)/", headers.get("Authorization", ""))
        self.region = scope.group(1) if scope else "us-east-1"
        self.service = scope.group(2) if scope else ""
        target = headers.get("X-Amz-Target")
        ctype = headers.get("Content-Type", "")
        # The form of a Query request: in the body (POST) or the URL (GET).
        self.form = []
        if not target and (b"=" in body or "?" in path) and "json" not in ctype:
            text = body.decode("utf-8", "replace") if body else urllib.parse.urlsplit(path).query
            self.form = urllib.parse.parse_qsl(text, keep_blank_values=True)
        self.fields = dict(self.form)
        if target:
            self.protocol = "json"
            self.operation = target.rsplit(".", 1)[-1]
        elif "Action" in self.fields:
            self.operation = self.fields["Action"]
            self.protocol = "ec2" if self.fields.get("Version") == "2016-11-15" else "query"
        else:
            # Lambda's REST-JSON: the operation is the method and path.
            self.protocol = "rest-json"
            self.operation = ""
        self.params = {}
        # Set by a behaviour's before() through resign(): the form moto gets
        # instead of the request's own (signed again, with moto's key).
        self.new_form = None
        self.note = []

    def field(self, name, default=None):
        return self.fields.get(name, default)

    def resign(self, form):
        """Forward FORM (a list of pairs) instead of the request's body."""
        self.new_form = list(form)


class Proxy:
    """What the behaviours get: error documents, delays, side calls to moto,
    shared state."""

    def __init__(self, upstream, port_file):
        self.upstream = upstream
        self.upstream_parts = urllib.parse.urlsplit(upstream)
        self.port_file = port_file
        self.violations_file = os.environ.get("STRICT_AWS_VIOLATIONS") or port_file + ".violations"
        self.lock = threading.RLock()
        self.state = {}
        self.delays = dict(DEFAULT_DELAYS)
        self.stats = {"requests": 0, "validated": 0, "violations": 0, "refused": {}, "rewritten": {}, "paged": 0}
        self._clients = {}
        self.models = None
        self.pager = None
        if strict_model is not None:
            self.models = strict_model.Models()
            if strict_paging is not None:
                self.pager = strict_paging.Pager(self.models)
        self.behaviours = list(strict_rds.BEHAVIOURS)
        if strict_ecs is not None:
            self.behaviours += list(getattr(strict_ecs, "BEHAVIOURS", []))
            for name, seconds in getattr(strict_ecs, "DELAY_DEFAULTS", {}).items():
                self.delays.setdefault(name, seconds)
        if os.environ.get("STRICT_AWS_DELAYS"):
            self.delays.update({k: float(v) for k, v in json.loads(os.environ["STRICT_AWS_DELAYS"]).items()})

    # ---- for the behaviours ----

    def now(self):
        return time.monotonic()

    def delay(self, name):
        with self.lock:
            return float(self.delays.get(name, 0))

    def log(self, text):
        print(f"{time.monotonic() - STARTED:8.2f} {text}", flush=True)

    def count(self, kind, key):
        with self.lock:
            table = self.stats[kind]
            table[key] = table.get(key, 0) + 1

    def client(self, service, region):
        """A boto3 client straight to moto, signed with moto's own key."""
        key = (service, region)
        with self.lock:
            if key not in self._clients:
                import boto3  # loaded on first use: it takes a while
                from botocore.config import Config
                self._clients[key] = boto3.client(
                    service, endpoint_url=self.upstream, region_name=region,
                    aws_access_key_id=os.environ.get("MOTO_ACCESS_KEY"),
                    aws_secret_access_key=os.environ.get("MOTO_SECRET_KEY"),
                    config=Config(retries={"max_attempts": 1}))
            return self._clients[key]

    def error(self, call, status, code, message):
        """An AWS error answer in the call's protocol: (status, content type, body)."""
        self.count("refused", code)
        return (status,) + error_document(call, code, message)

    # ---- forwarding ----

    def forward(self, method, path, headers, body):
        conn = http.client.HTTPConnection(self.upstream_parts.hostname, self.upstream_parts.port, timeout=120)
        try:
            conn.request(method, path, body, headers)
            answer = conn.getresponse()
            return answer.status, answer.getheaders(), answer.read()
        finally:
            conn.close()

    def forward_form(self, call, form):
        """Sends FORM to moto as CALL's service and region would, signed anew
        with moto's key (a changed body breaks the client's signature)."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        body = urllib.parse.urlencode(form).encode()
        url = self.upstream.rstrip("/") + (urllib.parse.urlsplit(call.path).path or "/")
        request = AWSRequest(method="POST", url=url, data=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(Credentials(os.environ.get("MOTO_ACCESS_KEY"), os.environ.get("MOTO_SECRET_KEY")),
                  call.service, call.region).add_auth(request)
        headers = dict(request.headers.items())
        return self.forward("POST", urllib.parse.urlsplit(url).path or "/", headers, body)

    # ---- checking against the models ----

    def rest_operation(self, call):
        """The operation of a REST request (Lambda's): the one whose HTTP
        method and request URI template match."""
        try:
            import botocore.session
            model = botocore.session.get_session().get_service_model(call.service)
        except Exception:  # noqa: BLE001 - no model: nothing to check
            return ""
        path = urllib.parse.unquote(urllib.parse.urlsplit(call.path).path)
        best = ""
        for name in model.operation_names:
            http = model.operation_model(name).http
            if http.get("method") != call.method:
                continue
            template = http.get("requestUri", "").split("?")[0]
            pattern = re.sub(r"\\\{[^}]+?\\\+\\\}", ".+", re.escape(template))
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
            if re.fullmatch(pattern.rstrip("/") + "/?", path) and len(template) > len(best.split("|")[-1]):
                best = name + "|" + template
        return best.split("|")[0]

    def validate(self, call):
        """Step 2: None, or the refusal of a request AWS would not take."""
        # Unsigned requests (sts:AssumeRoleWithWebIdentity, which AWS takes
        # unsigned) name no service; moto's own /moto-api/ is no AWS API.
        if self.models is None or not call.service or call.path.startswith("/moto-api"):
            return None
        if call.protocol == "rest-json":
            call.operation = self.rest_operation(call)
        if not call.operation:
            return None
        try:
            call.params = self.models.decode(call.service, call.operation, call.protocol, call.headers, call.body,
                                             call.path) or {}
        except Exception as e:  # noqa: BLE001 - an undecodable request is moto's to judge
            self.log(f"{call.service}:{call.operation} not decoded: {e}")
            call.params = {}
        try:
            violations = self.models.validate(call.service, call.operation, call.params) or []
        except Exception as e:  # noqa: BLE001
            self.log(f"{call.service}:{call.operation} not validated: {e}")
            return None
        with self.lock:
            self.stats["validated"] += 1
            self.stats["violations"] += len(violations)
            if violations:
                with open(self.violations_file, "a") as f:
                    for v in violations:
                        f.write(v.replace("\n", " ") + "\n")
        refused = [v for v in violations if self.refusable(v)]
        if not refused:
            return None
        return self.error(call, 400, self.validation_code(call, refused), "; ".join(refused))

    def refusable(self, violation):
        judge = getattr(self.models, "refusable", None)
        if judge is not None:
            return bool(judge(violation))
        # What AWS checks of every request before it acts: presence, type
        # and the model's constraints (length, range, pattern, enum). Other
        # findings (a member the model does not know, list numbering) are
        # only reported: AWS's answer to those varies by service.
        return bool(REFUSED.search(violation))

    def validation_code(self, call, violations):
        """The code the service answers a malformed request with."""
        if call.protocol == "ec2":
            return "MissingParameter" if any(re.search(r"required|missing", v, re.I) for v in violations) \
                else "InvalidParameterValue"
        if call.protocol == "query":
            return "ValidationError"
        declared = set()
        shapes = getattr(self.models, "error_shapes", None)
        if shapes is not None:
            try:
                declared = set(shapes(call.service))
            except Exception:  # noqa: BLE001
                declared = set()
        else:
            try:
                import botocore.session
                model = botocore.session.get_session().get_service_model(call.service)
                declared = {s for s in model.shape_names if model.shape_for(s).metadata.get("exception")}
            except Exception:  # noqa: BLE001
                declared = set()
        for code in ("ValidationException", "InvalidParameterValueException", "InvalidParameterException"):
            if code in declared:
                return code
        return "ValidationException"

    def wire_codes(self, call, status, body):
        """Step 6: moto's error code -> the code the model puts on the wire."""
        if status < 400 or self.models is None or not body:
            return body
        if call.protocol in ("json", "rest-json"):
            try:
                doc = json.loads(body)
            except ValueError:
                return body
            if not isinstance(doc, dict):
                return body
            for key in ("__type", "code", "Code"):
                if isinstance(doc.get(key), str):
                    old = doc[key].rsplit("#", 1)[-1]
                    new = self.models.wire_code(call.service, old) or old
                    if new != old:
                        doc[key] = new
                        self.count("rewritten", f"{call.service}:{old}->{new}")
                        return json.dumps(doc).encode()
            return body

        def rewrite(match):
            old = match.group(1).decode()
            new = self.models.wire_code(call.service, old) or old
            if new != old:
                self.count("rewritten", f"{call.service}:{old}->{new}")
            return b"<Code>" + new.encode() + b"</Code>"
        return re.sub(rb"<Code>([^<]+)</Code>", rewrite, body)


def error_document(call, code, message):
    """(content type, body) of an AWS error in CALL's protocol."""
    request_id = str(uuid.uuid4())
    if call.protocol in ("json", "rest-json"):
        return "application/x-amz-json-1.1", json.dumps({"__type": code, "message": message}).encode()
    text = xml_escape(message)
    if call.protocol == "ec2":
        return "text/xml;charset=UTF-8", (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
            f"<Message>{text}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>").encode()
    kind = "Receiver" if code in SERVER_FAULTS else "Sender"
    namespace = QUERY_NAMESPACES.get(call.service, "")
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return "text/xml", (
        f"<ErrorResponse{xmlns}><Error><Type>{kind}</Type><Code>{code}</Code><Message>{text}</Message>"
        f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>").encode()


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def content_type_of(call):
    return "application/x-amz-json-1.1" if call.protocol in ("json", "rest-json") else "text/xml"


proxy = None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, content_type, body, headers=None):
        self.send_response(status)
        sent = set()
        for name, value in headers or []:
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-type"):
                self.send_header(name, value)
                sent.add(name.lower())
        self.send_header("Content-Type", content_type)
        if "x-amzn-requestid" not in sent:
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def control(self, body):
        path = urllib.parse.urlsplit(self.path).path
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError as e:
            return self.answer(400, "text/plain", f"not JSON: {e}".encode())
        if path == "/_strict/stats" and self.command == "GET":
            with proxy.lock:
                text = json.dumps(proxy.stats)
            return self.answer(200, "application/json", text.encode())
        if path == "/_strict/delays":
            with proxy.lock:
                if self.command in ("PUT", "POST"):
                    proxy.delays.update({k: float(v) for k, v in data.items()})
                text = json.dumps(proxy.delays)
            return self.answer(200, "application/json", text.encode())
        if path == "/_strict/fail-deployment" and self.command in ("PUT", "POST"):
            with proxy.lock:
                proxy.state.setdefault("fail_deployment", []).append(data.get("service"))
            return self.answer(204, "text/plain", b"")
        if path == "/_strict/maintenance" and self.command == "POST":
            done = strict_rds.maintenance(proxy)
            return self.answer(200, "application/json", json.dumps({"applied": done}).encode())
        for b in proxy.behaviours:
            handle = getattr(b, "control", None)
            if handle is not None:
                result = handle(proxy, self.command, path, data)
                if result is not None:
                    return self.answer(*result)
        return self.answer(404, "text/plain", b"no such control")

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/_strict/"):
            return self.control(body)
        call = Call(self.command, self.path, self.headers, body)
        with proxy.lock:
            proxy.stats["requests"] += 1
        name = f"{call.service}:{call.operation or call.method + ' ' + call.path}"
        try:
            status, ctype, data, headers = self.serve(call)
        except Exception:  # noqa: BLE001 - a bug of ours must show, not hang the client
            trace = traceback.format_exc()
            proxy.log(f"{name} proxy error\n{trace}")
            status, headers = 500, []
            ctype, data = error_document(call, "InternalFailure", "strict proxy error: " + trace.splitlines()[-1])
        if status >= 400:
            code = re.search(rb"<Code>([^<]+)</Code>|\"__type\":\\s*\"(?:[^\"#]*#)?([^\"]+)\"", data or b"")
            if code:
                call.note.append((code.group(1) or code.group(2)).decode())
        proxy.log(f"{name} {status}{' ' + ' '.join(call.note) if call.note else ''}")
        self.answer(status, ctype, data, headers)

    def serve(self, call):
        refusal = proxy.validate(call)
        if refusal:
            call.note.append("refused: invalid")
            return refusal + ([],)
        if proxy.pager is not None:
            page = proxy.pager.serve(call)
            if page is not None:
                with proxy.lock:
                    proxy.stats["paged"] += 1
                call.note.append("page")
                if isinstance(page, tuple):
                    return page + ([],)
                return 200, content_type_of(call), page, []
        for b in proxy.behaviours:
            before = getattr(b, "before", None)
            answer = before(proxy, call) if before else None
            if answer is not None:
                call.note.append(f"answered by {type(b).__name__}")
                return answer + ([],)
        if call.new_form is not None:
            call.note.append("re-issued")
            status, headers, data = proxy.forward_form(call, call.new_form)
        else:
            status, headers, data = proxy.forward(call.method, call.path, dict(call.headers), call.body)
        ctype = next((v for k, v in headers if k.lower() == "content-type"), content_type_of(call))
        data = proxy.wire_codes(call, status, data)
        for b in proxy.behaviours:
            after = getattr(b, "after", None)
            if after:
                status, data = after(proxy, call, status, data)
        if proxy.pager is not None and status == 200:
            data = proxy.pager.first(call, status, ctype, data)
        return status, ctype, data, headers

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hung up is no news; anything else goes to the log.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, socket.timeout)):
            super().handle_error(request, client_address)


def main():
    global proxy
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    proxy = Proxy(sys.argv[1], sys.argv[2])
    server = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])
    proxy.log(f"strict proxy on port {server.server_address[1]} in front of {sys.argv[1]}; "
              f"model checks {'on' if proxy.models else 'off'}, pager {'on' if proxy.pager else 'off'}, "
              f"behaviours: {', '.join(type(b).__name__ for b in proxy.behaviours)}")
    server.serve_forever()


if __name__ == "__main__":
    main()
