#!/usr/bin/env bash
# Runs each libFuzzer target for a while from its committed seed corpus
# (tests/fuzz/corpus/<target>), keeping what it learns in a scratch copy so
# the committed corpus changes only on purpose.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS TARGET...
#
# A crash leaves its input in BUILD_DIR/crashes/<target>/ and counts as a
# failure. Ends with `fuzz: N passed, N failed` (one per target).
set -uo pipefail

build=$1 seconds=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
passed=0 failed=0
for target in "$@"; do
	scratch=$build/corpus/$target crashes=$build/crashes/$target
	mkdir -p "$scratch" "$crashes"
	cp -n "$root/tests/fuzz/corpus/$target/"* "$scratch/" 2>/dev/null
	log=$build/$target.log
	if "$build/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$crashes/" "$scratch" >"$log" 2>&1; then
		runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1)
		echo "ok   $target (${runs:-no run count}, ${seconds}s, corpus $(ls "$scratch" | wc -l))"
		passed=$((passed + 1))
	else
		echo "FAIL $target: input in $crashes/"
		tail -n 30 "$log" | sed 's/^/    | /'
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
