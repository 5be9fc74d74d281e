"""fault_proxy.py: a forwarding proxy in front of the real moto server that
injects the faults moto cannot: throttling answers and dropped connections.

    fault_proxy.py UPSTREAM PORT_FILE FAULTS

UPSTREAM is moto's URL. The proxy listens on a free 127.0.0.1 port and
writes it to PORT_FILE. FAULTS is a comma-separated list, consumed in order,
one per request whose X-Amz-Target or Action matches:

    throttle:ACTION   answer HTTP 400 ThrottlingException (JSON 1.1 shape)
    429:ACTION        answer HTTP 429 with no AWS error document
    drop:ACTION       close the connection without answering
    reject:ACTION     answer HTTP 400 InvalidParameterValue, in the
                      protocol's own error shape (JSON 1.1 or Query XML)
    creating:ACTION   forward, but report a resource that is `available`
                      as `creating` (keeps a waiter waiting)
    KIND*N:ACTION     N of that fault in a row

Every other request is forwarded unchanged (the signature stays valid: the
Host header is kept). Each request is logged to stdout as
`<ACTION> <forwarded|throttle|429|drop>` so tests can count retries."""
import http.client
import http.server
import re
import sys
import threading
import urllib.parse

upstream = urllib.parse.urlsplit(sys.argv[1])
port_file = sys.argv[2]
def expand(spec):
    """`kind*N:ACTION` stands for N faults of that kind in a row."""
    kind, action = spec.split(":", 1)
    kind, _, times = kind.partition("*")
    return [[kind, action]] * int(times or 1)


faults = [fault for spec in sys.argv[3].split(",") if spec for fault in expand(spec)]
lock = threading.Lock()


def action_of(headers, body):
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    match = re.search(rb"(?:^|&)Action=([A-Za-z]+)", body)
    return match.group(1).decode() if match else "?"


def next_fault(action):
    with lock:
        if faults and faults[0][1] == action:
            return faults.pop(0)[0]
    return None


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        action = action_of(self.headers, body)
        fault = next_fault(action)
        print(action, fault or "forwarded", flush=True)
        if fault == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if fault == "reject":
            self.reject(bool(self.headers.get("X-Amz-Target")))
            return
        if fault in ("throttle", "429"):
            text = b'{"__type":"ThrottlingException","message":"Rate exceeded"}' if fault == "throttle" else b"slow down"
            self.send_response(400 if fault == "throttle" else 429)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)
            return
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        conn.request(self.command, self.path, body, dict(self.headers))
        answer = conn.getresponse()
        data = answer.read()
        if fault == "creating":
            data = data.replace(b"<Status>available</Status>", b"<Status>creating</Status>")
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    def reject(self, json_protocol):
        if json_protocol:
            text = b'{"__type":"InvalidParameterValue","message":"rejected by fault_proxy"}'
            kind = "application/x-amz-json-1.1"
        else:
            text = (b'<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>'
                    b'<Message>rejected by fault_proxy</Message></Error><RequestId>fault-1</RequestId></ErrorResponse>')
            kind = "text/xml"
        self.send_response(400)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
with open(port_file, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
