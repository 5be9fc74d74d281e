#!/usr/bin/env bash
# Acceptance test of a signed release as a provider registry serves it: each
# CLI installs the provider through the provider registry protocol from a
# local HTTPS registry, checks the release's signature on the way, and
# refuses a release that was tampered with.
#
#   - A signed release (build.sh release, every platform built, with a
#     throwaway GPG key made here) is served by a registry written in Python
#     (http.server + ssl) at https://localhost:PORT: service discovery, the
#     versions list, each platform's download document and the files. Its
#     certificate is signed by a test CA made here; the CLIs trust it through
#     SSL_CERT_FILE. The provider's address is localhost:PORT/NS/wagtail,
#     where the namespace NS picks what the registry serves:
#       wagtail       the release as made;
#       tampered      one byte of the linux_amd64 zip changed (SHA256SUMS,
#                     its signature and the download's shasum untouched);
#       lying         that changed zip again, with a download document whose
#                     shasum is the changed zip's (a registry that lies):
#                     the signed SHA256SUMS does not list it;
#       otherkey      SHA256SUMS signed by another key, while the registry
#                     still advertises the release key;
#       resummed      SHA256SUMS changed after signing (the linux_arm64 line:
#                     the linux_amd64 zip still matches its own line, so only
#                     the signature can catch it).
#   - Per CLI: init installs the linux_amd64 package and says the signature
#     was checked; the lock file holds the zh: hashes SHA256SUMS lists;
#     `providers` names the provider; apply of a wagtail_random_password (no
#     AWS) works. Then each refusal, in a fresh directory: init fails, saying
#     why (checksum or signature).
#
#   tests/acceptance/registry.sh
#
# The linux_amd64 binary is make static's (build-static/x86_64-linux-musl)
# when there is one, else this build's (PROVIDER_BINARY, as lib.sh); the
# other platforms are those make static built. Environment: as
# tests/acceptance/cli.sh (ACCEPTANCE_CLIS, VERSION, CASE_TIMEOUT, TOFU_BIN,
# TERRAFORM_BIN, KEEP_WORKDIR). Ends with `registry: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)

# shellcheck source=tests/acceptance/lib.sh
source "$root/tests/acceptance/lib.sh"

finish() {
	echo "registry: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# holds NAME COMMAND...: a case that passes when COMMAND succeeds.
holds() {
	local name=$1 out=$work/$1.out
	shift
	if "$@" >"$out" 2>&1; then ok "$name"; else notok "$name" "$out"; fi
}

pkg=terraform-provider-wagtail_$version
zip_name=${pkg}_linux_amd64.zip

# ---------------------------------------------------------------------------
# Two throwaway signing keys, in a keyring of this run's own
# ---------------------------------------------------------------------------
export GNUPGHOME=$work/gnupg
mkdir -m 0700 "$GNUPGHOME"
gpg_agent_stop() { gpgconf --kill gpg-agent 2>/dev/null; }
trap 'gpg_agent_stop; [ -n "${registry_pid:-}" ] && kill "$registry_pid" 2>/dev/null; cleanup' EXIT

# new_key UID: a signing-only RSA key without a passphrase, valid for a day;
# prints its fingerprint.
new_key() {
	gpg --batch --quiet --passphrase '' --quick-gen-key "$1" rsa3072 sign 1d >>"$work/gpg.out" 2>&1 &&
		gpg --batch --with-colons --list-keys "$1" 2>>"$work/gpg.out" | awk -F: '$1 == "fpr" { print $10; exit }'
}
release_key=$(new_key "wagtail release test <release@wagtail.invalid>")
other_key=$(new_key "wagtail other test <other@wagtail.invalid>")
if [ -z "$release_key" ] || [ -z "$other_key" ]; then
	notok gpg-keys "$work/gpg.out"
	finish
	exit 1
fi

# ---------------------------------------------------------------------------
# The signed release
# ---------------------------------------------------------------------------
release=$work/release
if GPG_FINGERPRINT=$release_key RELEASE_DIR=$release DYNAMIC_BINARY=$binary \
	"$root/build.sh" release "$version" >"$work/release.out" 2>&1 && [ -s "$release/$zip_name" ]; then
	ok release
else
	notok release "$work/release.out"
	finish
	exit 1
fi
sums=$release/${pkg}_SHA256SUMS
holds release-says-signed grep -q "^release: signed ${pkg}_SHA256SUMS with key $release_key\$" "$work/release.out"
# As a user checks it (docs/index.md), against the key the release publishes.
gpg --batch --dearmor <"$release/${pkg}_signing_key.asc" >"$work/release-key.gpg" 2>"$work/dearmor.out"
holds gpgv-verifies gpgv --keyring "$work/release-key.gpg" "$sums.sig" "$sums"
holds sig-is-binary bash -c "! grep -q 'BEGIN PGP' '$sums.sig'"
zh=$(grep " $zip_name\$" "$sums" | cut -d' ' -f1)
mapfile -t all_zh < <(grep '\.zip$' "$sums" | cut -d' ' -f1)
platforms=$(cd "$release" && ls ${pkg}_*.zip | sed "s/^${pkg}_\(.*\)\.zip\$/\1/" | tr '\n' ' ')
echo "registry: platforms in the release: $platforms"

# The registry's files, one directory per namespace (see the header).
files=$work/files
mkdir -p "$files"
cp -r "$release" "$files/wagtail"
rm -rf "$files/wagtail/network-mirror" "$files/wagtail/filesystem-mirror"
cp -r "$files/wagtail" "$files/tampered"
# One byte in the middle of the zip, in place.
"$python" - "$files/tampered/$zip_name" <<'PY'
import os, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(os.path.getsize(sys.argv[1]) // 2)
    b = f.read(1)
    f.seek(-1, 1)
    f.write(bytes([b[0] ^ 0x01]))
PY
cp -r "$files/tampered" "$files/lying"
touch "$files/lying/shasum-of-the-zip"
cp -r "$files/wagtail" "$files/otherkey"
gpg --batch --yes --quiet --local-user "$other_key" --detach-sign --output "$files/otherkey/${pkg}_SHA256SUMS.sig" \
	"$files/otherkey/${pkg}_SHA256SUMS" 2>>"$work/gpg.out"
cp -r "$files/wagtail" "$files/resummed"
# Another linux_arm64 hash (or, with one platform only, a line added).
if grep -q '_linux_arm64\.zip$' "$files/resummed/${pkg}_SHA256SUMS"; then
	sed -i "/_linux_arm64\.zip\$/s/^[0-9a-f]*/$(printf '%064d' 0)/" "$files/resummed/${pkg}_SHA256SUMS"
else
	printf '%064d  %s_linux_arm64.zip\n' 0 "$pkg" >>"$files/resummed/${pkg}_SHA256SUMS"
fi
holds refusal-fixtures bash -c "! cmp -s '$files/wagtail/$zip_name' '$files/tampered/$zip_name' &&
	cmp '$files/wagtail/${pkg}_SHA256SUMS' '$files/tampered/${pkg}_SHA256SUMS' &&
	! gpgv --keyring '$work/release-key.gpg' '$files/otherkey/${pkg}_SHA256SUMS.sig' '$files/otherkey/${pkg}_SHA256SUMS' &&
	! gpgv --keyring '$work/release-key.gpg' '$files/resummed/${pkg}_SHA256SUMS.sig' '$files/resummed/${pkg}_SHA256SUMS'"

# ---------------------------------------------------------------------------
# The registry, over HTTPS with a certificate of a test CA
# ---------------------------------------------------------------------------
start_registry() {
	(
		cd "$work" &&
			openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 \
				-subj "/CN=wagtail registry test CA" -addext basicConstraints=critical,CA:TRUE \
				-addext keyUsage=critical,keyCertSign,cRLSign &&
			openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost &&
			printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext &&
			openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 \
				-extfile server.ext -out server.pem
	) >"$work/openssl.out" 2>&1 || return 1
	# The CLIs trust the test CA alone: nothing else is fetched.
	cp "$work/ca.pem" "$work/ca-bundle.pem"
	# It advertises the public key the release publishes beside SHA256SUMS.
	"$python" - "$files" "$version" "$release/${pkg}_signing_key.asc" "$release_key" "$work/server.pem" "$work/server.key" \
		"$work/registry.port" 2>"$work/registry.log" <<'PY' &
import hashlib, http.server, json, os, re, ssl, sys
files, version, key_file, fingerprint, cert, key, port_file = sys.argv[1:]
armor = open(key_file).read()
name = "terraform-provider-wagtail_" + version

def platforms(ns):
    return sorted(re.fullmatch(name + r"_(\w+)_(\w+)\.zip", f).groups()
                  for f in os.listdir(os.path.join(files, ns)) if f.endswith(".zip"))

class Registry(http.server.SimpleHTTPRequestHandler):
    def send_json(self, doc):
        body = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        base = "https://" + self.headers["Host"]
        if self.path == "/.well-known/terraform.json":
            return self.send_json({"providers.v1": "/v1/providers/"})
        m = re.fullmatch(r"/v1/providers/(\w+)/wagtail/versions", self.path)
        if m and os.path.isdir(os.path.join(files, m[1])):
            return self.send_json({"versions": [{"version": version, "protocols": ["6.0"],
                "platforms": [{"os": o, "arch": a} for o, a in platforms(m[1])]}]})
        m = re.fullmatch(r"/v1/providers/(\w+)/wagtail/([^/]+)/download/(\w+)/(\w+)", self.path)
        if m and m[2] == version and (m[3], m[4]) in platforms(m[1]):
            ns, os_, arch = m[1], m[3], m[4]
            filename = "%s_%s_%s.zip" % (name, os_, arch)
            # The shasum comes from the namespace's SHA256SUMS as served, or
            # where the registry lies, from the zip.
            if os.path.exists(os.path.join(files, ns, "shasum-of-the-zip")):
                with open(os.path.join(files, ns, filename), "rb") as f:
                    shasum = hashlib.sha256(f.read()).hexdigest()
            else:
                with open(os.path.join(files, ns, name + "_SHA256SUMS")) as f:
                    shasum = next(l.split()[0] for l in f if l.split()[1] == filename)
            url = "%s/files/%s/" % (base, ns)
            return self.send_json({
                "protocols": ["6.0"], "os": os_, "arch": arch, "filename": filename,
                "download_url": url + filename,
                "shasums_url": url + name + "_SHA256SUMS",
                "shasums_signature_url": url + name + "_SHA256SUMS.sig",
                "shasum": shasum,
                "signing_keys": {"gpg_public_keys": [
                    {"key_id": fingerprint[-16:], "ascii_armor": armor,
                     "trust_signature": "", "source": "wagtail test", "source_url": None}]}})
        if self.path.startswith("/files/"):
            return super().do_GET()
        self.send_error(404)

    def translate_path(self, path):
        return os.path.join(files, *path.split("?")[0].split("/")[2:])

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
with open(port_file, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
PY
	registry_pid=$!
	for _ in $(seq 1 50); do [ -s "$work/registry.port" ] && return 0; sleep 0.1; done
	return 1
}

registry_pid=
if start_registry; then
	port=$(cat "$work/registry.port")
	ok registry-up
else
	notok registry-up "$work/openssl.out" "$work/registry.log"
	finish
	exit 1
fi
export SSL_CERT_FILE=$work/ca-bundle.pem
unset SSL_CERT_DIR
# No provider_installation block: every provider installs directly from its
# registry, and the plugin cache stays off.
: >"$work/registry.tfrc"
export TF_CLI_CONFIG_FILE=$work/registry.tfrc
key_id=${release_key: -16}

# in_dir NS CASE: a fresh working directory whose configuration needs
# localhost:PORT/NS/wagtail and makes a wagtail_random_password; sets dir.
in_dir() {
	dir=$work/$cli_name-$2
	rm -rf "$dir"
	mkdir -p "$dir"
	cat >"$dir/main.tf" <<EOF
terraform {
  required_providers {
    wagtail = { source = "localhost:$port/$1/wagtail", version = "$version" }
  }
}

resource "wagtail_random_password" "p" {
  length = 20
}

output "length" {
  value     = length(wagtail_random_password.p.result)
  sensitive = true
}
EOF
}

# expect_refusal NS CASE REGEX: init of localhost:PORT/NS/wagtail fails, its
# error (the paragraph from "Error while installing", joined into one line)
# matching REGEX, and no package is installed.
expect_refusal() {
	local out=$work/$cli_name-$2.out rc said
	in_dir "$1" "$2"
	tf "$out" init -no-color -input=false
	rc=$?
	said=$(awk '/^Error while installing/ { p = 1 } p && /^$/ { exit } p' "$out" | tr -s '\n ' '  ' | sed 's/ $//')
	# (OpenTofu leaves the lock file it holds while installing: no package.)
	if [ "$rc" != 0 ] && grep -qE "$3" <<<"$said" &&
		[ -z "$(find "$dir/.terraform/providers" -name 'terraform-provider-wagtail*' 2>/dev/null)" ]; then
		ok "$2"
		echo "    said: $said"
	else
		notok "$2" "$out"
		note "init exit $rc; want an error matching /$3/"
	fi
}

run_cli() {
	local out=$work/$cli_name-init.out rc hash missing=
	in_dir wagtail install
	tf "$out" init -no-color -input=false
	rc=$?
	if [ "$rc" = 0 ] && [ -n "$(find "$dir/.terraform/providers/localhost:$port/wagtail/wagtail/$version/linux_amd64" -name "terraform-provider-wagtail_v$version" -type f 2>/dev/null)" ]; then
		ok init-installs
	else
		notok init-installs "$out" "$work/registry.log"
		return
	fi
	# What each CLI prints for a package whose signature it checked.
	local signed_re
	case "$cli_kind" in
	terraform) signed_re="Installed localhost:$port/wagtail/wagtail v$version \\(self-signed, key ID $key_id\\)" ;;
	*) signed_re="Installed localhost:$port/wagtail/wagtail v$version \\(signed, key ID $key_id\\)" ;;
	esac
	if grep -qE "$signed_re" "$out"; then ok init-says-signed; else
		notok init-says-signed "$out"
		note "want a line matching /$signed_re/"
	fi
	grep -E "Installed localhost" "$out" | sed 's/^/    said: /'
	if grep -q "GET /files/wagtail/${pkg}_SHA256SUMS.sig " "$work/registry.log"; then ok signature-fetched; else
		notok signature-fetched "$work/registry.log"
	fi
	# Every zh: hash of the signed SHA256SUMS, so that the lock file holds
	# for every platform of the release.
	for hash in "${all_zh[@]}"; do
		grep -qF "\"zh:$hash\"" "$dir/.terraform.lock.hcl" 2>/dev/null || missing="$missing zh:$hash"
	done
	if [ -z "$missing" ] && grep -qF "\"zh:$zh\"" "$dir/.terraform.lock.hcl"; then ok lock-has-zh; else
		notok lock-has-zh "$dir/.terraform.lock.hcl"
		note "missing:$missing"
	fi
	if tf "$work/$cli_name-providers.out" providers -no-color &&
		grep -qF "provider[localhost:$port/wagtail/wagtail] $version" "$work/$cli_name-providers.out"; then
		ok providers
	else
		notok providers "$work/$cli_name-providers.out"
	fi
	if tf "$work/$cli_name-apply.out" apply -auto-approve -no-color -input=false &&
		tf "$work/$cli_name-output.out" output -raw length && [ "$(cat "$work/$cli_name-output.out")" = 20 ]; then
		ok apply-random-password
	else
		notok apply-random-password "$work/$cli_name-apply.out" "$work/$cli_name-output.out"
	fi
	# A second init with the lock file checks the package against it again.
	rm -rf "$dir/.terraform"
	if tf "$work/$cli_name-reinit.out" init -no-color -input=false; then ok reinit-with-lock; else
		notok reinit-with-lock "$work/$cli_name-reinit.out"
	fi

	expect_refusal tampered refuse-tampered-zip 'archive has incorrect checksum zh:'
	expect_refusal lying refuse-zip-not-in-sha256sums 'checksum list has unexpected SHA-256 hash'
	expect_refusal otherkey refuse-other-key 'authentication signature from unknown issuer'
	expect_refusal resummed refuse-changed-sha256sums 'checking signature: openpgp: invalid signature'
}

for_each_cli run_cli
finish
