#!/usr/bin/env python3
"""report.py: docs/benchmarks.md and its plots from bench.py's results.

    report.py RESULTS.json OUT_DIR [--tofu VERSION] [--aws-info TEXT] [--moto VERSION]

Writes OUT_DIR/benchmarks.md and OUT_DIR/benchmarks/*.png. Every figure is a
median over the runs; ratios are ours / AWS's from the same run of the
benchmark (a ratio below 1 means ours is smaller or faster).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess

STEPS = ["init", "validate", "plan", "plan_norefresh", "apply", "destroy"]
STEP_NAMES = {"plan_norefresh": "plan -refresh=false"}


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

    names = {"wagtail": "wagtail (ours)", "aws": "hashicorp/aws", "core": "CLI alone (terraform_data)"}
    styles = {"wagtail": "o-", "aws": "s-", "core": "^--"}
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("out_dir")
    ap.add_argument("--tofu", default="")
    ap.add_argument("--aws-info", default="")
    ap.add_argument("--moto", default="")
    ap.add_argument("--ours", default="")
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

    def both(step, key):
        w = step_stat(W, step, key)
        a = step_stat(A, step, key) if A else None
        return w, a

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
    add("once and caches it under `~/.cache/terraform-provider-wagtail/bench/`. Everything else (moto, the")
    add("counting proxy, OpenTofu, both providers) runs on this machine; nothing leaves it.")
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
    add("| CLI | %s (the same binary for both providers) |" % (args.tofu or "OpenTofu"))
    add("| ours | terraform-provider-wagtail 0.1.0, %s |" % (
        args.ours or "the work tree at %s, built with `make BUILD=build-bench`" % git_head(root)))
    if have_aws:
        info = [line for line in args.aws_info.splitlines() if line]
        add("| AWS provider | %s, reported as %s |" % ("; ".join(info) or "hashicorp/aws",
                                                     results.get("aws_version", "6.48.0-dev")))
    else:
        add("| AWS provider | not measured in this run (see below) |")
    add("| AWS | moto %s, signatures checked, behind `bench/count_proxy.py` (both providers, same server) |" % (
        args.moto or ""))
    add("| runs | stack: %d per provider; scaling: %d per size; start-up: %d per provider; A/B order alternated |" % (
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
    add("Ratios are ours / AWS's, measured in the same run.")
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
    else:
        add("| the four ratio targets | the AWS provider was not measured | not measured |")
    if "wagtail" in cpu_fits:
        a0, b, r2 = cpu_fits["wagtail"]
        ra0, rb, rr2 = rss_fits["wagtail"]
        wa0, wb, wr2 = fits["wagtail"]
        add("| linear scaling in N (no-change plan of N SSM parameters) | provider CPU = %.3f s + %.3f ms x N (R^2 = %.4f); provider peak RSS = %.1f MiB + %.2f KiB x N (R^2 = %.3f); wall %.2f s + %.2f ms x N (R^2 = %.4f), bound by moto (below) | %s |" % (
            a0, b * 1000, r2, ra0, rb * 1024, rr2, wa0, wb * 1000, wr2, verdict(r2 >= 0.98)))
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
    add("| metric | wagtail | aws | ours/aws |")
    add("|---|---:|---:|---:|")
    size_w, size_a = results["sizes"]["wagtail"], results["sizes"].get("aws")
    add("| provider binary size, as built (MiB) | %s | %s | %s |" % (
        fmt(size_w / 2 ** 20, "", 1), fmt(size_a / 2 ** 20 if size_a else None, "", 1), ratio(size_w, size_a)))
    sw, sa = results["sizes_stripped"]["wagtail"], results["sizes_stripped"].get("aws")
    add("| provider binary size, stripped (MiB) | %s | %s | %s |" % (
        fmt(sw / 2 ** 20 if sw else None, "", 1), fmt(sa / 2 ** 20 if sa else None, "", 1), ratio(sw, sa)))
    add("| cold start to handshake line, median (ms) | %s | %s | %s |" % (fmt(w_start, "", 1), fmt(a_start, "", 1),
                                                                           ratio(w_start, a_start)))
    w, a = min(start["wagtail"]), (min(start["aws"]) if start.get("aws") else None)
    add("| cold start to handshake line, best run (ms) | %s | %s | %s |" % (fmt(w, "", 1), fmt(a, "", 1), ratio(w, a)))
    scpu = results.get("startup_cpu_ms", {})
    if scpu:
        w, a = med(scpu.get("wagtail", [])), med(scpu.get("aws", []))
        add("| CPU time until the handshake, all threads, median (ms) | %s | %s | %s |" % (
            fmt(w, "", 1), fmt(a, "", 1), ratio(w, a)))
    mem = results.get("startup_memory_kb", {})
    if mem:
        def m(label, field):
            return mib(med(mem.get(label, {}).get(field, [])))
        add("| RSS right after the handshake, idle (MiB) | %s | %s | %s |" % (
            fmt(m("wagtail", "VmRSS"), "", 1), fmt(m("aws", "VmRSS"), "", 1),
            ratio(m("wagtail", "VmRSS"), m("aws", "VmRSS"))))
        add("| of which mapped from files: binary, libraries (MiB) | %s | %s | %s |" % (
            fmt(m("wagtail", "RssFile"), "", 1), fmt(m("aws", "RssFile"), "", 1),
            ratio(m("wagtail", "RssFile"), m("aws", "RssFile"))))
        add("| of which anonymous: heap, stacks (MiB) | %s | %s | %s |" % (
            fmt(m("wagtail", "RssAnon"), "", 1), fmt(m("aws", "RssAnon"), "", 1),
            ratio(m("wagtail", "RssAnon"), m("aws", "RssAnon"))))
    add("| peak RSS of a provider process during `plan` (MiB) | %s | %s | %s |" % (
        fmt(mib(w_rss), "", 1), fmt(mib(a_rss), "", 1), ratio(w_rss, a_rss)))
    w, a = both("plan", "tree_peak_rss_kb")
    add("| peak RSS of the whole `plan` run, CLI + providers (MiB) | %s | %s | %s |" % (
        fmt(mib(w), "", 1), fmt(mib(a), "", 1), ratio(w, a)))
    add("| resources in the state | %s | %s | |" % (fmt(w_res), fmt(a_res)))
    for step in STEPS:
        w, a = both(step, "wall")
        name = STEP_NAMES.get(step, step)
        add("| `%s` wall (s) | %s | %s | %s |" % (name, fmt(w), fmt(a), ratio(w, a)))
        w, a = both(step, "cpu")
        add("| `%s` CPU, CLI + providers (s) | %s | %s | %s |" % (name, fmt(w), fmt(a), ratio(w, a)))
        w, a = both(step, "provider_cpu")
        add("| `%s` CPU of the providers alone (s) | %s | %s | %s |" % (name, fmt(w, "", 3), fmt(a, "", 3),
                                                                          ratio(w, a)))
        w, a = both(step, "provider_peak_rss_kb")
        add("| `%s` peak RSS of a provider process (MiB) | %s | %s | %s |" % (name, fmt(mib(w), "", 1),
                                                                               fmt(mib(a), "", 1), ratio(w, a)))
        if step not in ("init", "validate", "plan_norefresh"):
            w, a = both(step, "calls")
            add("| `%s` AWS API calls | %s | %s | %s |" % (name, fmt(w), fmt(a), ratio(w, a)))
    add("")
    add("Start-up: a shell script that only prints the handshake line takes %.1f ms on the same harness (the" % (
        floor_start))
    add("cost of spawning any process and reading a line); the provider's own share is the rest.")
    add("")

    # API calls by action
    add("### AWS API calls of the no-change plan, by action")
    add("")
    actions = {}
    for label, samples in (("wagtail", W), ("aws", A)):
        for s in ok(samples)[:1]:
            for action, count in s["plan"]["calls_by_action"].items():
                actions.setdefault(action, {})[label] = count
    add("| action | wagtail | aws |")
    add("|---|---:|---:|")
    for action in sorted(actions):
        add("| %s | %s | %s |" % (action, actions[action].get("wagtail", 0),
                                  actions[action].get("aws", 0) if have_aws else "n/a"))
    add("")

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
    add("  provider's own `GetCallerIdentity`): ours %.2f s, AWS %.2f s. The refresh adds %.2f s to ours, for %d" % (
        step_stat(W, "plan_norefresh", "wall"), step_stat(A, "plan_norefresh", "wall") if A else float("nan"),
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
