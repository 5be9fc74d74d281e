#!/usr/bin/env bash
# run.sh BINARY [ARGS...]: runs the unit tests with the moto servers some of
# them call (tests/aws/moto.sh): one that checks signatures, for
# MOTO_ENDPOINT, MOTO_ACCESS_KEY and MOTO_SECRET_KEY, and one that does not,
# for MOTO_UNCHECKED_ENDPOINT. Each starts once for the whole run; the
# checking one behind the strict AWS layer unless STRICT_AWS=0 (moto.sh).
# Runs BINARY with ARGS, stops the servers and exits with BINARY's status,
# or 1 when the layer saw requests AWS would refuse.
#
#   tests/unit/run.sh build/unit-tests
#   tests/unit/run.sh build/unit-tests credentials_   (only matching tests)
set -uo pipefail

if [ $# -lt 1 ]; then
	echo "usage: $0 UNIT_TEST_BINARY [ARGS...]" >&2
	exit 2
fi
binary=$1
shift

root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/aws/moto.sh
source "$root/tests/aws/moto.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/wagtail-unit.XXXXXX") || exit 1
trap 'moto_stop; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! moto_start "$work" || ! moto_start_unchecked "$work"; then
	echo "unit: could not start moto_server (see above)"
	echo "unit: 0 passed, 1 failed"
	exit 1
fi

"$binary" "$@"
rc=$?
# The requests the unit tests sent through the strict AWS layer must be ones
# AWS takes (botocore's models); a violation fails the run.
strict_report --allow-none || { [ "$rc" -ne 0 ] || rc=1; }
exit "$rc"
