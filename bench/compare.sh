#!/usr/bin/env bash
# The benchmark against the HashiCorp AWS provider, from one command:
#
#   bench/compare.sh            (or: make bench)
#
# 1. bench/build-aws-provider.sh: the pinned AWS provider, built once from the
#    Go module proxy and cached (a long first build; instant afterwards).
# 2. Our provider (make BUILD=build-bench) and OpenTofu
#    (tests/acceptance/setup-clis.sh, cached).
# 3. One moto server (signatures checked, tests/aws/moto.sh) behind one
#    counting proxy (bench/count_proxy.py: one log line per AWS request, with
#    its action, status and moto's time), shared by both providers; the
#    stacks' prerequisites in it.
# 4. bench/bench.py: start-up, the stack of bench/stacks/{wagtail,aws}
#    (init, validate, apply, no-change plan, destroy) and the refresh of N
#    SSM parameters, A/B alternated; raw results in $BENCH_OUT/results.json.
# 5. bench/report.py: docs/benchmarks.md and docs/benchmarks/*.png.
#
# Environment:
#   RUNS=5            runs of the stack per provider (medians are reported)
#   SCALE_NS="10 100 1000"  sizes of the scaling benchmark
#   SCALE_RUNS=3      runs per size and provider
#   STARTUP_RUNS=30   start-ups per provider
#   SKIP_AWS=1        measure our provider alone (no AWS build)
#   BENCH_BUILD=build-bench  our build directory
#   PROVIDER_BINARY   measure this build of ours instead of building one
#   OURS_DESC         what to call it in the report (e.g. the commit it was built from)
#   BENCH_OUT=docs    where benchmarks.md and benchmarks/ are written
#   KEEP_WORK=1       keep the work directory (logs of every CLI run)
#   RESUME=1          go on from the runs already in $BENCH_OUT/benchmarks/results.json
#                     (same settings), e.g. after an interruption
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${RUNS:-5}
scale_ns=${SCALE_NS:-10 100 1000}
scale_runs=${SCALE_RUNS:-3}
startup_runs=${STARTUP_RUNS:-30}
version=${VERSION:-0.1.0}
build=${BENCH_BUILD:-build-bench}
out=${BENCH_OUT:-$root/docs}
python=${PYTHON:-python3}
region=eu-west-1
command -v go >/dev/null || export PATH=/usr/local/go/bin:$PATH

say() { echo "compare: $*" >&2; }

# ---------------------------------------------------------------------------
# 1-2. The binaries
# ---------------------------------------------------------------------------
aws_binary=
if [ -z "${SKIP_AWS:-}" ]; then
	say "step 1: the AWS provider (bench/build-aws-provider.sh; cached after the first build)"
	if aws_binary=$("$root/bench/build-aws-provider.sh"); then
		say "AWS provider: $aws_binary"
	else
		say "the AWS provider could not be built: measuring our provider alone"
		aws_binary=
	fi
fi
aws_version=$(basename "${aws_binary:-terraform-provider-aws_v6.48.0-dev}" | sed 's/^terraform-provider-aws_v//')

if [ -n "${PROVIDER_BINARY:-}" ]; then
	say "step 2: our provider ($PROVIDER_BINARY) and OpenTofu"
	ours=$(cd "$(dirname "$PROVIDER_BINARY")" && pwd)/$(basename "$PROVIDER_BINARY")
else
	say "step 2: our provider (make BUILD=$build) and OpenTofu"
	make -s BUILD="$build" "$build/terraform-provider-wagtail_v$version" >&2
	ours=$root/$build/terraform-provider-wagtail_v$version
fi
tofu=$("$root/tests/acceptance/setup-clis.sh" | sed -n 1p)
"$python" -c "import matplotlib" 2>/dev/null || {
	say "installing matplotlib (plots only)"
	"$python" -m pip install -q matplotlib >&2
}

work=$(mktemp -d "${TMPDIR:-/tmp}/wagtail-compare.XXXXXX")
proxy_pid=
cleanup() {
	[ -z "$proxy_pid" ] || { kill "$proxy_pid" 2>/dev/null; wait "$proxy_pid" 2>/dev/null || true; }
	moto_stop 2>/dev/null || true
	if [ -n "${KEEP_WORK:-}" ]; then say "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# go-plugin's client certificate, for the start-up timing.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	-subj /CN=localhost -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=digitalSignature,keyEncipherment,keyAgreement,keyCertSign \
	-addext extendedKeyUsage=clientAuth,serverAuth \
	-keyout "$work/client.key" -out "$work/client.pem" 2>/dev/null

# Two plugin mirrors: "plain" holds the real binaries (what `init` is timed
# with), "instrumented" holds rusage-wrapper.c built around each (everything
# else runs with it, so that each provider process's peak RSS and CPU time are
# exact).
plain=$work/mirror-plain instr=$work/mirror-instr
MIRROR=$plain "$root/build.sh" install "$ours" "$version" >/dev/null
cc -O2 -Wall -DREAL="\"$ours\"" -o "$work/wrapper-wagtail" "$root/bench/rusage-wrapper.c"
MIRROR=$instr "$root/build.sh" install "$work/wrapper-wagtail" "$version" >/dev/null
strip -o "$work/ours-stripped" "$ours"
ours_stripped=$(stat -c %s "$work/ours-stripped")
if [ -n "$aws_binary" ]; then
	cc -O2 -Wall -DREAL="\"$aws_binary\"" -o "$work/wrapper-aws" "$root/bench/rusage-wrapper.c"
	for host in registry.terraform.io registry.opentofu.org; do
		dir=$host/hashicorp/aws/$aws_version/linux_amd64
		mkdir -p "$plain/$dir" "$instr/$dir"
		ln -s "$aws_binary" "$plain/$dir/terraform-provider-aws_v$aws_version"
		install -m 0755 "$work/wrapper-aws" "$instr/$dir/terraform-provider-aws_v$aws_version"
	done
fi
for mirror in plain instr; do
	cat >"$work/$mirror.tfrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror-$mirror"
    include = ["registry.opentofu.org/wagtail/*", "registry.opentofu.org/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.opentofu.org/wagtail/*", "registry.opentofu.org/hashicorp/aws"]
  }
}
EOF
done

# ---------------------------------------------------------------------------
# 3. moto and the counting proxy
# ---------------------------------------------------------------------------
say "step 3: moto and the counting proxy"
# shellcheck source=tests/aws/moto.sh
source "$root/tests/aws/moto.sh"
# The enhanced-monitoring role attaches an AWS managed policy.
export MOTO_IAM_LOAD_MANAGED_POLICIES=true
moto_start "$work/moto" >"$work/moto-start.log" 2>&1 || {
	cat "$work/moto-start.log" >&2
	exit 1
}
"$python" "$root/bench/count_proxy.py" "$MOTO_ENDPOINT" "$work/proxy.port" "$work/proxy.log" 2>"$work/proxy.err" &
proxy_pid=$!
for _ in $(seq 100); do [ -s "$work/proxy.port" ] && break; sleep 0.05; done
[ -s "$work/proxy.port" ] || {
	cat "$work/proxy.err" >&2
	exit 1
}
endpoint=http://127.0.0.1:$(cat "$work/proxy.port")
prereqs=$("$python" "$root/bench/bench.py" prereqs "$MOTO_ENDPOINT" "$MOTO_ACCESS_KEY" "$MOTO_SECRET_KEY" "$region")

# ---------------------------------------------------------------------------
# 4. The runs
# ---------------------------------------------------------------------------
say "step 4: the runs (RUNS=$runs, SCALE_NS=$scale_ns, SCALE_RUNS=$scale_runs)"
"$python" - "$work/config.json" <<PY
import json, sys
providers = {"wagtail": {"binary": "$ours", "stripped_size": $ours_stripped,
                         "stack": "$root/bench/stacks/wagtail", "ssm_stack": "$root/bench/stacks/ssm-wagtail",
                         "plain_cli_config": "$work/plain.tfrc", "cli_config": "$work/instr.tfrc"}}
if "$aws_binary":
    import os
    providers["aws"] = {"binary": "$aws_binary", "stripped_size": os.path.getsize("$aws_binary"),
                        "version": "$aws_version",
                        "stack": "$root/bench/stacks/aws", "ssm_stack": "$root/bench/stacks/ssm-aws",
                        "plain_cli_config": "$work/plain.tfrc", "cli_config": "$work/instr.tfrc"}
json.dump({
    "tofu": "$tofu", "work": "$work", "proxy_log": "$work/proxy.log", "client_cert": "$work/client.pem",
    "endpoint": "$endpoint", "access_key": "$MOTO_ACCESS_KEY", "secret_key": "$MOTO_SECRET_KEY",
    "region": "$region", "master_password": "bench-Passw0rd-0123456789",
    "prereqs": json.loads('''$prereqs'''), "templates": "$root/bench/stacks/templates",
    "core_ssm_stack": "$root/bench/stacks/ssm-core", "core_cli_config": "$work/instr.tfrc",
    "providers": providers, "runs": $runs, "scale_ns": [int(n) for n in "$scale_ns".split()],
    "scale_runs": $scale_runs, "startup_runs": $startup_runs, "resume": bool("${RESUME:-}"),
}, open(sys.argv[1], "w"), indent=1)
PY
mkdir -p "$out/benchmarks"
"$python" "$root/bench/bench.py" run "$work/config.json" "$out/benchmarks/results.json"

# ---------------------------------------------------------------------------
# 5. The report
# ---------------------------------------------------------------------------
say "step 5: $out/benchmarks.md"
aws_info=
[ -z "$aws_binary" ] || aws_info=$(cat "$aws_binary.info" 2>/dev/null || true)
"$python" "$root/bench/report.py" "$out/benchmarks/results.json" "$out" \
	--tofu "$(TF_CLI_CONFIG_FILE=$work/plain.tfrc "$tofu" version | head -1)" --aws-info "$aws_info" --moto "$("$python" -c "import moto; print(moto.__version__)")" \
	--ours "${OURS_DESC:-}"
say "done: $out/benchmarks.md"
