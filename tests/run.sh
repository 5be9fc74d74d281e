#!/usr/bin/env bash
# Runs every test stage and prints the grand total as the last line,
# exactly `N passed, N failed`. Exits non-zero if anything failed.
#
# Stages (each ends its output with a `... N passed, N failed` line):
#   unit        build/unit-tests, through tests/unit/run.sh (moto servers)
#   layers      tests/layers.sh (core <- aws <- provider <- resources: no folder
#               includes a header of one above it, no object takes a symbol
#               from one above it)
#   scaffold    tests/scaffold.sh (make new-resource from each template, in a
#               copy of the checkout: builds with -Werror, registry walk passes)
#   strict-model tests/aws/test_strict_model.py (botocore model checks, pager)
#   strict-layer tests/aws/test_strict_proxy.py (the strict AWS layer that the
#               AWS stages run through unless STRICT_AWS=0: core and RDS)
#   strict-ecs  tests/aws/test_strict_ecs.py (its ECS and IAM behaviours)
#   check-static tests/release/test_check_static.py (the static release checks,
#               ELF and Mach-O, each failing on a broken file)
#   static-build with STATIC_BUILD_RC (.ci/run): wait for the background build
#               of the static release binary, then drive it in every stage
#               below instead of the dynamic build (the sanitizer stages run
#               first, meanwhile)
#   tls         tests/tls/test_client_cert.py, against the binary under test
#   acceptance  tests/acceptance/cli.sh (real tofu and terraform)
#   aws         tests/acceptance/aws_resources.sh (every CLI against a real
#               moto server that checks signatures)
#   aurora      tests/acceptance/aurora.sh (the same, for wagtail_aurora_cluster)
#   ecs-service tests/acceptance/ecs_service.sh (the same, for wagtail_ecs_service)
#   state-upgrade tests/acceptance/state_upgrade.sh (the states release 0.1.0
#               wrote, tests/data/states-0.1.0, carried over by today's provider:
#               plan -refresh=false empty on each CLI, values kept)
#   ephemeral   tests/acceptance/ephemeral.sh (ephemeral resources into write-only
#               attributes: no secret in state, saved plan or trace log; older
#               CLIs refuse both), with a provider built -DWAGTAIL_TEST_RESOURCES
#   sanitize    unit tests under ASan/UBSan (`make sanitize`), when RUN_SANITIZE=1
#               (default 1 under CI=true, else 0)
#   valgrind    unit tests under valgrind, with sanitize; valgrind-provider: the
#               example stack's apply/destroy with the provider under valgrind
#   faults      tests/acceptance/faults.sh (every resource and CRUD path under
#               injected faults: AWS and state agree, a second apply converges)
#   load        tests/acceptance/load.sh (240 resources, -parallelism=20, memory bound)
#   plain-moto-aws  the aws stage once more with STRICT_AWS=0 (moto alone)
#   asan-*      every acceptance stage again with an ASan+UBSan provider (on OpenTofu
#               and Terraform 1.8.5 only, see below), with sanitize
#   tsan-*      the load test with a ThreadSanitizer provider (the same two CLIs),
#               with sanitize
#   fuzz        each libFuzzer target for FUZZ_SECONDS (default 10), with sanitize
# A stage that exits non-zero without reporting any failure, or that prints no
# summary line at all, counts as one failure.
#
# Environment: BUILD (default build), VERSION (default 0.1.0), SKIP_STAGES
# (space-separated stage names to skip), plus whatever the stages read
# (ACCEPTANCE_CLIS, ...).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
build=${BUILD:-build}
version=${VERSION:-0.1.0}
case "$build" in /*) ;; *) build=$root/$build ;; esac
export PROVIDER_BINARY=${PROVIDER_BINARY:-$build/terraform-provider-wagtail_v$version}
if [ "${CI:-}" = true ]; then
	run_sanitize=${RUN_SANITIZE:-1}
else
	run_sanitize=${RUN_SANITIZE:-0}
fi

total_passed=0
total_failed=0
report=()
# The failing checks' own lines, repeated under the summary so that the end
# of a long log (all a CI page may keep) says what failed, not only how many.
failures=()

# stage NAME COMMAND...: run a stage, show its output live, add up its summary.
stage() {
	local name=$1 out rc line p f
	shift
	case " ${SKIP_STAGES:-} " in *" $name "*)
		echo "== $name: skipped (SKIP_STAGES)"
		report+=("$name: skipped")
		return
		;;
	esac
	echo "== $name: $*"
	out=$(mktemp)
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	while IFS= read -r fail; do
		failures+=("$name: $fail")
	done < <(grep -E '^(FAIL|not ok)\b' "$out" | cut -c1-300 | head -n 20)
	rm -f "$out"
	if [ -z "$line" ]; then
		p=0 f=1
		echo "== $name: no summary line (exit $rc); counted as 1 failure"
		failures+=("$name: no summary line (exit $rc)")
	else
		[[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			echo "== $name: exited $rc after reporting no failures; counted as 1 failure"
			failures+=("$name: exited $rc after reporting no failures")
		fi
	fi
	total_passed=$((total_passed + p))
	total_failed=$((total_failed + f))
	report+=("$name: $p passed, $f failed")
}

# 3. acceptance tests with the real CLIs: the protocol, then each resource
# family against a real moto server (and PostgreSQL where SQL runs)
acceptance_stages=(
	"acceptance tests/acceptance/cli.sh"
	"aws tests/acceptance/aws_resources.sh"
	"aurora tests/acceptance/aurora.sh"
	"ecs-service tests/acceptance/ecs_service.sh"
	"iam tests/acceptance/iam.sh"
	"database tests/acceptance/database.sh"
	"log-group tests/acceptance/log_group.sh"
	"cloudwatch-log-subscription tests/acceptance/cloudwatch_log_subscription.sh"
	"state-upgrade tests/acceptance/state_upgrade.sh"
	"release tests/acceptance/release.sh"
	"registry tests/acceptance/registry.sh"
	"example-stack tests/acceptance/example_stack.sh"
	"faults tests/acceptance/faults.sh"
)

# The stages, in three groups: those that need no provider binary, those
# that drive the one under test ($PROVIDER_BINARY), and the sanitizer
# repeats, which build and drive providers of their own.

early_stages() {
	# 1. unit tests
	if [ -x "$build/unit-tests" ]; then
		stage unit tests/unit/run.sh "$build/unit-tests"
	else
		stage unit sh -c "echo '$build/unit-tests not built (run make)'; exit 1"
	fi

	# 1b. the layers' arrows: includes, and symbols of the objects make built
	stage layers tests/layers.sh
	# 1c. make new-resource: each template builds and passes the registry walk
	stage scaffold tests/scaffold.sh

	# 2b. the strict AWS layer itself (tests/aws/strict_proxy.py in front of moto),
	# before the acceptance stages that run through it
	stage strict-model "${PYTHON:-python3}" tests/aws/test_strict_model.py
	stage strict-layer "${PYTHON:-python3}" tests/aws/test_strict_proxy.py
	stage strict-ecs "${PYTHON:-python3}" tests/aws/test_strict_ecs.py
	# 2c. the release checker (check_static.py) fails each broken file it is given
	stage check-static "${PYTHON:-python3}" tests/release/test_check_static.py
}

provider_stages() {
	# 2. TLS client-certificate test against the real binary (gRPC from Debian's python3-grpcio).
	if [ -f tests/tls/test_client_cert.py ]; then
		tls_python=${TLS_PYTHON:-}
		if [ -z "$tls_python" ]; then
			if /usr/bin/python3 -c 'import grpc' 2>/dev/null; then tls_python=/usr/bin/python3; else tls_python=python3; fi
		fi
		stage tls "$tls_python" tests/tls/test_client_cert.py
	fi

	# 3. the acceptance stages (acceptance_stages above)
	for entry in "${acceptance_stages[@]}"; do
		stage $entry
	done
	# ephemeral values into write-only attributes, through a test build of the provider
	stage ephemeral tests/acceptance/ephemeral.sh
	# 240 resources at -parallelism=20: no crash, nothing lost, bounded memory
	stage load tests/acceptance/load.sh
	# The plain moto path stays tested too (STRICT_AWS=0: no strict layer).
	STRICT_AWS=0 stage plain-moto-aws tests/acceptance/aws_resources.sh
}

# 4. under sanitizers: the unit tests (ASan+UBSan, then valgrind), every
# acceptance stage again with an ASan+UBSan provider, and a short fuzz run
sanitizer_stages() {
	stage sanitize make --no-print-directory sanitize
	stage valgrind tests/unit/run.sh valgrind -q --error-exitcode=9 --leak-check=full \
		--errors-for-leak-kinds=definite "$build/unit-tests"
	stage valgrind-provider tests/valgrind/provider.sh tests/acceptance/example_stack.sh
	asan_binary=$root/build-asan/terraform-provider-wagtail_v$version
	asan_logs=$(mktemp -d)
	# A build is not a test: a failed one counts once, a good one not at all.
	if ! make --no-print-directory sanitize-provider; then
		total_failed=$((total_failed + 1))
		report+=("asan-build: failed")
	fi
	# The sanitized repeats run on two CLIs (OpenTofu 1.12 and Terraform
	# 1.8.5, unless ACCEPTANCE_CLIS says otherwise), not the three the
	# provider stages run on: with the ASan provider each CLI's pass takes over twice
	# as long, and Terraform 1.11 here would add about 16 minutes on a
	# 2-core machine, taking CI to 70 of its 90 minutes. Terraform 1.8.5
	# stays: it sends the oldest requests (no client capabilities), the
	# paths most likely to meet a field that is absent.
	for entry in "${acceptance_stages[@]}"; do
		ACCEPTANCE_CLIS=${ACCEPTANCE_CLIS:-both} PROVIDER_BINARY=$asan_binary ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:atexit=1:print_stats=1:log_path=$asan_logs/asan \
			LSAN_OPTIONS=suppressions=$root/tests/asan/lsan.supp:print_suppressions=0 \
			UBSAN_OPTIONS=print_stacktrace=1:log_path=$asan_logs/ubsan stage asan-$entry
	done
	# The CLIs swallow a provider's stderr: the sanitizers' own reports decide.
	# Every ASan provider prints its allocator statistics at exit
	# (print_stats) into its log file, so a run that left no file at all
	# means the reports went elsewhere, not that there were none.
	stage asan-reports sh -c 'if ! ls "$1"/asan.* >/dev/null 2>&1; then
			echo "no ASan log in $1: the sanitized provider never ran, or logged elsewhere"
			echo "asan-reports: 0 passed, 1 failed"; exit 1
		fi
		echo "$(ls "$1"/asan.* | wc -l) ASan logs read"
		if grep -l -e "ERROR: " -e "runtime error" "$1"/* 2>/dev/null; then
			grep -h -A30 -e "ERROR: " -e "runtime error" "$1"/* | head -n 60
			echo "asan-reports: 0 passed, 1 failed"; exit 1
		fi
		echo "asan-reports: 1 passed, 0 failed"' sh "$asan_logs"
	# the load test once more with a ThreadSanitizer provider (memory bound off:
	# TSan's shadow memory is not ours)
	tsan_logs=$(mktemp -d)
	if ! make --no-print-directory tsan-provider; then
		total_failed=$((total_failed + 1))
		report+=("tsan-build: failed")
	fi
	# (on the same two CLIs as the ASan repeats, for the same reason)
	ACCEPTANCE_CLIS=${ACCEPTANCE_CLIS:-both} PROVIDER_BINARY=$root/build-tsan/terraform-provider-wagtail_v$version LOAD_MAX_RSS_KB=4000000 \
		TSAN_OPTIONS=ignore_noninstrumented_modules=1:log_path=$tsan_logs/tsan stage tsan-load tests/acceptance/load.sh
	stage tsan-reports sh -c 'if grep -l "WARNING: ThreadSanitizer" "$1"/* 2>/dev/null; then
			grep -h -A30 "WARNING: ThreadSanitizer" "$1"/* | head -n 60
			echo "tsan-reports: 0 passed, 1 failed"; exit 1
		fi
		echo "tsan-reports: 1 passed, 0 failed"' sh "$tsan_logs"
	stage fuzz make --no-print-directory fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-10}"
}

# The static release binary as the one under test: .ci/run builds it in the
# background (scripts/release/static.sh; its dependencies from source, about
# 20 minutes of two cores the first time) and names the file its exit status
# will be written to in STATIC_BUILD_RC. The sanitizer stages, which do not
# drive it, run first meanwhile; then this waits for the build and points
# PROVIDER_BINARY at it. A failed build counts as one failure, and the
# stages then drive the dynamic build.
use_static_build() {
	local rc_file=$STATIC_BUILD_RC target=${STATIC_TARGET:-x86_64-linux-musl} waited=0 rc
	local binary=$root/build-static/$target/terraform-provider-wagtail_v$version
	echo "== static-build: waiting for scripts/release/static.sh build $target (log ${STATIC_BUILD_LOG:-none})"
	while [ ! -s "$rc_file" ] && [ "$waited" -lt "${STATIC_BUILD_WAIT:-5400}" ]; do
		sleep 10
		waited=$((waited + 10))
	done
	rc=$(cat "$rc_file" 2>/dev/null)
	if [ "$rc" = 0 ] && [ -x "$binary" ]; then
		export PROVIDER_BINARY=$binary
		echo "== static-build: done after waiting ${waited}s; the stages below drive $binary"
		report+=("static-build: $binary under test")
	else
		echo "== static-build: failed (exit ${rc:-none after ${waited}s}); the stages below drive $PROVIDER_BINARY"
		[ -n "${STATIC_BUILD_LOG:-}" ] && tail -n 40 "$STATIC_BUILD_LOG"
		total_failed=$((total_failed + 1))
		report+=("static-build: failed")
		failures+=("static-build: scripts/release/static.sh build $target exited ${rc:-none}")
	fi
}

early_stages
if [ -n "${STATIC_BUILD_RC:-}" ]; then
	[ "$run_sanitize" = 1 ] && sanitizer_stages
	use_static_build
	provider_stages
else
	provider_stages
	[ "$run_sanitize" = 1 ] && sanitizer_stages
fi

echo "== summary"
for line in "${report[@]}"; do echo "   $line"; done
if [ "${#failures[@]}" -gt 0 ]; then
	echo "== failed checks"
	for line in "${failures[@]}"; do echo "   $line"; done
fi
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
