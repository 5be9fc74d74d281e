#!/usr/bin/env bash
# Acceptance tests of wagtail_log_group and wagtail_random_password: both real
# CLIs against a real moto server that checks every SigV4 signature, with the
# log group read back by boto3 (aws_check.py). The password needs no AWS call
# but runs in the same configurations, as a module would use it.
#
#   tests/acceptance/log_group.sh
#
# Environment: as tests/acceptance/cli.sh (ACCEPTANCE_CLIS, PROVIDER_BINARY,
# VERSION, CASE_TIMEOUT, TOFU_BIN, TERRAFORM_BIN, KEEP_WORKDIR).
# Ends with `log-group: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)

stage_name=log-group
# shellcheck source=tests/acceptance/aws_lib.sh
source "$root/tests/acceptance/aws_lib.sh"

# main_tf RETENTION TEAM KEEPER: RETENTION "" leaves retention_in_days unset.
main_tf() {
	cat <<EOF
resource "wagtail_log_group" "main" {
  name       = "$group"
  kms_key_id = "$kms_key"
  tags       = { Team = "$2" }
  ${1:+retention_in_days = $1}
}

resource "wagtail_random_password" "db" {
  length      = 20
  min_numeric = 2
  min_special = 2
  keepers     = { rotation = "$3" }
}

output "arn" {
  value = wagtail_log_group.main.arn
}

output "password_length" {
  value = length(nonsensitive(wagtail_random_password.db.result))
}

output "password" {
  value     = wagtail_random_password.db.result
  sensitive = true
}
EOF
}

password() { tf "$work/$cli_name-password.out" output -raw password && cat "$work/$cli_name-password.out"; }

# The password must not appear anywhere in the trace log: not in the
# provider's lines, nor in the CLI's own.
password_not_logged() {
	local log=$1 secret=$2
	if ! grep -q 'terraform-provider-wagtail' "$log"; then
		notok password-not-logged "$log"
		note "no provider log lines at all: the check would prove nothing"
	elif [ ${#secret} -ne 20 ]; then
		notok password-not-logged
		note "could not read the password back (got ${#secret} characters)"
	elif grep -qF -- "$secret" "$log"; then
		notok password-not-logged
		note "the password appears in the TF_LOG=trace log: $(grep -nF -- "$secret" "$log" | cut -c1-200 | head -3)"
	else
		ok password-not-logged
	fi
}

# The follow-up pages the strict AWS layer has served so far (AWS may answer
# a listing with an empty first page and a token; 0 without the layer).
pages_served() {
	[ -n "${STRICT_AWS_STATS_URL:-}" ] || { echo 0; return; }
	curl -fsS "$STRICT_AWS_STATS_URL" | "$python" -c 'import json, sys; print(json.load(sys.stdin).get("paged", 0))'
}

# A no-change plan refreshes the one log group with exactly two AWS calls
# (DescribeLogGroups once, plus once per follow-up page AWS made it ask for).
calls_per_plan() {
	local out=$work/$cli_name-calls.out log=$work/$cli_name-calls.log calls pages
	pages=$(pages_served)
	TF_LOG_PROVIDER=debug TF_LOG_PATH=$log tf "$out" plan -no-color -detailed-exitcode -input=false
	pages=$(($(pages_served) - pages))
	calls=$(grep 'AWS call: .*service=logs' "$log" | grep -o 'operation=[A-Za-z]*' | sort | uniq -c | tr -s ' ' | tr '\n' ';')
	if [ "$calls" = " $((1 + pages)) operation=DescribeLogGroups; 1 operation=ListTagsForResource;" ]; then
		ok two-calls-per-plan
	else
		notok two-calls-per-plan "$out"
		note "CloudWatch Logs calls in a no-change plan: '$calls'"
	fi
}

# planned NAME PATTERN...: a plan with changes whose output matches every
# extended regular expression PATTERN.
planned() {
	local name=$1 out=$work/$cli_name-$1.out rc pattern
	shift
	rc=$(plan_exit "$out")
	for pattern in "$@"; do
		grep -qE -- "$pattern" "$out" || rc="$rc, no line matches /$pattern/"
	done
	if [ "$rc" = 2 ]; then ok "$name"; else
		notok "$name" "$out"
		note "plan exit $rc"
	fi
}

create_and_check() {
	local out=$work/$cli_name-create.out aws=$work/$cli_name-create-aws.out
	if TF_LOG=trace TF_LOG_PATH=$work/$cli_name-create.log apply_ok "$out"; then ok create; else notok create "$out"; return 1; fi
	expect create-log-group-in-aws "$aws" check log-group "$group" 7 "$kms_key" "$tags1"
	tf "$out.arn" output -raw arn
	if [ "$(cat "$out.arn")" = "$(check log-group-arn "$group")" ]; then ok arn-without-streams-suffix; else
		notok arn-without-streams-suffix "$out.arn"
	fi
	tf "$out.len" output -raw password_length
	if [ "$(cat "$out.len")" = 20 ]; then ok password-length; else notok password-length "$out.len"; fi
	old_password=$(password)
	password_not_logged "$work/$cli_name-create.log" "$old_password"
	no_changes second-plan-no-changes
	calls_per_plan
}

update_in_place() {
	local out=$work/$cli_name-update.out
	main_tf 14 web 1 >"$dir/main.tf"
	planned update-planned-in-place 'wagtail_log_group.main will be updated in-place' '0 to add, 1 to change, 0 to destroy'
	expect update-apply "$out" apply_ok "$out"
	expect update-log-group-in-aws "$out.aws" check log-group "$group" 14 "$kms_key" "$tags2"
	if [ "$(password)" = "$old_password" ]; then ok password-kept; else notok password-kept; fi
	no_changes after-update-no-changes
	main_tf "" web 1 >"$dir/main.tf"
	out=$work/$cli_name-never-expire.out
	expect retention-removed "$out" apply_ok "$out"
	expect retention-removed-in-aws "$out.aws" check log-group "$group" none "$kms_key" "$tags2"
	no_changes never-expire-no-changes
	main_tf 14 web 1 >"$dir/main.tf"
	expect retention-back "$out" apply_ok "$out"
}

replace_password() {
	local out=$work/$cli_name-keepers.out new_password
	main_tf 14 web 2 >"$dir/main.tf"
	planned keepers-change-replaces 'wagtail_random_password.db must be replaced' '1 to add, 0 to change, 1 to destroy'
	expect keepers-apply "$out" apply_ok "$out"
	new_password=$(password)
	if [ ${#new_password} = 20 ] && [ "$new_password" != "$old_password" ]; then ok new-password; else
		notok new-password
	fi
	no_changes after-replace-no-changes
}

drift() {
	local out=$work/$cli_name-drift.out
	check delete-log-group "$group"
	planned drift-deleted-detected 'wagtail_log_group.main will be created'
	expect drift-deleted-repaired "$out" apply_ok "$out"
	expect drift-log-group-back "$out.aws" check log-group "$group" 14 "$kms_key" "$tags2"
	check put-retention "$group" 30
	planned drift-retention-detected 'wagtail_log_group.main will be updated in-place' 'retention_in_days += 30 -> 14'
	out=$work/$cli_name-drift-retention.out
	expect drift-retention-repaired "$out" apply_ok "$out"
	expect drift-retention-back "$out.aws" check log-group "$group" 14 "$kms_key" "$tags2"
	no_changes after-drift-no-changes
}

imports() {
	local out=$work/$cli_name-import.out
	check create-log-group "$group-imported" 5
	cat >"$dir/imports.tf" <<EOF
resource "wagtail_log_group" "imported" {
  name              = "$group-imported"
  retention_in_days = 5
}

import {
  to = wagtail_random_password.imported
  id = "Imported-passw0rd!"
}

resource "wagtail_random_password" "imported" {
  length = 18
}
EOF
	expect import-command "$out" tf "$out" import -no-color -input=false wagtail_log_group.imported "$group-imported"
	# The imported group takes the default tags; the imported password is kept.
	planned import-planned '1 to import, 0 to add, 1 to change, 0 to destroy'
	out=$work/$cli_name-import-block.out
	expect import-block-apply "$out" apply_ok "$out"
	no_changes after-import-no-changes
	expect imported-log-group-kept "$out.aws" check log-group "$group-imported" 5 none '{"ManagedBy": "wagtail-acceptance"}'
	out=$work/$cli_name-import-state.out
	if tf "$out" state show -no-color wagtail_random_password.imported && grep -q 'result.*sensitive' "$out" &&
		! grep -q 'Imported-passw0rd' "$out"; then
		ok imported-password-sensitive
	else
		notok imported-password-sensitive "$out"
	fi
}

errors() {
	local out=$work/$cli_name-bad-retention.out
	printf 'resource "wagtail_log_group" "bad" {\n  name = "/acc/bad:*"\n  retention_in_days = 2\n}\n' >"$dir/bad.tf"
	if ! tf "$out" validate -no-color && grep -q 'retention_in_days' "$out" && grep -q '/acc/bad:\*' "$out" &&
		! crashed "$out"; then
		ok invalid-log-group-rejected-by-validate
	else
		notok invalid-log-group-rejected-by-validate "$out"
	fi
	out=$work/$cli_name-bad-password.out
	printf 'resource "wagtail_random_password" "bad" {\n  length = 8\n  special = false\n  min_special = 1\n}\n' >"$dir/bad.tf"
	if ! tf "$out" validate -no-color && grep -q 'min_special' "$out" && ! crashed "$out"; then
		ok invalid-password-rejected-by-validate
	else
		notok invalid-password-rejected-by-validate "$out"
	fi
	rm -f "$dir/bad.tf"
}

destroy_all() {
	local out=$work/$cli_name-destroy.out
	expect destroy "$out" tf "$out" destroy -no-color -auto-approve -input=false
	expect destroy-log-group-gone "$out.aws" check log-group-gone "$group"
	expect destroy-imported-gone "$out.aws" check log-group-gone "$group-imported"
	# Deleted behind Terraform's back after the last refresh: destroy still succeeds.
	out=$work/$cli_name-destroy-again.out
	rm -f "$dir/imports.tf"
	if apply_ok "$out" && check delete-log-group "$group" &&
		tf "$out" destroy -no-color -auto-approve -input=false -refresh=false; then
		ok destroy-already-gone
	else
		notok destroy-already-gone "$out"
	fi
}

run_cli() {
	local out=$work/$cli_name-init.out
	group=/acc/$cli_name/wagtail
	kms_key=$(check create-kms-key)
	tags1='{"Team": "cms", "ManagedBy": "wagtail-acceptance"}'
	tags2='{"Team": "web", "ManagedBy": "wagtail-acceptance"}'
	dir=$work/$cli_name
	mkdir -p "$dir"
	provider_block >"$dir/provider.tf"
	main_tf 7 cms 1 >"$dir/main.tf"
	if tf "$out" init -no-color -input=false; then ok init; else notok init "$out"; return; fi
	create_and_check || return
	update_in_place
	replace_password
	drift
	imports
	errors
	destroy_all
}

for_each_cli run_cli
finish
