#!/usr/bin/env bash
# terraform-provider-wagtail build helper.
#   ./build.sh deps                     install the Debian packages we build and test with
#   ./build.sh build                    make
#   ./build.sh install BINARY VERSION   lay BINARY into a filesystem mirror ($MIRROR, default build/mirror)
#   ./build.sh cli-config MIRROR        print a CLI config (TF_CLI_CONFIG_FILE) that installs wagtail/wagtail from MIRROR
#   ./build.sh release BINARY VERSION   registry packages and mirror layouts ($RELEASE_DIR, default build/release)
#   ./build.sh static [TARGET...]       fully static binaries cross-built with zig (scripts/release/static.sh)
#   ./build.sh test                     make test
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

# Build dependencies (-dev packages and code generators) and the tools the tests use.
DEB_PACKAGES=(
	libgrpc-dev protobuf-c-compiler libprotobuf-c-dev libcjson-dev libmsgpack-dev
	libcurl4-openssl-dev libssl-dev libxml2-dev libpq-dev pkg-config protobuf-compiler
	python3-grpcio python3-pip postgresql valgrind time curl clang libclang-rt-14-dev libasan8 libubsan1 libtsan2 zip unzip
)
# The AWS API the acceptance tests call (a real moto server) and the client
# they read AWS back with. pip installs them only when missing.
PY_PACKAGES=("moto[server]==5.2.1" boto3)

usage() {
	sed -n '2,8s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

deps() {
	local missing=() p
	for p in "${DEB_PACKAGES[@]}"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "deps: all ${#DEB_PACKAGES[@]} Debian packages already installed"
		return 0
	fi
	echo "deps: installing ${missing[*]}"
	local sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

python_deps() {
	if command -v moto_server >/dev/null && python3 -c 'import boto3, moto' 2>/dev/null; then
		echo "deps: moto_server and boto3 already installed"
		return 0
	fi
	echo "deps: pip installing ${PY_PACKAGES[*]}"
	python3 -m pip install --quiet "${PY_PACKAGES[@]}" ||
		python3 -m pip install --quiet --break-system-packages "${PY_PACKAGES[@]}"
}

os_arch() {
	local os arch
	os=$(uname -s | tr '[:upper:]' '[:lower:]')
	case "$(uname -m)" in
	x86_64 | amd64) arch=amd64 ;;
	aarch64 | arm64) arch=arm64 ;;
	i?86) arch=386 ;;
	armv*) arch=arm ;;
	*) arch=$(uname -m) ;;
	esac
	echo "${os}_${arch}"
}

install_mirror() {
	[ $# -eq 2 ] || usage
	# BINARY and MIRROR are taken relative to the caller's directory.
	local binary=$1 version=${2#v} mirror=${MIRROR:-$here/build/mirror} platform host dir
	[ -x "$binary" ] || {
		echo "install: $binary is not an executable file" >&2
		exit 1
	}
	platform=$(os_arch)
	for host in registry.terraform.io registry.opentofu.org; do
		dir="$mirror/$host/wagtail/wagtail/$version/$platform"
		mkdir -p "$dir"
		# Copy rather than link: the CLIs hash the package directory.
		install -m 0755 "$binary" "$dir/terraform-provider-wagtail_v$version"
		echo "$dir/terraform-provider-wagtail_v$version"
	done
}

# The hosts a provider address may name: Terraform's registry and OpenTofu's.
MIRROR_HOSTS=(registry.terraform.io registry.opentofu.org)

# h1: hash of a package holding one file, as the CLIs compute it (Go's
# dirhash Hash1): base64 of the SHA-256 of "<hex sha256>  <name>\n".
h1_hash() {
	local file=$1 name=$2 summary
	summary=$(printf '%s  %s\n' "$(sha256sum "$file" | cut -d' ' -f1)" "$name" | sha256sum | cut -d' ' -f1)
	# Hex to bytes with printf's \xHH escapes, then base64.
	# shellcheck disable=SC2059
	printf "$(sed 's/../\\x&/g' <<<"$summary")" | base64
}

# network_mirror DIR VERSION PLATFORM ZIP H1: the JSON documents of the
# provider network mirror protocol for one provider, with the zip beside them
# (archive URLs are relative to the document that names them).
network_mirror() {
	local dir=$1 version=$2 platform=$3 zip=$4 h1=$5 zh
	zh=$(sha256sum "$zip" | cut -d' ' -f1)
	mkdir -p "$dir"
	cp "$zip" "$dir/"
	printf '{"versions":{"%s":{}}}\n' "$version" >"$dir/index.json"
	printf '{"archives":{"%s":{"url":"%s","hashes":["h1:%s","zh:%s"]}}}\n' \
		"$platform" "$(basename "$zip")" "$h1" "$zh" >"$dir/$version.json"
}

# Registry-format packages of BINARY for this platform (the zip, SHA256SUMS,
# the manifest), a network mirror to serve over HTTPS and a packed
# filesystem mirror, each for both CLIs' hosts.
release() {
	[ $# -eq 2 ] || usage
	local binary=$1 version=${2#v} out platform name stage executable host h1
	out=$(realpath -m "${RELEASE_DIR:-$here/build/release}")
	# PLATFORM names another os_arch: a binary cross-built for it.
	platform=${PLATFORM:-$(os_arch)}
	name=terraform-provider-wagtail_$version
	executable=terraform-provider-wagtail_v$version
	[ -x "$binary" ] || {
		echo "release: $binary is not an executable file" >&2
		exit 1
	}
	rm -rf "$out"
	stage=$out/.stage
	mkdir -p "$stage"
	install -m 0755 "$binary" "$stage/$executable"
	# A fixed time in the zip: the same binary always makes the same zip, and
	# so the same zh: hash.
	touch -d "@${SOURCE_DATE_EPOCH:-315532800}" "$stage/$executable"
	(cd "$stage" && TZ=UTC zip -q -X "$out/${name}_$platform.zip" "$executable")
	printf '{"version":1,"metadata":{"protocol_versions":["6.0"]}}\n' >"$out/${name}_manifest.json"
	(cd "$out" && sha256sum "${name}_$platform.zip" "${name}_manifest.json" >"${name}_SHA256SUMS")
	h1=$(h1_hash "$stage/$executable" "$executable")
	for host in "${MIRROR_HOSTS[@]}"; do
		network_mirror "$out/network-mirror/$host/wagtail/wagtail" "$version" "$platform" \
			"$out/${name}_$platform.zip" "$h1"
		mkdir -p "$out/filesystem-mirror/$host/wagtail/wagtail"
		cp "$out/${name}_$platform.zip" "$out/filesystem-mirror/$host/wagtail/wagtail/"
	done
	rm -rf "$stage"
	echo "release: $out"
}

# A CLI configuration that takes wagtail/wagtail from the filesystem mirror
# MIRROR (an absolute path) for both registries, and every other provider
# the usual way.
cli_config() {
	[ $# -eq 1 ] || usage
	cat <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$1"
    include = ["registry.terraform.io/wagtail/*", "registry.opentofu.org/wagtail/*"]
  }
  direct {
    exclude = ["registry.terraform.io/wagtail/*", "registry.opentofu.org/wagtail/*"]
  }
}
EOF
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
deps) deps && python_deps ;;
build) make -C "$here" "$@" ;;
install) install_mirror "$@" ;;
cli-config) cli_config "$@" ;;
release) release "$@" ;;
static) "$here/scripts/release/static.sh" build "$@" ;;
test) make -C "$here" test "$@" ;;
*) usage ;;
esac
