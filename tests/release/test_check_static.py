#!/usr/bin/env python3
"""The Mach-O checks of scripts/release/check_static.py can fail.

    tests/release/test_check_static.py

The macOS release binaries are built on Linux and never run there, so
check_static.py reading their load commands is all that stands between a
wrong link and a release. Each case runs check_static.py on a small Mach-O
written here, good or broken in one way, and expects it to pass or to fail
naming the check that caught it; a Linux ELF must fail as well. When
scripts/release/static.sh has built the darwin binaries, each must pass for
its own target and fail for the other one. Needs only Python.
Prints `ok NAME` or `FAIL NAME: why` per case and ends with
`check-static: N passed, N failed`.
"""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECK = os.path.join(ROOT, "scripts", "release", "check_static.py")
VERSION = os.environ.get("VERSION", "0.1.0")
MACOS_MIN = "11.0"
CPU = {"arm64": 0x0100000C, "x86_64": 0x01000007}
results = {"passed": 0, "failed": 0}


def lc_str(cmd, text, fixed):
    """A load command with a string at its end, padded to 8 bytes."""
    raw = text.encode() + b"\0"
    size = (8 + len(fixed) + 4 + len(raw) + 7) // 8 * 8
    return struct.pack("<III", cmd, size, 8 + 4 + len(fixed)) + fixed + raw.ljust(size - 12 - len(fixed), b"\0")


def signature(code):
    """An ad-hoc embedded signature: one CodeDirectory of SHA-256 page hashes."""
    pages = [code[i:i + 4096] for i in range(0, len(code), 4096)]
    ident = b"test\0"
    hash_offset = 44 + len(ident)
    directory = struct.pack(">IIIIIIIIIBBBBI", 0xFADE0C02, hash_offset + 32 * len(pages), 0x20100, 2,
                            hash_offset, 44, 0, len(pages), len(code), 32, 2, 0, 12, 0)
    directory += ident + b"".join(hashlib.sha256(p).digest() for p in pages)
    return struct.pack(">IIIII", 0xFADE0CC0, 20 + len(directory), 1, 0, 20) + directory


def macho(arch="arm64", minos=MACOS_MIN, dylibs=("/usr/lib/libSystem.B.dylib",), signed=True,
          rpath=None, build_version=True):
    """A 64-bit Mach-O executable's header and load commands (no code),
    signed ad hoc as the linker signs."""
    major, minor = (int(p) for p in minos.split("."))
    packed = (major << 16) | (minor << 8)
    commands = [lc_str(0xE, "/usr/lib/dyld", b"")]
    if build_version:
        commands.append(struct.pack("<IIIIII", 0x32, 24, 1, packed, 15 << 16, 0))
    else:
        commands.append(struct.pack("<IIII", 0x24, 16, packed, 15 << 16))
    commands.append(struct.pack("<IIQQ", 0x80000028, 24, 0x4000, 0))
    for name in dylibs:
        commands.append(lc_str(0xC, name, struct.pack("<III", 2, 0x10000, 0x10000)))
    if rpath:
        commands.append(lc_str(0x8000001C, rpath, b""))
    if signed:  # its size is known before the hashes: one page of code
        commands.append(struct.pack("<IIII", 0x1D, 16, 4096, len(signature(b"\0" * 4096))))
    body = b"".join(commands)
    header = struct.pack("<IiiIIIII", 0xFEEDFACF, CPU[arch], 0, 2, len(commands), len(body),
                         0x200085, 0)
    code = (header + body).ljust(4096, b"\0")
    return code + signature(code) if signed else code


def check(path, target):
    run = subprocess.run([sys.executable, CHECK, "--target", target, "--macos-min", MACOS_MIN, path],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return run.returncode, run.stdout


def case(name, path, target, failing_check=None):
    """Passes when check_static.py passes, or fails on failing_check."""
    code, out = check(path, target)
    if failing_check is None:
        ok, why = code == 0, f"exit {code}: {out[-600:]!r}"
    else:
        ok = code != 0 and f"FAIL {failing_check}:" in out
        why = f"exit {code}, wanted FAIL {failing_check}: {out[-600:]!r}"
    print(f"ok {name}" if ok else f"FAIL {name}: {why}", flush=True)
    results["passed" if ok else "failed"] += 1


def main():
    with tempfile.TemporaryDirectory(prefix="wagtail-check-static-") as tmp:
        def write(name, data):
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(data)
            return path

        good = write("good-arm64", macho())
        case("a good arm64 binary passes", good, "aarch64-macos")
        case("an x86_64 target refuses arm64", good, "x86_64-macos", "macho-cpu")
        case("a good x86_64 binary passes", write("good-x86_64", macho("x86_64", signed=False)),
             "x86_64-macos")
        case("an arm64 target refuses x86_64", write("x86_64", macho("x86_64")), "aarch64-macos",
             "macho-cpu")
        case("the older LC_VERSION_MIN_MACOSX is read",
             write("version-min", macho(build_version=False)), "aarch64-macos")
        case("another minimum macOS fails", write("min-10.15", macho(minos="10.15")),
             "aarch64-macos", "macho-min-macos")
        case("a Homebrew library fails",
             write("homebrew", macho(dylibs=("/usr/lib/libSystem.B.dylib",
                                             "/opt/homebrew/opt/openssl@3/lib/libssl.3.dylib"))),
             "aarch64-macos", "macho-system-dylibs-only")
        case("libc++ from the system fails",
             write("libcxx", macho(dylibs=("/usr/lib/libSystem.B.dylib", "/usr/lib/libc++.1.dylib"))),
             "aarch64-macos", "macho-system-dylibs-only")
        case("a system framework passes",
             write("framework", macho(dylibs=(
                 "/usr/lib/libSystem.B.dylib",
                 "/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation"))),
             "aarch64-macos")
        case("an rpath fails", write("rpath", macho(rpath="@executable_path/../lib")),
             "aarch64-macos", "macho-no-rpath")
        case("an unsigned arm64 binary fails", write("unsigned", macho(signed=False)),
             "aarch64-macos", "macho-code-signature")
        changed = bytearray(macho())
        changed[3000] ^= 1
        case("a byte changed after signing fails", write("changed", bytes(changed)),
             "aarch64-macos", "macho-code-signature")
        case("a fat file fails", write("fat", struct.pack(">II", 0xCAFEBABE, 0) + b"\0" * 64),
             "aarch64-macos", "macho-thin-64")
        case("a Linux ELF fails", sys.executable if os.path.isfile(sys.executable) else "/bin/sh",
             "aarch64-macos", "macho-thin-64")
    # The real ones, when scripts/release/static.sh has built them.
    built = {t: os.path.join(ROOT, "build-static", t, f"terraform-provider-wagtail_v{VERSION}")
             for t in ("x86_64-macos", "aarch64-macos")}
    other = {"x86_64-macos": "aarch64-macos", "aarch64-macos": "x86_64-macos"}
    for target, path in built.items():
        if not os.path.isfile(path):
            print(f"# no {os.path.relpath(path, ROOT)}: not built here")
            continue
        case(f"build-static/{target} passes", path, target)
        case(f"build-static/{target} fails as {other[target]}", path, other[target], "macho-cpu")
    print(f"check-static: {results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
