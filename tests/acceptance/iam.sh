#!/usr/bin/env bash
# Acceptance tests of wagtail_iam_role and wagtail_iam_policy: both real CLIs
# against a real moto server that checks every signature, with the IAM side
# read back by boto3 (aws_check.py).
#
# Where moto differs from AWS the code follows AWS and the case says so:
# moto answers GetPolicyVersion with a plain document (AWS URL-encodes it, as
# moto does for GetRole and GetRolePolicy); moto deletes a policy that is
# still attached (AWS answers DeleteConflict, so no case relies on it); moto
# is consistent at once, so the NoSuchEntity retries after a create are not
# exercised here; AWS managed policies exist only with
# MOTO_IAM_LOAD_MANAGED_POLICIES=true, so the cases attach customer policies.
#
# Environment: as tests/acceptance/cli.sh. Ends with `iam: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
stage_name=iam

# shellcheck source=tests/acceptance/aws_lib.sh
source "$root/tests/acceptance/aws_lib.sh"

# allow ACTIONS: an HCL expression for a policy allowing ACTIONS (quoted,
# comma-separated) on everything.
allow() { echo "jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = [$1], Resource = \"*\" }] })"; }

# The settings main_tf writes; cases change some and write main.tf again.
initial_settings() {
	read_policy=$(allow '"s3:GetObject"')
	write_policy='<<JSON
{"Version": "2012-10-17",
 "Statement": {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::media/*"}}
JSON'
	logs_policy=$(allow '"logs:PutLogEvents"')
	task_trust='assume_role_services = ["ecs-tasks.amazonaws.com"]'
	task_managed='[wagtail_iam_policy.read.arn]'
	lambda_trust='assume_role_policy = <<JSON
{
  "Version": "2012-10-17",
  "Statement": {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
}
JSON'
	session=7200
	team=cms
	lambda_path=/service/
	audit_path=/audit/
}

# The same documents written differently: keys reordered, spacing changed,
# single strings for one-element lists, a lone Statement object for a list,
# the task role's trust spelt out instead of assume_role_services.
same_meaning_settings() {
	read_policy='<<JSON
{ "Statement": { "Resource": ["*"], "Action": "s3:GetObject", "Effect": "Allow" },
      "Version": "2012-10-17" }
JSON'
	write_policy='jsonencode({ Statement = [{ Resource = ["arn:aws:s3:::media/*"], Effect = "Allow", Action = ["s3:PutObject"] }], Version = "2012-10-17" })'
	logs_policy='jsonencode({ Statement = { Action = "logs:PutLogEvents", Resource = "*", Effect = "Allow" }, Version = "2012-10-17" })'
	task_trust='assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = { Action = "sts:AssumeRole", Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" } } })'
	lambda_trust='assume_role_policy = jsonencode({ Statement = [{ Principal = { Service = ["lambda.amazonaws.com"] }, Action = ["sts:AssumeRole"], Effect = "Allow" }], Version = "2012-10-17" })'
}

main_tf() {
	cat <<HCL
resource "wagtail_iam_policy" "read" {
  name        = "acc-$cli_name-read"
  path        = "/wagtail/"
  description = "Read the media bucket"
  policy      = $read_policy
  tags        = { Team = "$team" }
}

resource "wagtail_iam_policy" "write" {
  name_prefix = "acc-$cli_name-write-"
  policy      = $write_policy
}

resource "wagtail_iam_policy" "audit" {
  name   = "acc-$cli_name-audit"
  path   = "$audit_path"
  policy = $(allow '"cloudtrail:LookupEvents"')
}

resource "wagtail_iam_role" "task" {
  name                 = "acc-$cli_name-task"
  $task_trust
  managed_policy_arns  = $task_managed
  max_session_duration = $session
  inline_policies      = { logs = $logs_policy }
  tags                 = { Team = "$team" }
}

resource "wagtail_iam_role" "lambda" {
  name_prefix          = "acc-$cli_name-fn-"
  path                 = "$lambda_path"
  description          = "Runs the Aurora trigger"
  permissions_boundary = wagtail_iam_policy.read.arn
  $lambda_trust
}

output "read_arn" { value = wagtail_iam_policy.read.arn }
output "write_arn" { value = wagtail_iam_policy.write.arn }
output "audit_arn" { value = wagtail_iam_policy.audit.arn }
output "lambda_name" { value = wagtail_iam_role.lambda.name }
HCL
}

output_value() { sed -n "s/^$1 = \"\\(.*\\)\"\$/\\1/p" "$2"; }

read_outputs() {
	local out=$work/$cli_name-outputs.out
	tf "$out" output -no-color
	read_arn=$(output_value read_arn "$out")
	write_arn=$(output_value write_arn "$out")
	audit_arn=$(output_value audit_arn "$out")
	lambda_name=$(output_value lambda_name "$out")
}

# Malformed JSON and policies IAM would refuse are diagnostics of validate,
# before any AWS call, each naming its attribute.
invalid_input() {
	local out=$work/$cli_name-invalid.out vdir=$work/$cli_name-invalid
	mkdir -p "$vdir"
	provider_block >"$vdir/provider.tf"
	cat >"$vdir/main.tf" <<'HCL'
resource "wagtail_iam_policy" "malformed" {
  name   = "malformed"
  policy = "{\"Version\": \"2012-10-17\", \"Statement\": ["
}

resource "wagtail_iam_policy" "no_effect" {
  name   = "no-effect"
  policy = jsonencode({ Statement = [{ Action = "s3:*", Resource = "*" }] })
}

resource "wagtail_iam_role" "bad" {
  name               = "bad"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole" }] })
  inline_policies    = { empty = jsonencode({ Version = "2012-10-17" }) }
}
HCL
	(cd "$vdir" && "$cli" init -no-color -input=false && "$cli" validate -no-color) >"$out" 2>&1
	local rc=$? want missing=
	# The CLIs wrap diagnostics: search them as one line.
	tr -s '\n ' '  ' <"$out" >"$out.flat"
	for want in 'Attribute "policy": not a valid JSON document' \
		'Attribute "policy": the policy has a statement 1 that needs Effect "Allow" or "Deny"' \
		'Attribute "assume_role_policy": the trust policy has a statement 1 that needs a Principal' \
		'Attribute "inline_policies", policy "empty": the policy needs a Statement'; do
		grep -qF "$want" "$out.flat" || missing="$missing [$want]"
	done
	if [ "$rc" != 0 ] && [ -z "$missing" ] && ! crashed "$out"; then
		ok invalid-policies-rejected-by-validate
	else
		notok invalid-policies-rejected-by-validate "$out"
		note "diagnostics missing:$missing"
	fi
}

# count_calls LOG: "N Operation" for each IAM call in a provider log.
count_calls() {
	grep 'AWS call:.*service=iam' "$1" | grep -o 'operation=[A-Za-z]*' | sed 's/operation=//' | sort | uniq -c |
		awk '{printf "%s %s ", $1, $2}'
}

create() {
	local out=$work/$cli_name-create.out
	if apply_ok "$out"; then ok create; else notok create "$out"; return 1; fi
	read_outputs
	expect task-role-in-aws "$out.aws" check iam-role "acc-$cli_name-task" "{\"Path\": \"/\",
		\"MaxSessionDuration\": 7200, \"TrustedServices\": [\"ecs-tasks.amazonaws.com\"], \"Attached\": [\"$read_arn\"],
		\"Inline\": {\"logs\": [\"logs:PutLogEvents\"]}, \"Tags\": {\"Team\": \"cms\", \"ManagedBy\": \"wagtail-acceptance\"}}"
	expect lambda-role-in-aws "$out.aws" check iam-role "$lambda_name" "{\"Path\": \"/service/\",
		\"Description\": \"Runs the Aurora trigger\", \"PermissionsBoundary\": \"$read_arn\", \"MaxSessionDuration\": 3600,
		\"TrustedServices\": [\"lambda.amazonaws.com\"], \"Attached\": [], \"Inline\": {}}"
	case $lambda_name in
	"acc-$cli_name-fn-"??????????????????????????) ok name-from-prefix ;;
	*) notok name-from-prefix; note "role name '$lambda_name' is not the prefix and 26 characters" ;;
	esac
	expect read-policy-in-aws "$out.aws" check iam-policy "$read_arn" '{"Path": "/wagtail/",
		"Description": "Read the media bucket", "Versions": ["v1"], "DefaultActions": ["s3:GetObject"],
		"Tags": {"Team": "cms", "ManagedBy": "wagtail-acceptance"}}'
	out=$work/$cli_name-second-plan.out
	local rc
	rc=$(TF_LOG=trace TF_LOG_PATH=$work/$cli_name-second-plan.log plan_exit "$out")
	if [ "$rc" = 0 ]; then ok second-plan-no-changes; else notok second-plan-no-changes "$out"; fi
	# Refreshing 2 roles (one inline policy between them) and 3 policies.
	local calls want='3 GetPolicy 3 GetPolicyVersion 2 GetRole 1 GetRolePolicy 2 ListAttachedRolePolicies 2 ListRolePolicies '
	calls=$(count_calls "$work/$cli_name-second-plan.log")
	if [ "$calls" = "$want" ]; then ok no-change-plan-aws-calls; else notok no-change-plan-aws-calls; note "calls: $calls; want $want"; fi
}

same_meaning() {
	local out=$work/$cli_name-same-meaning.out rc
	same_meaning_settings
	main_tf >"$dir/main.tf"
	rc=$(plan_exit "$out")
	if [ "$rc" = 0 ]; then ok reformatted-json-no-diff; else notok reformatted-json-no-diff "$out"; note "plan exit $rc, want 0"; fi
}

update_in_place() {
	local out=$work/$cli_name-update.out rc
	initial_settings
	read_policy=$(allow '"s3:GetObject", "s3:GetObjectVersion"')
	logs_policy=$(allow '"logs:CreateLogStream", "logs:PutLogEvents"')
	task_managed='[wagtail_iam_policy.read.arn, wagtail_iam_policy.write.arn]'
	session=3600
	team=web
	main_tf >"$dir/main.tf"
	rc=$(plan_exit "$out")
	if [ "$rc" = 2 ] && grep -q 'wagtail_iam_role.task will be updated in-place' "$out" &&
		grep -q 'wagtail_iam_policy.read will be updated in-place' "$out" && ! grep -q 'must be replaced' "$out"; then
		ok update-planned-in-place
	else
		notok update-planned-in-place "$out"
	fi
	expect update-apply "$out" apply_ok "$out"
	expect update-task-role-in-aws "$out.aws" check iam-role "acc-$cli_name-task" "{\"MaxSessionDuration\": 3600,
		\"Attached\": $(sorted_json "$read_arn" "$write_arn"),
		\"Inline\": {\"logs\": [\"logs:CreateLogStream\", \"logs:PutLogEvents\"]},
		\"Tags\": {\"Team\": \"web\", \"ManagedBy\": \"wagtail-acceptance\"}}"
	expect update-new-default-version "$out.aws" check iam-policy "$read_arn" '{"Versions": ["v1", "v2"],
		"DefaultVersionId": "v2", "DefaultActions": ["s3:GetObject", "s3:GetObjectVersion"],
		"Tags": {"Team": "web", "ManagedBy": "wagtail-acceptance"}}'
	no_changes after-update-no-changes
}

sorted_json() { printf '%s\n' "$@" | sort | "$python" -c 'import json, sys; print(json.dumps(sys.stdin.read().split()))'; }

# IAM keeps five versions: the sixth document prunes the oldest.
version_pruning() {
	local out=$work/$cli_name-versions.out action
	for action in GetObjectAcl GetObjectTagging GetObjectAttributes GetObjectRetention; do
		read_policy=$(allow "\"s3:GetObject\", \"s3:$action\"")
		main_tf >"$dir/main.tf"
		apply_ok "$out" || break
	done
	expect five-versions-oldest-pruned "$out.aws" check iam-policy "$read_arn" '{"Versions": ["v2", "v3", "v4", "v5", "v6"],
		"DefaultVersionId": "v6", "DefaultActions": ["s3:GetObject", "s3:GetObjectRetention"]}'
	no_changes after-versions-no-changes
}

# A policy's path and a role's path cannot change in IAM: replacement.
replace() {
	local out=$work/$cli_name-replace.out rc old_audit=$audit_arn old_lambda=$lambda_name
	audit_path=/audit/v2/
	lambda_path=/svc/
	main_tf >"$dir/main.tf"
	rc=$(plan_exit "$out")
	if [ "$rc" = 2 ] && grep -q 'wagtail_iam_policy.audit must be replaced' "$out" &&
		grep -q 'wagtail_iam_role.lambda must be replaced' "$out"; then
		ok replace-planned
	else
		notok replace-planned "$out"
	fi
	expect replace-apply "$out" apply_ok "$out"
	read_outputs
	expect replace-old-policy-gone "$out.aws" check iam-policy-gone "$old_audit"
	expect replace-old-role-gone "$out.aws" check iam-role-gone "$old_lambda"
	expect replace-new-policy "$out.aws" check iam-policy "$audit_arn" '{"Path": "/audit/v2/", "Versions": ["v1"]}'
	expect replace-new-role "$out.aws" check iam-role "$lambda_name" '{"Path": "/svc/", "TrustedServices": ["lambda.amazonaws.com"]}'
}

# Changes made outside Terraform are planned back; a role deleted outside is
# planned for creation.
# drift_outside: the changes someone makes with the console or the CLI.
drift_outside() {
	extra=$(check iam-create-policy "acc-$cli_name-extra" sqs:SendMessage) &&
		check iam-attach "acc-$cli_name-task" "$extra" &&
		check iam-put-inline "acc-$cli_name-task" sneaky "ec2:*" &&
		check iam-set-trust "acc-$cli_name-task" ec2.amazonaws.com &&
		check iam-set-policy-document "$read_arn" "s3:DeleteObject" &&
		check iam-delete-role "$lambda_name"
}

drift() {
	local out=$work/$cli_name-drift.out rc extra
	expect drift-made-outside "$out.aws" drift_outside
	rc=$(plan_exit "$out")
	if [ "$rc" = 2 ] && grep -q 'wagtail_iam_role.lambda will be created' "$out" &&
		grep -q 'wagtail_iam_role.task will be updated in-place' "$out" &&
		grep -q 'wagtail_iam_policy.read will be updated in-place' "$out" && grep -q "$extra" "$out" &&
		grep -q 'sneaky' "$out"; then
		ok drift-detected
	else
		notok drift-detected "$out"
	fi
	expect drift-repaired "$out" apply_ok "$out"
	read_outputs
	expect drift-extra-attachment-detached "$out.aws" check iam-role "acc-$cli_name-task" "{
		\"Attached\": $(sorted_json "$read_arn" "$write_arn"), \"TrustedServices\": [\"ecs-tasks.amazonaws.com\"],
		\"Inline\": {\"logs\": [\"logs:CreateLogStream\", \"logs:PutLogEvents\"]}}"
	# The outside change pruned v2 for its v7; ours prunes v3 for v8.
	expect drift-document-back "$out.aws" check iam-policy "$read_arn" '{"Versions": ["v4", "v5", "v6", "v7", "v8"],
		"DefaultVersionId": "v8", "DefaultActions": ["s3:GetObject", "s3:GetObjectRetention"]}'
	expect drift-role-recreated "$out.aws" check iam-role "$lambda_name" "{\"Path\": \"/svc/\", \"PermissionsBoundary\": \"$read_arn\"}"
	no_changes after-drift-no-changes
}

# A role by name with the CLI, a policy by ARN with an import block; neither
# shows a change afterwards.
imports() {
	local out=$work/$cli_name-import.out policy_arn
	check iam-create-role "acc-$cli_name-imported" rds.amazonaws.com
	policy_arn=$(check iam-create-policy "acc-$cli_name-imported" sqs:ReceiveMessage)
	cat >"$dir/imports.tf" <<HCL
resource "wagtail_iam_role" "imported" {
  name                 = "acc-$cli_name-imported"
  assume_role_services = ["rds.amazonaws.com"]
}

import {
  to = wagtail_iam_policy.imported
  id = "$policy_arn"
}

resource "wagtail_iam_policy" "imported" {
  name   = "acc-$cli_name-imported"
  policy = jsonencode({ Statement = { Resource = "*", Action = "sqs:ReceiveMessage", Effect = "Allow" }, Version = "2012-10-17" })
}
HCL
	expect import-command "$out" tf "$out" import -no-color -input=false wagtail_iam_role.imported "acc-$cli_name-imported"
	out=$work/$cli_name-import-block.out
	plan_exit "$out" >/dev/null
	if grep -q 'Plan: 1 to import, 0 to add, 0 to change, 0 to destroy' "$out"; then
		ok import-block-planned-without-changes
	else
		notok import-block-planned-without-changes "$out"
	fi
	expect import-block-apply "$out" apply_ok "$out"
	no_changes after-import-no-changes
	imported_policy=$policy_arn
}

aws_error() {
	local out=$work/$cli_name-aws-error.out
	check iam-create-role "acc-$cli_name-taken" ecs-tasks.amazonaws.com
	printf 'resource "wagtail_iam_role" "taken" {\n  name                 = "acc-%s-taken"\n  assume_role_services = ["ecs-tasks.amazonaws.com"]\n}\n' \
		"$cli_name" >"$dir/bad.tf"
	if ! apply_ok "$out" && grep -q 'iam:CreateRole' "$out" && grep -q 'EntityAlreadyExists' "$out" && ! crashed "$out"; then
		ok aws-error-diagnostic
	else
		notok aws-error-diagnostic "$out"
	fi
	rm -f "$dir/bad.tf"
}

destroy_all() {
	local out=$work/$cli_name-destroy.out
	expect destroy "$out" tf "$out" destroy -no-color -auto-approve -input=false
	expect destroy-task-role-gone "$out.aws" check iam-role-gone "acc-$cli_name-task"
	expect destroy-lambda-role-gone "$out.aws" check iam-role-gone "$lambda_name"
	expect destroy-imported-role-gone "$out.aws" check iam-role-gone "acc-$cli_name-imported"
	local arn
	for arn in "$read_arn" "$write_arn" "$audit_arn" "$imported_policy"; do
		check iam-policy-gone "$arn" >>"$out.aws" 2>&1 || { notok destroy-policies-gone "$out.aws"; return; }
	done
	ok destroy-policies-gone
}

run_cli() {
	local out=$work/$cli_name-init.out
	dir=$work/$cli_name
	mkdir -p "$dir"
	provider_block >"$dir/provider.tf"
	initial_settings
	main_tf >"$dir/main.tf"
	if tf "$out" init -no-color -input=false; then ok init; else notok init "$out"; return; fi
	invalid_input
	create || return
	same_meaning
	update_in_place
	version_pruning
	replace
	drift
	imports
	aws_error
	destroy_all
}

for_each_cli run_cli
finish
