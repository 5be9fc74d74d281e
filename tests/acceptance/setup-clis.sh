#!/usr/bin/env bash
# Builds the two real CLIs the acceptance tests drive, from the Go module proxy,
# and caches them under $WAGTAIL_CACHE (default ~/.cache/terraform-provider-wagtail).
#   OpenTofu  (latest 1.12.x): go.mod carries one `replace` for hcl/v2, which
#             `go install` refuses, so we build it inside a throwaway wrapper
#             module that repeats that replace line.
#   Terraform v1.8.5: the newest tag whose go.mod has no local replaces.
# Prints the two binary paths, one per line: tofu first, terraform second.
set -euo pipefail

cache=${WAGTAIL_CACHE:-$HOME/.cache/terraform-provider-wagtail}
tofu_series=${TOFU_SERIES:-v1.12.}
terraform_version=${TERRAFORM_VERSION:-v1.8.5}
mkdir -p "$cache/bin"
export GOFLAGS=-buildvcs=false GOTOOLCHAIN=${GOTOOLCHAIN:-auto}

latest_tofu() {
	go list -m -versions github.com/opentofu/opentofu |
		tr ' ' '\n' | grep -F "$tofu_series" | grep -v -- - | sort -V | tail -1
}

build_tofu() {
	local version=$1 out=$2 work modfile replace_line
	work=$(mktemp -d)
	modfile=$(cd "$work" && go mod download -json "github.com/opentofu/opentofu@$version" |
		sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
	replace_line=$(grep -E '^replace github.com/hashicorp/hcl/v2 ' "$modfile")
	(
		cd "$work"
		printf 'module tofuwrapper\n\ngo %s\n\nrequire github.com/opentofu/opentofu %s\n\n%s\n' \
			"$(sed -n 's/^go //p' "$modfile")" "$version" "$replace_line" >go.mod
		go get "github.com/opentofu/opentofu/cmd/tofu@$version"
		go build -o "$out" github.com/opentofu/opentofu/cmd/tofu
	)
	rm -rf "$work"
}

build_terraform() {
	GOBIN="$cache/bin/terraform-$terraform_version.d" go install "github.com/hashicorp/terraform@$terraform_version"
	mv "$cache/bin/terraform-$terraform_version.d/terraform" "$1"
	rmdir "$cache/bin/terraform-$terraform_version.d"
}

# The two build at once: each spends minutes fetching modules and linking,
# one core's work or none, which the other's compiling fills.
pids=()
tofu_bin=$(ls "$cache"/bin/tofu-"$tofu_series"* 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$tofu_bin" ] || [ -n "${REFRESH_CLIS:-}" ]; then
	version=$(latest_tofu)
	tofu_bin="$cache/bin/tofu-$version"
	if [ ! -x "$tofu_bin" ]; then
		build_tofu "$version" "$tofu_bin" >&2 &
		pids+=($!)
	fi
fi

terraform_bin="$cache/bin/terraform-$terraform_version"
if [ ! -x "$terraform_bin" ]; then
	build_terraform "$terraform_bin" >&2 &
	pids+=($!)
fi
failed=0
for pid in "${pids[@]}"; do
	wait "$pid" || failed=1
done
[ "$failed" = 0 ] || exit 1

echo "$tofu_bin"
echo "$terraform_bin"
