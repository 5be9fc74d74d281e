#!/usr/bin/env bash
# The state-upgrade stage: states written by release 0.1.0 of the provider
# (tests/data/states-0.1.0, made by its capture.sh) are carried over by
# today's provider and plan with no changes, on each CLI.
#
# For each CLI, each stored state written under that CLI's registry host is
# copied with its main.tf into a fresh working dir and initialised with
# today's provider ($PROVIDER_BINARY). Then:
#   - plan -refresh=false -detailed-exitcode exits 0: no changes;
#   - the provider's own log (TF_LOG=trace) names an upgrade of each
#     resource type's state, from the schema version the state holds, at
#     least once per instance;
#   - the plan's prior state (what UpgradeResourceState answered) holds every
#     stored instance with the same values, and attributes added since 0.1.0
#     are null (they fill in at the next refresh);
#   - a state whose log group says another retention than main.tf plans
#     exactly that change, in place, and nothing else;
#   - a state holding the retention under another name (a rename without an
#     upgrader) plans setting it again, that alone.
# And, once per stored state: every managed resource type that
# resources/registry.def registers has an instance in it, except the ones
# listed below as added after 0.1.0 (which must not be in it). A resource type
# added later is either captured or listed there.
#
# moto runs behind the strict AWS layer (aws_lib.sh): ConfigureProvider asks
# STS for the account id, which plans use (iam_db_user's connect ARN); with
# -refresh=false nothing else reaches AWS or PostgreSQL.
#
#   tests/acceptance/state_upgrade.sh
#
# Environment: as tests/acceptance/cli.sh (ACCEPTANCE_CLIS, PROVIDER_BINARY,
# VERSION, CASE_TIMEOUT, TOFU_BIN, TERRAFORM_BIN, KEEP_WORKDIR), plus
# STATE_UPGRADE_FIXTURES (default tests/data/states-0.1.0).
# Ends with `state-upgrade: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
stage_name=state-upgrade
fixtures=${STATE_UPGRADE_FIXTURES:-$root/tests/data/states-0.1.0}

# Managed resource types added after 0.1.0: not in its states.
added_after_0_1_0=(cloudwatch_log_subscription)

# shellcheck source=tests/acceptance/aws_lib.sh
source "$root/tests/acceptance/aws_lib.sh"

state_check() { "$python" "$root/tests/acceptance/state_upgrade_check.py" "$@"; }

# The managed resource types resources/registry.def registers in the
# provider as built (test-only ones sit under an #ifdef the build leaves off).
registered_types() {
	printf '#define RESOURCE(x) wagtail_resource_type x\n#define DATA_SOURCE(x)\n#define EPHEMERAL(x)\n#include "registry.def"\n' |
		cpp -P -I "$root/resources" - | grep -o 'wagtail_resource_type [a-z0-9_]*' | sed 's/^wagtail_resource_type /wagtail_/'
}

# The stored states: FIXTURE/terraform.tfstate beside FIXTURE/main.tf.
stored=()
for f in "$fixtures"/*/terraform.tfstate; do
	[ -f "$f" ] && [ -f "$(dirname "$f")/main.tf" ] && stored+=("$(dirname "$f")")
done
if [ ${#stored[@]} -eq 0 ]; then
	notok stored-states
	note "no */terraform.tfstate with its main.tf in $fixtures (tests/data/states-0.1.0/capture.sh writes them)"
	finish
	exit 1
fi

# Every registered type but the newer ones has an instance in each stored
# state; the newer ones are registered and absent.
coverage() {
	local fixture name out=$work/coverage.out t
	local -a registered older=() newer=()
	mapfile -t registered < <(registered_types)
	for t in "${registered[@]}"; do
		case " ${added_after_0_1_0[*]} " in *" ${t#wagtail_} "*) newer+=("$t") ;; *) older+=("$t") ;; esac
	done
	if [ ${#registered[@]} -lt 2 ] || [ ${#newer[@]} -ne ${#added_after_0_1_0[@]} ]; then
		notok registry-read
		note "registry.def gave [${registered[*]}]; the types listed as added after 0.1.0 [${added_after_0_1_0[*]}] must all be among them"
		return
	fi
	ok "registry-read (${#older[@]} types of 0.1.0, ${#newer[@]} added after)"
	for fixture in "${stored[@]}"; do
		name=$(basename "$fixture")
		if state_check covers "$fixture/terraform.tfstate" "${older[@]}" >"$out" 2>&1; then
			ok "$name-state-has-every-0.1.0-resource-type"
		else
			notok "$name-state-has-every-0.1.0-resource-type" "$out"
			note "capture them (tests/data/states-0.1.0/capture.sh), or list a type added after 0.1.0 in added_after_0_1_0"
		fi
		if state_check absent "$fixture/terraform.tfstate" "${newer[@]}" >"$out" 2>&1; then
			ok "$name-state-lacks-the-newer-types"
		else
			notok "$name-state-lacks-the-newer-types" "$out"
		fi
	done
}

# in_copy NAME FIXTURE [STATE]: a fresh working dir with FIXTURE's main.tf and
# its state (or STATE), initialised with today's provider.
in_copy() {
	dir=$work/$cli_name-$1
	mkdir -p "$dir"
	cp "$2/main.tf" "$dir/main.tf"
	cp "${3:-$2/terraform.tfstate}" "$dir/terraform.tfstate"
	tf "$work/$cli_name-$1-init.out" init -no-color -input=false
}

export TF_VAR_aws_endpoint=$MOTO_ENDPOINT TF_VAR_aws_access_key=$MOTO_ACCESS_KEY TF_VAR_aws_secret_key=$MOTO_SECRET_KEY

# plan_saved OUT: plan -refresh=false -detailed-exitcode into plan.bin, its
# trace log to OUT.log and its JSON to OUT.json; prints the plan's exit code.
plan_saved() {
	local out=$1 rc
	TF_LOG=trace TF_LOG_PATH=$out.log tf "$out" plan -no-color -input=false -refresh=false -detailed-exitcode -out=plan.bin
	rc=$?
	tf "$out.json" show -json plan.bin || true
	echo "$rc"
}

upgrade_one() {
	local fixture=$1 name state out rc line changed addr old new
	name=$(basename "$fixture")
	state=$fixture/terraform.tfstate
	out=$work/$cli_name-$name-plan.out
	if in_copy "$name" "$fixture"; then ok "$name-init"; else
		notok "$name-init" "$work/$cli_name-$name-init.out"
		return
	fi
	rc=$(plan_saved "$out")
	if [ "$rc" = 0 ]; then ok "$name-plan-no-changes"; else
		notok "$name-plan-no-changes" "$out"
		note "plan -refresh=false -detailed-exitcode exited $rc, want 0 (no changes)"
	fi
	if line=$(state_check upgraded "$out.log" "$state" 2>&1); then ok "$name-provider-upgraded-each-type"; note "$line"; else
		notok "$name-provider-upgraded-each-type"
		note "$line"
	fi
	if crashed "$out" "$out.log"; then notok "$name-no-crash" "$out"; else ok "$name-no-crash"; fi
	if line=$(state_check same "$state" "$out.json" 2>&1); then ok "$name-upgraded-values-equal-stored"; note "$line"; else
		notok "$name-upgraded-values-equal-stored"
		note "$line"
	fi

	# The log group's retention in the state differs from main.tf's: the plan
	# shows that change and no other.
	out=$work/$cli_name-$name-altered.out
	line=
	if ! changed=$(state_check alter "$state" wagtail_log_group retention_in_days "$work/$cli_name-$name-altered.tfstate" 2>&1); then
		notok "$name-altered-retention-planned"
		note "could not alter the stored state: $changed"
	elif ! read -r addr old new <<<"$changed" ||
		! in_copy "$name-altered" "$fixture" "$work/$cli_name-$name-altered.tfstate"; then
		notok "$name-altered-retention-planned" "$work/$cli_name-$name-altered-init.out"
	else
		rc=$(plan_saved "$out")
		if [ "$rc" = 2 ] && grep -q "$addr will be updated in-place" "$out" &&
			grep -qE "retention_in_days += $new -> $old\$" "$out" &&
			grep -q 'Plan: 0 to add, 1 to change, 0 to destroy' "$out" &&
			line=$(state_check one-change "$out.json" "$addr" retention_in_days "$new" "$old" 2>&1); then
			ok "$name-altered-retention-planned"
			note "$line"
		else
			notok "$name-altered-retention-planned" "$out"
			note "plan exit $rc (want 2), want $addr's retention_in_days $new -> $old alone: ${line:-}"
		fi
	fi

	# A state that holds the retention under a name the schema does not have
	# (as a state from before a rename would, were there no upgrader): the
	# value is dropped, and the plan sets it again from main.tf. A renamed
	# attribute without an upgrader cannot pass the no-changes case above.
	out=$work/$cli_name-$name-renamed.out
	line=
	if ! changed=$(state_check rename "$state" wagtail_log_group retention_in_days retention_days "$work/$cli_name-$name-renamed.tfstate" 2>&1); then
		notok "$name-renamed-attribute-planned"
		note "could not rename the attribute in the stored state: $changed"
	elif ! read -r addr old <<<"$changed" ||
		! in_copy "$name-renamed" "$fixture" "$work/$cli_name-$name-renamed.tfstate"; then
		notok "$name-renamed-attribute-planned" "$work/$cli_name-$name-renamed-init.out"
	else
		rc=$(plan_saved "$out")
		if [ "$rc" = 2 ] && grep -q "$addr will be updated in-place" "$out" &&
			grep -qE "\+ retention_in_days += $old\$" "$out" &&
			line=$(state_check one-change "$out.json" "$addr" retention_in_days null "$old" 2>&1); then
			ok "$name-renamed-attribute-planned"
			note "$line"
		else
			notok "$name-renamed-attribute-planned" "$out"
			note "plan exit $rc (want 2), want $addr's retention_in_days null -> $old alone: ${line:-}"
		fi
	fi
}

upgrade_all() {
	local fixture n=0
	for fixture in "${stored[@]}"; do
		[ "$(state_check hosts "$fixture/terraform.tfstate")" = "$host" ] || continue
		n=$((n + 1))
		upgrade_one "$fixture"
	done
	if [ "$n" = 0 ]; then
		notok stored-state-for-$host
		note "no stored state in $fixtures was written under $host (capture.sh with this CLI writes one)"
	fi
}

coverage
for_each_cli upgrade_all
finish
