#!/usr/bin/env bash
# Acceptance tests of ephemeral resources and write-only attributes with the
# real CLIs against a real moto server that checks every SigV4 signature.
#
# On a CLI that has both (OpenTofu 1.11 or later, Terraform 1.11 or later),
# one run opens wagtail_ssm_parameter (a SecureString put into moto),
# wagtail_random_password and wagtail_rds_auth_token and feeds each value
# into a write-only attribute of wagtail_test_write_only, two of them in a
# nested block. That resource, in test builds only
# (tests/resources/test_write_only.c), writes the values its plan hook and its
# create got into files beside the config, so the test knows each secret
# the provider saw; then it looks for every one of them in
# terraform.tfstate, in a saved plan (the file, its unpacked members and
# `show -json`) and in the TF_LOG=trace logs and outputs of the plan and
# the apply: none may be there. The values must have reached the provider
# at plan and at apply, the second plan must be empty (a write-only value is
# never compared), and the served schema must say write_only (and
# sensitive for the ephemeral results). A parameter that does not exist fails the plan naming it.
# The same run configures a second provider whose secret key is an
# ephemeral value (an IAM user's key put into SSM, nowhere else): its
# calls are signed with it, and the key too is in no state, plan or log.
# A real wagtail_ssm_parameter takes the password as value_wo: SSM holds
# it, the state does not, and a raised value_wo_version sends a new one.
#
# On an older CLI (Terraform 1.8) both are refused before anything runs: an
# `ephemeral` block is a configuration error of the CLI's own, and a
# write-only attribute set in the config gets the provider's error naming
# the attribute and the CLI versions that keep it out of state (such a CLI
# sends no write_only_attributes_allowed); no state is written.
#
#   tests/acceptance/ephemeral.sh
#
# Environment: as tests/acceptance/cli.sh (ACCEPTANCE_CLIS, PROVIDER_BINARY,
# VERSION, CASE_TIMEOUT, TOFU_BIN, TERRAFORM_BIN, KEEP_WORKDIR), plus
# TEST_PROVIDER_BINARY: a provider built with -DWAGTAIL_TEST_RESOURCES. Unset,
# one is built from this tree (make, incrementally) in PROVIDER_BINARY's
# build directory with `-test-resources` appended.
# Ends with `ephemeral: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
stage_name=ephemeral
version=${VERSION:-0.1.0}

# The provider under test, with wagtail_test_write_only in it.
if [ -z "${TEST_PROVIDER_BINARY:-}" ]; then
	shipped=${PROVIDER_BINARY:-$root/build/terraform-provider-wagtail_v$version}
	test_build=$(dirname "$shipped")-test-resources
	TEST_PROVIDER_BINARY=$test_build/terraform-provider-wagtail_v$version
	build_log=$(mktemp)
	if ! make -C "$root" --no-print-directory -j2 BUILD="$test_build" VERSION="$version" \
		CFLAGS="-O2 -g -DWAGTAIL_TEST_RESOURCES" "$TEST_PROVIDER_BINARY" >"$build_log" 2>&1; then
		echo "FAIL - build-test-provider"
		tail -n 30 "$build_log" | sed 's/^/    | /'
		rm -f "$build_log"
		echo "$stage_name: 0 passed, 1 failed"
		exit 1
	fi
	rm -f "$build_log"
fi
binary=$TEST_PROVIDER_BINARY

# shellcheck source=tests/acceptance/aws_lib.sh
source "$root/tests/acceptance/aws_lib.sh"

# The current CLI's family and version from its own `version`: "tofu 1 12".
cli_release() {
	TF_CLI_CONFIG_FILE=/dev/null "$cli" version 2>/dev/null | sed -n -E \
		-e '1s/^OpenTofu v([0-9]+)\.([0-9]+)\..*/tofu \1 \2/p' \
		-e '1s/^Terraform v([0-9]+)\.([0-9]+)\..*/terraform \1 \2/p'
}

# at_least MAJOR MINOR WANT_MAJOR WANT_MINOR
at_least() { [ "$1" -gt "$3" ] || { [ "$1" = "$3" ] && [ "$2" -ge "$4" ]; }; }

# main_tf SSM_NAME [VERSION]: each ephemeral value into a write-only
# attribute; the password also into a real SecureString's value_wo, whose
# value_wo_version is VERSION (default 1); and a second provider
# configuration whose secret key is an ephemeral value read from SSM, which
# makes a parameter of its own.
main_tf() {
	cat <<EOF
ephemeral "wagtail_ssm_parameter" "secret_key" {
  name = "$1-secret-key"
}

provider "wagtail" {
  alias      = "keyed_ephemerally"
  region     = "eu-west-1"
  access_key = "$second_key_id"
  secret_key = ephemeral.wagtail_ssm_parameter.secret_key.value
  endpoints {
    ssm = "$MOTO_ENDPOINT"
    sts = "$MOTO_ENDPOINT"
  }
}

resource "wagtail_ssm_parameter" "keyed_ephemerally" {
  provider = wagtail.keyed_ephemerally
  name     = "$1-keyed-ephemerally"
  type     = "String"
  value    = "made with a key from an ephemeral value"
}

resource "wagtail_ssm_parameter" "written" {
  name             = "$1-written"
  type             = "SecureString"
  value_wo         = ephemeral.wagtail_random_password.db.result
  value_wo_version = ${2:-1}
}

ephemeral "wagtail_ssm_parameter" "db" {
  name = "$1"
}

ephemeral "wagtail_random_password" "db" {
  length  = 32
  special = false
}

ephemeral "wagtail_rds_auth_token" "app" {
  hostname = "db.cluster-acc.eu-west-1.rds.amazonaws.com"
  username = "app_user"
}

resource "wagtail_test_write_only" "main" {
  name              = "main"
  sink              = "\${path.module}/sink"
  secret_wo         = ephemeral.wagtail_ssm_parameter.db.value
  secret_wo_version = 1
  item {
    label     = "password"
    secret_wo = ephemeral.wagtail_random_password.db.result
  }
  item {
    label     = "token"
    secret_wo = ephemeral.wagtail_rds_auth_token.app.token
  }
}
EOF
}

# sink_values FILE: every value a sink file holds, one a line, nulls left out.
sink_values() { sed -n 's/^[^=]*=//p' "$1" | grep -vx '<null>' | sort -u; }

# no_secret_in NAME SECRETS FILE...: no line of the file SECRETS appears in
# any FILE (read as bytes).
no_secret_in() {
	local name=$1 secrets=$2 hits
	shift 2
	if [ ! -s "$secrets" ]; then
		notok "$name"
		note "no secrets to look for: the check would prove nothing"
		return
	fi
	hits=$(grep -aFl -f "$secrets" -- "$@" 2>/dev/null)
	if [ -z "$hits" ]; then ok "$name"; else
		notok "$name"
		note "a secret appears in: $hits"
	fi
}

opened_and_hidden() {
	local out=$work/$cli_name-plan.out secrets=$work/$cli_name-secrets plan_files=$work/$cli_name-plan-files
	local planned_ssm applied_ssm password token
	if TF_LOG=trace TF_LOG_PATH=$work/$cli_name-plan.log tf "$out" plan -no-color -input=false -out=tfplan; then
		ok plan-saved
	else
		notok plan-saved "$out"
		return 1
	fi
	tf "$work/$cli_name-show.json" show -json tfplan
	if grep -q '"wagtail_test_write_only"' "$work/$cli_name-show.json"; then ok plan-shown-as-json; else
		notok plan-shown-as-json "$work/$cli_name-show.json"
	fi
	mkdir -p "$plan_files"
	"$python" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
		"$dir/tfplan" "$plan_files"

	out=$work/$cli_name-apply.out
	if TF_LOG=trace TF_LOG_PATH=$work/$cli_name-apply.log tf "$out" apply -no-color -input=false tfplan; then
		ok apply-saved-plan
	else
		notok apply-saved-plan "$out"
		return 1
	fi

	# What the provider saw: the SSM secret at plan and at apply; a
	# password and a token of their own at each.
	planned_ssm=$(sed -n 's/^secret_wo=//p' "$dir/sink.plan" | sort -u)
	applied_ssm=$(sed -n 's/^secret_wo=//p' "$dir/sink")
	password=$(sed -n 's/^item\[0\]\.secret_wo=//p' "$dir/sink")
	token=$(sed -n 's/^item\[1\]\.secret_wo=//p' "$dir/sink")
	if [ "$planned_ssm" = "$ssm_secret" ]; then ok ssm-value-reached-plan; else
		notok ssm-value-reached-plan "$dir/sink.plan"
	fi
	if [ "$applied_ssm" = "$ssm_secret" ]; then ok ssm-value-reached-apply; else
		notok ssm-value-reached-apply "$dir/sink"
	fi
	if [[ $password =~ ^[A-Za-z0-9]{32}$ ]]; then ok password-reached-apply-in-nested-block; else
		notok password-reached-apply-in-nested-block "$dir/sink"
	fi
	if [[ $token == "db.cluster-acc.eu-west-1.rds.amazonaws.com:5432/?Action=connect&DBUser=app_user&"*X-Amz-Signature=* ]]; then
		ok token-reached-apply-in-nested-block
	else
		notok token-reached-apply-in-nested-block "$dir/sink"
	fi

	{ sink_values "$dir/sink.plan"; sink_values "$dir/sink"; echo "$second_key_secret"; } | sort -u >"$secrets"
	# The SSM value, a password from the plan and another from the apply,
	# and a token (two tokens signed in the same second are one).
	if [ "$(wc -l <"$secrets")" -ge 5 ]; then ok secrets-collected; else
		notok secrets-collected "$secrets"
		note "want the SSM value, two passwords (plan and apply), a token and the second secret key"
	fi
	if grep -q '"secret_wo": null' "$dir/terraform.tfstate"; then ok state-holds-null-write-only; else
		notok state-holds-null-write-only "$dir/terraform.tfstate"
	fi
	no_secret_in no-secret-in-state "$secrets" "$dir/terraform.tfstate"
	local members=()
	mapfile -t members < <(find "$plan_files" -type f)
	if [ ${#members[@]} -gt 0 ]; then
		no_secret_in no-secret-in-saved-plan "$secrets" "$dir/tfplan" "${members[@]}"
	else
		notok no-secret-in-saved-plan
		note "the saved plan unpacked into no files"
	fi
	no_secret_in no-secret-in-plan-json "$secrets" "$work/$cli_name-show.json"
	if grep -q 'terraform-provider-wagtail' "$work/$cli_name-plan.log" &&
		grep -q 'OpenEphemeralResource' "$work/$cli_name-apply.log"; then
		no_secret_in no-secret-in-trace-logs "$secrets" "$work/$cli_name-plan.log" "$work/$cli_name-apply.log" \
			"$work/$cli_name-plan.out" "$work/$cli_name-apply.out"
	else
		notok no-secret-in-trace-logs "$work/$cli_name-apply.log"
		note "the trace logs show no provider lines or no OpenEphemeralResource: the check would prove nothing"
	fi
	# The provider configured from an ephemeral value signed its calls
	# with that key: its parameter exists.
	if check parameter-holds "$ssm_name-keyed-ephemerally" "made with a key from an ephemeral value" \
		>"$work/$cli_name-keyed.out" 2>&1; then
		ok provider-configured-from-ephemeral-value
	else
		notok provider-configured-from-ephemeral-value "$work/$cli_name-keyed.out"
	fi
	# The real resource: SSM holds the password the apply opened, the
	# state does not (the secrets above include it).
	if check parameter-holds "$ssm_name-written" "$password" >"$work/$cli_name-written.out" 2>&1; then
		ok value-wo-reached-ssm
	else
		notok value-wo-reached-ssm "$work/$cli_name-written.out"
	fi
	if "$python" - "$dir/terraform.tfstate" <<'PY'; then ok ssm-state-holds-no-value; else notok ssm-state-holds-no-value "$dir/terraform.tfstate"; fi
import json, sys
state = json.load(open(sys.argv[1]))
written = [r for r in state["resources"]
           if r["type"] == "wagtail_ssm_parameter" and r["name"] == "written"][0]["instances"][0]["attributes"]
assert written["value_wo"] is None and written["value"] is None, written
assert written["value_wo_version"] == 1, written
PY
	# New values on every run, and still nothing to change.
	no_changes second-plan-empty
	# A raised version sends the value again: a new password in SSM, and
	# still none in the state.
	local sent_before sent_after
	sent_before=$(check parameter-value "$ssm_name-written" 2>/dev/null)
	main_tf "$ssm_name" 2 >"$dir/main.tf"
	out=$work/$cli_name-bump.out
	if tf "$out" apply -no-color -auto-approve -input=false; then ok version-bump-applied; else
		notok version-bump-applied "$out"
	fi
	sent_after=$(check parameter-value "$ssm_name-written" 2>/dev/null)
	if [[ $sent_after =~ ^[A-Za-z0-9]{32}$ ]] && [ "$sent_after" != "$sent_before" ]; then
		ok version-bump-sent-a-new-value
	else
		notok version-bump-sent-a-new-value
		note "SSM held '${sent_before:0:4}...' before and '${sent_after:0:4}...' after"
	fi
	printf '%s\n' "$sent_after" >>"$secrets"
	no_secret_in no-new-secret-in-state "$secrets" "$dir/terraform.tfstate"
	no_changes plan-after-bump-empty
}

schema_says_so() {
	local out=$work/$cli_name-schema.json
	tf "$out" providers schema -json
	if "$python" - "$out" <<'PY'; then ok schema-write-only-and-ephemeral; else notok schema-write-only-and-ephemeral; fi
import json, sys
text = open(sys.argv[1]).read()
doc = json.loads(text[text.index("{"):])
provider = next(iter(doc["provider_schemas"].values()))
block = provider["resource_schemas"]["wagtail_test_write_only"]["block"]
assert block["attributes"]["secret_wo"].get("write_only") is True, "secret_wo is not write_only"
assert block["block_types"]["item"]["block"]["attributes"]["secret_wo"].get("write_only") is True, "item.secret_wo"
ephemeral = provider.get("ephemeral_resource_schemas", {})
for name, secret in [("wagtail_ssm_parameter", "value"), ("wagtail_random_password", "result"),
                     ("wagtail_rds_auth_token", "token")]:
    assert ephemeral[name]["block"]["attributes"][secret].get("sensitive") is True, name
PY
}

missing_parameter() {
	local out=$work/$cli_name-missing.out
	main_tf "/acc/$cli_name/never-made" >"$dir/main.tf"
	if ! tf "$out" plan -no-color -input=false && grep -q 'ParameterNotFound' "$out"; then
		ok missing-parameter-fails-plan
	else
		notok missing-parameter-fails-plan "$out"
	fi
	main_tf "$ssm_name" >"$dir/main.tf"
}

destroy_all() {
	local out=$work/$cli_name-destroy.out
	expect destroy "$out" tf "$out" destroy -no-color -auto-approve -input=false
}

# An older CLI: both refused, nothing stored.
refused() {
	local out=$work/$cli_name-ephemeral-refused.out
	if ! tf "$out" validate -no-color && grep -q 'Blocks of type "ephemeral" are not expected here' "$out"; then
		ok ephemeral-block-refused-by-cli
	else
		notok ephemeral-block-refused-by-cli "$out"
	fi
	cat >"$dir/main.tf" <<EOF
resource "wagtail_test_write_only" "main" {
  name      = "main"
  sink      = "\${path.module}/sink"
  secret_wo = "literal-$ssm_secret"
  item {
    label     = "nested"
    secret_wo = "nested-$ssm_secret"
  }
}

resource "wagtail_ssm_parameter" "written" {
  name             = "$ssm_name-written"
  type             = "SecureString"
  value_wo         = "real-$ssm_secret"
  value_wo_version = 1
}
EOF
	out=$work/$cli_name-write-only-refused.out
	if ! tf "$out" apply -no-color -auto-approve -input=false &&
		[ "$(grep -c 'Write-only attribute needs a newer CLI' "$out")" = 3 ] &&
		grep -q 'Terraform 1.11 or later and OpenTofu 1.11' "$out" &&
		grep -q 'main.tf line 4' "$out" && grep -q 'main.tf line 7' "$out" && grep -q 'main.tf line 14' "$out"; then
		ok write-only-refused-naming-attribute-and-versions
	else
		notok write-only-refused-naming-attribute-and-versions "$out"
	fi
	if [ ! -e "$dir/terraform.tfstate" ] && [ ! -e "$dir/sink" ] && [ ! -e "$dir/sink.plan" ]; then
		ok nothing-stored-or-sent
	else
		notok nothing-stored-or-sent
		note "a state or a sink was written: $(ls "$dir")"
	fi
}

run_cli() {
	local out=$work/$cli_name-init.out kind major minor
	read -r kind major minor < <(cli_release)
	dir=$work/$cli_name
	mkdir -p "$dir"
	ssm_name=/acc/$cli_name/db-password
	ssm_secret=ssm-$cli_name-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	if ! check put-parameter "$ssm_name" "$ssm_secret" >"$work/$cli_name-put.out" 2>&1; then
		notok put-parameter "$work/$cli_name-put.out"
		return
	fi
	# A key of its own for the provider configured from an ephemeral
	# value: it appears nowhere but in SSM.
	read -r second_key_id second_key_secret < <(check new-user-key "acc-ephemeral-$cli_name" 2>"$work/$cli_name-key.out")
	if [ -z "${second_key_secret:-}" ] ||
		! check put-parameter "$ssm_name-secret-key" "$second_key_secret" >>"$work/$cli_name-key.out" 2>&1; then
		notok second-access-key-in-ssm "$work/$cli_name-key.out"
		return
	fi
	provider_block >"$dir/provider.tf"
	if tf "$out" init -no-color -input=false; then ok init; else notok init "$out"; return; fi
	main_tf "$ssm_name" >"$dir/main.tf"
	if [ -z "${kind:-}" ]; then
		notok cli-version
		note "'$cli version' names no OpenTofu or Terraform version"
		return
	fi
	if at_least "$major" "$minor" 1 11; then
		schema_says_so
		opened_and_hidden || return
		missing_parameter
		destroy_all
	else
		echo "note: $kind $major.$minor has neither ephemeral resources (Terraform 1.10, OpenTofu 1.11) nor" \
			"write-only attributes (Terraform 1.11, OpenTofu 1.11): checking that it refuses both"
		refused
	fi
}

for_each_cli run_cli
finish
