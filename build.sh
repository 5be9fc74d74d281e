#!/usr/bin/env bash
# terraform-provider-wagtail build helper.
#   ./build.sh deps                     install the Debian packages we build and test with
#   ./build.sh build                    make
#   ./build.sh install BINARY VERSION   lay BINARY into a filesystem mirror ($MIRROR, default build/mirror)
#   ./build.sh test                     make test
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

# Build dependencies (-dev packages and code generators) and the tools the tests use.
DEB_PACKAGES=(
	libgrpc-dev protobuf-c-compiler libprotobuf-c-dev libcjson-dev libmsgpack-dev
	libcurl4-openssl-dev libssl-dev libxml2-dev libpq-dev pkg-config protobuf-compiler
	python3-grpcio python3-pip postgresql valgrind time curl clang libclang-rt-14-dev
)
# The AWS API the acceptance tests call (a real moto server) and the client
# they read AWS back with. pip installs them only when missing.
PY_PACKAGES=("moto[server]==5.2.1" boto3)

usage() {
	sed -n '2,6s/^# \{0,1\}//p' "$0" >&2
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

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
deps) deps && python_deps ;;
build) make -C "$here" "$@" ;;
install) install_mirror "$@" ;;
test) make -C "$here" test "$@" ;;
*) usage ;;
esac
