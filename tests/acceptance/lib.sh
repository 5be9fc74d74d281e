# lib.sh: what every acceptance script shares. Sourced, after the script has
# set `root` (and, to differ from the defaults below, `binary` or
# `case_timeout`): pass/fail counting, a private filesystem mirror holding the
# provider, the two real CLIs (setup-clis.sh), a clean CLI environment and
# config, and helpers to run the current CLI (`$cli` in `$dir`).
# shellcheck shell=bash

version=${VERSION:-0.1.0}
binary=${binary:-${PROVIDER_BINARY:-$root/build/terraform-provider-wagtail_v$version}}
which_clis=${ACCEPTANCE_CLIS:-both}
case_timeout=${case_timeout:-${CASE_TIMEOUT:-180}}
python=${PYTHON:-python3}

passed=0
failed=0
cli_name=-

summary() {
	echo "acceptance: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

ok() {
	echo "ok $cli_name $1"
	passed=$((passed + 1))
}

# notok CASE [FILE...]: report a failure with the tail of the given output files.
notok() {
	local name=$1 f
	shift
	echo "FAIL $cli_name $name"
	for f in "$@"; do
		[ -s "$f" ] || continue
		echo "    --- $(basename "$f") (last 60 lines)"
		tail -n 60 "$f" | sed -e $'s/\x1b\\[[0-9;]*m//g' -e 's/^/    | /'
	done
	failed=$((failed + 1))
}

# note TEXT: explanation printed under a failure.
note() { echo "    $*"; }

case "$which_clis" in
tofu | terraform | both) ;;
*)
	echo "ACCEPTANCE_CLIS must be tofu, terraform or both, not '$which_clis'" >&2
	exit 2
	;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/wagtail-acceptance.XXXXXX")
cleanup() {
	if [ -n "${KEEP_WORKDIR:-}" ]; then
		echo "acceptance: work directory kept at $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# ---------------------------------------------------------------------------
# Provider into a private mirror
# ---------------------------------------------------------------------------
if [ ! -x "$binary" ]; then
	notok install-provider
	note "provider binary $binary not found; run make first"
	summary
	exit 1
fi
mirror=$work/mirror
if ! MIRROR=$mirror "$root/build.sh" install "$binary" "$version" >"$work/install.out" 2>&1; then
	notok install-provider "$work/install.out"
	summary
	exit 1
fi

# ---------------------------------------------------------------------------
# The CLIs (built once and cached by setup-clis.sh)
# ---------------------------------------------------------------------------
tofu_bin=${TOFU_BIN:-}
terraform_bin=${TERRAFORM_BIN:-}
need_setup=
[ "$which_clis" = terraform ] || [ -n "$tofu_bin" ] || need_setup=1
[ "$which_clis" = tofu ] || [ -n "$terraform_bin" ] || need_setup=1
if [ -n "$need_setup" ]; then
	if ! "$root/tests/acceptance/setup-clis.sh" >"$work/clis.out" 2>"$work/clis.err"; then
		notok setup-clis "$work/clis.err"
		summary
		exit 1
	fi
	tofu_bin=${tofu_bin:-$(sed -n 1p "$work/clis.out")}
	terraform_bin=${terraform_bin:-$(sed -n 2p "$work/clis.out")}
fi

# ---------------------------------------------------------------------------
# A clean CLI environment
# ---------------------------------------------------------------------------
unset TF_PLUGIN_CACHE_DIR TF_DATA_DIR TF_WORKSPACE TF_REATTACH_PROVIDERS TF_LOG TF_LOG_PATH \
	TF_LOG_CORE TF_LOG_PROVIDER TF_DISABLE_PLUGIN_TLS TF_CLI_ARGS TF_CLI_ARGS_init \
	TF_CLI_ARGS_plan TF_CLI_ARGS_apply TF_CLI_ARGS_validate TF_CLI_ARGS_output \
	TF_PROVIDER_DEVELOPMENT_OVERRIDES
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=$work/cli.tfrc

# No plugin_cache_dir here and TF_PLUGIN_CACHE_DIR unset: the plugin cache stays off.
"$root/build.sh" cli-config "$mirror" >"$TF_CLI_CONFIG_FILE"

# for_each_cli FUNCTION: runs FUNCTION once per CLI asked for (ACCEPTANCE_CLIS),
# with cli_name, cli (its binary) and host (its registry host) set.
for_each_cli() {
	for cli_name in tofu terraform; do
		[ "$which_clis" = both ] || [ "$which_clis" = "$cli_name" ] || continue
		if [ "$cli_name" = tofu ]; then
			cli=$tofu_bin host=registry.opentofu.org
		else
			cli=$terraform_bin host=registry.terraform.io
		fi
		"$1"
	done
	cli_name=-
}

# tf OUT ARGS...: run the current CLI in the working dir, stdout+stderr to OUT.
tf() {
	local out=$1
	shift
	(cd "$dir" && timeout -k 10 "$case_timeout" "$cli" "$@") >"$out" 2>&1
}

# crashed FILE...: true when an output shows the provider died or never answered.
# What a CLI's output or debug log shows when a provider died or never
# answered: its own messages for a crash or a hung plugin, a call cut off
# (Unavailable), and go-plugin's note of a process that exited with an
# error or a signal ("plugin process exited: ... error=..."; a clean exit
# has no error field). One Unavailable is not a crash: go-plugin's warning
# that the Shutdown call's answer was cut short by the exit it asked for.
crash_signs='plugin crashed|Plugin did not respond|panic|rpc error: code = Unavailable|failed to instantiate provider|timeout while waiting for plugin to start|plugin process exited:.*error='
crashed() {
	grep -iE "$crash_signs" "$@" | grep -qv 'error closing client during Kill'
}

