#!/usr/bin/env bash
# Runs an acceptance script with the provider under valgrind memcheck (each
# provider process the CLI starts), then reads valgrind's logs: an invalid
# access, a use of uninitialised memory or a definite leak fails the stage.
# gRPC's threads still hold memory at exit ("possibly lost"); that is not
# counted.
#
#   tests/valgrind/provider.sh SCRIPT
#
# Runs OpenTofu only (ACCEPTANCE_CLIS=tofu): valgrind makes every call ~20x
# slower. Ends with `valgrind-provider: N passed, N failed`, the script's
# cases plus one for the logs.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
script=$1
binary=${PROVIDER_BINARY:-$root/build/terraform-provider-wagtail_v${VERSION:-0.1.0}}
work=$(mktemp -d "${TMPDIR:-/tmp}/wagtail-valgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT
problems='Invalid (read|write|free)|uninitialised|Conditional jump|definitely lost in'

printf '#!/bin/sh\nexec valgrind -q --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --log-file=%s/log.%%p "%s" "$@"\n' \
	"$work" "$binary" >"$work/provider"
chmod +x "$work/provider"

# The example stack checks that RDS refused its young monitoring role once
# and the provider retried, which holds only when the apply reaches the
# instances within IAM's propagation window (15 s in the strict layer).
# Under valgrind it may come later, and a longer window would outlast the
# provider's own retries of other young IAM entities: that timing check is
# left to the plain and ASan runs.
export EXPECT_YOUNG_ROLE_REFUSAL=0
ACCEPTANCE_CLIS=tofu CASE_TIMEOUT=${CASE_TIMEOUT:-1800} PROVIDER_BINARY=$work/provider "$root/$script" | tee "$work/out"
line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$work/out" | tail -n 1)
passed=0 failed=1
if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
	passed=${BASH_REMATCH[1]} failed=${BASH_REMATCH[2]}
fi
processes=$(find "$work" -name 'log.*' | wc -l)
if [ "$processes" -gt 0 ] && ! grep -q -E "$problems" "$work"/log.*; then
	echo "ok valgrind-clean ($processes provider processes)"
	passed=$((passed + 1))
else
	echo "FAIL valgrind-clean ($processes provider processes)"
	grep -h -A20 -E "$problems" "$work"/log.* 2>/dev/null | head -n 60
	failed=$((failed + 1))
fi
echo "valgrind-provider: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
