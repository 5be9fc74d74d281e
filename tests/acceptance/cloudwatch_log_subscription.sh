#!/usr/bin/env bash
# Acceptance tests of wagtail_cloudwatch_log_subscription: both real CLIs
# against a real moto server that checks every SigV4 signature, through the
# strict AWS layer, shipping a wagtail_log_group's events to a Kinesis
# stream, with the filter read back by boto3 from moto itself
# (aws_check.py). moto keeps no distribution (it always answers
# ByLogStream), so the cases leave it at that default.
#
#   tests/acceptance/cloudwatch_log_subscription.sh
#
# Environment: as tests/acceptance/cli.sh (ACCEPTANCE_CLIS, PROVIDER_BINARY,
# VERSION, CASE_TIMEOUT, TOFU_BIN, TERRAFORM_BIN, KEEP_WORKDIR).
# Ends with `cloudwatch-log-subscription: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)

stage_name=cloudwatch-log-subscription
# shellcheck source=tests/acceptance/aws_lib.sh
source "$root/tests/acceptance/aws_lib.sh"

role=arn:aws:iam::123456789012:role/cwl-to-kinesis

# main_tf PATTERN
main_tf() {
	cat <<EOF
resource "wagtail_log_group" "wagtail" {
  name = "$group"
}

resource "wagtail_cloudwatch_log_subscription" "to_kinesis" {
  log_group_name  = wagtail_log_group.wagtail.name
  name            = "to-kinesis"
  filter_pattern  = "$1"
  destination_arn = "$stream"
  role_arn        = "$role"
}

output "id" {
  value = wagtail_cloudwatch_log_subscription.to_kinesis.id
}
EOF
}

# planned NAME PATTERN...: a plan with changes whose output matches every
# extended regular expression PATTERN.
planned() {
	local case=$1 out=$work/$cli_name-$1.out rc pattern
	shift
	rc=$(plan_exit "$out")
	for pattern in "$@"; do
		grep -qE -- "$pattern" "$out" || rc="$rc, no line matches /$pattern/"
	done
	if [ "$rc" = 2 ]; then ok "$case"; else
		notok "$case" "$out"
		note "plan exit $rc"
	fi
}

# in_aws CASE PATTERN: the filter to-kinesis is in AWS with PATTERN.
in_aws() { expect "$1" "$work/$cli_name-$1.out" check log-subscription "$group" to-kinesis "$2" "$stream" "$role"; }

create_and_check() {
	local out=$work/$cli_name-create.out
	if apply_ok "$out"; then ok create; else notok create "$out"; return 1; fi
	in_aws created-in-aws ERROR
	tf "$out.id" output -raw id
	if [ "$(cat "$out.id")" = "$group|to-kinesis" ]; then ok id-is-group-bar-name; else notok id-is-group-bar-name "$out.id"; fi
	no_changes second-plan-no-changes
}

update_in_place() {
	local out=$work/$cli_name-update.out
	main_tf '?ERROR ?WARN' >"$dir/main.tf"
	planned update-planned-in-place 'wagtail_cloudwatch_log_subscription.to_kinesis will be updated in-place' \
		'0 to add, 1 to change, 0 to destroy'
	expect update-apply "$out" apply_ok "$out"
	in_aws updated-in-aws '?ERROR ?WARN'
	no_changes after-update-no-changes
}

drift() {
	local out=$work/$cli_name-drift.out
	check put-log-subscription "$group" to-kinesis CRITICAL "$stream" "$role"
	planned drift-pattern-detected 'will be updated in-place' 'filter_pattern += "CRITICAL" -> "\?ERROR \?WARN"'
	expect drift-pattern-repaired "$out" apply_ok "$out"
	in_aws drift-pattern-back '?ERROR ?WARN'
	check delete-log-subscription "$group" to-kinesis
	planned drift-deleted-detected 'wagtail_cloudwatch_log_subscription.to_kinesis will be created'
	out=$work/$cli_name-drift-deleted.out
	expect drift-deleted-repaired "$out" apply_ok "$out"
	in_aws drift-deleted-back '?ERROR ?WARN'
	no_changes after-drift-no-changes
}

imports() {
	local out=$work/$cli_name-import.out
	check create-log-group "$group-imported" 1
	check put-log-subscription "$group-imported" imported '' "$stream" "$role"
	cat >"$dir/imports.tf" <<EOF
resource "wagtail_cloudwatch_log_subscription" "imported" {
  log_group_name  = "$group-imported"
  name            = "imported"
  filter_pattern  = ""
  destination_arn = "$stream"
  role_arn        = "$role"
}
EOF
	expect import-command "$out" tf "$out" import -no-color -input=false \
		wagtail_cloudwatch_log_subscription.imported "$group-imported|imported"
	no_changes after-import-no-changes
	out=$work/$cli_name-import-bad-id.out
	if ! tf "$out" import -no-color -input=false wagtail_cloudwatch_log_subscription.imported "$group-imported" &&
		grep -q 'LOG_GROUP_NAME|FILTER_NAME' "$out" && ! crashed "$out"; then
		ok import-bad-id-explained
	else
		notok import-bad-id-explained "$out"
	fi
}

errors() {
	local out=$work/$cli_name-bad.out
	printf 'resource "wagtail_cloudwatch_log_subscription" "bad" {\n  log_group_name = "/acc/bad"\n  name = "a:b"\n  filter_pattern = ""\n  destination_arn = "%s"\n}\n' \
		"$stream" >"$dir/bad.tf"
	if ! tf "$out" validate -no-color && grep -q 'role_arn' "$out" && grep -q 'a:b' "$out" && ! crashed "$out"; then
		ok invalid-rejected-by-validate
	else
		notok invalid-rejected-by-validate "$out"
	fi
	rm -f "$dir/bad.tf"
}

destroy_all() {
	local out=$work/$cli_name-destroy.out
	expect destroy "$out" tf "$out" destroy -no-color -auto-approve -input=false
	expect destroy-filter-gone "$out.aws" check log-subscription-gone "$group" to-kinesis
	expect destroy-imported-gone "$out.aws" check log-subscription-gone "$group-imported" imported
	# Deleted behind Terraform's back after the last refresh: destroy still succeeds.
	out=$work/$cli_name-destroy-again.out
	rm -f "$dir/imports.tf"
	if apply_ok "$out" && check delete-log-subscription "$group" to-kinesis &&
		tf "$out" destroy -no-color -auto-approve -input=false -refresh=false; then
		ok destroy-already-gone
	else
		notok destroy-already-gone "$out"
	fi
}

run_cli() {
	local out=$work/$cli_name-init.out
	group=/acc/$cli_name/wagtail-shipped
	stream=$(check create-kinesis-stream "acc-$cli_name-wagtail-logs")
	dir=$work/$cli_name
	mkdir -p "$dir"
	provider_block >"$dir/provider.tf"
	main_tf ERROR >"$dir/main.tf"
	if tf "$out" init -no-color -input=false; then ok init; else notok init "$out"; return; fi
	create_and_check || return
	update_in_place
	drift
	imports
	errors
	destroy_all
}

for_each_cli run_cli
finish
