#!/usr/bin/env bash
# Acceptance test of `make release`: the registry-format packages are well
# formed, and both real CLIs install the provider from each mirror layout it
# makes, checking it against the hashes the release publishes:
#   - the packed filesystem mirror (filesystem-mirror/), via filesystem_mirror;
#   - the network mirror (network-mirror/), served over HTTPS by Python's
#     http.server with a self-signed certificate the CLIs trust through
#     SSL_CERT_FILE, via network_mirror.
# A lock file seeded with the zh: hash from SHA256SUMS must be accepted (and
# kept); one with another zh: hash must be refused.
#
#   tests/acceptance/release.sh
#
# Environment: BUILD (make's build directory, default build), and as
# tests/acceptance/cli.sh: ACCEPTANCE_CLIS, VERSION, CASE_TIMEOUT, TOFU_BIN,
# TERRAFORM_BIN, KEEP_WORKDIR. Ends with `release: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
version=${VERSION:-0.1.0}
build=${BUILD:-build}
binary=$root/$build/terraform-provider-wagtail_v$version

# The binary make release puts in the linux_amd64 zip: make static's when
# there is one, else this build's.
packaged=$root/build-static/x86_64-linux-musl/terraform-provider-wagtail_v$version
[ -x "$packaged" ] || packaged=$binary

make_out=$(mktemp "${TMPDIR:-/tmp}/wagtail-release-make.XXXXXX")
# Without a signing key (tests/acceptance/registry.sh signs one).
env -u GPG_FINGERPRINT -u GPG_PRIVATE_KEY make -C "$root" BUILD="$build" VERSION="$version" release >"$make_out" 2>&1
make_rc=$?

# shellcheck source=tests/acceptance/lib.sh
source "$root/tests/acceptance/lib.sh"
mv "$make_out" "$work/make.out"

finish() {
	echo "release: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# holds NAME COMMAND...: a case that passes when COMMAND succeeds.
holds() {
	local name=$1 out=$work/$1.out
	shift
	if "$@" >"$out" 2>&1; then ok "$name"; else notok "$name" "$out"; fi
}

release=$root/$build/release
name=terraform-provider-wagtail_$version
zip_name=${name}_linux_amd64.zip
if [ "$make_rc" = 0 ] && [ -s "$release/$zip_name" ]; then ok make-release; else
	notok make-release "$work/make.out"
	finish
	exit 1
fi
zh=$(grep " $zip_name\$" "$release/${name}_SHA256SUMS" | cut -d' ' -f1)

# ---------------------------------------------------------------------------
# The packages
# ---------------------------------------------------------------------------
package_checks() {
	holds sha256sums-verify bash -c "cd '$release' && sha256sum --strict -c '${name}_SHA256SUMS'"
	holds manifest test "$(cat "$release/${name}_manifest.json")" = \
		'{"version":1,"metadata":{"protocol_versions":["6.0"]}}'
	holds zip-holds-only-the-binary test "$(unzip -Z1 "$release/$zip_name")" = "terraform-provider-wagtail_v$version"
	unzip -q -o "$release/$zip_name" -d "$work/unzipped"
	holds zip-binary-is-the-build cmp "$packaged" "$work/unzipped/terraform-provider-wagtail_v$version"
	# The single-binary form (scripts/release/static.sh packs each target so).
	holds zip-reproducible bash -c "env -u GPG_FINGERPRINT -u GPG_PRIVATE_KEY \
		RELEASE_DIR='$work/again' '$root/build.sh' release '$packaged' '$version' &&
		cmp '$release/$zip_name' '$work/again/$zip_name'"
	# Unsigned, and saying so: no .sig to mistake for a signature.
	holds unsigned-says-so bash -c "grep -q 'NOT SIGNED' '$work/make.out' && ! ls '$release'/*.sig"
	# One SHA256SUMS over every zip and the manifest.
	holds sha256sums-lists-every-zip bash -c "cd '$release' && diff <(ls ${name}_*.zip ${name}_manifest.json) \
		<(sed 's/^[0-9a-f]*  //' ${name}_SHA256SUMS | sort)"
	if "$python" - "$release/network-mirror" "$version" "$zip_name" "$zh" >"$work/mirror-json.out" 2>&1 <<'PY'; then
import json, os, sys
mirror, version, zip_name, zh = sys.argv[1:]
for host in ("registry.terraform.io", "registry.opentofu.org"):
    d = os.path.join(mirror, host, "wagtail", "wagtail")
    index = json.load(open(os.path.join(d, "index.json")))
    assert index == {"versions": {version: {}}}, index
    archive = json.load(open(os.path.join(d, version + ".json")))["archives"]["linux_amd64"]
    assert archive["url"] == zip_name and os.path.isfile(os.path.join(d, zip_name)), archive
    assert "zh:" + zh in archive["hashes"], archive
PY
		ok network-mirror-documents
	else
		notok network-mirror-documents "$work/mirror-json.out"
	fi
}

# ---------------------------------------------------------------------------
# Installing with the CLIs
# ---------------------------------------------------------------------------

# cli_config FILE METHOD LOCATION: a CLI config that installs wagtail/wagtail
# only through METHOD (filesystem_mirror or network_mirror).
cli_config() {
	local key=path
	[ "$2" = network_mirror ] && key=url
	cat >"$1" <<EOF
provider_installation {
  $2 {
    $key    = "$3"
    include = ["registry.terraform.io/wagtail/*", "registry.opentofu.org/wagtail/*"]
  }
  direct {
    exclude = ["registry.terraform.io/wagtail/*", "registry.opentofu.org/wagtail/*"]
  }
}
EOF
}

# seed_lock ZH: a lock file that trusts only this zh: hash, as a team that
# records the published hashes would commit it.
seed_lock() {
	cat >"$dir/.terraform.lock.hcl" <<EOF
provider "$host/wagtail/wagtail" {
  version     = "$version"
  constraints = "$version"
  hashes = [
    "zh:$1",
  ]
}
EOF
}

# install_case CASE CONFIG LOCK: a fresh init with CLI config CONFIG and a lock
# file (LOCK: none, published or wrong); passes when it installs (refuses,
# for wrong) and the lock file then holds h1 and, with a seeded lock, zh.
install_case() {
	local name=$1 config=$2 lock=$3 out=$work/$cli_name-$1.out rc
	rm -rf "$dir/.terraform" "$dir/.terraform.lock.hcl"
	case "$lock" in
	published) seed_lock "$zh" ;;
	wrong) seed_lock "$(printf '%064d' 0)" ;;
	esac
	TF_CLI_CONFIG_FILE=$config tf "$out" init -no-color -input=false
	rc=$?
	if [ "$lock" = wrong ]; then
		if [ "$rc" != 0 ] && grep -q "checksums previously recorded" "$out"; then ok "$name"; else notok "$name" "$out"; fi
		return
	fi
	local want=("h1:$h1")
	[ "$lock" = published ] && want+=("zh:$zh")
	local hash missing=
	for hash in "${want[@]}"; do
		grep -qF "\"$hash\"" "$dir/.terraform.lock.hcl" 2>/dev/null || missing="$missing $hash"
	done
	if [ "$rc" = 0 ] && [ -z "$missing" ]; then ok "$name"; else
		notok "$name" "$out" "$dir/.terraform.lock.hcl"
		note "init exit $rc; lock file lacks:${missing:- nothing}"
	fi
}

start_https_mirror() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
		-subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$work/openssl.out" 2>&1 || return 1
	"$python" - "$release/network-mirror" "$work/cert.pem" "$work/key.pem" "$work/https.port" \
		2>"$work/https.log" <<'PY' &
import functools, http.server, ssl, sys
root, cert, key, port_file = sys.argv[1:]
server = http.server.ThreadingHTTPServer(
    ("127.0.0.1", 0), functools.partial(http.server.SimpleHTTPRequestHandler, directory=root))
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
with open(port_file, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
PY
	https_pid=$!
	for _ in $(seq 1 50); do [ -s "$work/https.port" ] && return 0; sleep 0.1; done
	return 1
}

run_cli() {
	local out=$work/$cli_name-schema.json
	dir=$work/$cli_name
	mkdir -p "$dir"
	printf 'terraform {\n  required_providers {\n    wagtail = { source = "wagtail/wagtail", version = "%s" }\n  }\n}\n' \
		"$version" >"$dir/main.tf"
	install_case filesystem-mirror "$work/fs.tfrc" none
	install_case filesystem-mirror-published-zh "$work/fs.tfrc" published
	install_case filesystem-mirror-wrong-zh "$work/fs.tfrc" wrong
	if [ -z "$https_pid" ]; then
		notok network-mirror "$work/openssl.out" "$work/https.log"
		return
	fi
	SSL_CERT_FILE=$work/cert.pem install_case network-mirror "$work/net.tfrc" none
	# OpenTofu records the hashes a mirror reports; Terraform only those signed by a registry.
	[ "$cli_name" = tofu ] && holds network-mirror-zh-recorded grep -qF "\"zh:$zh\"" "$dir/.terraform.lock.hcl"
	if grep -q "GET /$host/wagtail/wagtail/$zip_name " "$work/https.log"; then ok network-mirror-served-zip; else
		notok network-mirror-served-zip "$work/https.log"
	fi
	SSL_CERT_FILE=$work/cert.pem install_case network-mirror-published-zh "$work/net.tfrc" published
	# What the mirror installed runs: the CLI reads its schema.
	if (cd "$dir" && TF_CLI_CONFIG_FILE=$work/net.tfrc timeout -k 10 "$case_timeout" "$cli" providers schema -json) \
		>"$out" 2>"$out.err" && grep -q '"wagtail_log_group"' "$out"; then
		ok installed-provider-runs
	else
		notok installed-provider-runs "$out.err"
	fi
	SSL_CERT_FILE=$work/cert.pem install_case network-mirror-wrong-zh "$work/net.tfrc" wrong
}

package_checks
# The h1: hash the CLIs compute for the unpacked linux_amd64 package.
h1=$(sed -n 's/.*"linux_amd64":{"url":"[^"]*","hashes":\["h1:\([^"]*\)".*/\1/p' \
	"$release/network-mirror/registry.terraform.io/wagtail/wagtail/$version.json")
cli_config "$work/fs.tfrc" filesystem_mirror "$release/filesystem-mirror"
https_pid=
if start_https_mirror; then
	trap 'kill "$https_pid" 2>/dev/null; cleanup' EXIT
	cli_config "$work/net.tfrc" network_mirror "https://localhost:$(cat "$work/https.port")/"
fi
for_each_cli run_cli
finish
