#!/usr/bin/env bash
# Start-up benchmark for terraform-provider-wagtail.
#
#   bench/startup.sh [RUNS]
#
# 1. Cold start: spawn the provider as go-plugin would (magic cookie, protocol
#    versions, port range, PLUGIN_CLIENT_CERT) and time until its handshake line
#    appears on stdout; then SIGTERM it. Median/min/p90 over RUNS (default 50).
# 2. Peak RSS (VmHWM) of the provider process during a `tofu plan` of the
#    wagtail_iam_db_connect_policy data source: the CLI starts
#    bench/rusage-wrapper.c, which runs the real binary as its child (the CLI
#    still talks to the provider directly) and logs the child's exact peak RSS
#    from wait4() (sampling /proc misses processes that live milliseconds).
#
# Environment:
#   PROVIDER_BINARY  provider (default build/terraform-provider-wagtail_v$VERSION)
#   VERSION          default 0.1.0
#   PEER_BINARY      another provider binary to time the same way; prints the ratio
#   PEER_RSS_KB      a peer's peak RSS in KiB, to print the RSS ratio against
#   SKIP_RSS=1       only measure start-up
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-50}
version=${VERSION:-0.1.0}
binary=${PROVIDER_BINARY:-$root/build/terraform-provider-wagtail_v$version}
python=${PYTHON:-python3}
[ -x "$binary" ] || {
	echo "bench: $binary not found; run make first" >&2
	exit 1
}
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")

work=$(mktemp -d "${TMPDIR:-/tmp}/wagtail-bench.XXXXXX")
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT

# A client certificate shaped like go-plugin's (self-signed, CA:TRUE).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	-subj /CN=localhost -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=digitalSignature,keyEncipherment,keyAgreement,keyCertSign \
	-addext extendedKeyUsage=clientAuth,serverAuth \
	-keyout "$work/client.key" -out "$work/client.pem" 2>/dev/null

# time_startup BINARY LABEL: prints "LABEL median min p90" (milliseconds).
time_startup() {
	mkdir -p "$work/sock"
	"$python" - "$1" "$2" "$runs" "$work/client.pem" "$work/sock" <<'PY'
import os, signal, statistics, subprocess, sys, time
binary, label, runs, cert, sockdir = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
env = dict(os.environ)
for k in [k for k in env if k.startswith(("TF_", "PLUGIN_"))]:
    del env[k]
env.update(
    TF_PLUGIN_MAGIC_COOKIE="d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
    PLUGIN_PROTOCOL_VERSIONS="5,6",
    PLUGIN_MIN_PORT="10000",
    PLUGIN_MAX_PORT="25000",
    PLUGIN_CLIENT_CERT=open(cert).read(),
    TMPDIR=sockdir,
)
samples = []
for i in range(runs):
    t0 = time.perf_counter()
    p = subprocess.Popen([binary], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=env, cwd=sockdir)
    line = p.stdout.readline()
    t1 = time.perf_counter()
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    p.stdout.close()
    if not line.startswith(b"1|"):
        sys.exit("%s: run %d: no handshake line, got %r (exit %s)" % (label, i, line[:200], p.returncode))
    samples.append((t1 - t0) * 1000.0)
samples.sort()
p90 = samples[min(len(samples) - 1, int(round(0.9 * (len(samples) - 1))))]
print("%s %.2f %.2f %.2f" % (label, statistics.median(samples), samples[0], p90))
PY
}

read -r _ ours_med ours_min ours_p90 < <(time_startup "$binary" ours)
echo "startup: handshake after median ${ours_med} ms (min ${ours_min}, p90 ${ours_p90}) over $runs runs"
# What spawning any process and reading one line costs on this machine, so
# the provider's own share can be told apart from the harness's.
printf '#!/bin/sh\necho "1|6|unix|/nowhere|grpc|"\n' >"$work/echo-handshake"
chmod +x "$work/echo-handshake"
read -r _ base_med _ _ < <(time_startup "$work/echo-handshake" baseline)
echo "startup: spawn baseline (a shell script printing the line) median ${base_med} ms;" \
	"provider's own share $(awk -v a="$ours_med" -v b="$base_med" 'BEGIN { printf "%.2f", a - b }') ms"

if [ -n "${PEER_BINARY:-}" ]; then
	read -r _ peer_med peer_min peer_p90 < <(time_startup "$PEER_BINARY" peer)
	echo "startup (peer $(basename "$PEER_BINARY")): median ${peer_med} ms (min ${peer_min}, p90 ${peer_p90})"
	echo "startup ratio ours/peer: $(awk -v a="$ours_med" -v b="$peer_med" 'BEGIN { printf "%.3f", a / b }')"
fi

[ -z "${SKIP_RSS:-}" ] || exit 0

# ---------------------------------------------------------------------------
# Peak RSS during `tofu plan`
# ---------------------------------------------------------------------------
tofu=$("$root/tests/acceptance/setup-clis.sh" | sed -n 1p)
rss_file=$work/rusage
cc -O2 -Wall -DREAL="\"$binary\"" -o "$work/wrapper" "$root/bench/rusage-wrapper.c"
export BENCH_RUSAGE_LOG=$rss_file
MIRROR=$work/mirror "$root/build.sh" install "$work/wrapper" "$version" >/dev/null

mkdir -p "$work/config"
"$root/build.sh" cli-config "$work/mirror" >"$work/cli.tfrc"
cat >"$work/config/main.tf" <<'EOF'
terraform {
  required_providers {
    wagtail = { source = "wagtail/wagtail" }
  }
}

data "wagtail_iam_db_connect_policy" "p" {
  region              = "eu-west-1"
  account_id          = "123456789012"
  cluster_resource_id = "cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
  db_users            = ["wagtail", "db_userx"]
}

output "policy" {
  value = data.wagtail_iam_db_connect_policy.p.json
}
EOF
unset TF_PLUGIN_CACHE_DIR TF_LOG TF_LOG_PATH TF_REATTACH_PROVIDERS TF_DISABLE_PLUGIN_TLS
export TF_CLI_CONFIG_FILE=$work/cli.tfrc TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
(cd "$work/config" && "$tofu" init -no-color -input=false) >"$work/init.out" 2>&1 || {
	cat "$work/init.out" >&2
	exit 1
}
: >"$rss_file"
(cd "$work/config" && "$tofu" plan -no-color -input=false) >"$work/plan.out" 2>&1 || {
	cat "$work/plan.out" >&2
	exit 1
}
# One provider process per CLI step (validate, plan, ...): report the largest.
peak=$(awk '{ print $2 }' "$rss_file" | sort -n | tail -n 1)
if [ -z "$peak" ]; then
	echo "bench: no RSS samples were taken" >&2
	exit 1
fi
echo "peak RSS during tofu plan: ${peak} KiB ($(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }') MiB)"
if [ -n "${PEER_RSS_KB:-}" ]; then
	echo "peak RSS ratio ours/peer: $(awk -v a="$peak" -v b="$PEER_RSS_KB" 'BEGIN { printf "%.3f", a / b }')"
fi
