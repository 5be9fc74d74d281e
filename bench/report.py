#!/usr/bin/env python3
"""report.py: docs/benchmarks.md and its plots from bench.py's results.

    report.py RESULTS.json OUT_DIR [--tofu VERSION] [--aws-info TEXT] [--moto VERSION]

Writes OUT_DIR/benchmarks.md and OUT_DIR/benchmarks/*.png. Every figure is a
median over the runs; ratios are ours / AWS's (and static / dynamic) from the
same run of the benchmark (a ratio below 1 means the first is smaller or
faster). "wagtail" in the results is our dynamic build, "static" our fully
static release binary, "aws" HashiCorp's provider.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess

STEPS = ["init", "validate", "plan", "plan_norefresh", "apply", "destroy"]
STEP_NAMES = {"plan_norefresh": "plan -refresh=false"}
# Column heads of the tables, and the ratios shown beside them (those whose
# two providers were both measured).
HEADS = {"wagtail": "wagtail (dynamic)", "static": "wagtail (static)", "aws": "aws"}
RATIOS = [("wagtail", "aws"), ("static", "aws"), ("static", "wagtail")]
# Goals for our provider in absolute terms (both builds).
GOAL_START_MS = 5.0
GOAL_PLAN_RSS_MIB = 10.0


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def mib(kb):
    return None if kb is None else kb / 1024.0


def fmt(value, unit="", digits=2):
    if value is None:
        return "n/a"
    if isinstance(value, int) or (abs(value) >= 100 and digits <= 2):
        return "%s%s" % (format(round(value), ","), unit)
    return ("%." + str(digits) + "f%s") % (value, unit)


def ratio(a, b, digits=3):
    if a is None or b is None or b == 0:
        return "n/a"
    return ("%." + str(digits) + "f") % (a / b)


def ok(samples):
    """The runs that completed (a failed run is listed, not measured)."""
    return [s for s in samples if "failed" not in s]


def step_stat(samples, step, key):
    return med([s[step][key] for s in ok(samples) if step in s])


def git_head(root):
    try:
        head = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return head + (" (with uncommitted changes)" if dirty else "")
    except OSError:
        return "unknown"


def linear_fit(xs, ys):
    """Least squares y = a + b x; returns (a, b, r2)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return my, 0.0, 1.0
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    return a, b, (1 - ss_res / ss_tot) if ss_tot else 1.0


def plots(results, out_dir, kinds, ns):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = {"wagtail": "wagtail, dynamic (ours)", "static": "wagtail, static (ours)", "aws": "hashicorp/aws",
             "core": "CLI alone (terraform_data)"}
    styles = {"wagtail": "o-", "static": "D-", "aws": "s-", "core": "^--"}
    made = []

    def series(kind, step, key, scale=1.0):
        xs, ys = [], []
        for n in ns:
            samples = ok(results["scale"].get(kind, {}).get(str(n), []))
            if samples:
                v = med([s[step][key] for s in samples])
                if v is not None:
                    xs.append(n)
                    ys.append(v * scale)
        return xs, ys

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    for ax, step, key, title, ylabel in (
            (axes[0], "plan", "wall", "no-change plan (refresh of N): wall", "wall time, s"),
            (axes[1], "plan", "provider_cpu", "no-change plan: CPU of the provider processes", "CPU time, s"),
            (axes[2], "apply", "wall", "apply (create N): wall", "wall time, s")):
        for kind in kinds:
            if key == "provider_cpu" and kind == "core":
                xs, ys = series(kind, step, "cpu")
                label = names[kind] + ": CLI CPU"
            else:
                xs, ys = series(kind, step, key)
                label = names[kind]
            if xs:
                ax.plot(xs, ys, styles[kind], label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("N SSM parameters")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    path = os.path.join(out_dir, "benchmarks", "scaling-time.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    made.append(path)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for kind in kinds:
        xs, ys = series(kind, "plan", "provider_peak_rss_kb", 1 / 1024.0)
        if xs and kind != "core":
            axes[0].plot(xs, ys, styles[kind], label=names[kind])
        xs, ys = series(kind, "plan", "tree_peak_rss_kb", 1 / 1024.0)
        if xs:
            axes[1].plot(xs, ys, styles[kind], label=names[kind])
    for ax, title in ((axes[0], "peak RSS of a provider process during plan"),
                      (axes[1], "peak RSS of the whole run (CLI + provider) during plan")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("N SSM parameters")
        ax.set_ylabel("MiB")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    path = os.path.join(out_dir, "benchmarks", "scaling-memory.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    made.append(path)

    labels = results["labels"]
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / len(labels)
    for i, label in enumerate(labels):
        values = [step_stat(results["stack"][label], step, "wall") for step in STEPS]
        ax.bar([x + i * width for x in range(len(STEPS))], values, width, label=names[label])
    ax.set_xticks([x + width * (len(labels) - 1) / 2 for x in range(len(STEPS))])
    ax.set_xticklabels([STEP_NAMES.get(step, step) for step in STEPS], fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("wall time, s (median, log scale)")
    ax.set_title("the example stack, step by step")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path = os.path.join(out_dir, "benchmarks", "stack-steps.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    made.append(path)
    return made

# Release targets static.sh builds; those not built when the benchmark ran are
# named as missing rather than left out silently.
RELEASE_TARGETS = ["x86_64-linux-musl", "aarch64-linux-musl", "x86_64-macos", "aarch64-macos"]


def static_allocator(path):
    """Which malloc the static binary carries, from the symbols of its link
    (static.sh keeps them beside the stripped binary): zig's libc supplies
    its own (heap.SmpAllocator) for musl targets in place of musl's."""
    for candidate in (path + ".symbols", path):
        try:
            with open(candidate, "rb") as f:
                data = f.read()
        except OSError:
            continue
        if b"heap.SmpAllocator" in data:
            return "zig's libc allocator (`heap.SmpAllocator`), which zig links in place of musl's malloc"
        if b"alloc_meta" in data:
            return "musl's mallocng"
    return None


def static_section(results, labels, add, root):
    """The static release binary against the dynamic build and the AWS
    provider: start-up, peak RSS during `plan`, sizes, and what moved."""
    start = results["startup_ms"]
    scpu = results.get("startup_cpu_ms", {})
    mem = results.get("startup_memory_kb", {})
    bins = results.get("binaries", {})
    have_aws = "aws" in labels
    cols = [label for label in ("static", "wagtail", "aws") if label in labels]
    heads = {"static": "static", "wagtail": "dynamic", "aws": "aws"}
    pairs = [(x, y) for x, y in (("static", "wagtail"), ("static", "aws"), ("wagtail", "aws")) if x in cols and y in cols]

    def stack(label, step, key):
        return step_stat(results["stack"].get(label, []), step, key)

    def memf(label, field):
        return med(mem.get(label, {}).get(field, []))

    fig = {
        "start": {label: med(start.get(label, [])) for label in cols},
        "best": {label: min(start[label]) if start.get(label) else None for label in cols},
        "cpu": {label: med(scpu.get(label, [])) for label in cols},
        "rss": {label: mib(stack(label, "plan", "provider_peak_rss_kb")) for label in cols},
        "idle": {label: mib(memf(label, "VmRSS")) for label in cols},
        "file": {label: mib(memf(label, "RssFile")) for label in cols},
        "anon": {label: mib(memf(label, "RssAnon")) for label in cols},
        "size": {label: bins.get(label, {}).get("size", 0) / 2 ** 20 for label in cols},
        "stripped": {label: (bins.get(label, {}).get("stripped") or 0) / 2 ** 20 or None for label in cols},
    }
    path = bins.get("static", {}).get("path", "")
    rel = path[len(root) + 1:] if path.startswith(root + "/") else path

    add("## Static release binary")
    add("")
    add("`%s`: the same provider as the dynamic build, linked fully static against musl by" % rel)
    add("`scripts/release/static.sh build x86_64-linux-musl` (zig cc), with OpenSSL, libcurl, libxml2, libpq, gRPC")
    add("and the rest built from pinned sources into it; the file users download. It ran in this same benchmark")
    add("as a third provider: the same CLI, moto, proxy and stacks, a plugin mirror of its own, and the order of")
    add("the providers rotated from run to run.")
    add("")
    add("| figure | %s | %s | goal (ours) |" % (
        " | ".join(heads[label] for label in cols), " | ".join("%s/%s" % (heads[x], heads[y]) for x, y in pairs)))
    add("|---|%s|---|" % "|".join("---:" for _ in range(len(cols) + len(pairs))))

    def goal(values, limit, unit):
        return "under %g %s: %s" % (limit, unit, ", ".join(
            "%s %s" % (heads[label], "**met**" if values[label] < limit else "**missed**")
            for label in ("static", "wagtail") if label in values and values[label] is not None))

    for key, name, digits, goal_text in (
            ("start", "1. cold start to the handshake, median (ms)", 1, goal(fig["start"], GOAL_START_MS, "ms")),
            ("best", "cold start to the handshake, best run (ms)", 1, ""),
            ("cpu", "CPU time until the handshake, median (ms)", 1, ""),
            ("rss", "2. peak provider RSS during `plan` of the example stack (MiB)", 1,
             goal(fig["rss"], GOAL_PLAN_RSS_MIB, "MiB")),
            ("idle", "RSS at the handshake, idle (MiB)", 1, ""),
            ("file", "of which mapped from files (MiB)", 1, ""),
            ("anon", "of which anonymous (MiB)", 2, ""),
            ("size", "3. size as built (MiB)", 1, ""),
            ("stripped", "size stripped (MiB)", 1, "")):
        v = fig[key]
        add("| %s | %s | %s | %s |" % (name, " | ".join(fmt(v[label], "", digits) for label in cols),
                                       " | ".join(ratio(v[x], v[y]) for x, y in pairs), goal_text))
    add("")

    # ---------------------------------------------------------------- sizes
    add("### Sizes of every target")
    add("")
    add("Each binary as built and after `strip` of a copy (the first of binutils' `strip`, `llvm-strip` and")
    add("`zig objcopy --strip-all` that takes the file: binutils' knows only this machine's ELF). static.sh ships")
    add("its binaries already stripped and keeps the link's output, symbols and all, beside them as `.symbols`.")
    add("")
    add("| binary | format | as built (MiB) | as built (bytes) | stripped (MiB) | stripped (bytes) | stripped by | with symbols, `.symbols` (MiB) |")
    add("|---|---|---:|---:|---:|---:|---|---:|")
    targets = {t["target"]: t for t in results.get("release_targets", [])}

    def size_row(name, entry):
        st = entry.get("stripped")
        add("| %s | %s | %.2f | %s | %s | %s | %s | %s |" % (
            name, entry["format"], entry["size"] / 2 ** 20, format(entry["size"], ","),
            "%.2f" % (st / 2 ** 20) if st else "n/a", format(st, ",") if st else "n/a",
            entry.get("strip_tool") or "none could (%s)" % "; ".join(entry.get("strip_errors", [])),
            "%.2f" % (entry["symbols_size"] / 2 ** 20) if entry.get("symbols_size") else ""))

    for target in RELEASE_TARGETS + sorted(set(targets) - set(RELEASE_TARGETS)):
        if target in targets:
            size_row("`build-static/%s` (release%s)" % (target, ", measured above" if targets[target]["path"] == path
                                                      else ", not run here"), targets[target])
    if "static" in bins and path not in [t["path"] for t in targets.values()]:
        size_row("static, measured (`%s`)" % rel, bins["static"])
    if "wagtail" in bins:
        size_row("dynamic build (`build-bench`)", bins["wagtail"])
    if "aws" in bins:
        size_row("hashicorp/aws %s" % (results.get("aws_version") or ""), bins["aws"])
    else:
        add("| hashicorp/aws | not measured in this run | | | | | | |")
    missing = [t for t in RELEASE_TARGETS if t not in targets]
    add("")
    if missing:
        add("Not built in this tree when the benchmark ran, so not sized: %s." % ", ".join("`%s`" % t for t in missing))
        add("")
    macho = [t for t in targets.values() if t["format"].startswith("Mach-O")]
    if any(t.get("stripped") for t in macho):
        add("The macOS binaries are Mach-O files, stripped here with `llvm-strip`; stripping changes the bytes")
        add("their ad-hoc code signature covers, so a stripped copy would need signing again before macOS on arm64")
        add("ran it: those figures are sizes only.")
        add("")
    if any(not t.get("stripped") for t in macho):
        add("No tool here could strip %s (what each stripper said is in the table), so only its size as built is" % (
            " or ".join("`%s`" % t["target"] for t in macho if not t.get("stripped"))))
        add("given; static.sh links the shipped binary with `-s` already, and the `.symbols` file beside it is the")
        add("same link with its symbols.")
        add("")
    libs = bins.get("wagtail", {}).get("shared_libraries")
    if libs:
        biggest = sorted(libs.items(), key=lambda kv: -kv[1])[:3]
        add("The dynamic build needs, besides its own file, %d shared libraries on the machine (`ldd`, and what it" % (
            len(libs)))
        add("opens on first use: libcurl, libxml2, libpq, with theirs): %.1f MiB on disk, the largest %s." % (
            sum(libs.values()) / 2 ** 20, ", ".join("%s %.1f MiB" % (os.path.basename(p), n / 2 ** 20)
                                                   for p, n in biggest)))
        add("")

    # ---------------------------------------------------------------- why
    def moved(new, old):
        """How a figure moved from the dynamic build's to the static one's:
        a tenth either way is within what this shared machine varies by."""
        r = new / old
        return "barely moved" if abs(r - 1) < 0.1 else ("moved down" if r < 1 else "moved up")

    add("### Which moved, and why")
    add("")
    s, d = "static", "wagtail"
    loader = (results.get("loader_statistics") or {}).get(d) or {}
    objects = {label: memf(label, "shared_objects") for label in (s, d)}
    faults = {label: memf(label, "minor_faults") for label in (s, d)}
    if fig["start"][s] is not None and fig["start"][d] is not None:
        gap = (fig["cpu"][d] or 0) - (fig["cpu"][s] or 0)
        text = ("- **Start-up %s**: %.1f ms against %.1f ms to the handshake (%s), %.1f against %.1f ms of CPU. " % (
            moved(fig["start"][s], fig["start"][d]), fig["start"][s], fig["start"][d],
            ratio(fig["start"][s], fig["start"][d]), fig["cpu"][s] or 0, fig["cpu"][d] or 0))
        text += ("The static binary has no program interpreter: the kernel maps one file and jumps to its entry, "
                 "with %s shared objects mapped at the handshake against %s for the dynamic build" % (
                     fmt(objects[s], "", 0), fmt(objects[d], "", 0)))
        if faults[s] is not None and faults[d] is not None:
            text += ", and %s minor page faults against %s" % (fmt(faults[s], "", 0), fmt(faults[d], "", 0))
        text += ". "
        if loader.get("startup_cycles") and loader.get("tsc_mhz"):
            loader_ms = loader["startup_cycles"] / loader["tsc_mhz"] / 1000.0
            text += ("The dynamic loader's own work before `main()` (glibc's `LD_DEBUG=statistics`: %s relocations, "
                     "%s relative ones, %s TSC cycles, %.2f ms at the nominal clock; %s relocations in all by the "
                     "time the process exits, lazy bindings included) is " % (
                         format(loader.get("relocations", 0), ","), format(loader.get("relative_relocations", 0), ","),
                         format(loader["startup_cycles"], ","), loader_ms,
                         format(loader.get("final_relocations", 0), ",")))
            if gap > 0:
                text += ("%.0f%% of the %.1f ms CPU gap; the rest is the kernel's work for the mappings and faults, "
                         "and the same code (OpenSSL 3.0 generating and loading the AutoMTLS certificate, gRPC's "
                         "set-up) compiled differently: by zig's clang into one non-PIC executable with direct calls, "
                         "against Debian's shared, position-independent libcrypto and glibc." % (
                             100 * loader_ms / gap, gap))
            else:
                text += "%.2f ms; here it did not show in the CPU time." % loader_ms
        add(text)
        add("")
    if fig["rss"][s] is not None and fig["rss"][d] is not None:
        text = ("- **Peak RSS during `plan` %s**: %.1f MiB against %.1f MiB (%s). " % (
            moved(fig["rss"][s], fig["rss"][d]), fig["rss"][s], fig["rss"][d],
            ratio(fig["rss"][s], fig["rss"][d])))
        text += ("At the handshake the static binary holds %.1f MiB of file-backed pages (the parts of its one file "
                 "it has touched) against %.1f MiB for the dynamic build (its binary, libcrypto, libssl, libc, libm, "
                 "libcjson), and %.2f against %.2f MiB of anonymous memory. " % (
                     fig["file"][s], fig["file"][d], fig["anon"][s], fig["anon"][d]))
        text += ("From there to the peak of `plan` the static binary grows by %.1f MiB and the dynamic build by "
                 "%.1f MiB. The dynamic build's growth is mostly libraries: for its first AWS call it opens Debian's "
                 "libcurl (GnuTLS, Kerberos, LDAP, libssh2, nghttp2, ... behind it) and libxml2 (with ICU), whose "
                 "touched pages count in its RSS; the static binary has its own libcurl (HTTP and HTTPS only) and "
                 "libxml2 (no ICU) linked in, and its growth is anonymous memory. " % (
                     fig["rss"][s] - fig["idle"][s], fig["rss"][d] - fig["idle"][d]))
        ssm = {}
        for label in (s, d):
            for n in results["config"]["scale_ns"]:
                samples = ok(results.get("scale", {}).get(label, {}).get(str(n), []))
                if samples:
                    ssm.setdefault(label, []).append((n, mib(med([x["plan"]["provider_peak_rss_kb"] for x in samples]))))
        if ssm.get(s):
            text += ("In the refresh of N SSM parameters the static binary peaks at %s (the dynamic build at %s). "
                     "The schema's patterns carry no counted repetitions (`{1,N}`), which musl's TRE `regcomp` "
                     "unrolls at a cost of up to 14 MiB; lengths go in `max_length` (see the notes below). " % (
                         ", ".join("%.1f MiB at N = %d" % (v, n) for n, v in ssm[s]),
                         ", ".join("%.1f MiB" % v for n, v in ssm.get(d, [])) or "n/a"))
        alloc = static_allocator(path)
        if alloc:
            text += "Its malloc is %s; the dynamic build's is glibc's." % alloc
        add(text)
        add("")
    if fig["stripped"][s] and fig["stripped"][d]:
        text = ("- **Size %s**: %.1f MiB stripped against %.1f MiB for the dynamic build's own file (%s)" % (
            moved(fig["stripped"][s], fig["stripped"][d]), fig["stripped"][s], fig["stripped"][d],
            ratio(fig["stripped"][s], fig["stripped"][d])))
        if libs:
            text += (", because it carries what the dynamic build finds on the machine: against the dynamic build "
                     "with the %.1f MiB of shared libraries it needs, it is %s of the total" % (
                         sum(libs.values()) / 2 ** 20,
                         ratio(fig["stripped"][s], fig["stripped"][d] + sum(libs.values()) / 2 ** 20)))
        if have_aws and fig["stripped"].get("aws"):
            text += "; against the AWS provider, %s" % ratio(fig["stripped"][s], fig["stripped"]["aws"])
        add(text + ".")
        add("")



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("out_dir")
    ap.add_argument("--tofu", default="")
    ap.add_argument("--aws-info", default="")
    ap.add_argument("--moto", default="")
    ap.add_argument("--ours", default="")
    ap.add_argument("--static", default="", help="path of the static binary measured")
    args = ap.parse_args()
    results = json.load(open(args.results))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    labels = results["labels"]
    have_aws = "aws" in labels
    ns = results["config"]["scale_ns"]
    kinds = [k for k in labels + ["core"] if k in results.get("scale", {})]
    os.makedirs(os.path.join(args.out_dir, "benchmarks"), exist_ok=True)
    pngs = plots(results, args.out_dir, kinds, ns)

    W = results["stack"]["wagtail"]
    A = results["stack"].get("aws", [])
    start = results["startup_ms"]
    have_static = "static" in labels

    def both(step, key):
        w = step_stat(W, step, key)
        a = step_stat(A, step, key) if A else None
        return w, a

    def per(step, key):
        """The median of STEP's KEY for each provider measured."""
        return {label: step_stat(results["stack"].get(label, []), step, key) for label in labels}

    pairs = [(x, y) for x, y in RATIOS if x in labels and y in labels]

    def table_head(first="metric"):
        add("| %s | %s | %s |" % (first, " | ".join(HEADS[label] for label in labels),
                                  " | ".join("%s/%s" % (HEADS[x].replace("wagtail ", "").strip("()"),
                                                        HEADS[y].replace("wagtail ", "").strip("()"))
                                             for x, y in pairs)))
        add("|---|%s|" % "|".join("---:" for _ in range(len(labels) + len(pairs))))

    def table_row(name, values, digits=1, unit_scale=None, ratios=True):
        if unit_scale:
            values = {k: (None if v is None else unit_scale(v)) for k, v in values.items()}
        cells = [fmt(values.get(label), "", digits) for label in labels]
        rcells = [ratio(values.get(x), values.get(y)) if ratios else "" for x, y in pairs]
        add("| %s | %s | %s |" % (name, " | ".join(cells), " | ".join(rcells)))

    lines = []
    add = lines.append
    add("# Benchmarks: wagtail against the HashiCorp AWS provider")
    add("")
    add("Generated by `bench/compare.sh` (`make bench`); do not edit by hand: rerun it.")
    add("")
    add("## How to reproduce")
    add("")
    add("```sh")
    add("make bench                     # = bench/compare.sh")
    add("RUNS=%d SCALE_NS=\"%s\" SCALE_RUNS=%d STARTUP_RUNS=%d bench/compare.sh   # the settings of this run" % (
        results["config"]["runs"], " ".join(str(n) for n in ns), results["config"]["scale_runs"],
        results["config"]["startup_runs"]))
    add("```")
    add("")
    add("The first step, `bench/build-aws-provider.sh`, builds the pinned AWS provider from the Go module proxy")
    add("once and caches it under `~/.cache/terraform-provider-wagtail/bench/` (`SKIP_AWS=1` leaves it out).")
    add("The static release binary is measured when `scripts/release/static.sh build x86_64-linux-musl` has")
    add("built it (or `STATIC_BINARY=path`). Everything else (moto, the counting proxy, OpenTofu, every")
    add("provider) runs on this machine; nothing leaves it.")
    add("")
    add("## Setup of this run")
    add("")
    add("| | |")
    add("|---|---|")
    add("| date | %s to %s%s |" % (results.get("started", "?"), results.get("finished", "?"),
                                   " (interrupted, resumed %s)" % results["resumed"] if results.get("resumed") else ""))
    add("| machine | %s, %d cores, load average %s at the start, %s at the end |" % (
        platform.machine(), os.cpu_count() or 0, " ".join(results.get("loadavg_start", [])),
        " ".join(results.get("loadavg_end", []))))
    add("| CLI | %s (the same binary for every provider) |" % (args.tofu or "OpenTofu"))
    bins = results.get("binaries", {})
    add("| ours, dynamic | terraform-provider-wagtail 0.1.0, %s%s |" % (
        args.ours or "the work tree at %s, built with `make BUILD=build-bench`" % git_head(root),
        "; %s" % bins["wagtail"]["format"] if "wagtail" in bins else ""))
    if have_static:
        path = args.static or bins.get("static", {}).get("path", "")
        if path.startswith(root + "/"):
            path = path[len(root) + 1:]
        add("| ours, static | `%s` (`scripts/release/static.sh build x86_64-linux-musl`, the release binary, built %s); %s |" % (
            path, bins.get("static", {}).get("built", "?"), bins.get("static", {}).get("format", "")))
    else:
        add("| ours, static | not measured in this run (no `build-static/x86_64-linux-musl` binary) |")
    if have_aws:
        info = [line for line in args.aws_info.splitlines() if line]
        add("| AWS provider | %s, reported as %s |" % ("; ".join(info) or "hashicorp/aws",
                                                     results.get("aws_version", "6.48.0-dev")))
    else:
        add("| AWS provider | not measured in this run (see below) |")
    add("| AWS | moto %s, signatures checked, behind `bench/count_proxy.py` (every provider, same server) |" % (
        args.moto or ""))
    add("| runs | stack: %d per provider; scaling: %d per size; start-up: %d per provider; the providers' order rotated from run to run |" % (
        results["config"]["runs"], results["config"]["scale_runs"], results["config"]["startup_runs"]))
    add("")

    # ------------------------------------------------------------------ targets
    w_start, a_start = med(start["wagtail"]), med(start.get("aws", []))
    floor_start = med(start["spawn floor"])
    w_rss, a_rss = both("plan", "provider_peak_rss_kb")
    w_plan, a_plan = both("plan", "wall")
    w_res = med([s["resources"] for s in ok(W)])
    a_res = med([s["resources"] for s in ok(A)]) if A else None
    w_calls, a_calls = both("plan", "calls")

    def scale_med(kind, n, step, key):
        samples = ok(results.get("scale", {}).get(kind, {}).get(str(n), []))
        return med([s[step][key] for s in samples]) if samples else None

    both_ns = [n for n in ns if scale_med("wagtail", n, "plan", "calls") is not None
               and (not have_aws or scale_med("aws", n, "plan", "calls") is not None)]
    big = max(both_ns or ns)
    w_cpr = scale_med("wagtail", big, "plan", "calls")
    a_cpr = scale_med("aws", big, "plan", "calls")
    fits, cpu_fits, rss_fits = {}, {}, {}
    for kind in kinds:
        xs = [n for n in ns if scale_med(kind, n, "plan", "wall") is not None]
        if len(xs) >= 2:
            fits[kind] = linear_fit(xs, [scale_med(kind, n, "plan", "wall") for n in xs])
            key = "cpu" if kind == "core" else "provider_cpu"
            cpu_fits[kind] = linear_fit(xs, [scale_med(kind, n, "plan", key) for n in xs])
            if kind != "core":
                rss_fits[kind] = linear_fit(xs, [scale_med(kind, n, "plan", "provider_peak_rss_kb") / 1024.0
                                                 for n in xs])

    def verdict(ok):
        if ok is None:
            return "not measured"
        return "**met**" if ok else "**missed**"

    add("## Targets")
    add("")
    add("Ratios are ours / AWS's, measured in the same run; \"ours\" is the dynamic build unless a row says")
    add("otherwise.")
    add("")
    add("| target | measured | |")
    add("|---|---|---|")
    if have_aws:
        r = w_rss / a_rss
        add("| peak provider RSS during `plan` at most 1/20 of AWS's (ratio <= 0.050) | %s MiB vs %s MiB: ratio %.3f (1/%.0f) | %s |" % (
            fmt(mib(w_rss), "", 1), fmt(mib(a_rss), "", 1), r, 1 / r, verdict(r <= 0.05)))
        r = w_start / a_start
        add("| cold start to handshake at most 1/50 (ratio <= 0.020) | %.1f ms vs %.1f ms: ratio %.3f (1/%.0f) | %s |" % (
            w_start, a_start, r, 1 / r, verdict(r <= 0.02)))
        r = a_plan / w_plan
        add("| `plan` of the example stack at least 3x faster end to end | %.2f s vs %.2f s: %.2fx | %s |" % (
            w_plan, a_plan, r, verdict(r >= 3)))
        add("| no more API calls per resource than AWS (no-change plan) | stack: %d vs %d calls (%.2f vs %.2f per resource in state); %d SSM parameters: %.2f vs %.2f per parameter | %s |" % (
            w_calls, a_calls, w_calls / w_res, a_calls / a_res, big, w_cpr / big, a_cpr / big,
            verdict(w_cpr <= a_cpr and w_calls <= a_calls)))
        if have_static:
            s_rss, s_start = step_stat(results["stack"]["static"], "plan", "provider_peak_rss_kb"), med(start["static"])
            r = s_rss / a_rss
            add("| static release binary: peak provider RSS during `plan` at most 1/20 of AWS's | %s MiB vs %s MiB: ratio %.3f (1/%.0f) | %s |" % (
                fmt(mib(s_rss), "", 1), fmt(mib(a_rss), "", 1), r, 1 / r, verdict(r <= 0.05)))
            r = s_start / a_start
            add("| static release binary: cold start to handshake at most 1/50 | %.1f ms vs %.1f ms: ratio %.3f (1/%.0f) | %s |" % (
                s_start, a_start, r, 1 / r, verdict(r <= 0.02)))
    else:
        add("| the four ratio targets | the AWS provider was not measured | not measured |")
    ours = [label for label in ("wagtail", "static") if label in labels]
    starts = {label: med(start[label]) for label in ours}
    rsses = {label: mib(step_stat(results["stack"][label], "plan", "provider_peak_rss_kb")) for label in ours}
    add("| cold start to handshake under %g ms (ours) | %s | %s |" % (
        GOAL_START_MS, "; ".join("%s %.1f ms" % (HEADS[label], starts[label]) for label in ours),
        "; ".join("%s %s" % (label.replace("wagtail", "dynamic"), verdict(starts[label] < GOAL_START_MS))
                  for label in ours)))
    add("| peak provider RSS during `plan` of the example stack under %g MiB (ours) | %s | %s |" % (
        GOAL_PLAN_RSS_MIB, "; ".join("%s %.1f MiB" % (HEADS[label], rsses[label]) for label in ours),
        "; ".join("%s %s" % (label.replace("wagtail", "dynamic"), verdict(rsses[label] < GOAL_PLAN_RSS_MIB))
                  for label in ours)))
    if "wagtail" in cpu_fits:
        a0, b, r2 = cpu_fits["wagtail"]
        ra0, rb, rr2 = rss_fits["wagtail"]
        wa0, wb, wr2 = fits["wagtail"]
        add("| linear scaling in N (no-change plan of N SSM parameters) | provider CPU = %.3f s + %.3f ms x N (R^2 = %.4f); provider peak RSS = %.1f MiB + %.2f KiB x N (R^2 = %.3f); wall %.2f s + %.2f ms x N (R^2 = %.4f), bound by moto (below) | %s |" % (
            a0, b * 1000, r2, ra0, rb * 1024, rr2, wa0, wb * 1000, wr2,
            verdict(r2 >= 0.98) if len([n for n in ns if scale_med("wagtail", n, "plan", "wall") is not None]) >= 3
            else "not judged: a line through two sizes always fits"))
    add("")

    # ------------------------------------------------------------------ table
    add("## The example stack")
    add("")
    add("`bench/stacks/wagtail` and `bench/stacks/aws`: the same stack on each provider (see the comments at")
    add("their tops for what is in it, and what was left out). Every step runs in a fresh directory; `plan` is")
    add("the no-change plan right after `apply` (with refresh), and must show no changes.")
    add("")
    add("![the example stack step by step](benchmarks/stack-steps.png)")
    add("")
    table_head()
    table_row("provider binary size, as built (MiB)", results["sizes"], unit_scale=lambda b: b / 2 ** 20)
    table_row("provider binary size, stripped (MiB)", results["sizes_stripped"], unit_scale=lambda b: b / 2 ** 20)
    table_row("cold start to handshake line, median (ms)", {label: med(start.get(label, [])) for label in labels})
    table_row("cold start to handshake line, best run (ms)",
              {label: min(start[label]) if start.get(label) else None for label in labels})
    scpu = results.get("startup_cpu_ms", {})
    if scpu:
        table_row("CPU time until the handshake, all threads, median (ms)",
                  {label: med(scpu.get(label, [])) for label in labels})
    mem = results.get("startup_memory_kb", {})
    if mem:
        def m(field):
            return {label: med(mem.get(label, {}).get(field, [])) for label in labels}
        table_row("RSS right after the handshake, idle (MiB)", m("VmRSS"), unit_scale=mib)
        table_row("of which mapped from files: binary, libraries (MiB)", m("RssFile"), unit_scale=mib)
        table_row("of which anonymous: heap, stacks (MiB)", m("RssAnon"), unit_scale=mib)
        if any(mem.get(label, {}).get("shared_objects") for label in labels) or have_static:
            table_row("shared objects mapped at the handshake", m("shared_objects"), digits=0, ratios=False)
            table_row("minor page faults until the handshake", m("minor_faults"), digits=0)
    table_row("peak RSS of a provider process during `plan` (MiB)", per("plan", "provider_peak_rss_kb"), unit_scale=mib)
    table_row("peak RSS of the whole `plan` run, CLI + providers (MiB)", per("plan", "tree_peak_rss_kb"),
              unit_scale=mib)
    table_row("resources in the state", {label: med([x["resources"] for x in ok(results["stack"].get(label, []))])
                                         for label in labels}, digits=0, ratios=False)
    for step in STEPS:
        name = STEP_NAMES.get(step, step)
        table_row("`%s` wall (s)" % name, per(step, "wall"), digits=2)
        table_row("`%s` CPU, CLI + providers (s)" % name, per(step, "cpu"), digits=2)
        table_row("`%s` CPU of the providers alone (s)" % name, per(step, "provider_cpu"), digits=3)
        table_row("`%s` peak RSS of a provider process (MiB)" % name, per(step, "provider_peak_rss_kb"),
                  unit_scale=mib)
        if step not in ("init", "validate", "plan_norefresh"):
            table_row("`%s` AWS API calls" % name, per(step, "calls"), digits=0)
    add("")
    add("Start-up: a shell script that only prints the handshake line takes %.1f ms on the same harness (the" % (
        floor_start))
    add("cost of spawning any process and reading a line); the provider's own share is the rest.")
    add("")

    # API calls by action
    add("### AWS API calls of the no-change plan, by action")
    add("")
    actions = {}
    for label in labels:
        for x in ok(results["stack"][label])[:1]:
            for action, count in x["plan"]["calls_by_action"].items():
                actions.setdefault(action, {})[label] = count
    add("| action | %s |" % " | ".join(HEADS[label] for label in labels))
    add("|---|%s|" % "|".join("---:" for _ in labels))
    for action in sorted(actions):
        add("| %s | %s |" % (action, " | ".join(str(actions[action].get(label, 0)) for label in labels)))
    add("")

    if have_static:
        static_section(results, labels, add, root)

    # ------------------------------------------------------------------ scaling
    add("## Refresh of N resources")
    add("")
    add("`bench/stacks/ssm-*`: N SSM `String` parameters made by `apply`, then a no-change `plan` (which")
    add("refreshes all N) and `destroy`. `core` is N of the CLI's built-in `terraform_data` resources, which")
    add("no provider serves: the CLI's own time for N resources, the floor under any provider.")
    add("")
    add("![time as N grows](benchmarks/scaling-time.png)")
    add("")
    add("![memory as N grows](benchmarks/scaling-memory.png)")
    add("")
    add("| N | provider | plan wall (s) | plan CPU, all (s) | provider CPU (s) | provider peak RSS (MiB) | whole run peak RSS (MiB) | API calls per resource | time in moto (s) | plan -refresh=false wall (s) | apply wall (s) | destroy wall (s) |")
    add("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in ns:
        for kind in kinds:
            if scale_med(kind, n, "plan", "wall") is None:
                continue
            calls = scale_med(kind, n, "plan", "calls")
            add("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                n, kind, fmt(scale_med(kind, n, "plan", "wall")), fmt(scale_med(kind, n, "plan", "cpu")),
                fmt(scale_med(kind, n, "plan", "provider_cpu"), "", 3) if kind != "core" else "-",
                fmt(mib(scale_med(kind, n, "plan", "provider_peak_rss_kb")), "", 1) if kind != "core" else "-",
                fmt(mib(scale_med(kind, n, "plan", "tree_peak_rss_kb")), "", 1),
                "%.2f" % (calls / n) if kind != "core" else "-",
                fmt(scale_med(kind, n, "plan", "moto_seconds")) if kind != "core" else "-",
                fmt(scale_med(kind, n, "plan_norefresh", "wall")),
                fmt(scale_med(kind, n, "apply", "wall")), fmt(scale_med(kind, n, "destroy", "wall"))))
    add("")
    if fits:
        add("Least-squares fits of the no-change plan against N (wall time; CPU of the provider processes, or")
        add("of the CLI for `core`):")
        add("")
        for kind in kinds:
            if kind in fits:
                a0, b, r2 = fits[kind]
                c0, cb, cr2 = cpu_fits[kind]
                add("- %s: wall %.2f s + %.3f ms x N (R^2 = %.4f); CPU %.3f s + %.3f ms x N (R^2 = %.4f)" % (
                    kind, a0, b * 1000, r2, c0, cb * 1000, cr2))
        add("")
        add("Time in moto per call of the no-change plan, by N (a moto call's cost grows with what moto holds):")
        add("")
        for kind in kinds:
            if kind == "core":
                continue
            parts = []
            for n in ns:
                m, c = scale_med(kind, n, "plan", "moto_seconds"), scale_med(kind, n, "plan", "calls")
                if m is not None and c:
                    parts.append("N = %d: %.1f ms" % (n, 1000 * m / c))
            add("- %s: %s" % (kind, "; ".join(parts)))
        add("")
        if have_aws:
            for n in ns:
                w = scale_med("wagtail", n, "plan", "wall")
                a = scale_med("aws", n, "plan", "wall")
                c = scale_med("core", n, "plan", "wall")
                if w and a:
                    add("- N = %d: plan ours/aws %.3f (%.2fx faster); ours is %.2fx the CLI-alone floor, AWS %.2fx" % (
                        n, w / a, a / w, w / c if c else float("nan"), a / c if c else float("nan")))
            add("")

    failures = results.get("failures", [])
    add("## Failed runs")
    add("")
    if failures:
        add("These runs failed; the medians above are of the runs that completed (a failed run was repeated")
        add("where the benchmark was resumed).")
        add("")
        for f in failures:
            add("- %s: `%s` exited %d: %s%s" % (f["what"], f["command"], f["rc"], "; ".join(f.get("errors", [])),
                                              (". " + f["note"]) if f.get("note") else ""))
    else:
        add("None.")
    add("")
    add("## Where the time goes (what bounds us)")
    add("")
    wm = step_stat(W, "plan", "moto_seconds")
    wc = step_stat(W, "plan", "cpu")
    wp = step_stat(W, "plan", "provider_cpu")
    add("- No-change `plan` of the stack, ours: %.2f s wall; CPU %.2f s, of which the provider %.3f s and the" % (
        w_plan, wc, wp))
    add("  CLI %.2f s; moto spent %.2f s answering its %d calls (summed over concurrent calls)." % (wc - wp, wm, w_calls))
    if have_aws:
        am = step_stat(A, "plan", "moto_seconds")
        ac = step_stat(A, "plan", "cpu")
        ap_ = step_stat(A, "plan", "provider_cpu")
        add("- The same for AWS: %.2f s wall; CPU %.2f s, of which the provider %.3f s and the CLI %.2f s;" % (
            a_plan, ac, ap_, ac - ap_))
        add("  moto %.2f s for %d calls." % (am, a_calls))
    add("- The no-change `plan` of the stack without refresh (`-refresh=false`, no AWS calls but the")
    add("  provider's own `GetCallerIdentity`): ours %.2f s%s. The refresh adds %.2f s to ours, for %d" % (
        step_stat(W, "plan_norefresh", "wall"),
        ", AWS %.2f s" % step_stat(A, "plan_norefresh", "wall") if A else " (AWS not measured)",
        w_plan - step_stat(W, "plan_norefresh", "wall"), w_calls))
    add("  AWS calls whose answers took moto %.2f s in all." % wm)
    for kind in labels:
        wall = scale_med(kind, big, "plan", "wall")
        moto = scale_med(kind, big, "plan", "moto_seconds")
        calls = scale_med(kind, big, "plan", "calls")
        cpu = scale_med(kind, big, "plan", "cpu")
        pcpu = scale_med(kind, big, "plan", "provider_cpu")
        core = scale_med("core", big, "plan", "cpu")
        if wall and moto and calls:
            add("- Refresh of %d SSM parameters, %s: %.2f s wall for %d calls, %.0f calls/s; on average %.1f calls" % (
                big, kind, wall, calls, calls / wall, moto / wall))
            add("  were in moto at once (time in moto / wall). CPU: provider %.2f s (%.2f ms per parameter), CLI %.2f s" % (
                pcpu, 1000 * pcpu / big, cpu - pcpu))
            add("  (the CLI alone with %d `terraform_data`: %.2f s)." % (big, core or float("nan")))
    add("")
    add("See the notes below for the reading of these figures.")
    add("")
    notes = os.path.join(root, "bench", "NOTES.md")
    if os.path.exists(notes):
        add(open(notes).read().rstrip())
        add("")

    with open(os.path.join(args.out_dir, "benchmarks.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("report: %s (%s)" % (os.path.join(args.out_dir, "benchmarks.md"),
                               ", ".join(os.path.basename(p) for p in pngs)))


if __name__ == "__main__":
    main()
