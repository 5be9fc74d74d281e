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
#               below instead of the dynamic build (the sanitizer stages
#               start first, meanwhile)
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
#   asan-*      every acceptance stage again with an ASan+UBSan provider, each on
#               one CLI: Terraform 1.11 where there is one, which the provider
#               stages then leave to it (provider_clis, lane_clis below), with
#               sanitize; in the sanitizer lane, beside the provider stages
#               that run side by side, without their timing checks
#   tsan-*      the load test with a ThreadSanitizer provider (the same CLI),
#               with sanitize
#   fuzz        each libFuzzer target for FUZZ_SECONDS (default 10), with sanitize
# A stage that exits non-zero without reporting any failure, or that prints no
# summary line at all, counts as one failure.
#
# Environment: BUILD (default build), VERSION (default 0.1.0), SKIP_STAGES
# (space-separated stage names to skip), ASAN_CLIS, STAGE_JOBS, LANE_JOBS (the
# sanitizer lane's, default 2), plus whatever the stages read
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

# cpu_ticks: the machine's busy and idle clock ticks since boot (/proc/stat),
# for the summary's last line on where CI's time goes: a run that leaves
# the cores idle is waiting, one that does not is bound by them.
cpu_ticks() {
	local _ user nice system idle iowait irq softirq steal
	read -r _ user nice system idle iowait irq softirq steal _ </proc/stat 2>/dev/null || return 0
	echo "$((user + nice + system + irq + softirq + steal)) $((idle + iowait))"
}
read -r busy_start idle_start < <(cpu_ticks)
report=()
# The failing checks' own lines, repeated under the summary so that the end
# of a long log (all a CI page may keep) says what failed, not only how many.
failures=()

# stage_tally NAME OUTPUT RC SECONDS: add up a finished stage's summary
# line (from its output file, removed here) and its failing checks' lines.
stage_tally() {
	local name=$1 out=$2 rc=$3 took=$4 line p f
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
	# the time each stage took, for whoever shortens CI next
	report+=("$name: $p passed, $f failed (${took} s)")
}

skipped() {
	case " ${SKIP_STAGES:-} " in *" $1 "*)
		echo "== $1: skipped (SKIP_STAGES)"
		report+=("$1: skipped")
		return 0
		;;
	esac
	return 1
}

# stage NAME COMMAND...: run a stage alone (after every side-by-side stage
# has ended), show its output live, add up its summary.
stage() {
	local name=$1 out rc started
	shift
	stages_finish
	skipped "$name" && return
	echo "== $name: $*"
	out=$(mktemp)
	started=$SECONDS
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	stage_tally "$name" "$out" "$rc" $((SECONDS - started))
}

# Stages side by side. Most of an acceptance stage's time is waiting: on the
# strict layer's AWS delays, the waiters' polls, the CLIs' start-up. Each
# starts its own moto, strict layer, PostgreSQL and work directory on free
# ports, so several can run at once. STAGE_JOBS (1: one at a time) bounds
# how many do; by default two, and three in the provider stages (with two
# there, the cores were a fifth idle in a cold CI run on 2 cores, while
# aurora and ecs-service waited on AWS's delays). A stage whose checks
# depend on timing (the example stack's IAM propagation window, the fault
# matrix's stalls, which runs FAULT_JOBS scenarios at once itself, the load
# test's memory bound) runs alone, through stage, with only the sanitizer
# lane's tail (sanitizer_lane) beside it, yielding (lane_yield).
stage_jobs=${STAGE_JOBS:-2}
side_dir=$(mktemp -d)
side_names=() # started, not yet shown, in the order they were started
in_lane=0     # 1 in the sanitizer lane's shell: it starts stages, main shows them
lane_pid=''   # that shell, while it runs
lane_shown=0  # how many of its stages (side_dir/lane.list, in order) are shown

# side_running: how many of side_names have not ended. A stage whose shell
# died before it could say how it ended (killed) is marked ended here.
side_running() {
	local name n=0
	for name in "${side_names[@]}"; do
		[ -f "$side_dir/$name.ended" ] && continue
		if kill -0 "$(cat "$side_dir/$name.pid")" 2>/dev/null; then
			n=$((n + 1))
		elif [ ! -f "$side_dir/$name.ended" ]; then
			echo "137 0" >"$side_dir/$name.ended"
		fi
	done
	echo "$n"
}

# slots: how many side-by-side stages may run at once: stage_jobs, and in
# the lane two more once main waits for it (lane_finish).
slots() {
	if [ "$in_lane" = 1 ] && [ -f "$side_dir/main.waits" ]; then
		echo $((stage_jobs + 2))
	else
		echo "$stage_jobs"
	fi
}

# stage_side NAME COMMAND...: start a stage beside the others running (once
# fewer than STAGE_JOBS are); its output is shown, in the order the stages
# were started, when it has ended.
stage_side() {
	local name=$1
	shift
	if [ "$stage_jobs" -le 1 ] && [ "$in_lane" = 0 ]; then
		stage "$name" "$@"
		return
	fi
	if [ "$in_lane" = 1 ]; then
		# main shows and adds up the lane's stages, a skipped one too
		echo "$name" >>"$side_dir/lane.list"
		if skipped "$name" >/dev/null; then
			touch "$side_dir/$name.skipped"
			return
		fi
	else
		skipped "$name" && return
	fi
	while [ "$(side_running)" -ge "$(slots)" ]; do
		sleep 1
		[ "$in_lane" = 1 ] || stages_show
	done
	echo "$*" >"$side_dir/$name.command"
	(
		started=$SECONDS
		"$@" >"$side_dir/$name.out" 2>&1
		echo "$? $((SECONDS - started))" >"$side_dir/$name.ended.tmp"
		mv "$side_dir/$name.ended.tmp" "$side_dir/$name.ended"
	) &
	echo "$!" >"$side_dir/$name.pid"
	side_names+=("$name")
}

# side_show NAME: show and add up a side-by-side stage that has ended.
side_show() {
	local name=$1 rc took
	if [ -f "$side_dir/$name.skipped" ]; then
		skipped "$name"
		return
	fi
	read -r rc took <"$side_dir/$name.ended"
	echo "== $name: $(cat "$side_dir/$name.command") (side by side)"
	cat "$side_dir/$name.out"
	stage_tally "$name" "$side_dir/$name.out" "$rc" "$took"
}

# stages_show: show and add up the side-by-side stages that have ended, in
# the order they were started, up to the first still running; then the
# lane's likewise.
stages_show() {
	local name
	side_running >/dev/null
	while [ "${#side_names[@]}" -gt 0 ] && [ -f "$side_dir/${side_names[0]}.ended" ]; do
		side_show "${side_names[0]}"
		side_names=("${side_names[@]:1}")
	done
	[ -f "$side_dir/lane.list" ] || return 0
	while :; do
		name=$(sed -n "$((lane_shown + 1))p" "$side_dir/lane.list")
		[ -n "$name" ] || break
		[ -f "$side_dir/$name.ended" ] || [ -f "$side_dir/$name.skipped" ] || break
		side_show "$name"
		lane_shown=$((lane_shown + 1))
	done
}

# stages_finish: wait for every side-by-side stage started here (not the
# lane's), and show them all.
stages_finish() {
	while [ "${#side_names[@]}" -gt 0 ]; do
		stages_show
		[ "${#side_names[@]}" -gt 0 ] && sleep 1
	done
}

# 3. acceptance tests with the real CLIs: the protocol and each resource
# family against a real moto server (and PostgreSQL where SQL runs). The
# longest start first, so that the short ones fill the other slot as they
# end; those whose checks depend on timing come last and run alone (see
# stage_side).
acceptance_stages=(
	"aurora tests/acceptance/aurora.sh"
	"ecs-service tests/acceptance/ecs_service.sh"
	"aws tests/acceptance/aws_resources.sh"
	"database tests/acceptance/database.sh"
	"iam tests/acceptance/iam.sh"
	"log-group tests/acceptance/log_group.sh"
	"cloudwatch-log-subscription tests/acceptance/cloudwatch_log_subscription.sh"
	"acceptance tests/acceptance/cli.sh"
	"state-upgrade tests/acceptance/state_upgrade.sh"
	"release tests/acceptance/release.sh"
	"registry tests/acceptance/registry.sh"
	"example-stack tests/acceptance/example_stack.sh"
	"faults tests/acceptance/faults.sh"
)
alone_stages=" example-stack faults load "

# is_alone NAME: NAME (without its asan- prefix) is one of alone_stages.
is_alone() { [[ $alone_stages == *" ${1#asan-} "* ]]; }

# acceptance_stage NAME COMMAND...: side by side, or alone (is_alone).
acceptance_stage() {
	if is_alone "$1"; then stage "$@"; else stage_side "$@"; fi
}

# The stages, in three groups: those that need no provider binary, those
# that drive the one under test ($PROVIDER_BINARY), and the sanitizer
# repeats, which build and drive providers of their own.

early_stages() {
	# 1. unit tests
	if [ -x "$build/unit-tests" ]; then
		stage_side unit tests/unit/run.sh "$build/unit-tests"
	else
		stage unit sh -c "echo '$build/unit-tests not built (run make)'; exit 1"
	fi

	# 1b. the layers' arrows: includes, and symbols of the objects make built
	stage_side layers tests/layers.sh
	# 1c. make new-resource: each template builds and passes the registry walk
	stage_side scaffold tests/scaffold.sh
	# 2c. the release checker (check_static.py) fails each broken file it is given
	stage_side check-static "${PYTHON:-python3}" tests/release/test_check_static.py

	# 2b. the strict AWS layer itself (tests/aws/strict_proxy.py in front of
	# moto), before the acceptance stages that run through it; the layer's
	# clock-driven states are checked alone
	stage_side strict-model "${PYTHON:-python3}" tests/aws/test_strict_model.py
	stage strict-layer "${PYTHON:-python3}" tests/aws/test_strict_proxy.py
	stage strict-ecs "${PYTHON:-python3}" tests/aws/test_strict_ecs.py
}

provider_stages() {
	local entry stage_jobs=${STAGE_JOBS:-3}
	# The acceptance stages (acceptance_stages above) that run side by
	# side, then three more, then those that run alone
	for entry in "${acceptance_stages[@]}"; do
		is_alone "${entry%% *}" || ACCEPTANCE_CLIS=$provider_clis stage_side $entry
	done
	# TLS client-certificate test against the real binary (gRPC from Debian's python3-grpcio).
	if [ -f tests/tls/test_client_cert.py ]; then
		tls_python=${TLS_PYTHON:-}
		if [ -z "$tls_python" ]; then
			if /usr/bin/python3 -c 'import grpc' 2>/dev/null; then tls_python=/usr/bin/python3; else tls_python=python3; fi
		fi
		stage_side tls "$tls_python" tests/tls/test_client_cert.py
	fi
	# ephemeral values into write-only attributes, through a test build of the provider
	stage_side ephemeral tests/acceptance/ephemeral.sh
	# The plain moto path stays tested too (STRICT_AWS=0: no strict layer).
	STRICT_AWS=0 ACCEPTANCE_CLIS=$provider_clis stage_side plain-moto-aws tests/acceptance/aws_resources.sh
	stages_finish
	# Those whose checks depend on timing, alone, the sanitizer lane's tail
	# yielding to them.
	lane_yield
	for entry in "${acceptance_stages[@]}"; do
		! is_alone "${entry%% *}" || ACCEPTANCE_CLIS=$provider_clis stage $entry
	done
	# 240 resources at -parallelism=20: no crash, nothing lost, bounded memory
	ACCEPTANCE_CLIS=$provider_clis stage load tests/acceptance/load.sh
}

# 4. under sanitizers: the unit tests (ASan+UBSan, then valgrind), every
# acceptance stage again with an ASan+UBSan provider, the example stack with
# the provider under valgrind, the load test with a ThreadSanitizer one, and
# a short fuzz run. None of them drives the binary under test: they run in a
# lane of their own (sanitizer_lane), two at a time (LANE_JOBS), beside the
# provider stages that run side by side, from the end of the static build
# (in CI); beside the provider stages whose checks depend on timing, which
# come last, the rest of the lane yields (lane_yield: nice 10), and then
# main waits for it (lane_finish). The lane checks memory, not timing:
# its example stack does not require RDS's refusal of the young monitoring
# role (EXPECT_YOUNG_ROLE_REFUSAL=0), its fault matrix does not time a
# stall's failure (FAULT_CHECK_TIME=0), and a CLI command may take
# CASE_TIMEOUT (default 900) seconds; the provider stages check all of that.
# It runs at the priority of the rest until then: at nice 19 beside the
# provider stages, which keep 2 cores busy, its providers did not get the
# CPU to answer their CLI's handshake within go-plugin's minute (a tenth of
# a second for an ASan one, seconds under valgrind), and 8 of its checks
# failed so (5 in the ASan fault matrix, 3 under valgrind). On Terraform
# 1.11 its fault matrix runs Terraform's subset of the rows (every
# resource's create under both classes, partial creates, deletes, a read,
# updates, an import: 31 scenarios; OpenTofu runs all 150-odd with the
# binary under test). FAULT_ROWS=all runs every row under ASan too: in a
# cold CI run on 2 cores that took the run past 60 minutes.
#
# The CLIs split the work (provider_clis, lane_clis): in CI, with a
# Terraform 1.11 on the machine, OpenTofu 1.12 and Terraform 1.8.5 drive
# the binary under test in every provider stage, and Terraform 1.11 drives
# the ASan provider in each stage's repeat in the lane (and the TSan one in
# the load test's). Every stage still runs on all three CLIs, and under
# ASan in every stage, for a third less work than all three CLIs on the
# binary under test plus a fourth run with the ASan one. What this gives
# up: the requests of OpenTofu and Terraform 1.8.5 (the oldest, without
# client capabilities) no longer meet the ASan provider, as they did in
# half the stages each by turns. Without a Terraform 1.11 the repeats run on OpenTofu and
# Terraform 1.8.5 by turns down acceptance_stages. ASAN_CLIS (a value of
# ACCEPTANCE_CLIS: both, tofu, ...) runs every repeat on those instead, the
# provider stages then on all; ACCEPTANCE_CLIS itself sets both.
provider_clis=${ACCEPTANCE_CLIS:-all}
lane_clis=${ACCEPTANCE_CLIS:-${ASAN_CLIS:-}}
# cli_version_of, terraform_111_problem
. "$root/tests/acceptance/clis.sh"
if [ "$run_sanitize" = 1 ] && [ -z "$lane_clis" ] &&
	[ -z "$(terraform_111_problem "${TERRAFORM_111_BIN:-/usr/local/bin/terraform}" "${TERRAFORM_BIN:-}")" ]; then
	provider_clis=both lane_clis=terraform-1.11
fi

# asan_repeats alone|side: the ASan repeats of the acceptance stages that
# run alone in the provider stages (the longest), or of the others.
asan_repeats() {
	local which=$1 turn=0 clis entry
	for entry in "${acceptance_stages[@]}"; do
		clis=$lane_clis
		if [ -z "$clis" ]; then
			if [ $((turn % 2)) = 0 ]; then clis=tofu; else clis=terraform; fi
		fi
		turn=$((turn + 1))
		if is_alone "${entry%% *}"; then
			[ "$which" = alone ] || continue
		else
			[ "$which" = side ] || continue
		fi
		ACCEPTANCE_CLIS=$clis PROVIDER_BINARY=$asan_binary ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:atexit=1:print_stats=1:log_path=$asan_logs/asan \
			LSAN_OPTIONS=suppressions=$root/tests/asan/lsan.supp:print_suppressions=0 \
			UBSAN_OPTIONS=print_stacktrace=1:log_path=$asan_logs/ubsan stage_side asan-$entry
	done
}

# sanitizer_lane: in its own shell, the longest stages first; main's
# stages_show shows and adds up each as it ends. Once main waits for it
# (lane_finish writes side_dir/main.waits), two more at a time: the cores
# are then its own.
sanitizer_lane() {
	local stage_jobs=${LANE_JOBS:-2}
	in_lane=1
	export EXPECT_YOUNG_ROLE_REFUSAL=0 FAULT_CHECK_TIME=0 CASE_TIMEOUT=${CASE_TIMEOUT:-900}
	# Not before the static build is done: beside it, however low their
	# priority, the lane's many processes (the fault matrix alone runs six
	# scenarios at once) took half its cores, since the kernel weighs each
	# process, and it was ready only after 40 minutes (16 alone).
	local waited=0
	while [ -n "${STATIC_BUILD_RC:-}" ] && [ ! -s "$STATIC_BUILD_RC" ] && [ "$waited" -lt "${STATIC_BUILD_WAIT:-5400}" ]; do
		sleep 5
		waited=$((waited + 5))
	done
	# The example stack's apply and destroy with the provider under
	# valgrind: one core's work for minutes.
	stage_side valgrind-provider tests/valgrind/provider.sh tests/acceptance/example_stack.sh
	asan_repeats alone
	asan_repeats side
	# the load test once more with a ThreadSanitizer provider (memory bound
	# off: TSan's shadow memory is not ours)
	ACCEPTANCE_CLIS=${lane_clis:-both} PROVIDER_BINARY=$root/build-tsan/terraform-provider-wagtail_v$version LOAD_MAX_RSS_KB=4000000 \
		TSAN_OPTIONS=ignore_noninstrumented_modules=1:log_path=$tsan_logs/tsan stage_side tsan-load tests/acceptance/load.sh
	stage_side valgrind tests/unit/run.sh valgrind -q --error-exitcode=9 --leak-check=full \
		--errors-for-leak-kinds=definite "$build/unit-tests"
	stage_side fuzz make --no-print-directory fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-10}"
	while [ "$(side_running)" -gt 0 ]; do sleep 1; done
}
# sanitizer_start: the sanitized builds, then the lane in the background.
sanitizer_start() {
	asan_binary=$root/build-asan/terraform-provider-wagtail_v$version
	asan_logs=$(mktemp -d)
	tsan_logs=$(mktemp -d)
	# The unit tests under ASan first: make sanitize builds build-asan's
	# library, which the provider build below then shares.
	stage sanitize make --no-print-directory sanitize
	# A build is not a test: a failed one counts once, a good one not at all.
	if ! make --no-print-directory sanitize-provider; then
		total_failed=$((total_failed + 1))
		report+=("asan-build: failed")
	fi
	if ! make --no-print-directory tsan-provider; then
		total_failed=$((total_failed + 1))
		report+=("tsan-build: failed")
	fi
	sanitizer_lane &
	lane_pid=$!
}

# lane_yield: the sanitizer lane's shell and every process under it from now
# on at nice 10, but valgrind-provider's (whose provider needs seconds of
# CPU to answer its CLI's handshake); a stage the lane starts later
# inherits it. Beside the stages whose checks depend on timing, which then
# keep most of the cores, while a lane process still gets enough for its
# own handshakes (an ASan provider needs a tenth of a second; at nice 19
# they took over go-plugin's minute). Not undone: once main waits for the
# lane, the cores are the lane's whatever its priority.
lane_yield() {
	local pids='' frontier=$lane_pid children keep pid
	[ -n "$lane_pid" ] || return 0
	keep=$(cat "$side_dir/valgrind-provider.pid" 2>/dev/null)
	while [ -n "$frontier" ]; do
		pids="$pids $frontier"
		children=''
		for pid in $frontier; do
			children="$children $(pgrep -P "$pid" | grep -vx "${keep:-none}" | tr '\n' ' ')"
		done
		frontier=$(echo $children)
	done
	renice -n 10 -p $pids >/dev/null 2>&1
	return 0
}

# lane_finish: wait for the sanitizer lane (if it runs), showing its stages
# as they end; from now on it may run more at a time (slots).
lane_finish() {
	local name
	[ -n "$lane_pid" ] || return 0
	touch "$side_dir/main.waits"
	while kill -0 "$lane_pid" 2>/dev/null; do
		stages_show
		sleep 2
	done
	wait "$lane_pid"
	lane_pid=''
	# a stage the lane started but cannot have seen end (the lane was killed)
	while name=$(sed -n "$((lane_shown + 1))p" "$side_dir/lane.list" 2>/dev/null) && [ -n "$name" ]; do
		[ -f "$side_dir/$name.ended" ] || [ -f "$side_dir/$name.skipped" ] || echo "137 0" >"$side_dir/$name.ended"
		stages_show
	done
}

# sanitizer_end: wait for the lane, then read the sanitizers' own reports.
sanitizer_end() {
	lane_finish
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
	stage tsan-reports sh -c 'if grep -l "WARNING: ThreadSanitizer" "$1"/* 2>/dev/null; then
			grep -h -A30 "WARNING: ThreadSanitizer" "$1"/* | head -n 60
			echo "tsan-reports: 0 passed, 1 failed"; exit 1
		fi
		echo "tsan-reports: 1 passed, 0 failed"' sh "$tsan_logs"
}

# The static release binary as the one under test: .ci/run builds it in the
# background (scripts/release/static.sh; its dependencies from source, about
# 20 minutes of two cores the first time) and names the file its exit status
# will be written to in STATIC_BUILD_RC. The sanitizer stages, which do not
# drive it, start first meanwhile (sanitizer_start); then this waits for the
# build and points PROVIDER_BINARY at it. A failed build counts as one failure, and the
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
stages_finish
[ "$run_sanitize" = 1 ] && sanitizer_start
[ -n "${STATIC_BUILD_RC:-}" ] && use_static_build
provider_stages
[ "$run_sanitize" = 1 ] && sanitizer_end
stages_finish

echo "== summary"
for line in "${report[@]}"; do echo "   $line"; done
read -r busy_end idle_end < <(cpu_ticks)
if [ -n "${busy_start:-}" ] && [ -n "${busy_end:-}" ]; then
	hz=$(getconf CLK_TCK)
	busy=$(((busy_end - busy_start) / hz)) idle=$(((idle_end - idle_start) / hz))
	echo "   cpu: $busy s busy, $idle s idle on $(nproc) cores over ${SECONDS} s ($((100 * busy / (busy + idle + 1)))% busy; the whole machine's)"
fi
if [ "${#failures[@]}" -gt 0 ]; then
	echo "== failed checks"
	for line in "${failures[@]}"; do echo "   $line"; done
fi
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
