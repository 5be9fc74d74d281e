#!/usr/bin/env bash
# layers.sh: checks that the source folders include each other's headers only
# downwards, so the layers stay what README.md's layout says they are:
#
#   core <- aws <- provider <- resources
#
#   core/       the value model, diagnostics, log lines, arenas: includes
#               nothing of ours outside core/
#   aws/        SigV4, credentials, the AWS protocols: core/ and aws/ only,
#               so the AWS layer never reaches into the plugin
#   provider/   the plugin and the kit resources call AWS through: core/,
#               aws/, provider/ and the headers protoc-c generates from proto/
#   resources/  (with resources/support/) anything above
#
# tests/, bench/ and scaffold/ may include anything and are not checked.
#
# Known exception, allowed by name: provider/registry.c includes
# resources/registry.def, the X-macro list of every resource and data source;
# the registry is where the plugin learns their names, and keeping the list
# in resources/ lets `make new-resource` add a line there without touching
# provider/.
#
# Each file is one check; a failure names the include and the folders that
# file may include from. The last line is `layers: N passed, N failed`.
#
#   tests/layers.sh
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1

# The folders of quoted includes, in the Makefile's INCLUDES order; a quoted
# include is looked up beside the including file first, as the compiler does.
search=(core aws provider resources resources/support)

# layer FILE: the rank of FILE's folder (0 core ... 3 resources), or nothing.
layer() {
	case $1 in
	core/*) echo 0 ;;
	aws/*) echo 1 ;;
	provider/* | proto/*) echo 2 ;;
	resources/*) echo 3 ;;
	esac
}
names=(core aws provider resources)

allowed_exception() {
	[ "$1" = provider/registry.c ] && [ "$2" = resources/registry.def ]
}

# resolve FILE HEADER: the repository path HEADER names from FILE, or nothing.
resolve() {
	local file=$1 header=$2 dir
	if [ -f "$(dirname "$file")/$header" ]; then
		realpath --relative-to="$root" "$(dirname "$file")/$header"
		return
	fi
	for dir in "${search[@]}"; do
		if [ -f "$dir/$header" ]; then
			echo "$dir/$header"
			return
		fi
	done
	# protoc-c writes X.pb-c.h into $(BUILD)/proto from proto/X.proto.
	case $header in *.pb-c.h)
		if [ -f "proto/${header%.pb-c.h}.proto" ]; then
			echo "proto/${header%.pb-c.h}.proto"
		fi
		;;
	esac
}

passed=0
failed=0
while IFS= read -r file; do
	rank=$(layer "$file")
	ok=1
	while IFS= read -r header; do
		[ -n "$header" ] || continue
		target=$(resolve "$file" "$header")
		if [ -z "$target" ]; then
			echo "FAIL $file: includes \"$header\", which is in none of ${search[*]} (a new folder needs a layer here)"
			ok=0
			continue
		fi
		target_rank=$(layer "$target")
		if [ "$target_rank" -gt "$rank" ] && ! allowed_exception "$file" "$target"; then
			allowed=$(printf '%s ' "${names[@]:0:rank+1}")
			echo "FAIL $file: includes $target (${names[rank]}/ may include from: ${allowed% })"
			ok=0
		fi
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file")
	if [ "$ok" = 1 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done < <(git ls-files -co --exclude-standard -- 'core/*.[ch]' 'aws/*.[ch]' 'provider/*.[ch]' 'resources/*.[ch]' 'resources/*.def' | sort)

echo "layers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
