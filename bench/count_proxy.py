#!/usr/bin/env python3
"""count_proxy.py: the benchmark's counting proxy in front of moto.

    count_proxy.py UPSTREAM PORT_FILE LOG

Forwards every request unchanged to UPSTREAM (moto's URL; the Host header is
kept, so SigV4 signatures stay valid), listens on a free 127.0.0.1 port that
it writes to PORT_FILE, and appends one line per request to LOG:

    <Action> <HTTP status> <milliseconds moto took>

written whole under a lock, so that concurrent requests never share a line
(tests/aws/fault_proxy.py, which this follows, prints its two words
separately and its lines interleave under load). The action is the
X-Amz-Target operation (JSON protocols) or the Action parameter (query
protocols), else METHOD:/path.
"""
import http.client
import http.server
import re
import sys
import threading
import time
import urllib.parse

upstream = urllib.parse.urlsplit(sys.argv[1])
port_file, log_path = sys.argv[2], sys.argv[3]
log = open(log_path, "a", buffering=1)
lock = threading.Lock()


def action_of(command, path, headers, body):
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    match = re.search(rb"(?:^|&)Action=([A-Za-z0-9]+)", body) or re.search(
        r"[?&]Action=([A-Za-z0-9]+)", path)
    if match:
        action = match.group(1)
        return action.decode() if isinstance(action, bytes) else action
    return "%s:%s" % (command, urllib.parse.urlsplit(path).path)


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        action = action_of(self.command, self.path, self.headers, body)
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=120)
        conn.request(self.command, self.path, body, dict(self.headers))
        answer = conn.getresponse()
        data = answer.read()
        elapsed = (time.perf_counter() - t0) * 1000.0
        conn.close()
        with lock:
            log.write("%s %d %.2f\n" % (action, answer.status, elapsed))
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


server = Server(("127.0.0.1", 0), Proxy)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402

os.rename(port_file + ".tmp", port_file)
server.serve_forever()
