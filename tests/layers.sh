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
# The same arrows at link time: an include check cannot see a file that
# calls a function by a prototype of its own (aws/http.c calls libcurl by its
# real names, which core/lazy_libs.c defines). So each object the build made
# ($BUILD, default build/; make first) is one more check: every function or
# variable it takes from another of our objects must come from its own layer
# or one below. Its one exception is the same: provider/registry.o takes the
# resource definitions registry.def names.
#
# Each file and each object is one check; a failure names the include or the
# symbol and the folders it may come from. The last line is
# `layers: N passed, N failed`.
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

# The link-time arrows, over the objects of the last build.
build=${BUILD:-build}
# (objects whose source is gone, left by an earlier build, are not ours now)
objects=$(cd "$build" 2>/dev/null && find core aws provider resources -name '*.o' 2>/dev/null | sort |
	while read -r o; do [ -f "$root/${o%.o}.c" ] && echo "$o"; done)
if [ -z "$objects" ]; then
	echo "FAIL no objects under $build/{core,aws,provider,resources}: run make first"
	failed=$((failed + 1))
else
	# Every symbol an object defines, with the object: "symbol object".
	defined=$(cd "$build" && for o in $objects; do
		nm -g --defined-only "$o" | awk -v o="$o" 'NF == 3 { print $3, o }'
	done)
	for o in $objects; do
		rank=$(layer "$o")
		ok=1
		while read -r symbol from; do
			from_rank=$(layer "$from")
			if [ "$from_rank" -gt "$rank" ] && ! allowed_exception "${o%.o}.c" resources/registry.def; then
				allowed=$(printf '%s ' "${names[@]:0:rank+1}")
				echo "FAIL $build/$o: takes $symbol from $from (${names[rank]}/ may take from: ${allowed% })"
				ok=0
			fi
		done < <(join <(cd "$build" && nm -u "$o" | awk '{ print $NF }' | sort -u) <(sort -k1,1 <<<"$defined"))
		if [ "$ok" = 1 ]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done
fi

echo "layers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
