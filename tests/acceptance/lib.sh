# lib.sh: what every acceptance script shares. Sourced, after the script has
# set `root` (and, to differ from the defaults below, `binary` or
# `case_timeout`): pass/fail counting, a private filesystem mirror holding the
# provider, the real CLIs, a clean CLI environment and config, and helpers to
# run the current CLI (`$cli` in `$dir`).
#
# The CLIs (ACCEPTANCE_CLIS: names separated by spaces or commas; `both` is
# tofu and terraform, `all` (the default) every one available):
#   tofu            OpenTofu 1.12.x, built by setup-clis.sh (or TOFU_BIN)
#   terraform       Terraform 1.8.5, built by setup-clis.sh (or TERRAFORM_BIN)
#   terraform-1.11  a Terraform 1.11 or newer: $TERRAFORM_111_BIN, else
#                   /usr/local/bin/terraform (HashiCorp's release, where the
#                   machine has one); under `all` skipped with a note when there
#                   is none, asked for by name a failure
# Each case line reads `ok|FAIL <cli>-<version> <case>`. Inside a run,
# cli_name is the CLI's short name used in file and AWS resource names
# (tofu, terraform, terraform111: AWS and PostgreSQL names take no dots),
# cli_kind the family (tofu or terraform), cli_version its version.
# shellcheck shell=bash

version=${VERSION:-0.1.0}
binary=${binary:-${PROVIDER_BINARY:-$root/build/terraform-provider-wagtail_v$version}}
which_clis=${ACCEPTANCE_CLIS:-all}
case_timeout=${case_timeout:-${CASE_TIMEOUT:-180}}
python=${PYTHON:-python3}

passed=0
failed=0
cli_name=-
cli_label=-

summary() {
	echo "acceptance: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

ok() {
	echo "ok $cli_label $1"
	passed=$((passed + 1))
}

# notok CASE [FILE...]: report a failure with the tail of the given output files.
notok() {
	local name=$1 f
	shift
	echo "FAIL $cli_label $name"
	for f in "$@"; do
		[ -s "$f" ] || continue
		echo "    --- $(basename "$f") (last 60 lines)"
		tail -n 60 "$f" | sed -e $'s/\x1b\\[[0-9;]*m//g' -e 's/^/    | /'
	done
	failed=$((failed + 1))
}

# note TEXT: explanation printed under a failure.
note() { echo "    $*"; }

# wanted_clis: the CLIs asked for, in the order they run; a CLI named
# explicitly must be there, one that `all` brings may be skipped.
wanted_clis=() explicit_111=
for word in ${which_clis//,/ }; do
	case "$word" in
	tofu | terraform) wanted_clis+=("$word") ;;
	terraform-1.11) wanted_clis+=("$word") explicit_111=1 ;;
	both) wanted_clis+=(tofu terraform) ;;
	all) wanted_clis+=(tofu terraform terraform-1.11) ;;
	*)
		echo "ACCEPTANCE_CLIS takes tofu, terraform, terraform-1.11, both or all (or a list of them), not '$which_clis'" >&2
		exit 2
		;;
	esac
done
if [ ${#wanted_clis[@]} = 0 ]; then
	echo "ACCEPTANCE_CLIS names no CLI" >&2
	exit 2
fi
# without repeats, in the order first named
mapfile -t wanted_clis < <(printf '%s\n' "${wanted_clis[@]}" | awk '!seen[$0]++')
wants_cli() { [[ " ${wanted_clis[*]} " == *" $1 "* ]]; }

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
terraform_111_bin=
need_setup=
! wants_cli tofu || [ -n "$tofu_bin" ] || need_setup=1
! wants_cli terraform || [ -n "$terraform_bin" ] || need_setup=1
if [ -n "$need_setup" ]; then
	if ! "$root/tests/acceptance/setup-clis.sh" >"$work/clis.out" 2>"$work/clis.err"; then
		notok setup-clis "$work/clis.err"
		summary
		exit 1
	fi
	tofu_bin=${tofu_bin:-$(sed -n 1p "$work/clis.out")}
	terraform_bin=${terraform_bin:-$(sed -n 2p "$work/clis.out")}
fi

# cli_version_of, terraform_111_problem
. "$root/tests/acceptance/clis.sh"

# The third CLI: a Terraform 1.11 or newer, $TERRAFORM_111_BIN or the
# machine's /usr/local/bin/terraform, and not the binary that is already the
# `terraform` CLI. Absent: skipped with a note, unless named explicitly.
if wants_cli terraform-1.11; then
	candidate=${TERRAFORM_111_BIN:-/usr/local/bin/terraform}
	why=$(terraform_111_problem "$candidate" "$terraform_bin")
	[ -n "$why" ] || terraform_111_bin=$candidate
	if [ -n "$why" ]; then
		if [ -n "$explicit_111" ] || [ -n "${TERRAFORM_111_BIN:-}" ]; then
			notok find-terraform-1.11
			note "ACCEPTANCE_CLIS or TERRAFORM_111_BIN asks for Terraform 1.11 or newer, but $why"
		else
			echo "acceptance: note: terraform-1.11 skipped: $why (set TERRAFORM_111_BIN to a Terraform 1.11 or newer)"
		fi
		mapfile -t wanted_clis < <(printf '%s\n' "${wanted_clis[@]}" | grep -vx terraform-1.11)
	fi
	unset candidate why
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

# use_cli NAME: makes NAME (tofu, terraform or terraform-1.11) the current
# CLI: cli (its binary), cli_name, cli_kind, cli_version, cli_label and host
# (its registry host). False when its version cannot be read.
use_cli() {
	local kind found_version
	case "$1" in
	tofu) cli=$tofu_bin cli_name=tofu host=registry.opentofu.org ;;
	terraform) cli=$terraform_bin cli_name=terraform host=registry.terraform.io ;;
	terraform-1.11) cli=$terraform_111_bin cli_name=terraform111 host=registry.terraform.io ;;
	esac
	read -r kind found_version < <(cli_version_of "$cli")
	cli_kind=${kind:-?} cli_version=${found_version:-?}
	cli_label=$cli_name-$cli_version
	[ "$cli_name" = terraform111 ] && cli_label=terraform-$cli_version
	[ -n "${kind:-}" ]
}

# The CLIs of this run, each named with its version (before any case runs).
clis_line=
for word in "${wanted_clis[@]}"; do
	if use_cli "$word"; then
		clis_line="$clis_line $cli_label ($cli)"
	else
		notok "cli-version-$word"
		note "'$cli version' names no OpenTofu or Terraform version"
	fi
done
echo "acceptance: CLIs:${clis_line:- none}"
cli_name=- cli_label=-
unset clis_line word

# for_each_cli FUNCTION: runs FUNCTION once per CLI asked for (ACCEPTANCE_CLIS)
# and found, with the current CLI set (use_cli).
for_each_cli() {
	local name
	for name in "${wanted_clis[@]}"; do
		use_cli "$name" || continue
		"$1"
	done
	cli_name=- cli_label=-
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


# refresh_only_exit OUT: `plan -refresh-only -detailed-exitcode` in the working
# dir, output to OUT; prints 0 when nothing changed outside the CLI, 2 when
# something did, else the CLI's failing exit code.
# Terraform 1.10 to 1.14 decide a refresh-only plan's exit code by comparing
# the refreshed state with the prior one as they hold them in memory, where a
# number the provider read back and the same number read from the state file
# differ in precision: any resource with a number attribute exits 2 under
# "No changes." (Terraform 1.15 compares the values themselves). On those
# versions an exit 2 is read again from the saved plan: 0 only when its JSON
# shows no resource drift, no resource change and no output change.
refresh_only_exit() {
	local out=$1 rc
	rm -f "$dir/refresh-only.tfplan"
	tf "$out" plan -refresh-only -detailed-exitcode -no-color -input=false -out=refresh-only.tfplan
	rc=$?
	if [ "$rc" = 2 ] && [ "$cli_kind" = terraform ] && [[ $cli_version =~ ^1\.1[0-4]\. ]]; then
		if (cd "$dir" && timeout -k 10 "$case_timeout" "$cli" show -json refresh-only.tfplan) >"$out.json" 2>>"$out" &&
			"$python" - "$out.json" >>"$out" 2>&1 <<'PY'; then
import json, sys
plan = json.load(open(sys.argv[1]))
drift = [c["address"] for c in plan.get("resource_drift") or []]
changes = [c["address"] for c in plan.get("resource_changes") or [] if c["change"]["actions"] != ["no-op"]]
outputs = [k for k, c in (plan.get("output_changes") or {}).items() if c["actions"] != ["no-op"]]
if drift or changes or outputs or plan.get("errored"):
    print("saved refresh-only plan: drift", drift, "changes", changes, "outputs", outputs)
    sys.exit(1)
print("exit 2 under Terraform %s; its saved plan shows no drift, no change: counted as 0" % plan["terraform_version"])
PY
			rc=0
		fi
	fi
	rm -f "$dir/refresh-only.tfplan"
	echo "$rc"
}
