"""macho.py: what check_static.py verifies in a macOS release binary.

The darwin binaries are built on Linux and never run there, so these checks
read the Mach-O file itself (no Apple tools): its load commands say which
machine it is for, the oldest macOS that starts it, and every library the
dynamic loader must find. A provider that would not start on a plain Mac
(one without Homebrew, MacPorts or Xcode) fails here:

- one thin 64-bit Mach-O executable (MH_EXECUTE, PIE, with LC_MAIN) for the
  target's CPU (x86_64 or arm64);
- the minimum macOS of LC_BUILD_VERSION (platform macOS), or of the older
  LC_VERSION_MIN_MACOSX, is the one the build chose;
- every LC_LOAD_DYLIB (and weak, re-exported, lazy or upward one) is
  /usr/lib/libSystem.B.dylib or a framework under /System/Library/Frameworks;
  there is no LC_RPATH, so nothing is looked up next to the binary;
- an arm64 binary carries a code signature (LC_CODE_SIGNATURE): macOS on
  Apple silicon kills an unsigned one at exec; the linker's ad-hoc one is
  enough, as long as every page's hash in its CodeDirectory still matches
  the file (a binary changed after the link is killed just the same).

check(path, arch, macos_min, report) calls report(name, ok, why) per check and
returns the facts it read (for the log).
"""
import hashlib
import struct

MH_MAGIC_64 = 0xFEEDFACF
FAT_MAGICS = (0xCAFEBABE, 0xBEBAFECA, 0xCAFEBABF, 0xBFBAFECA)
MH_EXECUTE = 2
MH_PIE = 0x200000
CPU_TYPES = {"x86_64": 0x01000007, "arm64": 0x0100000C}
LC_REQ_DYLD = 0x80000000
LC_LOAD_DYLIB = 0xC
LC_LOAD_DYLINKER = 0xE
LC_CODE_SIGNATURE = 0x1D
LC_LAZY_LOAD_DYLIB = 0x20
LC_VERSION_MIN_MACOSX = 0x24
LC_BUILD_VERSION = 0x32
LC_LOAD_WEAK_DYLIB = 0x18 | LC_REQ_DYLD
LC_RPATH = 0x1C | LC_REQ_DYLD
LC_REEXPORT_DYLIB = 0x1F | LC_REQ_DYLD
LC_LOAD_UPWARD_DYLIB = 0x23 | LC_REQ_DYLD
LC_MAIN = 0x28 | LC_REQ_DYLD
DYLIB_COMMANDS = {LC_LOAD_DYLIB: "LC_LOAD_DYLIB", LC_LOAD_WEAK_DYLIB: "LC_LOAD_WEAK_DYLIB",
                  LC_REEXPORT_DYLIB: "LC_REEXPORT_DYLIB", LC_LAZY_LOAD_DYLIB: "LC_LAZY_LOAD_DYLIB",
                  LC_LOAD_UPWARD_DYLIB: "LC_LOAD_UPWARD_DYLIB"}
PLATFORM_MACOS = 1
LIBSYSTEM = "/usr/lib/libSystem.B.dylib"
FRAMEWORKS = "/System/Library/Frameworks/"

# Machine names as zig's target triples spell them, to Mach-O's.
ARCHES = {"x86_64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


class NotMachO(Exception):
    pass


def is_macho(path):
    with open(path, "rb") as f:
        head = f.read(4)
    return len(head) == 4 and (struct.unpack("<I", head)[0] == MH_MAGIC_64 or
                               struct.unpack(">I", head)[0] in FAT_MAGICS)


def version(packed):
    """X.Y.Z from Mach-O's xxxx.yy.zz nibbles."""
    return f"{packed >> 16}.{(packed >> 8) & 0xFF}.{packed & 0xFF}"


def parse_version(text):
    parts = [int(p) for p in text.split(".")] + [0, 0]
    return (parts[0] << 16) | (parts[1] << 8) | parts[2]


def c_string(data, start, end):
    raw = data[start:end]
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def read(path):
    """The header and load commands of a thin 64-bit little-endian Mach-O."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 32:
        raise NotMachO(f"{len(data)} bytes: too short for a Mach-O header")
    magic = struct.unpack_from("<I", data)[0]
    if struct.unpack_from(">I", data)[0] in FAT_MAGICS:
        raise NotMachO("a universal (fat) file; the release has one thin binary per machine")
    if magic != MH_MAGIC_64:
        raise NotMachO(f"magic {data[:4].hex()} is not a 64-bit Mach-O's (cffaedfe)")
    _, cputype, cpusubtype, filetype, ncmds, sizeofcmds, flags, _ = struct.unpack_from("<IiiIIIII", data)
    info = {"cputype": cputype, "cpusubtype": cpusubtype, "filetype": filetype, "flags": flags,
            "dylibs": [], "rpaths": [], "build_version": None, "version_min": None,
            "main": False, "dylinker": None, "code_signature": False, "commands": ncmds}
    offset = 32
    if 32 + sizeofcmds > len(data):
        raise NotMachO("load commands run past the end of the file")
    for _ in range(ncmds):
        cmd, cmdsize = struct.unpack_from("<II", data, offset)
        if cmdsize < 8 or offset + cmdsize > 32 + sizeofcmds:
            raise NotMachO(f"load command 0x{cmd:x} at {offset} has a bad size {cmdsize}")
        end = offset + cmdsize
        if cmd in DYLIB_COMMANDS:
            name_offset = struct.unpack_from("<I", data, offset + 8)[0]
            info["dylibs"].append((DYLIB_COMMANDS[cmd], c_string(data, offset + name_offset, end)))
        elif cmd == LC_RPATH:
            path_offset = struct.unpack_from("<I", data, offset + 8)[0]
            info["rpaths"].append(c_string(data, offset + path_offset, end))
        elif cmd == LC_LOAD_DYLINKER:
            name_offset = struct.unpack_from("<I", data, offset + 8)[0]
            info["dylinker"] = c_string(data, offset + name_offset, end)
        elif cmd == LC_BUILD_VERSION:
            platform, minos, sdk = struct.unpack_from("<III", data, offset + 8)
            info["build_version"] = (platform, minos, sdk)
        elif cmd == LC_VERSION_MIN_MACOSX:
            minos, sdk = struct.unpack_from("<II", data, offset + 8)
            info["version_min"] = (minos, sdk)
        elif cmd == LC_MAIN:
            info["main"] = True
        elif cmd == LC_CODE_SIGNATURE:
            info["code_signature"] = struct.unpack_from("<II", data, offset + 8)
        offset = end
    info["data"] = data
    return info


CSMAGIC_EMBEDDED_SIGNATURE = 0xFADE0CC0
CSMAGIC_CODEDIRECTORY = 0xFADE0C02
CS_HASHES = {1: hashlib.sha1, 2: hashlib.sha256}


def signature_problem(data, dataoff, datasize):
    """Why the embedded signature does not cover the file as it is, or None."""
    blob = data[dataoff:dataoff + datasize]
    if len(blob) < 12 or struct.unpack_from(">I", blob)[0] != CSMAGIC_EMBEDDED_SIGNATURE:
        return "LC_CODE_SIGNATURE points at no embedded signature"
    count = struct.unpack_from(">I", blob, 8)[0]
    for i in range(count):
        _, off = struct.unpack_from(">II", blob, 12 + 8 * i)
        if struct.unpack_from(">I", blob, off)[0] != CSMAGIC_CODEDIRECTORY:
            continue
        (_, _, _, _, hash_offset, _, _, n_code, code_limit, hash_size, hash_type, _,
         page_log2) = struct.unpack_from(">IIIIIIIIIBBBB", blob, off)
        if hash_type not in CS_HASHES:
            return f"CodeDirectory hash type {hash_type}"
        page = 1 << page_log2 if page_log2 else code_limit
        for slot in range(n_code):
            start = slot * page
            want = blob[off + hash_offset + slot * hash_size:off + hash_offset + (slot + 1) * hash_size]
            got = CS_HASHES[hash_type](data[start:min(start + page, code_limit)]).digest()[:hash_size]
            if got != want:
                return f"page {slot} (bytes {start}..) no longer matches its hash"
        return None
    return "no CodeDirectory in the signature"


def check(path, arch, macos_min, report):
    """Reports each check on the Mach-O at path for arch (x86_64 or arm64)."""
    arch = ARCHES.get(arch, arch)
    try:
        info = read(path)
    except (NotMachO, struct.error) as e:
        report("macho-thin-64", False, str(e))
        return None
    names = {v: k for k, v in CPU_TYPES.items()}
    got_arch = names.get(info["cputype"], f"cputype 0x{info['cputype'] & 0xFFFFFFFF:x}")
    print(f"# mach-o: {got_arch}, {info['commands']} load commands, flags 0x{info['flags']:x}", flush=True)
    report("macho-thin-64", True)
    report("macho-cpu", got_arch == arch, f"built for {got_arch}, the target is {arch}")
    executable = info["filetype"] == MH_EXECUTE and bool(info["flags"] & MH_PIE) and info["main"]
    report("macho-pie-executable", executable,
           f"filetype {info['filetype']}, PIE {bool(info['flags'] & MH_PIE)}, LC_MAIN {info['main']}")
    report("macho-dyld", info["dylinker"] == "/usr/lib/dyld", f"LC_LOAD_DYLINKER {info['dylinker']!r}")
    want = parse_version(macos_min)
    if info["build_version"]:
        platform, minos, sdk = info["build_version"]
        print(f"# LC_BUILD_VERSION: platform {platform}, minos {version(minos)}, sdk {version(sdk)}")
        report("macho-min-macos", platform == PLATFORM_MACOS and minos == want,
               f"platform {platform} (macOS is {PLATFORM_MACOS}), minos {version(minos)}, "
               f"wanted {version(want)}")
    elif info["version_min"]:
        minos, sdk = info["version_min"]
        print(f"# LC_VERSION_MIN_MACOSX: {version(minos)}, sdk {version(sdk)}")
        report("macho-min-macos", minos == want, f"minimum {version(minos)}, wanted {version(want)}")
    else:
        report("macho-min-macos", False, "neither LC_BUILD_VERSION nor LC_VERSION_MIN_MACOSX")
    for kind, name in info["dylibs"]:
        print(f"# {kind} {name}")
    foreign = [name for _, name in info["dylibs"]
               if name != LIBSYSTEM and not name.startswith(FRAMEWORKS)]
    report("macho-system-dylibs-only", bool(info["dylibs"]) and not foreign,
           f"not libSystem nor a system framework: {foreign}" if foreign else "no LC_LOAD_DYLIB at all")
    report("macho-no-rpath", not info["rpaths"], f"LC_RPATH {info['rpaths']}")
    if arch == "arm64" or info["code_signature"]:
        problem = "no LC_CODE_SIGNATURE (arm64 needs one)"
        if info["code_signature"]:
            problem = signature_problem(info["data"], *info["code_signature"])
        report("macho-code-signature", problem is None, problem)
    return info
