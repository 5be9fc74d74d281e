#!/usr/bin/env bash
# Builds the pinned HashiCorp AWS provider that bench/compare.sh measures us
# against, from the Go module proxy, once, and caches it.
#
#   bench/build-aws-provider.sh        prints the binary's path on stdout
#
# The proxy serves github.com/hashicorp/terraform-provider-aws only under its
# v1 module path (its go.mod has no /v6 suffix), so a 6.x release tag cannot be
# named; it does serve a pseudo-version of a main-branch commit, which is what
# we pin: commit 5f2286d6d836 of 2026-06-02, i.e. 6.47.0 (May 27, 2026) plus
# what CHANGELOG.md lists under "6.48.0 (Unreleased)". It is built the way the
# project's release workflow builds it (.github/workflows/build.yml:
# CGO_ENABLED=0, -trimpath, -ldflags "-s -w -X ...ProviderVersion=..."), and
# reports itself as 6.48.0-dev.
#
# The build is big (about 270 AWS SDK service modules; minutes of CPU and
# several GiB of RAM at link time): compare.sh runs it as its own first step
# and reuses the cached binary afterwards.
#
# Environment:
#   WAGTAIL_CACHE       cache root (default ~/.cache/terraform-provider-wagtail)
#   AWS_PROVIDER_MODULE_VERSION  module version to build (default: the pin above)
#   AWS_PROVIDER_VERSION         version it reports and is mirrored as
#   REBUILD=1           build again even if the cached binary exists
set -euo pipefail

cache=${WAGTAIL_CACHE:-$HOME/.cache/terraform-provider-wagtail}/bench
module=github.com/hashicorp/terraform-provider-aws
module_version=${AWS_PROVIDER_MODULE_VERSION:-v1.60.1-0.20260602190131-5f2286d6d836}
version=${AWS_PROVIDER_VERSION:-6.48.0-dev}
out=$cache/aws-$version/terraform-provider-aws_v$version

if [ -x "$out" ] && [ -z "${REBUILD:-}" ]; then
	echo "$out"
	exit 0
fi

command -v go >/dev/null || export PATH=/usr/local/go/bin:$PATH
mkdir -p "$(dirname "$out")"
# The module's go.mod names go 1.26.3; a newer one would need GOTOOLCHAIN.
export GOTOOLCHAIN=${GOTOOLCHAIN:-auto} CGO_ENABLED=0 GOFLAGS=-buildvcs=false
gobin=$(mktemp -d "${TMPDIR:-/tmp}/aws-provider-gobin.XXXXXX")
trap 'rm -rf "$gobin"' EXIT

echo "build-aws-provider: go install $module@$module_version (this takes a while)" >&2
start=$(date +%s)
# Run outside any module: `go install pkg@version` builds with the module's
# own go.mod (it has no replace directives at this pin).
(cd "$gobin" && GOBIN=$gobin go install -trimpath \
	-ldflags "-s -w -X '$module/version.ProviderVersion=$version'" \
	"$module@$module_version")
mv "$gobin/terraform-provider-aws" "$out"
end=$(date +%s)
echo "build-aws-provider: built $out in $((end - start)) s" \
	"($(du -m "$out" | cut -f1) MiB)" >&2
printf '%s\n' "$module@$module_version" "built_seconds=$((end - start))" "$(go version)" \
	>"$out.info"
echo "$out"
