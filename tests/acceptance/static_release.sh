#!/usr/bin/env bash
# Acceptance of a fully static release binary (scripts/release/static.sh):
#   - static-checks: scripts/release/check_static.py (statically linked, no
#     dlopen symbol, the go-plugin handshake and a health check over mutual
#     TLS inside an empty root holding only the binary and a CA bundle);
#   - tls: tests/tls/test_client_cert.py against it;
#   - log-group: tests/acceptance/log_group.sh with it on both CLIs against
#     moto (plan, apply, read back, update, import, destroy: libcurl,
#     OpenSSL and libxml2 as linked into the binary);
#   - database: tests/acceptance/database.sh with it (libpq over TLS with
#     verify-full), unless STATIC_STAGES leaves it out.
#
#   tests/acceptance/static_release.sh [TARGET]
#
# TARGET is a zig triple (default x86_64-linux-musl); the binary is
# build-static/TARGET/terraform-provider-wagtail_vVERSION, built first with
# scripts/release/static.sh when missing (STATIC_BINARY names another). A
# binary for another machine runs under qemu-user-static (Debian's
# qemu-user-static): the CLIs start it through a two-line wrapper script.
# Needs root (chroot). Environment: STATIC_STAGES (default "static-checks tls
# log-group database"), and what the stages take (ACCEPTANCE_CLIS, ...).
# Ends with `static-release: N passed, N failed` (one case per stage).
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
version=${VERSION:-0.1.0}
target=${1:-x86_64-linux-musl}
binary=${STATIC_BINARY:-$root/build-static/$target/terraform-provider-wagtail_v$version}
stages=${STATIC_STAGES:-static-checks tls log-group database}
passed=0
failed=0

if [ ! -x "$binary" ]; then
	"$root/scripts/release/static.sh" build "$target" || {
		echo "FAIL build: scripts/release/static.sh build $target"
		echo "static-release: 0 passed, 1 failed"
		exit 1
	}
fi

# A binary of another machine: an emulator, and a wrapper the CLIs can start.
emulator=
run_binary=$binary
machine=${target%%-*}
if [ "$machine" != "$(uname -m)" ]; then
	emulator=$(command -v "qemu-$machine-static" || true)
	[ -n "$emulator" ] || {
		echo "FAIL emulator: no qemu-$machine-static (Debian's qemu-user-static)"
		echo "static-release: 0 passed, 1 failed"
		exit 1
	}
	wrapper_dir=$(mktemp -d "${TMPDIR:-/tmp}/wagtail-static-wrapper.XXXXXX")
	trap 'rm -rf "$wrapper_dir"' EXIT
	run_binary=$wrapper_dir/terraform-provider-wagtail_v$version
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$emulator" "$binary" >"$run_binary"
	chmod +x "$run_binary"
fi

# stage NAME COMMAND...: one case, passing when COMMAND ends well; its
# output is shown with a prefix.
stage() {
	local name=$1
	shift
	case " $stages " in *" $name "*) ;; *) return 0 ;; esac
	echo "--- $name"
	if "$@" 2>&1 | sed 's/^/    /'; [ "${PIPESTATUS[0]}" -eq 0 ]; then
		echo "ok $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		failed=$((failed + 1))
	fi
}

tls_python=/usr/bin/python3
stage static-checks "$tls_python" "$root/scripts/release/check_static.py" "$binary" ${emulator:+"$emulator"}
stage tls env PROVIDER_BINARY="$run_binary" "$tls_python" "$root/tests/tls/test_client_cert.py"
stage log-group env PROVIDER_BINARY="$run_binary" "$root/tests/acceptance/log_group.sh"
stage database env PROVIDER_BINARY="$run_binary" "$root/tests/acceptance/database.sh"

echo "static-release: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
