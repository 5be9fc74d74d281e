#!/usr/bin/python3
"""check_static.py: checks that a release binary needs nothing from the system.

    check_static.py BINARY [EMULATOR]
    check_static.py --target x86_64-macos|aarch64-macos --macos-min 11.0 BINARY

A Linux (ELF) binary:

- `file` calls it statically linked, and `ldd` finds no dynamic executable;
- it has no dlopen (nor dlsym) symbol (read from BINARY.symbols, the same
  link with its symbol table, when BINARY is stripped);
- inside an empty root (chroot as root) that holds only the binary, a CA
  bundle and tmp/, started as Terraform starts a provider, it prints the
  go-plugin handshake line, and a gRPC client outside, holding the client
  certificate it was given, gets SERVING from the health service over mutual
  TLS through the socket it named; then GRPCController/Shutdown stops it.

EMULATOR (e.g. /usr/bin/qemu-aarch64-static) runs a binary of another
architecture: it is copied into the root beside the binary. Uses Debian's
python3-grpcio and python3-cryptography.

A macOS (Mach-O) binary cannot run here: its load commands are read instead
(macho.py beside this file: the CPU of --target, the minimum macOS
--macos-min, only libSystem and system frameworks loaded, no rpath, and a
code signature on arm64), with nothing but Python.

Prints `ok NAME` or `FAIL NAME: why` per check and ends with
`static-checks: N passed, N failed`.
"""
import argparse
import base64
import datetime
import os
import select
import shutil
import ssl
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import macho  # noqa: E402

COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CA_BUNDLES = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]
TIMEOUT = 20
results = {"passed": 0, "failed": 0}


def report(name, ok, why=""):
    print(f"ok {name}" if ok else f"FAIL {name}: {why}", flush=True)
    results["passed" if ok else "failed"] += 1


def output(*cmd):
    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return run.stdout.strip()


def client_cert():
    """A self-signed client certificate like the one go-plugin makes."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

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
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


def read_line(proc):
    pending = b""
    while b"\n" not in pending:
        ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT)
        chunk = os.read(proc.stdout.fileno(), 4096) if ready else b""
        if not chunk:
            raise AssertionError(f"no handshake line within {TIMEOUT}s")
        pending += chunk
    return pending.split(b"\n", 1)[0].decode()


def empty_root_handshake(binary, emulator):
    import grpc

    root = tempfile.mkdtemp(prefix="wagtail-empty-root-")
    try:
        os.mkdir(os.path.join(root, "tmp"))
        os.chmod(os.path.join(root, "tmp"), 0o1777)
        shutil.copy(binary, os.path.join(root, "provider"))
        bundle = next((b for b in CA_BUNDLES if os.path.exists(b)), None)
        if bundle:
            os.makedirs(os.path.join(root, "etc/ssl/certs"))
            shutil.copy(bundle, os.path.join(root, "etc/ssl/certs/ca-certificates.crt"))
        chroot = shutil.which("chroot") or "/usr/sbin/chroot"
        command = [chroot, root, "/provider"]
        if emulator:
            shutil.copy(emulator, os.path.join(root, "emulator"))
            command = [chroot, root, "/emulator", "/provider"]
        listing = sorted(os.path.relpath(os.path.join(d, f), root)
                         for d, _, files in os.walk(root) for f in files)
        print(f"# the root holds: {' '.join(listing)}", flush=True)
        cert_pem, key_pem = client_cert()
        env = {"TF_PLUGIN_MAGIC_COOKIE": COOKIE, "PLUGIN_PROTOCOL_VERSIONS": "5,6",
               "PLUGIN_MIN_PORT": "10000", "PLUGIN_MAX_PORT": "25000",
               "PLUGIN_CLIENT_CERT": cert_pem.decode(), "TMPDIR": "/tmp"}
        stderr = tempfile.TemporaryFile()
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=stderr)
        try:
            try:
                line = read_line(proc)
            except AssertionError as e:
                stderr.seek(0)
                report("handshake-in-empty-root", False, f"{e}; stderr: {stderr.read()[-2000:]!r}")
                return
            fields = line.split("|")
            ok = len(fields) == 6 and fields[:3] == ["1", "6", "unix"] and fields[4] == "grpc"
            report("handshake-in-empty-root", ok, f"line {line[:120]!r}")
            if not ok:
                return
            print(f"# handshake: {'|'.join(fields[:5])}|<{len(fields[5])} characters of cert>")
            der = base64.b64decode(fields[5] + "=" * (-len(fields[5]) % 4))
            creds = grpc.ssl_channel_credentials(
                root_certificates=ssl.DER_cert_to_PEM_cert(der).encode(),
                private_key=key_pem, certificate_chain=cert_pem)
            socket = root + fields[3]
            with grpc.secure_channel("unix:" + socket, creds,
                                     options=[("grpc.ssl_target_name_override", "localhost")]) as ch:
                try:
                    answer = ch.unary_unary("/grpc.health.v1.Health/Check")(
                        b"\x0a\x06plugin", timeout=TIMEOUT)
                    report("health-serving-over-mtls", answer == b"\x08\x01", f"answer {answer!r}")
                except grpc.RpcError as e:
                    report("health-serving-over-mtls", False, f"{e.code()}: {e.details()}")
                try:
                    ch.unary_unary("/plugin.GRPCController/Shutdown")(b"", timeout=TIMEOUT)
                except grpc.RpcError:
                    pass  # the process may exit before it answers
            try:
                proc.wait(timeout=TIMEOUT)
                report("exits-after-shutdown", True)
            except subprocess.TimeoutExpired:
                report("exits-after-shutdown", False, "still running")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def finish():
    print(f"static-checks: {results['passed']} passed, {results['failed']} failed")
    sys.exit(0 if results["failed"] == 0 else 1)


def main():
    parser = argparse.ArgumentParser(
        description="Checks that a release binary needs nothing from the system "
                    "(see the top of this file).")
    parser.add_argument("binary")
    parser.add_argument("emulator", nargs="?", help="runs a Linux binary of another machine")
    parser.add_argument("--target", help="the zig triple it was built for; "
                        "a Mach-O binary needs it (x86_64-macos, aarch64-macos)")
    parser.add_argument("--macos-min", help="the minimum macOS it was built for (a Mach-O binary)")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    emulator = args.emulator
    if not os.path.isfile(binary):
        report("exists", False, f"no file {binary}")
        finish()
    if macho.is_macho(binary) or (args.target or "").endswith("-macos"):
        if not args.target or not args.macos_min:
            parser.error("a Mach-O binary needs --target and --macos-min")
        macho.check(binary, args.target.split("-")[0], args.macos_min, report)
        print(f"# size: {os.path.getsize(binary)} bytes")
        finish()
    described = output("file", "-b", binary)
    print(f"# file: {described}")
    report("file-says-static", "statically linked" in described or
           ("static-pie linked" in described), described)
    ldd = output("ldd", binary)
    print(f"# ldd: {ldd}")
    report("ldd-not-dynamic", "not a dynamic executable" in ldd or "statically linked" in ldd, ldd)
    # A stripped release binary is linked a second time with its symbol
    # table as BINARY.symbols (scripts/release/static.sh): nm reads that one.
    symbols = output("nm", binary + ".symbols" if os.path.exists(binary + ".symbols") else binary)
    loaders = sorted({line.split()[-1] for line in symbols.splitlines()
                      if line.split() and line.split()[-1] in ("dlopen", "dlsym", "dlmopen")})
    report("no-dlopen-symbol", not loaders and "no symbols" not in symbols, f"found {loaders}")
    print(f"# size: {os.path.getsize(binary)} bytes")
    empty_root_handshake(binary, emulator)
    finish()


if __name__ == "__main__":
    main()
