#!/usr/bin/env bash
# Acceptance tests of the AWS resources: both real CLIs against a real moto
# server that checks every SigV4 signature (INITIAL_NO_AUTH_ACTION_COUNT), with
# the AWS side read back by boto3 (aws_check.py).
#
#   tests/acceptance/aws_resources.sh
#
# Environment: as tests/acceptance/cli.sh (ACCEPTANCE_CLIS, PROVIDER_BINARY,
# VERSION, CASE_TIMEOUT, TOFU_BIN, TERRAFORM_BIN, KEEP_WORKDIR).
# Ends with `aws-resources: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)

stage_name=aws-resources
# shellcheck source=tests/acceptance/aws_lib.sh
source "$root/tests/acceptance/aws_lib.sh"

# main_tf INSIGHTS VALUE MUTABILITY TEAM PARAM_NAME
main_tf() {
	cat <<EOF
resource "wagtail_ecs_cluster" "main" {
  name               = "acc-$cli_name-cluster"
  container_insights = "$1"
  tags               = { Team = "$4" }
}

resource "wagtail_ssm_parameter" "db" {
  name  = "$5"
  type  = "SecureString"
  value = "$2"
  tags  = { Team = "$4" }
}

resource "wagtail_ecr_repository" "repo" {
  name                 = "acc-$cli_name/wagtail"
  image_tag_mutability = "$3"
  scan_on_push         = true
}

data "wagtail_caller_identity" "me" {}

data "wagtail_rds_auth_token" "db" {
  hostname = "db.example.internal"
  username = "wagtail"
}

output "account_id" {
  value = data.wagtail_caller_identity.me.account_id
}

output "token_shape_ok" {
  value = startswith(nonsensitive(data.wagtail_rds_auth_token.db.token),
    "db.example.internal:5432/?Action=connect&DBUser=wagtail&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=$MOTO_ACCESS_KEY%2F")
}
EOF
}

secret_not_logged() {
	local log=$1
	if ! grep -q 'terraform-provider-wagtail' "$log"; then
		notok secret-not-logged "$log"
		note "no provider log lines at all: the check would prove nothing"
	elif grep 'terraform-provider-wagtail' "$log" | grep -q 's3cret-v1'; then
		notok secret-not-logged
		note "the parameter value appears in the provider's log lines"
	else
		ok secret-not-logged
	fi
}

create_and_check() {
	local out=$work/$cli_name-create.out aws=$work/$cli_name-create-aws.out
	if TF_LOG=trace TF_LOG_PATH=$work/$cli_name-create.log apply_ok "$out"; then ok create; else notok create "$out"; return 1; fi
	expect create-cluster-in-aws "$aws" check cluster "acc-$cli_name-cluster" enabled "$tags1"
	expect create-parameter-in-aws "$aws" check parameter "$param" s3cret-v1 SecureString "$tags1"
	expect create-repository-in-aws "$aws" check repository "acc-$cli_name/wagtail" IMMUTABLE true
	secret_not_logged "$work/$cli_name-create.log"
	out=$work/$cli_name-outputs.out
	tf "$out" output -json
	expect caller-identity "$out" grep -q '"value": "123456789012"' "$out"
	expect rds-auth-token "$out" grep -q '"token_shape_ok":{"sensitive":false,"type":"bool","value":true}' <(tr -d ' \n' <"$out")
	no_changes second-plan-no-changes
}

update_in_place() {
	local out=$work/$cli_name-update-plan.out rc
	main_tf disabled s3cret-v2 MUTABLE web "$param" >"$dir/main.tf"
	rc=$(plan_exit "$out")
	if [ "$rc" = 2 ] && grep -q 'update in-place' "$out" && ! grep -q 'must be replaced' "$out"; then
		ok update-planned-in-place
	else
		notok update-planned-in-place "$out"
	fi
	out=$work/$cli_name-update.out
	expect update-apply "$out" apply_ok "$out"
	expect update-cluster-in-aws "$out.aws" check cluster "acc-$cli_name-cluster" disabled "$tags2"
	expect update-parameter-in-aws "$out.aws" check parameter "$param" s3cret-v2 SecureString "$tags2"
	expect update-repository-in-aws "$out.aws" check repository "acc-$cli_name/wagtail" MUTABLE true
	no_changes after-update-no-changes
}

replace_parameter() {
	local out=$work/$cli_name-replace.out rc
	main_tf disabled s3cret-v2 MUTABLE web "$param-renamed" >"$dir/main.tf"
	rc=$(plan_exit "$out")
	if [ "$rc" = 2 ] && grep -q 'must be replaced' "$out"; then ok replace-planned; else notok replace-planned "$out"; fi
	expect replace-apply "$out" apply_ok "$out"
	expect replace-old-gone "$out.aws" check parameter-gone "$param"
	param=$param-renamed
	expect replace-new-exists "$out.aws" check parameter "$param" s3cret-v2 SecureString "$tags2"
}

drift() {
	local out=$work/$cli_name-drift.out rc
	check delete-cluster "acc-$cli_name-cluster"
	check put-parameter "$param" tampered
	rc=$(plan_exit "$out")
	if [ "$rc" = 2 ] && grep -q 'wagtail_ecs_cluster.main will be created' "$out" &&
		grep -q 'wagtail_ssm_parameter.db will be updated in-place' "$out"; then
		ok drift-detected
	else
		notok drift-detected "$out"
	fi
	expect drift-repaired "$out" apply_ok "$out"
	expect drift-cluster-back "$out.aws" check cluster "acc-$cli_name-cluster" disabled "$tags2"
	expect drift-value-back "$out.aws" check parameter "$param" s3cret-v2 SecureString "$tags2"
	no_changes after-drift-no-changes
}

imports() {
	local out=$work/$cli_name-import.out
	check create-repository "acc-$cli_name/imported"
	check create-parameter "/acc/$cli_name/imported" plain
	check create-parameter "/acc/$cli_name/imported-secret" kept-secret-1 SecureString
	cat >"$dir/imports.tf" <<EOF
resource "wagtail_ecr_repository" "imported" {
  name = "acc-$cli_name/imported"
}

import {
  to = wagtail_ssm_parameter.imported
  id = "/acc/$cli_name/imported"
}

resource "wagtail_ssm_parameter" "imported" {
  name  = "/acc/$cli_name/imported"
  type  = "String"
  value = "plain"
}

# A secret made elsewhere, from now on the provider's to rotate: the import
# keeps its value out of the state, and random_value_length adopts it.
import {
  to = wagtail_ssm_parameter.imported_secret
  id = "/acc/$cli_name/imported-secret"
}

resource "wagtail_ssm_parameter" "imported_secret" {
  name                = "/acc/$cli_name/imported-secret"
  type                = "SecureString"
  random_value_length = 16
}
EOF
	expect import-command "$out" tf "$out" import -no-color -input=false wagtail_ecr_repository.imported "acc-$cli_name/imported"
	out=$work/$cli_name-import-block.out
	plan_exit "$out" >/dev/null
	if grep -q '2 to import' "$out"; then ok import-block-planned; else notok import-block-planned "$out"; fi
	expect import-block-apply "$out" apply_ok "$out"
	if [ "$(check parameter-value "/acc/$cli_name/imported-secret" 2>>"$out.aws")" = kept-secret-1 ]; then
		ok import-secret-adopted
	else
		notok import-secret-adopted "$out.aws"
	fi
	if grep -q kept-secret-1 "$dir/terraform.tfstate"; then
		notok import-secret-not-in-state "$dir/terraform.tfstate"
	else
		ok import-secret-not-in-state
	fi
	no_changes after-import-no-changes
}

# tiers_tf TIER: five parameters sharing a prefix beside one of tier TIER.
tiers_tf() {
	cat <<EOF
resource "wagtail_ssm_parameter" "many" {
  count = 5
  name  = "/acc/$cli_name/tiers/p\${count.index}"
  type  = "String"
  value = "v\${count.index}"
}

resource "wagtail_ssm_parameter" "tiered" {
  name  = "/acc/$cli_name/tiers/tiered"
  type  = "SecureString"
  value = "s3cret"
  tier  = "$1"
}
EOF
}

# SSM tiers through the CLI: AWS cannot move a parameter from Advanced down
# to Standard, so the plan replaces it (tier forces replacement) and the
# apply destroys it and makes it anew (version 1); moves up and to
# Intelligent-Tiering go in place (the version goes on). The strict AWS
# layer pages every DescribeParameters (an empty first page every other
# call), so the refreshes of these parameters follow NextToken.
ssm_tiers() {
	local main_dir=$dir out rc name=/acc/$cli_name/tiers/tiered
	dir=$work/$cli_name-tiers
	mkdir -p "$dir"
	provider_block >"$dir/provider.tf"
	tiers_tf Advanced >"$dir/main.tf"
	out=$work/$cli_name-tiers-create.out
	if tf "$out.init" init -no-color -input=false && apply_ok "$out"; then ok tiers-create; else
		notok tiers-create "$out"
		dir=$main_dir
		return
	fi
	expect tiers-advanced-in-aws "$out.aws" check parameter-tier "$name" Advanced 1
	no_changes tiers-advanced-no-changes

	tiers_tf Standard >"$dir/main.tf"
	out=$work/$cli_name-tiers-down.out
	rc=$(plan_exit "$out")
	if [ "$rc" = 2 ] && grep -q 'wagtail_ssm_parameter.tiered must be replaced' "$out" &&
		grep -q 'tier .*# forces replacement' "$out" && grep -q '1 to add, 0 to change, 1 to destroy' "$out"; then
		ok tiers-advanced-to-standard-planned-as-replacement
	else
		notok tiers-advanced-to-standard-planned-as-replacement "$out"
	fi
	expect tiers-advanced-to-standard-apply "$out.apply" apply_ok "$out.apply"
	expect tiers-standard-made-anew "$out.aws" check parameter-tier "$name" Standard 1
	no_changes tiers-standard-no-changes

	tiers_tf Intelligent-Tiering >"$dir/main.tf"
	out=$work/$cli_name-tiers-it.out
	rc=$(plan_exit "$out")
	if [ "$rc" = 2 ] && grep -q 'wagtail_ssm_parameter.tiered will be updated in-place' "$out" &&
		! grep -q 'must be replaced' "$out"; then
		ok tiers-intelligent-tiering-planned-in-place
	else
		notok tiers-intelligent-tiering-planned-in-place "$out"
	fi
	expect tiers-intelligent-tiering-apply "$out.apply" apply_ok "$out.apply"
	expect tiers-intelligent-tiering-kept-the-parameter "$out.aws" check parameter-tier "$name" any 2
	no_changes tiers-intelligent-tiering-no-changes

	tiers_tf Advanced >"$dir/main.tf"
	out=$work/$cli_name-tiers-up.out
	rc=$(plan_exit "$out")
	if [ "$rc" = 2 ] && grep -q 'wagtail_ssm_parameter.tiered will be updated in-place' "$out" &&
		! grep -q 'must be replaced' "$out"; then
		ok tiers-up-to-advanced-planned-in-place
	else
		notok tiers-up-to-advanced-planned-in-place "$out"
	fi
	expect tiers-up-to-advanced-apply "$out.apply" apply_ok "$out.apply"
	expect tiers-advanced-kept-the-parameter "$out.aws" check parameter-tier "$name" Advanced 3
	no_changes tiers-up-no-changes

	out=$work/$cli_name-tiers-destroy.out
	expect tiers-destroy "$out" tf "$out" destroy -no-color -auto-approve -input=false
	expect tiers-destroyed-in-aws "$out.aws" check parameter-gone "$name"
	dir=$main_dir
}

errors() {
	local out=$work/$cli_name-bad-name.out
	printf 'resource "wagtail_ecr_repository" "bad" {\n  name = "Bad_Name"\n}\n' >"$dir/bad.tf"
	if ! tf "$out" validate -no-color && grep -q 'Bad_Name' "$out" && grep -q 'name' "$out" && ! crashed "$out"; then
		ok invalid-name-rejected-by-validate
	else
		notok invalid-name-rejected-by-validate "$out"
	fi
	check create-parameter "/acc/$cli_name/taken" x
	printf 'resource "wagtail_ssm_parameter" "taken" {\n  name  = "/acc/%s/taken"\n  type  = "String"\n  value = "y"\n}\n' \
		"$cli_name" >"$dir/bad.tf"
	out=$work/$cli_name-aws-error.out
	if ! apply_ok "$out" && grep -q 'ssm:PutParameter' "$out" && grep -q 'ParameterAlreadyExists' "$out" &&
		! crashed "$out"; then
		ok aws-error-diagnostic
	else
		notok aws-error-diagnostic "$out"
	fi
	rm -f "$dir/bad.tf"
}

# Throttling, a bare 429 and a dropped connection, injected by a proxy in
# front of moto, are retried: the apply succeeds and the proxy saw each retry.
retries() {
	local out=$work/$cli_name-retries.out rdir=$work/$cli_name-retries log=$work/$cli_name-proxy.log
	proxied_provider ssm "$rdir" "$log" "throttle:PutParameter,429:PutParameter,drop:GetParameter"
	printf 'resource "wagtail_ssm_parameter" "p" {\n  name  = "/acc/%s/retried"\n  type  = "String"\n  value = "v"\n}\n' \
		"$cli_name" >"$rdir/main.tf"
	(cd "$rdir" && "$cli" init -no-color -input=false >"$out" 2>&1 && "$cli" apply -no-color -auto-approve -input=false >>"$out" 2>&1)
	local rc=$?
	(cd "$rdir" && "$cli" destroy -no-color -auto-approve -input=false >>"$out" 2>&1)
	stop_fault_proxy
	cat "$log" >>"$out"
	if [ "$rc" = 0 ] && grep -q '^PutParameter throttle' "$log" && grep -q '^PutParameter 429' "$log" &&
		grep -q '^PutParameter forwarded' "$log" && grep -q '^GetParameter drop' "$log" &&
		grep -q '^GetParameter forwarded' "$log"; then
		ok throttling-and-drops-retried
	else
		notok throttling-and-drops-retried "$out"
	fi
}

# A 5xx page without an AWS error document gets three attempts in all
# (client.c, SLOW_FAILURE_ATTEMPTS), not max_retries + 1, and the diagnostic
# names the call; nothing is left in AWS.
undocumented_5xx() {
	local out=$work/$cli_name-5xx.out rdir=$work/$cli_name-5xx log=$work/$cli_name-5xx-proxy.log
	proxied_provider ssm "$rdir" "$log" "500bare*:PutParameter"
	sed -i 's#^  max_retries = 2#  max_retries = 10#' "$rdir/provider.tf"
	printf 'resource "wagtail_ssm_parameter" "p" {\n  name  = "/acc/%s/5xx"\n  type  = "String"\n  value = "v"\n}\n' \
		"$cli_name" >"$rdir/main.tf"
	(cd "$rdir" && "$cli" init -no-color -input=false && "$cli" apply -no-color -auto-approve -input=false) >"$out" 2>&1
	local rc=$?
	stop_fault_proxy
	cat "$log" >>"$out"
	if [ "$rc" != 0 ] && [ "$(grep -c '^PutParameter 500bare' "$log")" = 3 ] && grep -q 'ssm:PutParameter' "$out" &&
		! crashed "$out" && check parameter-gone "/acc/$cli_name/5xx" >>"$out" 2>&1; then
		ok undocumented-5xx-three-attempts
	else
		notok undocumented-5xx-three-attempts "$out"
	fi
}

# tls_case NAME SETTINGS [ENV...]: with every endpoint behind the HTTPS proxy
# and SETTINGS added to the provider block, apply and destroy one parameter
# (in an env with ENV set); true when both succeed.
tls_case() {
	local name=$1 settings=$2 tdir=$work/$cli_name-tls-$1
	shift 2
	mkdir -p "$tdir"
	provider_block | sed "s#$MOTO_ENDPOINT#$PROXY_URL#; s#^  max_retries = 2#&\n$settings#" >"$tdir/provider.tf"
	printf 'resource "wagtail_ssm_parameter" "p" {\n  name  = "/acc/%s/tls-%s"\n  type  = "String"\n  value = "v"\n}\n' \
		"$cli_name" "$name" >"$tdir/main.tf"
	(cd "$tdir" && env "$@" "$cli" init -no-color -input=false &&
		env "$@" "$cli" apply -no-color -auto-approve -input=false &&
		env "$@" "$cli" destroy -no-color -auto-approve -input=false)
}

# AWS endpoints over HTTPS with a self-signed certificate (the fault proxy
# with TLS in front of moto): refused unless trusted through
# custom_ca_bundle or AWS_CA_BUNDLE, or skipped with insecure, which only
# loopback endpoints accept.
tls_endpoints() {
	local out=$work/$cli_name-tls.out
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
		-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout "$work/tls.key" -out "$work/tls.pem" 2>/dev/null
	FAULT_PROXY_TLS_CERT=$work/tls.pem FAULT_PROXY_TLS_KEY=$work/tls.key start_fault_proxy "$work/$cli_name-tls-proxy.log" ""
	if ! tls_case untrusted "" >"$out" 2>&1 && grep -q 'sts:GetCallerIdentity' "$out" &&
		grep -qi 'certificate' "$out" && ! crashed "$out"; then
		ok tls-self-signed-endpoint-refused
	else
		notok tls-self-signed-endpoint-refused "$out"
	fi
	expect tls-custom-ca-bundle "$out.bundle" tls_case bundle "  custom_ca_bundle = \"$work/tls.pem\""
	expect tls-aws-ca-bundle-env "$out.env" tls_case env "" AWS_CA_BUNDLE="$work/tls.pem"
	expect tls-insecure-for-loopback "$out.insecure" tls_case insecure "  insecure = true"
	stop_fault_proxy
	if grep -q '^PutParameter forwarded' "$work/$cli_name-tls-proxy.log"; then ok tls-calls-went-through-https; else
		notok tls-calls-went-through-https "$work/$cli_name-tls-proxy.log"
	fi
	# insecure never reaches a remote endpoint: validate stops it, naming both.
	local vdir=$work/$cli_name-tls-remote
	mkdir -p "$vdir"
	provider_block | sed 's#^  max_retries = 2#&\n  insecure = true#; s#ssm *= ".*"#ssm = "https://ssm.eu-west-1.amazonaws.com"#' \
		>"$vdir/provider.tf"
	printf 'resource "wagtail_ssm_parameter" "p" {\n  name  = "/acc/remote"\n  type  = "String"\n  value = "v"\n}\n' \
		>"$vdir/main.tf"
	if ! (cd "$vdir" && "$cli" init -no-color -input=false && "$cli" validate -no-color) >"$out.remote" 2>&1 &&
		grep -q 'insecure' "$out.remote" && grep -q 'endpoints.ssm' "$out.remote" && ! crashed "$out.remote"; then
		ok insecure-refused-for-remote-endpoint
	else
		notok insecure-refused-for-remote-endpoint "$out.remote"
	fi
}

destroy_all() {
	local out=$work/$cli_name-destroy.out
	expect destroy "$out" tf "$out" destroy -no-color -auto-approve -input=false
	expect destroy-cluster-gone "$out.aws" check cluster-gone "acc-$cli_name-cluster"
	expect destroy-parameter-gone "$out.aws" check parameter-gone "$param"
	expect destroy-repository-gone "$out.aws" check repository-gone "acc-$cli_name/wagtail"
	expect destroy-imported-gone "$out.aws" check repository-gone "acc-$cli_name/imported"
}

run_cli() {
	local out=$work/$cli_name-init.out
	param=/acc/$cli_name/db_password
	tags1='{"Team": "cms", "ManagedBy": "wagtail-acceptance"}'
	tags2='{"Team": "web", "ManagedBy": "wagtail-acceptance"}'
	dir=$work/$cli_name
	mkdir -p "$dir"
	provider_block >"$dir/provider.tf"
	main_tf enabled s3cret-v1 IMMUTABLE cms "$param" >"$dir/main.tf"
	if tf "$out" init -no-color -input=false; then ok init; else notok init "$out"; return; fi
	create_and_check || return
	update_in_place
	replace_parameter
	drift
	imports
	ssm_tiers
	errors
	retries
	undocumented_5xx
	tls_endpoints
	destroy_all
}

for_each_cli run_cli
finish
