#!/usr/bin/env bash
# terraform-provider-wagtail build helper.
#   ./build.sh deps                     install the Debian packages we build and test with
#   ./build.sh build                    make
#   ./build.sh install BINARY VERSION   lay BINARY into a filesystem mirror ($MIRROR, default build/mirror)
#   ./build.sh cli-config MIRROR        print a CLI config (TF_CLI_CONFIG_FILE) that installs wagtail/wagtail from MIRROR
#   ./build.sh release [PLATFORM=BINARY | BINARY]... VERSION
#                                       one release in $RELEASE_DIR (default build/release): a zip per platform
#                                       (OS_ARCH; a bare BINARY is this machine's, or $PLATFORM's), manifest,
#                                       SHA256SUMS signed with GPG_FINGERPRINT or GPG_PRIVATE_KEY, mirrors.
#                                       No BINARY (make release): every make static binary (build-static/TARGET/),
#                                       and $DYNAMIC_BINARY (default build/'s) if this machine's platform has none.
#                                       Unsigned without a key, unless RELEASE_REQUIRE_SIGNATURE (docs/index.md)
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
	sed -n '2,14s/^# \{0,1\}//p' "$0" >&2
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

# network_mirror DIR VERSION PLATFORM ZIP H1 [PLATFORM ZIP H1]...: the JSON
# documents of the provider network mirror protocol for one provider
# version, with each platform's zip beside them (archive URLs are relative
# to the document that names them).
network_mirror() {
	local dir=$1 version=$2 zh archives=
	shift 2
	mkdir -p "$dir"
	while [ $# -ge 3 ]; do
		zh=$(sha256sum "$2" | cut -d' ' -f1)
		cp "$2" "$dir/"
		archives="$archives${archives:+,}$(printf '"%s":{"url":"%s","hashes":["h1:%s","zh:%s"]}' \
			"$1" "$(basename "$2")" "$3" "$zh")"
		shift 3
	done
	printf '{"versions":{"%s":{}}}\n' "$version" >"$dir/index.json"
	printf '{"archives":{%s}}\n' "$archives" >"$dir/$version.json"
}

# make static's targets (scripts/release/static.sh) and the platform each
# one's binary runs on.
STATIC_PLATFORMS=(x86_64-linux-musl=linux_amd64 aarch64-linux-musl=linux_arm64
	x86_64-macos=darwin_amd64 aarch64-macos=darwin_arm64)

# binary_platform FILE: the platform a binary is built for, read from its
# header (ELF: linux, Mach-O: darwin; amd64 or arm64), or nothing.
binary_platform() {
	local head
	head=$(od -An -tx1 -N20 "$1" | tr -d ' \n')
	case $head in
	7f454c46*) case ${head:36:4} in 3e00) echo linux_amd64 ;; b700) echo linux_arm64 ;; esac ;;
	cffaedfe*) case ${head:8:8} in 07000001) echo darwin_amd64 ;; 0c000001) echo darwin_arm64 ;; esac ;;
	esac
}

# sign FILE PUBKEY: FILE.sig, a detached binary OpenPGP signature of FILE, and
# the signing key's public half, ASCII-armored, in PUBKEY. The key is
# GPG_FINGERPRINT in the keyring of GNUPGHOME (gpg's default when unset), or
# GPG_PRIVATE_KEY, an ASCII-armored secret key imported into a throwaway
# keyring (as a CI secret holds it; GPG_FINGERPRINT then picks one key of
# several). GPG_PASSPHRASE unlocks a protected key. False, with a message,
# when there is no key: the caller decides whether that is an error.
sign() {
	local file=$1 pubkey=$2 fpr=${GPG_FINGERPRINT:-} tmp rc=0
	local gpg=(gpg --batch --yes --no-tty --quiet) unlock=()
	if [ -z "$fpr" ] && [ -z "${GPG_PRIVATE_KEY:-}" ]; then
		echo "release: NOT SIGNED: neither GPG_FINGERPRINT nor GPG_PRIVATE_KEY is set, so there is no" \
			"${file##*/}.sig: fine for a mirror, not for a registry (Terraform installs a registry's package only with a good signature)" >&2
		return 1
	fi
	tmp=$(mktemp -d)
	if [ -n "${GPG_PRIVATE_KEY:-}" ]; then
		# A keyring of its own: the key is never added to the caller's.
		local -x GNUPGHOME=$tmp/gnupg
		mkdir -m 0700 "$GNUPGHOME"
		"${gpg[@]}" --import <<<"$GPG_PRIVATE_KEY" || rc=$?
		[ -n "$fpr" ] || fpr=$("${gpg[@]}" --with-colons --list-secret-keys | awk -F: '$1 == "fpr" { print $10; exit }')
	fi
	# The passphrase on a file descriptor of its own, never on the command line.
	[ -z "${GPG_PASSPHRASE:-}" ] || unlock=(--pinentry-mode loopback --passphrase-fd 3)
	# Binary, not armored: the registry protocol's shasums_signature_url
	# names a binary detached signature, which the CLIs check against the
	# SHA256SUMS file as downloaded.
	[ "$rc" = 0 ] && { "${gpg[@]}" "${unlock[@]}" --local-user "$fpr" --detach-sign --output "$file.sig" "$file" \
		3<<<"${GPG_PASSPHRASE:-}" || rc=$?; }
	[ "$rc" = 0 ] && { "${gpg[@]}" --armor --export "$fpr" >"$pubkey" || rc=$?; }
	# Checked at once with gpgv against the exported key alone, as a user
	# would check it: a wrong key or a bad signature stops the release here.
	[ "$rc" = 0 ] && { "${gpg[@]}" --export "$fpr" >"$tmp/key.gpg" &&
		gpgv --quiet --keyring "$tmp/key.gpg" "$file.sig" "$file" 2>"$tmp/gpgv.out" || rc=$?; }
	if [ -n "${GPG_PRIVATE_KEY:-}" ]; then
		gpgconf --kill gpg-agent 2>/dev/null || true
	fi
	if [ "$rc" != 0 ]; then
		cat "$tmp/gpgv.out" >&2 2>/dev/null
		rm -f "$file.sig" "$pubkey"
		rm -rf "$tmp"
		echo "release: signing ${file##*/} with key ${fpr:-(none found in GPG_PRIVATE_KEY)} failed" \
			"$([ -n "${GPG_PASSPHRASE:-}" ] || echo '(a key with a passphrase needs GPG_PASSPHRASE)')" >&2
		exit 1
	fi
	rm -rf "$tmp"
	echo "release: signed ${file##*/} with key $fpr"
}

# release [PLATFORM=BINARY | BINARY]... VERSION: the registry-format
# packages of one release, one zip per platform (each PLATFORM an os_arch: a
# bare BINARY is $PLATFORM's, by default this machine's), the manifest, one
# SHA256SUMS over them, its signature (sign, above), and a network mirror to
# serve over HTTPS and a packed filesystem mirror covering every platform,
# each for both CLIs' hosts. Without binaries: each static build
# ($STATIC_DIR/TARGET/, default build-static) and, for this platform when
# make static has not built it, $DYNAMIC_BINARY (default build/).
release() {
	[ $# -ge 1 ] || usage
	local version=${!#} out name executable host arg platform binary target stage
	local -A binaries=()
	local platforms=() mirror_args=() sums=() zips=()
	version=${version#v}
	name=terraform-provider-wagtail_$version
	executable=terraform-provider-wagtail_v$version
	for arg in "${@:1:$#-1}"; do
		case $arg in
		*=*) platform=${arg%%=*} binary=${arg#*=} ;;
		*) platform=${PLATFORM:-$(os_arch)} binary=$arg ;;
		esac
		[[ $platform =~ ^[a-z0-9]+_[a-z0-9]+$ ]] || {
			echo "release: '$platform' is not a platform (OS_ARCH, e.g. linux_amd64)" >&2
			exit 2
		}
		[ -z "${binaries[$platform]:-}" ] || {
			echo "release: two binaries for $platform" >&2
			exit 2
		}
		binaries[$platform]=$binary
	done
	if [ ${#binaries[@]} -eq 0 ]; then
		for target in "${STATIC_PLATFORMS[@]}"; do
			binary=${STATIC_DIR:-$here/build-static}/${target%%=*}/$executable
			[ -x "$binary" ] && binaries[${target#*=}]=$binary
		done
		platform=$(os_arch)
		binary=${DYNAMIC_BINARY:-$here/build/$executable}
		[ -n "${binaries[$platform]:-}" ] || [ ! -x "$binary" ] || binaries[$platform]=$binary
		[ ${#binaries[@]} -gt 0 ] || {
			echo "release: no binary: none in ${STATIC_DIR:-$here/build-static}/*/ (make static) and no $binary (make)" >&2
			exit 1
		}
	fi
	for platform in "${!binaries[@]}"; do
		binary=${binaries[$platform]}
		[ -x "$binary" ] || {
			echo "release: $binary is not an executable file" >&2
			exit 1
		}
		# A binary under another platform's name would install there and
		# fail to start: each one the header can tell must match.
		case $platform in linux_amd64 | linux_arm64 | darwin_amd64 | darwin_arm64)
			[ "$(binary_platform "$binary")" = "$platform" ] || {
				echo "release: $binary is not a $platform binary (its header says: $(binary_platform "$binary" | grep . || echo neither ELF nor Mach-O for amd64 or arm64))" >&2
				exit 1
			}
			;;
		esac
	done
	mapfile -t platforms < <(printf '%s\n' "${!binaries[@]}" | sort)
	out=$(realpath -m "${RELEASE_DIR:-$here/build/release}")
	rm -rf "$out"
	stage=$out/.stage
	for platform in "${platforms[@]}"; do
		echo "release: ${name}_$platform.zip <- ${binaries[$platform]}"
		mkdir -p "$stage/$platform"
		install -m 0755 "${binaries[$platform]}" "$stage/$platform/$executable"
		# A fixed time in the zip: the same binary always makes the same zip,
		# and so the same zh: hash.
		touch -d "@${SOURCE_DATE_EPOCH:-315532800}" "$stage/$platform/$executable"
		(cd "$stage/$platform" && TZ=UTC zip -q -X "$out/${name}_$platform.zip" "$executable")
		mirror_args+=("$platform" "$out/${name}_$platform.zip" "$(h1_hash "$stage/$platform/$executable" "$executable")")
		sums+=("${name}_$platform.zip")
		zips+=("$out/${name}_$platform.zip")
	done
	# The registry's name for terraform-registry-manifest.json.
	printf '{"version":1,"metadata":{"protocol_versions":["6.0"]}}\n' >"$out/${name}_manifest.json"
	sums+=("${name}_manifest.json")
	(cd "$out" && sha256sum "${sums[@]}" >"${name}_SHA256SUMS")
	if ! sign "$out/${name}_SHA256SUMS" "$out/${name}_signing_key.asc" && [ -n "${RELEASE_REQUIRE_SIGNATURE:-}" ]; then
		echo "release: RELEASE_REQUIRE_SIGNATURE is set: stopping" >&2
		exit 1
	fi
	for host in "${MIRROR_HOSTS[@]}"; do
		network_mirror "$out/network-mirror/$host/wagtail/wagtail" "$version" "${mirror_args[@]}"
		mkdir -p "$out/filesystem-mirror/$host/wagtail/wagtail"
		cp "${zips[@]}" "$out/filesystem-mirror/$host/wagtail/wagtail/"
	done
	rm -rf "$stage"
	echo "release: $out (${platforms[*]})"
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
