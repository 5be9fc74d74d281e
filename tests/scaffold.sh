#!/usr/bin/env bash
# scaffold.sh: `make new-resource` still makes resources that build and pass
# their checks. In a copy of this checkout it writes one resource from each
# template (JSON 1.1: logs, Query: rds, REST-JSON: lambda), builds the
# provider and the unit tests with -Werror, and runs the registry walk
# (unique names, id, defaults, every field table entry naming a schema
# attribute) and the generated unit tests. Templates are code no resource
# runs, so without this they would rot unseen when the kit changes.
#
#   tests/scaffold.sh
#
# Prints ok/FAIL per step and ends with `scaffold: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

step() { # NAME COMMAND...: one check; its output is shown when it fails
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "ok   $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		printf '%s\n' "$out" | tail -n 30 | sed 's/^/     /'
		failed=$((failed + 1))
	fi
}

# The checkout as it is now (tracked files and new ones not ignored), not
# its build directories.
copy_tree() {
	mkdir -p "$work/tree" && cd "$root" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf - | tar -xf - -C "$work/tree"
}
step copy-checkout copy_tree

tree=$work/tree
declare -A services=([scaffold_logs_thing]=logs [scaffold_rds_thing]=rds [scaffold_lambda_thing]=lambda)
for name in "${!services[@]}"; do
	step "new-resource-$name" env ROOT="$tree" "$tree/scaffold/new-resource.sh" "$name" "${services[$name]}"
done
# The state-upgrade stage knows each new type has no 0.1.0 state.
listed_after_0_1_0() {
	local line
	line=$(grep '^added_after_0_1_0=(' "$tree/tests/acceptance/state_upgrade.sh")
	for name in "${!services[@]}"; do
		[[ " ${line#*(} " == *" $name "* || " ${line#*(}" == *" $name)"* ]] || { echo "$name missing: $line"; return 1; }
	done
}
step new-types-listed-as-added-after-0.1.0 listed_after_0_1_0

# A second run with a name in use fails, says so, and writes nothing.
refuses_name_in_use() {
	local before after out
	before=$(cd "$tree" && cat resources/registry.def tests/run.sh docs/index.md | cksum)
	if out=$(ROOT="$tree" "$tree/scaffold/new-resource.sh" scaffold_logs_thing logs 2>&1); then
		echo "a second new-resource of one name succeeded"
		return 1
	fi
	after=$(cd "$tree" && cat resources/registry.def tests/run.sh docs/index.md | cksum)
	grep -q "exists already" <<<"$out" && [ "$before" = "$after" ]
}
step new-resource-refuses-a-name-in-use refuses_name_in_use

step build-with-werror make -C "$tree" BUILD="$work/build" -j2 all "$work/build/unit-tests"

unit() { # FILTER: the unit tests whose names contain FILTER, none failing, at least one run
	local out
	out=$("$work/build/unit-tests" "$1" 2>&1)
	printf '%s\n' "$out"
	grep -q '^ok ' <<<"$out" && ! grep -q '^FAIL' <<<"$out"
}
step registry-walk unit registry_
for name in "${!services[@]}"; do
	step "unit-$name" unit "${name}_"
done

echo "scaffold: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
