#!/usr/bin/env bash
# The benchmark against the HashiCorp AWS provider, from one command:
#
#   bench/compare.sh            (or: make bench)
#
# 1. bench/build-aws-provider.sh: the pinned AWS provider, built once from the
#    Go module proxy and cached (a long first build; instant afterwards).
# 2. Our provider (make BUILD=build-bench), our fully static release binary
#    (build-static/x86_64-linux-musl, from scripts/release/static.sh, if it
#    has been built) and OpenTofu (tests/acceptance/setup-clis.sh, cached).
# 3. One moto server (signatures checked, tests/aws/moto.sh) behind one
#    counting proxy (bench/count_proxy.py: one log line per AWS request, with
#    its action, status and moto's time), shared by every provider; the
#    stacks' prerequisites in it.
# 4. bench/bench.py: sizes, start-up, the stack of bench/stacks/{wagtail,aws}
#    (init, validate, apply, no-change plan, destroy) and the refresh of N
#    SSM parameters, for each provider in an order rotated from run to run;
#    raw results in $BENCH_OUT/benchmarks/results.json.
# 5. bench/report.py: docs/benchmarks.md and docs/benchmarks/*.png.
#
# Environment:
#   RUNS=5            runs of the stack per provider (medians are reported)
#   SCALE_NS="10 100 1000"  sizes of the scaling benchmark
#   SCALE_RUNS=3      runs per size and provider
#   STARTUP_RUNS=30   start-ups per provider
#   SKIP_AWS=1        measure our builds alone (no AWS build)
#   BENCH_BUILD=build-bench  our build directory
#   PROVIDER_BINARY   measure this build of ours instead of building one
#   OURS_DESC         what to call it in the report (e.g. the commit it was built from)
#   STATIC_BINARY     our static release binary, measured as a third provider
#                     (default build-static/x86_64-linux-musl/terraform-provider-wagtail_v$VERSION
#                     when it exists: scripts/release/static.sh build x86_64-linux-musl;
#                     set it empty to leave the static binary out)
#   BENCH_OUT=docs    where benchmarks.md and benchmarks/ are written
#   KEEP_WORK=1       keep the work directory (logs of every CLI run)
#   RESUME=1          go on from the runs already in $BENCH_OUT/benchmarks/results.json
#                     (same settings, but SCALE_NS may leave sizes out), e.g. after an
#                     interruption
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
# Unset: the release build's if there is one; set but empty: none.
static=
if [ -n "${STATIC_BINARY+set}" ]; then
	if [ -n "$STATIC_BINARY" ]; then
		[ -x "$STATIC_BINARY" ] || { say "STATIC_BINARY=$STATIC_BINARY is not an executable"; exit 1; }
		static=$(cd "$(dirname "$STATIC_BINARY")" && pwd)/$(basename "$STATIC_BINARY")
	fi
elif [ -x "$root/build-static/x86_64-linux-musl/terraform-provider-wagtail_v$version" ]; then
	static=$root/build-static/x86_64-linux-musl/terraform-provider-wagtail_v$version
fi
if [ -n "$static" ]; then
	say "static release binary: $static"
else
	say "no static release binary (scripts/release/static.sh build x86_64-linux-musl makes one)"
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
# exact). The static binary is the same provider at the same version, and a
# mirror holds one binary per version and platform: it has a pair of its own.
plain=$work/mirror-plain instr=$work/mirror-instr
MIRROR=$plain "$root/build.sh" install "$ours" "$version" >/dev/null
cc -O2 -Wall -DREAL="\"$ours\"" -o "$work/wrapper-wagtail" "$root/bench/rusage-wrapper.c"
MIRROR=$instr "$root/build.sh" install "$work/wrapper-wagtail" "$version" >/dev/null
mirrors="plain instr"
if [ -n "$static" ]; then
	MIRROR=$work/mirror-plain-static "$root/build.sh" install "$static" "$version" >/dev/null
	cc -O2 -Wall -DREAL="\"$static\"" -o "$work/wrapper-static" "$root/bench/rusage-wrapper.c"
	MIRROR=$work/mirror-instr-static "$root/build.sh" install "$work/wrapper-static" "$version" >/dev/null
	mirrors="$mirrors plain-static instr-static"
fi
if [ -n "$aws_binary" ]; then
	cc -O2 -Wall -DREAL="\"$aws_binary\"" -o "$work/wrapper-aws" "$root/bench/rusage-wrapper.c"
	for host in registry.terraform.io registry.opentofu.org; do
		dir=$host/hashicorp/aws/$aws_version/linux_amd64
		mkdir -p "$plain/$dir" "$instr/$dir"
		ln -s "$aws_binary" "$plain/$dir/terraform-provider-aws_v$aws_version"
		install -m 0755 "$work/wrapper-aws" "$instr/$dir/terraform-provider-aws_v$aws_version"
	done
fi
for mirror in $mirrors; do
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
import glob, os
providers = {"wagtail": {"binary": "$ours",
                         "stack": "$root/bench/stacks/wagtail", "ssm_stack": "$root/bench/stacks/ssm-wagtail",
                         "plain_cli_config": "$work/plain.tfrc", "cli_config": "$work/instr.tfrc"}}
if "$static":
    # The same stacks as the dynamic build: only the binary differs.
    providers["static"] = dict(providers["wagtail"], binary="$static",
                               plain_cli_config="$work/plain-static.tfrc", cli_config="$work/instr-static.tfrc")
if "$aws_binary":
    providers["aws"] = {"binary": "$aws_binary",
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
    # Every release target built so far (cross-built ones are only sized).
    "release_targets": [(p.split("/")[-2], p) for p in
                        sorted(glob.glob("$root/build-static/*/terraform-provider-wagtail_v$version"))],
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
	--ours "${OURS_DESC:-}" --static "$static"
say "done: $out/benchmarks.md"
