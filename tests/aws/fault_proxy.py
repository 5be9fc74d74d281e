"""fault_proxy.py: a forwarding proxy in front of the real moto server that
injects the faults moto cannot: throttling, server errors, broken
connections, stalls, cut and garbled answers, slow answers.

    fault_proxy.py UPSTREAM PORT_FILE [FAULTS]

UPSTREAM is moto's URL. The proxy listens on a free 127.0.0.1 port and
writes it to PORT_FILE. FAULTS is a comma-separated list of KIND:ACTION,
consumed in order: a request takes the first fault of the list when its
action (the X-Amz-Target's last part, else the form's Action) is that
fault's ACTION; every other request is forwarded unchanged (the signature
stays valid: the Host header is kept). So `500:GetRole,ok:GetRole,
reset:GetRole` fails the first and third GetRole and passes the second.

Answers without forwarding (the request never reaches moto):

    throttle              HTTP 400 ThrottlingException  } in the protocol's
    Throttling            HTTP 400 Throttling           } own error shape:
    RequestLimitExceeded  HTTP 400 RequestLimitExceeded } JSON 1.1, Query XML
    reject                HTTP 400 InvalidParameterValue} or EC2's XML
    500, 503              HTTP 500 InternalFailure, 503 ServiceUnavailable,
                          with an AWS error document in that shape
    500bare, 503bare      the same statuses with a proxy's HTML page, no AWS
                          error document
    429                   HTTP 429 with a plain-text body
    drop                  close the connection without answering (FIN)
    reset                 reset the connection (SO_LINGER 0, then close: RST)
    stall                 answer nothing for FAULT_PROXY_STALL_SECONDS
                          (default 75, past the provider's 60 s per-request
                          timeout) or until the client hangs up, then close

Forwarded to moto, so what the request asks for happens there:

    ok                    unchanged (to pick which attempt a fault hits)
    slow                  forwarded after FAULT_PROXY_SLOW_SECONDS (default 2,
                          short of any timeout): success, late
    truncate              moto's answer cut in half: full Content-Length,
                          half the body, then the connection closes (an
                          empty answer is announced as one byte long)
    malformed             HTTP 200 whose body is broken JSON or XML
    creating              a resource `available` in the answer is reported
                          `creating` (keeps a waiter waiting)

Repetition:

    KIND*N:ACTION         N of that fault in a row
    KIND*:ACTION          that fault for every such request from now on (a
                          persistent fault; faults after it are never reached)

Control, while running (requests to /_fault_proxy/ are not forwarded):

    PUT  /_fault_proxy/faults   body FAULTS: replaces the pending list
    GET  /_fault_proxy/stats    JSON: {"injected": {KIND: count}, "forwarded":
                                count, "pending": [[KIND, ACTION, left]]}

With FAULT_PROXY_TLS_CERT and FAULT_PROXY_TLS_KEY (PEM files) set, the
proxy speaks HTTPS with that certificate instead of HTTP.

Each request is logged to stdout as `<ACTION> <KIND|forwarded>` (a stall
adds how long the client waited) so tests can count retries.

Two differences of moto's are evened out, both about the automated
snapshot (rds:<cluster>-<minute>) moto makes with a cluster, signing with
MOTO_ACCESS_KEY and MOTO_SECRET_KEY (tests/aws/moto.sh exports them):
 - AWS deletes a cluster's automated snapshots with it, moto keeps them, and
   their names make a cluster of the same name made again within the minute
   fail (as a tainted cluster's replacement is). After a DeleteDBCluster
   that moto answered with success, the proxy deletes them.
 - moto makes that snapshot before it looks for the cluster, so a
   CreateDBCluster of a cluster that exists (the retry of an attempt whose
   answer was lost) fails with DBClusterSnapshotAlreadyExistsFault; the
   proxy answers DBClusterAlreadyExistsFault, as AWS does."""
import http.client
import http.server
import json
import os
import re
import select
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse

upstream = urllib.parse.urlsplit(sys.argv[1])
port_file = sys.argv[2]
STALL_SECONDS = float(os.environ.get("FAULT_PROXY_STALL_SECONDS", "75"))
SLOW_SECONDS = float(os.environ.get("FAULT_PROXY_SLOW_SECONDS", "2"))

# kind: (HTTP status, AWS error code or None for a bare answer)
ANSWERED = {
    "throttle": (400, "ThrottlingException"),
    "Throttling": (400, "Throttling"),
    "RequestLimitExceeded": (400, "RequestLimitExceeded"),
    "reject": (400, "InvalidParameterValue"),
    "500": (500, "InternalFailure"),
    "503": (503, "ServiceUnavailable"),
    "500bare": (500, None),
    "503bare": (503, None),
    "429": (429, None),
}
FORWARDED = {"ok", "slow", "truncate", "malformed", "creating"}
KINDS = set(ANSWERED) | FORWARDED | {"drop", "reset", "stall"}


def parse(spec):
    """FAULTS text → [[kind, action, left]], left None for a persistent fault."""
    faults = []
    for item in (s.strip() for s in spec.split(",")):
        if not item:
            continue
        kind, action = item.split(":", 1)
        kind, star, times = kind.partition("*")
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r} in {item!r}")
        faults.append([kind, action, None if star and not times else int(times or 1)])
    return faults


faults = parse(sys.argv[3] if len(sys.argv) > 3 else "")
injected = {}
forwarded = 0
lock = threading.Lock()


def action_of(headers, body):
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    match = re.search(rb"(?:^|&)Action=([A-Za-z0-9]+)", body)
    return match.group(1).decode() if match else "?"


def next_fault(action):
    global forwarded
    with lock:
        if faults and faults[0][1] == action:
            kind = faults[0][0]
            if faults[0][2] is not None:
                faults[0][2] -= 1
                if faults[0][2] == 0:
                    faults.pop(0)
            if kind != "ok":
                injected[kind] = injected.get(kind, 0) + 1
                return kind
        forwarded += 1
    return None


def protocol_of(headers, body):
    """json (JSON 1.1), ec2 (EC2's Query dialect) or query."""
    if headers.get("X-Amz-Target"):
        return "json"
    return "ec2" if re.search(rb"(?:^|&)Version=2016-11-15(?:&|$)", body) else "query"


def error_document(protocol, code, message):
    if protocol == "json":
        return "application/x-amz-json-1.1", json.dumps({"__type": code, "message": message}).encode()
    if protocol == "ec2":
        return "text/xml", (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
                            f"</Error></Errors><RequestID>fault-proxy</RequestID></Response>").encode()
    kind = "Receiver" if code in ("InternalFailure", "ServiceUnavailable") else "Sender"
    return "text/xml", (f'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>'
                        f"<Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                        f"<RequestId>fault-proxy</RequestId></ErrorResponse>").encode()


# A proxy's error page: HTML that is not well-formed XML either (<hr>).
BARE_PAGE = (b"<html><head><title>{status}</title></head><body><center><h1>{status}</h1></center>"
             b"<hr><center>fault_proxy</center></body></html>")

MALFORMED = {
    "json": b'{"__fault_proxy": "malformed", "items": [{"name": ',
    "query": b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Result><Item>fault_proxy</Ite',
}


def moto_rds(authorization):
    import boto3  # only here: it takes a while to load
    region = re.search(r"Credential=[^/]+/[^/]+/([^/]+)/", authorization)
    return boto3.client("rds", endpoint_url=sys.argv[1], region_name=region.group(1) if region else "us-east-1",
                        aws_access_key_id=os.environ.get("MOTO_ACCESS_KEY"),
                        aws_secret_access_key=os.environ.get("MOTO_SECRET_KEY"))


def as_aws(action, body, authorization, status, data):
    """moto's answer, evened out as the module's doc says: (status, data)."""
    cluster = urllib.parse.parse_qs(body.decode()).get("DBClusterIdentifier", [""])[0]
    if action == "DeleteDBCluster" and status == 200:
        rds = moto_rds(authorization)
        for snap in rds.describe_db_cluster_snapshots(DBClusterIdentifier=cluster)["DBClusterSnapshots"]:
            if snap["DBClusterSnapshotIdentifier"].startswith("rds:"):
                rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=snap["DBClusterSnapshotIdentifier"])
    if action == "CreateDBCluster" and status == 400 and b"DBClusterSnapshotAlreadyExistsFault" in data:
        if moto_rds(authorization).describe_db_clusters(
                Filters=[{"Name": "db-cluster-id", "Values": [cluster]}])["DBClusters"]:
            return 400, error_document("query", "DBClusterAlreadyExistsFault", "DB Cluster already exists")[1]
    return status, data


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def control(self, body):
        global faults
        if self.command in ("PUT", "POST") and self.path == "/_fault_proxy/faults":
            try:
                new = parse(body.decode())
            except ValueError as e:
                return self.answer(400, "text/plain", str(e).encode())
            with lock:
                faults = new
            return self.answer(204, "text/plain", b"")
        if self.path == "/_fault_proxy/stats":
            with lock:
                stats = {"injected": dict(injected), "forwarded": forwarded, "pending": [list(f) for f in faults]}
            return self.answer(200, "application/json", json.dumps(stats).encode())
        return self.answer(404, "text/plain", b"no such control")

    def answer(self, status, content_type, text, length=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(text) if length is None else length))
        self.end_headers()
        self.wfile.write(text)

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/_fault_proxy/"):
            return self.control(body)
        action = action_of(self.headers, body)
        protocol = protocol_of(self.headers, body)
        fault = next_fault(action)
        if fault == "stall":
            waited = self.stall()
            print(action, fault, f"{waited:.1f}s", flush=True)
            return
        print(action, fault or "forwarded", flush=True)
        if fault == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "reset":
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        if fault in ANSWERED:
            status, code = ANSWERED[fault]
            if code:
                kind, text = error_document(protocol, code, f"injected by fault_proxy ({fault})")
            elif status == 429:
                kind, text = "text/plain", b"slow down"
            else:
                kind, text = "text/html", BARE_PAGE.replace(b"{status}", str(status).encode())
            return self.answer(status, kind, text)
        if fault == "slow":
            time.sleep(SLOW_SECONDS)
        status, headers, data = self.forward(body)
        if action in ("DeleteDBCluster", "CreateDBCluster"):
            status, data = as_aws(action, body, self.headers.get("Authorization", ""), status, data)
        if fault == "creating":
            data = data.replace(b"<Status>available</Status>", b"<Status>creating</Status>")
        if fault == "malformed":
            status, data = 200, MALFORMED["json" if protocol == "json" else "query"]
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(max(len(data), 1) if fault == "truncate" else len(data)))
        if fault == "truncate":
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.end_headers()
        self.wfile.write(data)

    def forward(self, body):
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        try:
            conn.request(self.command, self.path, body, dict(self.headers))
            answer = conn.getresponse()
            return answer.status, answer.getheaders(), answer.read()
        finally:
            conn.close()

    def stall(self):
        """Waits for STALL_SECONDS or until the client hangs up, then closes;
        returns how long the client waited."""
        started = time.monotonic()
        while time.monotonic() - started < STALL_SECONDS:
            readable, _, _ = select.select([self.connection], [], [], 0.2)
            if readable:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        break
                except OSError:
                    break
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return time.monotonic() - started

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
server.daemon_threads = True
if os.environ.get("FAULT_PROXY_TLS_CERT"):
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(os.environ["FAULT_PROXY_TLS_CERT"], os.environ["FAULT_PROXY_TLS_KEY"])
    server.socket = tls.wrap_socket(server.socket, server_side=True)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(port_file + ".tmp", port_file)
server.serve_forever()
