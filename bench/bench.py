#!/usr/bin/env python3
"""bench.py: the measurements of bench/compare.sh, which sets everything up
(providers, mirrors, CLI configs, moto, the counting proxy) and calls:

    bench.py prereqs ENDPOINT ACCESS_KEY SECRET_KEY REGION   -> JSON on stdout
    bench.py run CONFIG.json RESULTS.json
    bench.py startup CONFIG.json RESULTS.json   (start-up again, into RESULTS)

`run` measures the providers of CONFIG (our dynamic build "wagtail", our
fully static release binary "static", the AWS provider "aws"; whichever are
there), in an order that rotates from one run to the next (with two: A/B,
then B/A), so that none is always first or last:

  sizes    each binary's size as built and after stripping a copy, and the
           same for every release target in build-static/ (cross-built
           ones too, which are not run here);

  startup  spawn each provider as go-plugin does and time until its handshake
           line (and a shell script that only prints the line: the floor):
           wall time, and CPU time of the process until then; its RSS then;
  stack    for each of RUNS runs: `tofu init` (own directory, real binaries in
           the mirror), then in a second directory initialised from the
           instrumented mirror: validate, apply, plan (must show no changes),
           `plan -refresh=false` (no AWS calls: the providers' and the CLI's
           own work), destroy. Each step: wall time, CPU time of the CLI and everything it
           ran, the providers' own CPU and exact peak RSS (rusage-wrapper.c),
           the peak summed RSS of the CLI's process tree (sampled every 10 ms),
           and the AWS API calls the proxy saw, by action;
  scale    for N in SCALE_NS, SCALE_RUNS runs: apply N SSM parameters, a
           no-change plan (the refresh of N resources), the same plan with
           -refresh=false, destroy; also N
           built-in terraform_data resources, which no provider serves: the
           CLI's own time for N resources, the floor.
"""
import collections
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"


# ---------------------------------------------------------------------------
# Prerequisites in moto: what the stacks take as inputs (a VPC, two subnets
# in two zones, the tasks' security group, the role Aurora invokes Lambda
# with). Made once, directly (not through the counting proxy).
# ---------------------------------------------------------------------------

def prereqs(endpoint, key, secret, region):
    import boto3

    kw = dict(endpoint_url=endpoint, region_name=region, aws_access_key_id=key, aws_secret_access_key=secret)
    ec2 = boto3.client("ec2", **kw)
    iam = boto3.client("iam", **kw)
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.%d.0/24" % i, AvailabilityZone=region + zone)["Subnet"]["SubnetId"]
        for i, zone in enumerate("ab")
    ]
    group = ec2.create_security_group(GroupName="bench-tasks", Description="bench tasks", VpcId=vpc)["GroupId"]
    role = iam.create_role(RoleName="bench-aurora-lambda", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "rds.amazonaws.com"}}],
    }))["Role"]["Arn"]
    return {"vpc_id": vpc, "subnets": subnets, "tasks_security_group": group, "cidr_range": "10.8.0.0/16",
            "lambda_role_arn": role}


# ---------------------------------------------------------------------------
# Process measurement
# ---------------------------------------------------------------------------

def _children(pid):
    kids = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                    kids.extend(int(x) for x in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return kids


def _rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root):
    total, todo, seen = 0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _rss_kb(pid)
        todo.extend(_children(pid))
    return total


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


def read_lines_from(path, start):
    try:
        with open(path) as f:
            return [line.split() for i, line in enumerate(f) if i >= start and line.strip()]
    except OSError:
        return []


# A run whose CLI step fails is recorded in "failures" (its directory is kept
# for its logs) and tried again, up to ATTEMPTS times in all, under new names.
ATTEMPTS = 3


class StepFailed(Exception):
    """A CLI step exited with an unexpected code: recorded, and the runs go on."""


class Runner:
    def __init__(self, cfg, work):
        self.cfg = cfg
        self.work = work
        self.proxy_log = cfg["proxy_log"]
        self.rusage_log = os.path.join(work, "rusage.log")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TF_", "AWS_", "PLUGIN_"))}
        env.update(TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1",
                   AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE=os.path.join(work, "no-aws-config"),
                   AWS_SHARED_CREDENTIALS_FILE=os.path.join(work, "no-aws-credentials"),
                   BENCH_RUSAGE_LOG=self.rusage_log)
        self.env = env

    def tofu(self, cwd, args, cli_config, out_name, ok_codes=(0,)):
        """Run the CLI once; return its measurements."""
        env = dict(self.env, TF_CLI_CONFIG_FILE=cli_config)
        calls_start = count_lines(self.proxy_log)
        rusage_start = count_lines(self.rusage_log)
        out_path = os.path.join(cwd, out_name)
        peak = [0]
        done = threading.Event()
        with open(out_path, "wb") as out:
            t0 = time.perf_counter()
            proc = subprocess.Popen([self.cfg["tofu"]] + args + ["-no-color"], cwd=cwd, env=env,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)

            def sample():
                while not done.is_set():
                    peak[0] = max(peak[0], tree_rss_kb(proc.pid))
                    done.wait(0.01)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            _, status, ru = os.wait4(proc.pid, 0)
            t1 = time.perf_counter()
            done.set()
            sampler.join()
            proc.returncode = os.waitstatus_to_exitcode(status)
        rc = proc.returncode
        if rc not in ok_codes:
            text = open(out_path, errors="replace").read()
            errors = sorted(set(line.strip() for line in text.splitlines() if line.startswith("Error:")))
            raise StepFailed({"command": "tofu " + " ".join(args), "rc": rc, "log": out_path,
                              "errors": errors[:5], "wall": t1 - t0})
        providers = read_lines_from(self.rusage_log, rusage_start)
        requests = read_lines_from(self.proxy_log, calls_start)
        calls = collections.Counter(line[0] for line in requests)
        return {
            "rc": rc,
            "wall": t1 - t0,
            "cpu": ru.ru_utime + ru.ru_stime,
            "provider_cpu": sum(float(p[2]) + float(p[3]) for p in providers),
            "provider_peak_rss_kb": max([int(p[1]) for p in providers] or [0]),
            "provider_processes": len(providers),
            "tree_peak_rss_kb": peak[0],
            "cli_maxrss_kb": ru.ru_maxrss,
            "calls": sum(calls.values()),
            "calls_by_action": dict(calls),
            "call_errors": sum(1 for line in requests if int(line[1]) >= 400),
            "moto_seconds": sum(float(line[2]) for line in requests) / 1000.0,
        }


def lay_out(src_dir, templates_dir, dest, variables):
    """The stack as a user has it: DEST/stack/main.tf beside DEST/templates."""
    if os.path.exists(dest):
        shutil.rmtree(dest)
    os.makedirs(os.path.join(dest, "stack"))
    shutil.copy(os.path.join(src_dir, "main.tf"), os.path.join(dest, "stack", "main.tf"))
    if templates_dir:
        shutil.copytree(templates_dir, os.path.join(dest, "templates"))
    with open(os.path.join(dest, "stack", "bench.auto.tfvars.json"), "w") as f:
        json.dump(variables, f, indent=2)
    return os.path.join(dest, "stack")


def state_count(cwd):
    try:
        with open(os.path.join(cwd, "terraform.tfstate")) as f:
            state = json.load(f)
    except OSError:
        return 0
    return sum(len(r.get("instances", [])) for r in state.get("resources", []) if r.get("mode") == "managed")



def rotated(seq, r):
    """The order of run R: each run starts one further along SEQ, so that
    over len(SEQ) runs every provider is in every position once. Whoever runs
    first meets a colder page cache and moto with less in it, whoever runs
    last a warmer one; rotating spreads that over all of them alike (for two
    it is the A/B, B/A alternation)."""
    k = r % len(seq)
    return list(seq[k:]) + list(seq[:k])


# ---------------------------------------------------------------------------
# Binary sizes
# ---------------------------------------------------------------------------

def binary_format(path):
    """"ELF x86-64, static" and the like, read from the file's headers: the
    release targets include Mach-O files, which `file` may not know here."""
    import struct

    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] == b"\x7fELF" and head[4] == 2:  # 64-bit ELF
            machine = struct.unpack_from("<H", head, 18)[0]
            phoff, = struct.unpack_from("<Q", head, 32)
            phentsize, phnum = struct.unpack_from("<HH", head, 54)
            f.seek(phoff)
            table = f.read(phentsize * phnum)
            # A program interpreter (PT_INTERP) is the dynamic loader the
            # kernel starts first; without one the kernel jumps straight in.
            interp = any(struct.unpack_from("<I", table, i * phentsize)[0] == 3 for i in range(phnum))
            arch = {62: "x86-64", 183: "aarch64"}.get(machine, "machine %d" % machine)
            return "ELF %s, %s" % (arch, "dynamically linked" if interp else "static")
        if head[:4] == b"\xcf\xfa\xed\xfe":
            cpu = struct.unpack_from("<I", head, 4)[0]
            return "Mach-O %s" % {0x01000007: "x86_64", 0x0100000C: "arm64"}.get(cpu, "cpu 0x%x" % cpu)
    return "unknown"


def strip_tools():
    """Strippers, in the order tried: binutils' strip knows only this
    machine's ELF; llvm-strip also cross ELF and Mach-O; zig's objcopy is the
    release toolchain's own (it leaves some ELF files alone: "unimplemented")."""
    import glob

    tools = [("strip", ["strip", "-o", "{out}", "{src}"]), ("llvm-strip", ["llvm-strip", "-o", "{out}", "{src}"])]
    cache = os.environ.get("WAGTAIL_CACHE") or os.path.expanduser("~/.cache/terraform-provider-wagtail")
    for zig in sorted(glob.glob(os.path.join(cache, "zig", "*", "ziglang", "zig"))):
        tools.append(("zig objcopy", [zig, "objcopy", "--strip-all", "{src}", "{out}"]))
    return [(name, argv) for name, argv in tools if shutil.which(argv[0]) or os.path.isabs(argv[0])]


def strip_error(proc, path):
    """One short line for why a stripper refused a file."""
    text = proc.stderr.strip()
    if proc.returncode < 0 or "PLEASE submit a bug report" in text:
        return "crashed"
    line = (text.splitlines() or ["exit %d" % proc.returncode])[0].replace(path, "FILE")
    for prefix in ("strip: ", "llvm-strip: ", "error: "):
        while line.startswith(prefix):
            line = line[len(prefix):]
    return line[:80]


def binary_sizes(path, work):
    """Size as built and after stripping a copy (symbols and debug
    information are not loaded when the binary runs, so the stripped size is
    what is mapped and what a download would carry); the first stripper that
    takes the file."""
    entry = {"path": path, "format": binary_format(path), "size": os.path.getsize(path),
             "built": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(os.path.getmtime(path))),
             "stripped": None, "strip_tool": None, "strip_errors": []}
    out = os.path.join(work, "stripped.tmp")
    for name, argv in strip_tools():
        if os.path.exists(out):
            os.unlink(out)
        proc = subprocess.run([a.format(src=path, out=out) for a in argv], capture_output=True, text=True)
        if proc.returncode == 0 and os.path.exists(out) and os.path.getsize(out) > 0:
            entry["stripped"], entry["strip_tool"] = os.path.getsize(out), name
            break
        entry["strip_errors"].append("%s: %s" % (name, strip_error(proc, path)))
    if os.path.exists(out):
        os.unlink(out)
    return entry


def shared_libraries(binary):
    """The shared libraries a dynamically linked provider needs on disk: what
    `ldd` lists, and what it opens with dlopen on first use (libcurl,
    libxml2, libpq: core/lazy_libs.c, sonames fixed at build time and
    found in the binary's strings) with theirs. {path: size}."""
    import re

    def ldd(path):
        out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
        return [m.group(1) for m in re.finditer(r"(/\S+\.so[^\s]*)", out)]

    with open(binary, "rb") as f:
        sonames = sorted(set(m.decode() for m in re.findall(rb"lib(?:curl|xml2|pq)\.so\.[0-9]+", f.read())))
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    roots = [binary]
    for soname in sonames:
        m = re.search(r"^\s*%s \(libc6,x86-64\) => (\S+)" % re.escape(soname), cache, re.M)
        if m:
            roots.append(m.group(1))
    libs = set()
    for root_path in roots:
        if root_path != binary:
            libs.add(os.path.realpath(root_path))
        libs.update(os.path.realpath(p) for p in ldd(root_path))
    return {path: os.path.getsize(path) for path in sorted(libs) if os.path.exists(path)}


def sizes(cfg, work, labels):
    """The sizes of every provider measured, and of every release target."""
    by_label = {label: binary_sizes(cfg["providers"][label]["binary"], work) for label in labels}
    for entry in by_label.values():
        if "dynamically linked" in entry["format"]:
            entry["shared_libraries"] = shared_libraries(entry["path"])
    targets = []
    for target, path in cfg.get("release_targets", []):
        entry = binary_sizes(path, work)
        entry["target"] = target
        # static.sh ships the binary stripped and keeps the link's output,
        # symbols and all, beside it.
        if os.path.exists(path + ".symbols"):
            entry["symbols_size"] = os.path.getsize(path + ".symbols")
        targets.append(entry)
    return by_label, targets

# ---------------------------------------------------------------------------
# Start-up
# ---------------------------------------------------------------------------

def startup(cfg, work, labels, runs):
    cert = open(cfg["client_cert"]).read()
    sockdir = os.path.join(work, "sock")
    os.makedirs(sockdir, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "PLUGIN_", "AWS_"))}
    env.update(TF_PLUGIN_MAGIC_COOKIE=MAGIC_COOKIE, PLUGIN_PROTOCOL_VERSIONS="5,6", PLUGIN_MIN_PORT="10000",
               PLUGIN_MAX_PORT="25000", PLUGIN_CLIENT_CERT=cert, TMPDIR=sockdir)
    baseline = os.path.join(work, "echo-handshake")
    with open(baseline, "w") as f:
        f.write('#!/bin/sh\necho "1|6|unix|/nowhere|grpc|"\n')
    os.chmod(baseline, 0o755)
    binaries = {label: cfg["providers"][label]["binary"] for label in labels}
    binaries["spawn floor"] = baseline
    samples = {label: [] for label in binaries}
    cpu = {label: [] for label in binaries}
    order = list(binaries)
    # One untimed start each first: the first start of a 100+ MB binary reads
    # it from disk into the page cache; the runs measure warm starts.
    for label in order:
        _start_once(binaries[label], env, sockdir)
    for i in range(runs):
        for label in rotated(order, i):
            samples[label].append(_start_once(binaries[label], env, sockdir, cpu=cpu[label]))
    # Memory at the handshake, in separate starts (reading /proc is not timed).
    memory = {label: {} for label in labels}
    for i in range(5):
        for label in rotated(labels, i):
            _start_once(binaries[label], env, sockdir, memory[label])
    return samples, memory, cpu


def loader_statistics(binary, cfg, work):
    """What the dynamic loader did before a dynamically linked provider's
    main() (glibc's LD_DEBUG=statistics, printed to stderr by one start):
    relocations processed and the loader's own time, in TSC cycles. None for
    a static binary, which has no loader."""
    if "dynamically linked" not in binary_format(binary):
        return None
    sockdir = os.path.join(work, "sock")
    os.makedirs(sockdir, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "PLUGIN_", "AWS_", "LD_"))}
    env.update(TF_PLUGIN_MAGIC_COOKIE=MAGIC_COOKIE, PLUGIN_PROTOCOL_VERSIONS="5,6", PLUGIN_MIN_PORT="10000",
               PLUGIN_MAX_PORT="25000", PLUGIN_CLIENT_CERT=open(cfg["client_cert"]).read(), TMPDIR=sockdir,
               LD_DEBUG="statistics")
    p = subprocess.Popen([binary], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env, cwd=sockdir)
    p.stdout.readline()
    p.send_signal(signal.SIGTERM)
    try:
        _, err = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
    stats = {}
    import re

    # Only the first block: the one printed at start (a second one may
    # follow at exit).
    # "final number of relocations" (printed at exit) counts the lazy
    # bindings of the functions called since as well.
    for key, pattern in (("startup_cycles", r"total startup time in dynamic loader:\s*([\d,]+)"),
                         ("relocation_cycles", r"time needed for relocation:\s*([\d,]+)"),
                         ("relocations", r"\s number of relocations:\s*([\d,]+)"),
                         ("relative_relocations", r"number of relative relocations:\s*([\d,]+)"),
                         ("final_relocations", r"final number of relocations:\s*([\d,]+)")):
        m = re.search(pattern, err.decode(errors="replace"))
        if m:
            stats[key] = int(m.group(1).replace(",", ""))
    if stats:
        # The loader counts TSC cycles; the TSC runs at the CPU's nominal
        # clock, which /proc/cpuinfo gives (near enough for a share).
        try:
            with open("/proc/cpuinfo") as f:
                mhz = next(float(line.split(":")[1]) for line in f if line.startswith("cpu MHz"))
            stats["tsc_mhz"] = mhz
        except (OSError, StopIteration, ValueError):
            pass
    return stats or None


def _start_once(binary, env, sockdir, memory=None, cpu=None):
    t0 = time.perf_counter()
    p = subprocess.Popen([binary], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env=env, cwd=sockdir)
    line = p.stdout.readline()
    t1 = time.perf_counter()
    if cpu is not None:
        # CPU time the process has run until its handshake, summed over its
        # threads (schedstat: nanoseconds on a CPU): unlike wall time, other
        # load on the machine does not inflate it.
        ns = 0
        for tid in os.listdir("/proc/%d/task" % p.pid):
            try:
                with open("/proc/%d/task/%s/schedstat" % (p.pid, tid)) as f:
                    ns += int(f.read().split()[0])
            except OSError:
                pass
        cpu.append(ns / 1e6)
    if memory is not None:
        # What the process holds once it is ready to serve: resident, and of
        # that mapped from files (the binary, shared libraries) or anonymous.
        with open("/proc/%d/status" % p.pid) as f:
            for field in f:
                name = field.split(":")[0]
                if name in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
                    memory.setdefault(name, []).append(int(field.split()[1]))
        # The shared objects mapped by then: each one the loader had to find,
        # map and relocate before main() (none for a static binary).
        with open("/proc/%d/maps" % p.pid) as f:
            objects = {line.split()[5] for line in f if len(line.split()) >= 6 and ".so" in line.split()[5]}
        memory.setdefault("shared_objects", []).append(len(objects))
        # Minor page faults until the handshake: each first touch of a page
        # (of the binary, of a library, of the heap) costs one.
        with open("/proc/%d/stat" % p.pid) as f:
            memory.setdefault("minor_faults", []).append(int(f.read().rsplit(")", 1)[1].split()[7]))
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    p.stdout.close()
    if not line.startswith(b"1|"):
        raise SystemExit("bench: %s gave no handshake line: %r" % (binary, line[:200]))
    return (t1 - t0) * 1000.0


# ---------------------------------------------------------------------------
# The runs
# ---------------------------------------------------------------------------

def run(cfg, results_path):
    work = cfg["work"]
    runner = Runner(cfg, work)
    # "wagtail" is our dynamic build (as before there was a static one),
    # "static" our fully static release binary, "aws" HashiCorp's.
    labels = [label for label in ("wagtail", "static", "aws") if label in cfg["providers"]]
    by_label, targets = sizes(cfg, work, labels)
    results = {"labels": labels, "config": {k: cfg[k] for k in ("runs", "scale_ns", "scale_runs", "startup_runs")},
               "sizes": {label: by_label[label]["size"] for label in labels},
               "sizes_stripped": {label: by_label[label]["stripped"] for label in labels},
               "binaries": by_label, "release_targets": targets,
               "aws_version": cfg["providers"].get("aws", {}).get("version"),
               "loadavg_start": open("/proc/loadavg").read().split()[:3],
               "started": time.strftime("%Y-%m-%d %H:%M:%S %Z")}

    def save(measured=True):
        # The load when the last figure was taken: a resumed run that had
        # nothing left to measure keeps the load its figures were taken under.
        if measured:
            results["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
        with open(results_path, "w") as f:
            json.dump(results, f, indent=1)

    if cfg.get("resume") and os.path.exists(results_path):
        # Go on from an interrupted run: keep what it measured.
        with open(results_path) as f:
            done = json.load(f)
        done.pop("finished", None)
        # Failed runs stay listed in "failures"; they are run again.
        for label, samples in done.get("stack", {}).items():
            done["stack"][label] = [x for x in samples if "failed" not in x]
        for kind, by_n in done.get("scale", {}).items():
            for n, samples in by_n.items():
                by_n[n] = [x for x in samples if "failed" not in x]
        # The sizes are taken again (they cost nothing); the providers
        # measured and the settings are this run's: a size dropped from
        # SCALE_NS (say, one the AWS stand-in cannot serve) is dropped from
        # the results, its failures kept and marked.
        results.update({k: v for k, v in done.items() if k not in (
            "labels", "sizes", "sizes_stripped", "binaries", "release_targets", "config")})
        for by_n in results.get("scale", {}).values():
            for n in [n for n in by_n if int(n) not in cfg["scale_ns"]]:
                del by_n[n]
        for info in results.get("failures", []):
            words = info["what"].split()
            if words[:2] == ["scale", "N=%s" % words[1][2:]] and int(words[1][2:]) not in cfg["scale_ns"]:
                info.setdefault("note", "N = %s was left out of the settings when the run was resumed" % words[1][2:])
        results["resumed"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        log("resuming %s" % results_path)
    if not all(label in results.get("startup_cpu_ms", {}) for label in labels):
        log("startup: %d runs each" % cfg["startup_runs"])
        results["startup_ms"], results["startup_memory_kb"], results["startup_cpu_ms"] = startup(
            cfg, work, labels, cfg["startup_runs"])
        results["loader_statistics"] = {label: loader_statistics(cfg["providers"][label]["binary"], cfg, work)
                                        for label in labels}
        save()

    common = {"endpoint": cfg["endpoint"], "access_key": cfg["access_key"], "secret_key": cfg["secret_key"],
              "region": cfg["region"]}
    stack_vars = dict(common, master_password=cfg["master_password"], **cfg["prereqs"])
    steps = ["validate", "apply", "plan", "destroy"]
    results.setdefault("stack", {})
    for label in labels:
        results["stack"].setdefault(label, [])
    for r in range(cfg["runs"]):
        for label in rotated(labels, r):
            p = cfg["providers"][label]
            stage = "%s%d" % (label[0], r)
            variables = dict(stack_vars, stage=stage)
            base = os.path.join(work, "stack", label, str(r))
            if len(results["stack"][label]) > r:
                continue  # resumed: done before
            for attempt in range(ATTEMPTS):
                sample = {}
                try:
                    stack_run(runner, p, cfg, "%s-%d" % (base, attempt), dict(variables, stage="%s%d%s" % (
                        label[0], r, "abcdefgh"[attempt] if attempt else "")), sample, label, r)
                    break
                except StepFailed as failure:
                    fail(results, sample, "stack run %d %s (attempt %d)" % (r, label, attempt + 1), failure)
            results["stack"][label].append(sample)
            if "failed" not in sample:
                log("stack run %d %s: " % (r, label) + ", ".join(
                    "%s %.2fs" % (s, sample[s]["wall"]) for s in ["init"] + steps) +
                    "; plan peak provider RSS %d KiB, %d calls" % (sample["plan"]["provider_peak_rss_kb"],
                                                                   sample["plan"]["calls"]))
            save()
            shutil.rmtree(os.path.join("%s-%d" % (base, attempt), "init"), ignore_errors=True)

    kinds = labels + ["core"]
    results.setdefault("scale", {})
    for kind in kinds:
        results["scale"].setdefault(kind, {})
    for n in cfg["scale_ns"]:
        for r in range(cfg["scale_runs"]):
            for kind in rotated(kinds, r):
                if len(results["scale"][kind].get(str(n), [])) > r:
                    continue  # resumed: done before
                if kind == "core":
                    src, cli = cfg["core_ssm_stack"], cfg["core_cli_config"]
                    variables = {"n": n}
                else:
                    p = cfg["providers"][kind]
                    src, cli = p["ssm_stack"], p["cli_config"]
                    variables = dict(common, n=n, stage="s%d%s%d" % (n, kind[0], r))
                base = os.path.join(work, "scale", kind, str(n), str(r))
                for attempt in range(ATTEMPTS):
                    sample = {}
                    where = "%s-%d" % (base, attempt)
                    if "stage" in variables and attempt:
                        variables = dict(variables, stage="s%d%s%d%s" % (n, kind[0], r, "abcdefgh"[attempt]))
                    try:
                        scale_run(runner, src, cli, where, variables, sample)
                        break
                    except StepFailed as failure:
                        fail(results, sample, "scale N=%d run %d %s (attempt %d)" % (n, r, kind, attempt + 1), failure)
                results["scale"][kind].setdefault(str(n), []).append(sample)
                if "failed" not in sample:
                    log("scale N=%d run %d %s: apply %.2fs, plan %.2fs (%d calls, provider peak %d KiB), destroy %.2fs" % (
                        n, r, kind, sample["apply"]["wall"], sample["plan"]["wall"], sample["plan"]["calls"],
                        sample["plan"]["provider_peak_rss_kb"], sample["destroy"]["wall"]))
                save()
                if "failed" not in sample:
                    shutil.rmtree(where, ignore_errors=True)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    save(measured=False)


def fail(results, sample, what, failure):
    info = dict(failure.args[0], what=what)
    sample["failed"] = info
    results.setdefault("failures", []).append(info)
    log("FAILED: %s: `%s` exited %d: %s (log: %s)" % (what, info["command"], info["rc"],
                                                       "; ".join(info["errors"]) or "?", info["log"]))


def stack_run(runner, p, cfg, base, variables, sample, label, r):
    cwd = lay_out(p["stack"], cfg["templates"], os.path.join(base, "init"), variables)
    sample["init"] = runner.tofu(cwd, ["init", "-input=false"], p["plain_cli_config"], "init.out")
    cwd = lay_out(p["stack"], cfg["templates"], os.path.join(base, "run"), variables)
    runner.tofu(cwd, ["init", "-input=false"], p["cli_config"], "init.out")
    sample["validate"] = runner.tofu(cwd, ["validate"], p["cli_config"], "validate.out")
    sample["apply"] = runner.tofu(cwd, ["apply", "-auto-approve", "-input=false"], p["cli_config"], "apply.out")
    sample["resources"] = state_count(cwd)
    sample["plan"] = runner.tofu(cwd, ["plan", "-input=false", "-detailed-exitcode"], p["cli_config"],
                                 "plan.out", ok_codes=(0, 2))
    if sample["plan"]["rc"] == 2:
        log("  warning: %s run %d: the plan after apply is not empty (see %s/plan.out)" % (label, r, cwd))
    sample["plan_norefresh"] = runner.tofu(cwd, ["plan", "-input=false", "-refresh=false"], p["cli_config"],
                                           "plan-norefresh.out")
    sample["destroy"] = runner.tofu(cwd, ["destroy", "-auto-approve", "-input=false"], p["cli_config"],
                                    "destroy.out")


def scale_run(runner, src, cli, base, variables, sample):
    cwd = lay_out(src, None, base, variables)
    runner.tofu(cwd, ["init", "-input=false"], cli, "init.out")
    sample["apply"] = runner.tofu(cwd, ["apply", "-auto-approve", "-input=false"], cli, "apply.out")
    sample["resources"] = state_count(cwd)
    sample["plan"] = runner.tofu(cwd, ["plan", "-input=false", "-detailed-exitcode"], cli, "plan.out",
                                 ok_codes=(0, 2))
    if sample["plan"]["rc"] == 2:
        log("  warning: %s: the plan after apply is not empty" % cwd)
    sample["plan_norefresh"] = runner.tofu(cwd, ["plan", "-input=false", "-refresh=false"], cli,
                                           "plan-norefresh.out")
    sample["destroy"] = runner.tofu(cwd, ["destroy", "-auto-approve", "-input=false"], cli,
                                    "destroy.out")


def log(message):
    print("bench: " + message, flush=True)


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "prereqs":
        json.dump(prereqs(*sys.argv[2:6]), sys.stdout)
        print()
    elif len(sys.argv) == 4 and sys.argv[1] == "startup":
        # Measure start-up again into an existing results file.
        with open(sys.argv[2]) as f:
            cfg = json.load(f)
        with open(sys.argv[3]) as f:
            results = json.load(f)
        results["startup_ms"], results["startup_memory_kb"], results["startup_cpu_ms"] = startup(
            cfg, cfg["work"], results["labels"], cfg["startup_runs"])
        results["loader_statistics"] = {label: loader_statistics(cfg["providers"][label]["binary"], cfg, cfg["work"])
                                        for label in results["labels"]}
        with open(sys.argv[3], "w") as f:
            json.dump(results, f, indent=1)
    elif len(sys.argv) == 4 and sys.argv[1] == "run":
        with open(sys.argv[2]) as f:
            cfg = json.load(f)
        run(cfg, sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
