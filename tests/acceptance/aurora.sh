#!/usr/bin/env bash
# Acceptance tests of wagtail_aurora_cluster: both real CLIs against a real
# moto server (RDS, EC2, IAM) that checks every signature, with the AWS side
# read back by boto3 (aws_check.py). moto's default VPC has subnets in
# several zones.
#
# Where moto differs from AWS the code follows AWS and the case says so:
# moto reports clusters `available` at once (the waiters still poll), does
# not implement RemoveRoleFromDBCluster (roles are not removed here), and
# ignores MonitoringInterval.
#
# Environment: as tests/acceptance/cli.sh. Ends with `aurora: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
case_timeout=${CASE_TIMEOUT:-300}
stage_name=aurora

# shellcheck source=tests/acceptance/aws_lib.sh
source "$root/tests/acceptance/aws_lib.sh"

# cluster_tf READERS PROTECTION: examples/wagtail's cluster, as its rds-aurora block sets it.
cluster_tf() {
	cat <<HCL
resource "wagtail_aurora_cluster" "db" {
  name                                = "$cluster"
  engine_version                      = "15.4"
  instance_class                      = "db.r6g.large"
  reader_count                        = $1
  database_name                       = "wagtail"
  master_username                     = "wagtail"
  master_password                     = "correct-horse-9"
  iam_database_authentication_enabled = true
  vpc_id                              = "$vpc"
  subnets                             = ["$subnet_a", "$subnet_b"]
  allowed_security_groups             = ["$app_group"]
  allowed_cidr_blocks                 = ["10.20.0.0/16"]
  storage_encrypted                   = true
  enabled_cloudwatch_logs_exports     = ["postgresql"]
  deletion_protection                 = $2
  skip_final_snapshot                 = true
  apply_immediately                   = true
  tags                                = { Team = "cms" }

  iam_roles {
    role_arn     = "$role_arn"
    feature_name = "Lambda"
  }
}

output "endpoint" { value = wagtail_aurora_cluster.db.endpoint }
output "security_group_id" { value = wagtail_aurora_cluster.db.security_group_id }
HCL
}

seed_settings() {
	cat <<JSON
{"Engine": "aurora-postgresql", "EngineVersion": "15.4", "DatabaseName": "wagtail",
 "MasterUsername": "wagtail", "IAMDatabaseAuthenticationEnabled": true, "StorageEncrypted": true,
 "EnabledCloudwatchLogsExports": ["postgresql"], "DeletionProtection": $1,
 "DBSubnetGroup": "$cluster-subnets",
 "AssociatedRoles": [{"RoleArn": "$role_arn", "FeatureName": "Lambda"}],
 "TagList": {"Team": "cms", "ManagedBy": "wagtail-acceptance"}}
JSON
}

output_value() { sed -n "s/^$1 = \"\\(.*\\)\"\$/\\1/p" "$2"; }

create() {
	local out=$work/$cli_name-create.out
	if apply_ok "$out"; then ok create; else notok create "$out"; return 1; fi
	expect seed-settings-on-cluster "$out.aws" check aurora "$cluster" "$(seed_settings true)"
	expect two-instances-in-two-zones "$out.aws" check aurora-instances "$cluster" 2 2
	tf "$out.outputs" output -no-color
	group=$(output_value security_group_id "$out.outputs")
	expect ingress-for-groups-and-cidrs "$out.aws" check ingress "$group" 5432 "$app_group" 10.20.0.0/16
	expect egress-https-for-lambda "$out.aws" check egress-https "$group"
	no_changes second-plan-no-changes
}

readers() {
	local out=$work/$cli_name-readers.out
	cluster_tf 2 true >"$dir/main.tf"
	expect reader-added "$out" apply_ok "$out"
	expect three-instances "$out.aws" check aurora-instances "$cluster" 3 2
	no_changes after-reader-added-no-changes
	cluster_tf 1 true >"$dir/main.tf"
	out=$work/$cli_name-readers-removed.out
	expect reader-removed "$out" apply_ok "$out"
	expect two-instances-again "$out.aws" check aurora-instances "$cluster" 2 2
}

drift() {
	local out=$work/$cli_name-drift.out rc
	check set-backup-retention "$cluster" 9
	rc=$(plan_exit "$out")
	if [ "$rc" = 2 ] && grep -q 'backup_retention_period' "$out" && grep -q 'update in-place' "$out"; then
		ok drift-detected
	else
		notok drift-detected "$out"
	fi
	expect drift-repaired "$out" apply_ok "$out"
	no_changes after-drift-no-changes
}

# With apply_immediately = false RDS keeps a class change for the
# maintenance window: the plan after the apply is empty (the state keeps the
# class asked for), AWS runs the old class until the window, the new one
# after it, and the plan stays empty throughout. moto alone (STRICT_AWS=0)
# applies the change at once, so only the end is checked there.
maintenance_window() {
	local out=$work/$cli_name-maintenance.out strict=${STRICT_AWS_STATS_URL:+1}
	cluster_tf 1 true | sed -e 's/apply_immediately *= true/apply_immediately = false/' \
		-e 's/db\.r6g\.large/db.r6g.xlarge/' >"$dir/main.tf"
	expect class-change-for-the-window "$out" apply_ok "$out"
	no_changes class-pending-no-changes
	if [ -n "$strict" ]; then
		expect old-class-until-the-window "$out.aws" check aurora-instance-class "$cluster" db.r6g.large
		curl -fsS -X POST "${STRICT_AWS_STATS_URL%/stats}/maintenance" >"$out.window" 2>&1
	fi
	expect new-class-after-the-window "$out.aws" check aurora-instance-class "$cluster" db.r6g.xlarge
	no_changes after-the-window-no-changes
	cluster_tf 1 true >"$dir/main.tf"
	out=$work/$cli_name-maintenance-back.out
	expect class-back-immediately "$out" apply_ok "$out"
	expect class-back-in-aws "$out.aws" check aurora-instance-class "$cluster" db.r6g.large
	no_changes class-back-no-changes
}

protected_destroy() {
	local out=$work/$cli_name-protected.out
	if ! tf "$out" destroy -no-color -auto-approve -input=false && grep -q 'Deletion protection is on' "$out" &&
		grep -q 'deletion_protection' "$out" && ! crashed "$out"; then
		ok deletion-protection-refuses-destroy
	else
		notok deletion-protection-refuses-destroy "$out"
	fi
	expect cluster-still-there "$out.aws" check aurora "$cluster" '{"DeletionProtection": true}'
}

imports() {
	local out=$work/$cli_name-import.out imported=acc-$cli_name-imported
	check create-aurora "$imported"
	cat >"$dir/imported.tf" <<HCL
resource "wagtail_aurora_cluster" "imported" {
  name                = "$imported"
  engine_version      = "15.4"
  instance_class      = "db.r6g.large"
  reader_count        = 0
  master_username     = "wagtail"
  master_password     = "imported-pass-1"
  skip_final_snapshot = true
}
HCL
	expect import-command "$out" tf "$out" import -no-color -input=false wagtail_aurora_cluster.imported "$imported"
	tf "$out.state" state show -no-color wagtail_aurora_cluster.imported
	expect import-reads-instances "$out.state" grep -q "\"$imported-1\"" "$out.state"
	# What AWS does not report (the password, skip_final_snapshot) and the
	# provider's default_tags differ from the configuration: an in-place
	# update, never a replacement; after it, nothing.
	out=$work/$cli_name-import-plan.out
	if [ "$(plan_exit "$out")" = 2 ] && grep -q 'wagtail_aurora_cluster.imported will be updated in-place' "$out" &&
		! grep -q 'must be replaced' "$out"; then
		ok after-import-update-in-place
	else
		notok after-import-update-in-place "$out"
	fi
	expect after-import-apply "$out" apply_ok "$out"
	no_changes after-import-no-changes
}

# A failure after the cluster exists (its instance is rejected) leaves the
# cluster in state, tainted, so nothing in AWS goes untracked.
partial_failure() {
	local out=$work/$cli_name-partial.out pdir=$work/$cli_name-partial log=$work/$cli_name-partial-proxy.log
	local name=acc-$cli_name-partial
	proxied_provider rds "$pdir" "$log" reject:CreateDBInstance
	cat >"$pdir/main.tf" <<HCL
resource "wagtail_aurora_cluster" "p" {
  name                = "$name"
  instance_class      = "db.r6g.large"
  reader_count        = 0
  master_username     = "wagtail"
  master_password     = "correct-horse-9"
  skip_final_snapshot = true
}
HCL
	(cd "$pdir" && "$cli" init -no-color -input=false && "$cli" apply -no-color -auto-approve -input=false) >"$out" 2>&1
	local rc=$?
	(cd "$pdir" && "$cli" state list) >"$out.state" 2>&1
	if [ "$rc" != 0 ] && grep -q 'rds:CreateDBInstance' "$out" && grep -q 'InvalidParameterValue' "$out" &&
		grep -q 'wagtail_aurora_cluster.p' "$out.state" && ! crashed "$out"; then
		ok partial-failure-keeps-cluster-in-state
	else
		notok partial-failure-keeps-cluster-in-state "$out" "$out.state"
	fi
	(cd "$pdir" && "$cli" destroy -no-color -auto-approve -input=false) >>"$out" 2>&1
	stop_fault_proxy
	expect partial-cluster-destroyed "$out.aws" check aurora-gone "$name"
}

# Deleted behind Terraform's back: the refresh drops it and the plan
# creates it again.
deleted_outside() {
	local out=$work/$cli_name-deleted.out
	check delete-aurora "$cluster"
	if [ "$(plan_exit "$out")" = 2 ] && grep -q 'wagtail_aurora_cluster.db will be created' "$out"; then
		ok deleted-cluster-planned-for-creation
	else
		notok deleted-cluster-planned-for-creation "$out"
	fi
	expect deleted-cluster-recreated "$out" apply_ok "$out"
	expect recreated-cluster-in-aws "$out.aws" check aurora-instances "$cluster" 2 2
}

# Aurora Serverless v2: instance class db.serverless with a scaling range.
serverless() {
	local out=$work/$cli_name-serverless.out name=acc-$cli_name-serverless
	cat >"$dir/serverless.tf" <<HCL
resource "wagtail_aurora_cluster" "serverless" {
  name                = "$name"
  engine_version      = "15"
  instance_class      = "db.serverless"
  reader_count        = 0
  master_username     = "wagtail"
  master_password     = "correct-horse-9"
  skip_final_snapshot = true

  serverless_v2_scaling {
    min_capacity = 0.5
    max_capacity = 4
  }
}
HCL
	expect serverless-created "$out" apply_ok "$out"
	expect serverless-scaling-in-aws "$out.aws" check aurora "$name" \
		'{"ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 4.0}}'
	no_changes serverless-no-changes
	# A major version alone: RDS runs a minor one of it (the strict layer
	# answers 15.4, moto alone 15); the state keeps what was asked for, so
	# the plan above was empty, and engine_version_actual says what runs.
	local want_actual=15
	[ -z "${STRICT_AWS_STATS_URL:-}" ] || want_actual=15.4
	tf "$out.state" state show -no-color wagtail_aurora_cluster.serverless
	if grep -Eq '^ *engine_version *= "15"$' "$out.state" &&
		grep -Eq "^ *engine_version_actual *= \"$want_actual\"\$" "$out.state"; then
		ok major-version-kept-minor-reported
	else
		notok major-version-kept-minor-reported "$out.state"
	fi
}

# Ctrl-C during the wait for a cluster that stays `creating`: Terraform sends
# StopProvider, the wait ends at once, and the cluster is in the state.
interrupt() {
	local out=$work/$cli_name-interrupt.out idir=$work/$cli_name-interrupt log=$work/$cli_name-interrupt-proxy.log
	local name=acc-$cli_name-interrupted started waited
	proxied_provider rds "$idir" "$log" "creating*10000:DescribeDBClusters"
	cat >"$idir/main.tf" <<HCL
resource "wagtail_aurora_cluster" "i" {
  name                = "$name"
  instance_class      = "db.r6g.large"
  reader_count        = 0
  master_username     = "wagtail"
  master_password     = "correct-horse-9"
  skip_final_snapshot = true
}
HCL
	(cd "$idir" && "$cli" init -no-color -input=false) >"$out" 2>&1
	(cd "$idir" && exec "$cli" apply -no-color -auto-approve -input=false) >>"$out" 2>&1 &
	local apply_pid=$!
	for _ in $(seq 1 100); do grep -q '^DescribeDBClusters creating' "$log" && break; sleep 0.2; done
	sleep 1 # well into the wait
	started=$(date +%s)
	kill -INT "$apply_pid"
	wait "$apply_pid"
	waited=$(($(date +%s) - started))
	(cd "$idir" && "$cli" state list) >"$out.state" 2>&1
	if [ "$waited" -le 10 ] && grep -q 'Interrupted' "$out" && grep -q 'wagtail_aurora_cluster.i' "$out.state" &&
		! crashed "$out"; then
		ok "interrupt-stops-the-wait (${waited}s)"
	else
		notok interrupt-stops-the-wait "$out" "$out.state"
		note "apply ended ${waited}s after Ctrl-C"
	fi
	stop_fault_proxy
	provider_block >"$idir/provider.tf"
	expect interrupted-cluster-destroyed "$out" sh -c "cd '$idir' && '$cli' destroy -no-color -auto-approve -input=false"
}

destroy_all() {
	local out=$work/$cli_name-destroy.out
	cluster_tf 1 false >"$dir/main.tf"
	expect protection-lifted "$out" apply_ok "$out"
	deleted_outside
	out=$work/$cli_name-destroy.out
	out=$work/$cli_name-destroy-all.out
	expect destroy "$out" tf "$out" destroy -no-color -auto-approve -input=false
	expect cluster-gone "$out.aws" check aurora-gone "$cluster"
	expect security-group-gone "$out.aws" check security-group-gone "$group"
	expect subnet-group-gone "$out.aws" check subnet-group-gone "$cluster-subnets"
	expect imported-gone "$out.aws" check aurora-gone "acc-$cli_name-imported"
	expect serverless-gone "$out.aws" check aurora-gone "acc-$cli_name-serverless"
}

# Rules RDS would enforce are refused by validate, before any AWS call, each
# diagnostic naming its attribute.
invalid_input() {
	local out=$work/$cli_name-invalid.out vdir=$work/$cli_name-invalid
	mkdir -p "$vdir"
	provider_block >"$vdir/provider.tf"
	cat >"$vdir/main.tf" <<HCL
resource "wagtail_aurora_cluster" "bad" {
  name                            = "1-starts-with-a-digit"
  instance_class                  = "db.r6g.large"
  port                            = 80
  master_username                 = "wagtail"
  master_password                 = "has@sign"
  allowed_cidr_blocks             = ["10.0.0.0/33"]
  enabled_cloudwatch_logs_exports = ["postgres"]
}
HCL
	(cd "$vdir" && "$cli" init -no-color -input=false && "$cli" validate -no-color) >"$out" 2>&1
	local rc=$? attr missing=
	for attr in name port master_password allowed_cidr_blocks enabled_cloudwatch_logs_exports vpc_id; do
		grep -q "$attr" "$out" || missing="$missing $attr"
	done
	if [ "$rc" != 0 ] && [ -z "$missing" ] && ! crashed "$out"; then
		ok invalid-input-rejected-by-validate
	else
		notok invalid-input-rejected-by-validate "$out"
		note "diagnostics missing for:$missing"
	fi
}

run_cli() {
	local out=$work/$cli_name-init.out
	cluster=acc-$cli_name-db
	dir=$work/$cli_name
	mkdir -p "$dir"
	read -r vpc subnet_a subnet_b < <(check default-network)
	app_group=$(check create-security-group "acc-$cli_name-app" "$vpc")
	role_arn=$(check create-role "acc-$cli_name-lambda")
	provider_block >"$dir/provider.tf"
	cluster_tf 1 true >"$dir/main.tf"
	if tf "$out" init -no-color -input=false; then ok init; else notok init "$out"; return; fi
	invalid_input
	create || return
	readers
	drift
	maintenance_window
	protected_destroy
	imports
	partial_failure
	serverless
	interrupt
	destroy_all
}

for_each_cli run_cli
finish
