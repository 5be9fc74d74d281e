#!/usr/bin/python3
"""test_client_cert.py: the provider binary's handshake and mutual TLS, as a
go-plugin client sees them, using a real gRPC client (python3-grpcio).

Each case prints `ok NAME` or `FAIL NAME: why`; the last line is
`tls: N passed, N failed`. The binary is $PROVIDER_BINARY, or argv[1], or
build/terraform-provider-wagtail_v0.1.0 relative to the repository root.
"""
import base64
import datetime
import json
import os
import select
import signal
import ssl
import subprocess
import sys
import tempfile
import time

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
HEALTH = "/grpc.health.v1.Health/Check"
SHUTDOWN = "/plugin.GRPCController/Shutdown"
HEALTH_PLUGIN = b"\x0a\x06plugin"  # HealthCheckRequest{service: "plugin"}
SERVING = b"\x08\x01"  # HealthCheckResponse{status: SERVING}
TIMEOUT = 10

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = (sys.argv[1] if len(sys.argv) > 1 else None) or os.environ.get("PROVIDER_BINARY") or \
    os.path.join(ROOT, "build", "terraform-provider-wagtail_v0.1.0")

results = {"passed": 0, "failed": 0}


def case(name, fn):
    try:
        fn()
    except Exception as e:  # a failed case must not stop the others
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
        results["failed"] += 1
    else:
        print(f"ok {name}", flush=True)
        results["passed"] += 1


def expect(condition, why):
    if not condition:
        raise AssertionError(why)


def make_cert():
    """A self-signed client certificate like the one go-plugin makes."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(seconds=30))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH,
                                                  ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


class Plugin:
    """The provider started as a CLI starts it, up to its handshake line."""

    def __init__(self, env_extra, args=()):
        env = {k: v for k, v in os.environ.items()
               if k not in ("TF_DISABLE_PLUGIN_TLS", "PLUGIN_CLIENT_CERT", "TF_PLUGIN_MAGIC_COOKIE")}
        env.update(env_extra)
        self.tmp = tempfile.mkdtemp(prefix="wagtail-tls-test-")
        env["TMPDIR"] = self.tmp
        self.stderr = tempfile.TemporaryFile()
        self.pending = b""
        self.proc = subprocess.Popen([BINARY, *args], env=env, stdout=subprocess.PIPE,
                                     stderr=self.stderr)

    def read_line(self):
        # Unbuffered reads: a buffered reader would hide, from select, the
        # lines it already holds.
        while b"\n" not in self.pending:
            ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT)
            chunk = os.read(self.proc.stdout.fileno(), 4096) if ready else b""
            if not chunk:
                raise AssertionError(f"no line on stdout within {TIMEOUT}s")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode()

    def handshake(self):
        fields = self.read_line().split("|")
        expect(len(fields) == 6, f"handshake line has {len(fields)} fields: {fields}")
        core, app, network, addr, protocol, cert = fields
        expect((core, app, network, protocol) == ("1", "6", "unix", "grpc"), f"bad line {fields}")
        self.socket = addr
        self.cert_field = cert
        return self

    def server_pem(self):
        der = base64.b64decode(self.cert_field + "=" * (-len(self.cert_field) % 4))
        return ssl.DER_cert_to_PEM_cert(der).encode()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()
        self.stderr.close()
        subprocess.run(["rm", "-rf", self.tmp])

    def stderr_text(self):
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")


def tls_channel(plugin, cert_pem=None, key_pem=None):
    creds = grpc.ssl_channel_credentials(root_certificates=plugin.server_pem(),
                                         private_key=key_pem, certificate_chain=cert_pem)
    return grpc.secure_channel("unix:" + plugin.socket, creds,
                               options=[("grpc.ssl_target_name_override", "localhost")])


def call(channel, method, request):
    with channel:
        return channel.unary_unary(method)(request, timeout=TIMEOUT)


def expect_code(channel, method, request, code):
    try:
        call(channel, method, request)
    except grpc.RpcError as e:
        expect(e.code() == code, f"got {e.code()} ({e.details()}), want {code}")
        return e
    raise AssertionError(f"call succeeded, want {code}")


def expect_exit(plugin, status):
    try:
        got = plugin.proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise AssertionError("still running")
    expect(got == status, f"exit status {got}, want {status}")


def shutdown_exits_cleanly(plugin, channel):
    expect(call(channel, SHUTDOWN, b"") == b"", "Shutdown answered a non-empty message")
    expect_exit(plugin, 0)
    expect(os.listdir(plugin.tmp) == [], f"left behind {os.listdir(plugin.tmp)}")


def tls_cases():
    client_cert, client_key = make_cert()
    other_cert, other_key = make_cert()
    plugin = Plugin({"TF_PLUGIN_MAGIC_COOKIE": COOKIE, "PLUGIN_PROTOCOL_VERSIONS": "5,6",
                     "PLUGIN_CLIENT_CERT": client_cert.decode()})
    try:
        case("tls handshake line", lambda: (plugin.handshake(),
                                             expect(len(plugin.cert_field) > 50, "no certificate"),
                                             expect("=" not in plugin.cert_field, "padded base64")))
        if not hasattr(plugin, "socket"):
            return

        def private_socket_dir():
            mode = os.stat(os.path.dirname(plugin.socket)).st_mode & 0o777
            expect(mode == 0o700, f"socket directory mode {oct(mode)}, want 0o700")
        case("tls socket directory is private (0700)", private_socket_dir)
        case("tls client cert: health SERVING",
             lambda: expect(call(tls_channel(plugin, client_cert, client_key), HEALTH, HEALTH_PLUGIN)
                            == SERVING, "not SERVING"))
        case("tls health of an unknown service is NOT_FOUND",
             lambda: expect_code(tls_channel(plugin, client_cert, client_key), HEALTH,
                                 b"\x0a\x05other", grpc.StatusCode.NOT_FOUND))
        case("tls other client cert refused",
             lambda: expect_code(tls_channel(plugin, other_cert, other_key), HEALTH, HEALTH_PLUGIN,
                                 grpc.StatusCode.UNAVAILABLE))
        case("tls no client cert refused",
             lambda: expect_code(tls_channel(plugin), HEALTH, HEALTH_PLUGIN,
                                 grpc.StatusCode.UNAVAILABLE))
        case("tls plaintext client refused",
             lambda: expect_code(grpc.insecure_channel("unix:" + plugin.socket), HEALTH,
                                 HEALTH_PLUGIN, grpc.StatusCode.UNAVAILABLE))

        def unknown_method():
            e = expect_code(tls_channel(plugin, client_cert, client_key), "/nope.Service/Missing",
                            b"", grpc.StatusCode.UNIMPLEMENTED)
            expect("/nope.Service/Missing" in (e.details() or ""), f"details: {e.details()}")
        case("tls unknown method UNIMPLEMENTED", unknown_method)

        def parallel_calls():
            with tls_channel(plugin, client_cert, client_key) as channel:
                check = channel.unary_unary(HEALTH)
                futures = [check.future(HEALTH_PLUGIN, timeout=TIMEOUT) for _ in range(200)]
                expect(all(f.result() == SERVING for f in futures), "a parallel call failed")
        case("tls 200 parallel calls", parallel_calls)

        def sigint_ignored():
            plugin.proc.send_signal(signal.SIGINT)
            time.sleep(0.2)
            expect(plugin.proc.poll() is None, "exited on SIGINT")
        case("tls SIGINT ignored", sigint_ignored)
        case("tls Shutdown exits 0 and removes the socket dir",
             lambda: shutdown_exits_cleanly(plugin, tls_channel(plugin, client_cert, client_key)))
    finally:
        plugin.stop()


def plaintext_cases():
    client_cert, _ = make_cert()
    plugin = Plugin({"TF_PLUGIN_MAGIC_COOKIE": COOKIE, "TF_DISABLE_PLUGIN_TLS": "1",
                     "PLUGIN_CLIENT_CERT": client_cert.decode()})
    try:
        case("plaintext handshake has no cert",
             lambda: (plugin.handshake(), expect(plugin.cert_field == "", "certificate printed")))
        if not hasattr(plugin, "socket"):
            return
        case("plaintext health SERVING",
             lambda: expect(call(grpc.insecure_channel("unix:" + plugin.socket), HEALTH,
                                 HEALTH_PLUGIN) == SERVING, "not SERVING"))
        case("plaintext Shutdown exits 0",
             lambda: shutdown_exits_cleanly(plugin, grpc.insecure_channel("unix:" + plugin.socket)))
    finally:
        plugin.stop()


def sigterm_case():
    plugin = Plugin({"TF_PLUGIN_MAGIC_COOKIE": COOKIE})
    try:
        plugin.handshake()
        plugin.proc.send_signal(signal.SIGTERM)
        expect_exit(plugin, 0)
        expect(os.listdir(plugin.tmp) == [], f"left behind {os.listdir(plugin.tmp)}")
    finally:
        plugin.stop()


def refusal_case(env):
    plugin = Plugin(env)
    try:
        expect_exit(plugin, 1)
        expect(plugin.proc.stdout.read() == b"", "printed on stdout")
        expect(plugin.stderr_text().strip() != "", "no message on stderr")
        expect(os.listdir(plugin.tmp) == [], f"left behind {os.listdir(plugin.tmp)}")
    finally:
        plugin.stop()


def debug_case():
    plugin = Plugin({}, args=("--debug",))
    try:
        reattach = {}
        while len(reattach) < 2:
            line = plugin.read_line().strip()
            if line.startswith("TF_REATTACH_PROVIDERS='"):
                reattach.update(json.loads(line.split("'")[1]))
        expect(set(reattach) == {"registry.terraform.io/wagtail/wagtail",
                                 "registry.opentofu.org/wagtail/wagtail"}, f"got {set(reattach)}")
        entry = reattach["registry.terraform.io/wagtail/wagtail"]
        expect(entry["Pid"] == plugin.proc.pid and entry["Test"] is True, f"entry {entry}")
        socket = entry["Addr"]["String"]
        expect(call(grpc.insecure_channel("unix:" + socket), HEALTH, HEALTH_PLUGIN) == SERVING,
               "not SERVING")
        plugin.proc.send_signal(signal.SIGINT)
        expect_exit(plugin, 0)
    finally:
        plugin.stop()


def main():
    if not os.access(BINARY, os.X_OK):
        print(f"FAIL binary: {BINARY} not built (run make)")
        print("tls: 0 passed, 1 failed")
        return 1
    tls_cases()
    plaintext_cases()
    case("SIGTERM exits 0 and removes the socket dir", sigterm_case)
    case("no cookie: exit 1 with a message", lambda: refusal_case({}))
    case("protocol 5 only: exit 1 with a message",
         lambda: refusal_case({"TF_PLUGIN_MAGIC_COOKIE": COOKIE, "PLUGIN_PROTOCOL_VERSIONS": "5"}))
    case("debug mode: reattach JSON, serves, stops on SIGINT", debug_case)
    print(f"tls: {results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
