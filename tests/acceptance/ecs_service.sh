#!/usr/bin/env bash
# Acceptance tests of wagtail_ecs_service: both real CLIs against a real moto
# server (ECS, EC2, ELBv2, IAM) that checks every signature, with the AWS
# side read back by boto3 (aws_check.py). The layout is examples/wagtail's: one
# wagtail_ecs_cluster holding two services, cymph and wagtail, whose
# container definitions templatefile renders from ecs_service.json.tpl.
#
# Where moto differs from AWS the code follows AWS and the case says so:
#  - a service's runningCount is MOTO_ECS_SERVICE_RUNNING (exported below,
#    before moto starts): with 2, services of up to two tasks reach a steady
#    state at once and one of three never does (the timeout case);
#  - CreateService does not store deploymentConfiguration,
#    enableExecuteCommand or healthCheckGracePeriodSeconds (UpdateService
#    does), so they are checked after an update that sets them, and import
#    is tested before the case that recreates a service;
#  - UpdateService starts no new deployment, so a wait after it sees the
#    first one, already COMPLETED;
#  - CreateService fails (HTTP 500) without securityGroups, which AWS takes
#    as the VPC's default group: every service here names a group.
#
# Environment: as tests/acceptance/cli.sh. Ends with `ecs-service: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
case_timeout=${CASE_TIMEOUT:-300}
stage_name=ecs-service
template=$root/tests/acceptance/ecs_service.json.tpl
account=123456789012

# moto_server inherits it: tests/aws/moto.sh starts it from this shell.
export MOTO_ECS_SERVICE_RUNNING=2

# shellcheck source=tests/acceptance/aws_lib.sh
source "$root/tests/acceptance/aws_lib.sh"

# cymph_template TAG: the container definitions from the template file.
cymph_template() {
	echo "templatefile(\"$template\", { name = \"cymph\", image = \"cymph:$1\", port = 8080 })"
}

# cymph_jsonencode TAG: the same containers as jsonencode writes them: other
# key order and spacing, environment in another order, and the defaults
# AWS fills in spelled out.
cymph_jsonencode() {
	cat <<HCL
jsonencode([{
    logConfiguration = {
      options = {
        "awslogs-stream-prefix" = "cymph"
        "awslogs-region"        = "eu-west-1"
        "awslogs-group"         = "/ecs/cymph"
      }
      logDriver = "awslogs"
    }
    environment = [
      { value = "cymph.settings.production", name = "DJANGO_SETTINGS_MODULE" },
      { value = "cymph", name = "APP" },
    ]
    portMappings      = [{ protocol = "tcp", hostPort = 8080, containerPort = 8080 }]
    essential         = true
    cpu               = 0
    mountPoints       = []
    volumesFrom       = []
    memoryReservation = 256
    image             = "cymph:$1"
    name              = "cymph"
  }])
HCL
}

breaker_block() {
	printf '  deployment_circuit_breaker {\n    enable   = %s\n    rollback = %s\n  }\n' "$1" "$2"
}

# main_tf: the cluster and both services; the shell variables cymph_* and
# wagtail_* hold what the cases change.
main_tf() {
	cat <<HCL
resource "wagtail_ecs_cluster" "main" {
  name = "$cluster"
}

resource "wagtail_ecs_service" "cymph" {
  name                  = "cymph"
  cluster               = wagtail_ecs_cluster.main.name
  family                = "$prefix-cymph"
  container_definitions = $cymph_containers
  cpu                   = 256
  memory                = 512
  execution_role_arn    = "$execution_role"
  task_role_arn         = "$cymph_role"
  desired_count         = 1
  subnets               = [$cymph_subnets]
  security_groups       = ["$app_group"]
  wait_for_steady_state = true
  tags                  = { App = "cymph" }

$(breaker_block true true)
}

resource "wagtail_ecs_service" "wagtail" {
  name                               = "wagtail"
  cluster                            = wagtail_ecs_cluster.main.arn
  family                             = "$prefix-wagtail"
  container_definitions              = templatefile("$template", { name = "wagtail", image = "wagtail:1.0", port = 8000 })
  cpu                                = 512
  memory                             = 1024
  execution_role_arn                 = "$execution_role"
  task_role_arn                      = "$wagtail_role"
  desired_count                      = 2
  subnets                            = ["$subnet_a", "$subnet_b"]
  security_groups                    = ["$app_group"]
  deployment_minimum_healthy_percent = $wagtail_min
  health_check_grace_period_seconds  = $wagtail_grace
  enable_execute_command             = $wagtail_exec
  propagate_tags                     = "SERVICE"
  tags                               = $wagtail_tags

$wagtail_breaker
  load_balancer {
    target_group_arn = "$target_group"
    container_name   = "wagtail"
    container_port   = 8000
  }
}

output "cymph_revision" { value = wagtail_ecs_service.cymph.task_definition_revision }
HCL
}

revision() { echo "arn:aws:ecs:eu-west-1:$account:task-definition/$prefix-$1"; }

create() {
	local out=$work/$cli_name-create.out
	if apply_ok "$out"; then ok create; else notok create "$out"; return 1; fi
	if grep -q 'one availability zone' "$out"; then notok no-zone-warning-for-two-zones "$out"; else ok no-zone-warning-for-two-zones; fi
	expect cymph-service-in-aws "$out.aws" check ecs-service "$cluster" cymph "{
		\"launchType\": \"FARGATE\", \"desiredCount\": 1, \"taskDefinition\": \"$(revision cymph:1)\",
		\"subnets\": [\"$subnet_a\", \"$subnet_b\"], \"securityGroups\": [\"$app_group\"], \"assignPublicIp\": \"DISABLED\",
		\"tags\": {\"App\": \"cymph\", \"ManagedBy\": \"wagtail-acceptance\"}}"
	expect cymph-fargate-revision-with-roles "$out.aws" check ecs-task-definition "$prefix-cymph:1" "{
		\"status\": \"ACTIVE\", \"image\": \"cymph:1.0\", \"cpu\": \"256\", \"memory\": \"512\",
		\"networkMode\": \"awsvpc\", \"requiresCompatibilities\": [\"FARGATE\"],
		\"executionRoleArn\": \"$execution_role\", \"taskRoleArn\": \"$cymph_role\"}"
	expect wagtail-service-in-aws "$out.aws" check ecs-service "$cluster" wagtail "{
		\"desiredCount\": 2, \"taskDefinition\": \"$(revision wagtail:1)\", \"propagateTags\": \"SERVICE\",
		\"loadBalancers\": [{\"targetGroupArn\": \"$target_group\", \"containerName\": \"wagtail\", \"containerPort\": 8000}]}"
	expect wagtail-revision-with-roles "$out.aws" check ecs-task-definition "$prefix-wagtail:1" "{
		\"image\": \"wagtail:1.0\", \"cpu\": \"512\", \"memory\": \"1024\",
		\"executionRoleArn\": \"$execution_role\", \"taskRoleArn\": \"$wagtail_role\"}"
	expect wagtail-subnets-in-two-zones "$out.aws" check ecs-service-zones "$cluster" wagtail 2
	no_changes second-plan-no-changes
}

reordered() {
	cymph_containers=$(cymph_jsonencode 1.0)
	main_tf >"$dir/main.tf"
	no_changes reordered-container-json-no-diff
}

new_image() {
	local out=$work/$cli_name-image-plan.out rc
	cymph_containers=$(cymph_jsonencode 2.0)
	main_tf >"$dir/main.tf"
	rc=$(plan_exit "$out")
	if [ "$rc" = 2 ] && grep -q 'wagtail_ecs_service.cymph will be updated in-place' "$out" &&
		grep -q 'task_definition_arn' "$out" && ! grep -q 'must be replaced' "$out" &&
		! grep -q 'wagtail_ecs_service.wagtail will be' "$out"; then
		ok image-change-planned-in-place
	else
		notok image-change-planned-in-place "$out"
	fi
	out=$work/$cli_name-image.out
	expect image-change-apply "$out" apply_ok "$out"
	expect service-moved-to-revision-2 "$out.aws" check ecs-service "$cluster" cymph \
		"{\"taskDefinition\": \"$(revision cymph:2)\"}"
	expect revision-2-has-new-image "$out.aws" check ecs-task-definition "$prefix-cymph:2" '{"image": "cymph:2.0"}'
	expect old-revision-deregistered "$out.aws" check ecs-active-revisions "$prefix-cymph" 2
	tf "$out.outputs" output -no-color
	expect revision-output-is-2 "$out.outputs" grep -q 'cymph_revision = 2' "$out.outputs"
	no_changes after-image-no-changes
}

# Service settings only: UpdateService without a new revision.
deployment() {
	local out=$work/$cli_name-deployment.out
	wagtail_min=75 wagtail_grace=60 wagtail_exec=true wagtail_tags='{ App = "wagtail", Tier = "web" }'
	wagtail_breaker=$(breaker_block true false)
	main_tf >"$dir/main.tf"
	expect deployment-apply "$out" apply_ok "$out"
	expect deployment-settings-stored "$out.aws" check ecs-service "$cluster" wagtail '{
		"deploymentConfiguration": {"minimumHealthyPercent": 75, "maximumPercent": 200,
		                            "deploymentCircuitBreaker": {"enable": true, "rollback": false}},
		"enableExecuteCommand": true, "healthCheckGracePeriodSeconds": 60,
		"tags": {"App": "wagtail", "Tier": "web", "ManagedBy": "wagtail-acceptance"}}'
	expect no-new-revision-for-service-settings "$out.aws" check ecs-active-revisions "$prefix-wagtail" 1
	no_changes after-deployment-no-changes
}

one_zone() {
	local out=$work/$cli_name-one-zone.out
	cymph_subnets="\"$subnet_a\""
	main_tf >"$dir/main.tf"
	if apply_ok "$out" && grep -q 'Warning: All subnets are in one availability zone' "$out"; then
		ok one-zone-warning
	else
		notok one-zone-warning "$out"
	fi
	expect one-zone-subnets-stored "$out.aws" check ecs-service "$cluster" cymph "{\"subnets\": [\"$subnet_a\"]}"
	cymph_subnets="\"$subnet_a\", \"$subnet_b\""
	main_tf >"$dir/main.tf"
	out=$work/$cli_name-two-zones.out
	if apply_ok "$out" && ! grep -q 'one availability zone' "$out"; then ok two-zones-again; else notok two-zones-again "$out"; fi
	expect cymph-in-two-zones "$out.aws" check ecs-service-zones "$cluster" cymph 2
	no_changes after-zones-no-changes
}

# A refresh reads each service with DescribeServices and DescribeTaskDefinition;
# planning calls nothing.
refresh_calls() {
	local out=$work/$cli_name-calls.out log=$work/$cli_name-calls.log services revisions
	TF_LOG=trace TF_LOG_PATH=$log plan_exit "$out" >/dev/null
	services=$(grep 'AWS call' "$log" | grep -c 'DescribeServices')
	revisions=$(grep 'AWS call' "$log" | grep -c 'DescribeTaskDefinition')
	if [ "$services" = 2 ] && [ "$revisions" = 2 ] &&
		[ "$(grep 'AWS call' "$log" | grep -c 'service=ecs')" = 5 ]; then
		ok no-change-plan-two-calls-per-service
	else
		notok no-change-plan-two-calls-per-service
		note "DescribeServices $services, DescribeTaskDefinition $revisions; ECS calls:"
		grep 'AWS call' "$log" | grep -o 'operation=[A-Za-z]*' | sort | uniq -c | sed 's/^/    /'
	fi
}

imports() {
	local out=$work/$cli_name-import.out
	tf "$out" state rm wagtail_ecs_service.wagtail
	if ! tf "$out" import -no-color -input=false wagtail_ecs_service.wagtail wagtail &&
		grep -q 'CLUSTER/SERVICE' "$out" && ! crashed "$out"; then
		ok import-id-without-cluster-refused
	else
		notok import-id-without-cluster-refused "$out"
	fi
	expect import-by-cluster-arn-and-name "$out" tf "$out" import -no-color -input=false wagtail_ecs_service.wagtail \
		"arn:aws:ecs:eu-west-1:$account:cluster/$cluster/wagtail"
	no_changes after-import-no-changes
}

drift() {
	local out=$work/$cli_name-drift.out rc
	outside ecs-drift-service "$cluster" cymph cymph:hotfix "$subnet_a"
	rc=$(plan_exit "$out")
	if [ "$rc" = 2 ] && grep -q 'wagtail_ecs_service.cymph will be updated in-place' "$out" &&
		grep -q 'desired_count' "$out" && grep -q 'container_definitions' "$out" && grep -q "$subnet_b" "$out" &&
		! grep -q 'must be replaced' "$out"; then
		ok drift-detected
	else
		notok drift-detected "$out"
	fi
	expect drift-repaired "$out" apply_ok "$out"
	# Revision 3 is the one deployed outside; ours is 4.
	expect drift-service-back "$out.aws" check ecs-service "$cluster" cymph "{
		\"desiredCount\": 1, \"subnets\": [\"$subnet_a\", \"$subnet_b\"], \"taskDefinition\": \"$(revision cymph:4)\"}"
	expect drift-revision-has-our-image "$out.aws" check ecs-task-definition "$prefix-cymph:4" '{"image": "cymph:2.0"}'
	expect drift-outside-revision-deregistered "$out.aws" check ecs-active-revisions "$prefix-cymph" 4
	no_changes after-drift-no-changes
	out=$work/$cli_name-deleted.out
	outside ecs-delete-service "$cluster" wagtail
	rc=$(plan_exit "$out")
	if [ "$rc" = 2 ] && grep -q 'wagtail_ecs_service.wagtail will be created' "$out"; then
		ok deleted-service-planned-for-creation
	else
		notok deleted-service-planned-for-creation "$out"
	fi
	expect deleted-service-recreated "$out" apply_ok "$out"
	expect recreated-on-new-revision "$out.aws" check ecs-service "$cluster" wagtail \
		"{\"taskDefinition\": \"$(revision wagtail:2)\", \"desiredCount\": 2}"
	no_changes after-recreate-no-changes
}

# One-off configurations in a directory of their own, against the same moto.
side_dir() {
	local side=$work/$cli_name-$1
	mkdir -p "$side"
	provider_block >"$side/provider.tf"
	echo "$side"
}

# side_service NAME DESIRED [EXTRA]: a service in the cluster of the main case.
side_service() {
	cat <<HCL
resource "wagtail_ecs_service" "$1" {
  name                  = "$1"
  cluster               = "$cluster"
  family                = "$prefix-$1"
  container_definitions = templatefile("$template", { name = "$1", image = "$1:1.0", port = 9000 })
  cpu                   = 256
  memory                = 512
  desired_count         = $2
  subnets               = ["$subnet_a", "$subnet_b"]
  security_groups       = ["$app_group"]
${3:-}
}
HCL
}

# in_dir DIR OUT ARGS...: the current CLI in DIR, appending to OUT.
in_dir() {
	local side=$1 out=$2
	shift 2
	(cd "$side" && timeout -k 10 "$case_timeout" "$cli" "$@") >>"$out" 2>&1
}

# Three tasks never all run on moto: the wait gives up at the create
# timeout, and the service stays in the state (tainted) for destroy.
timeout_honoured() {
	local side out=$work/$cli_name-timeout.out started elapsed rc
	side=$(side_dir timeout)
	side_service slow 3 '  wait_for_steady_state = true
  timeouts {
    create = "5s"
  }' >"$side/main.tf"
	in_dir "$side" "$out" init -no-color -input=false
	started=$(date +%s)
	in_dir "$side" "$out" apply -no-color -auto-approve -input=false
	rc=$?
	elapsed=$(($(date +%s) - started))
	in_dir "$side" "$out.state" state list
	if [ "$rc" != 0 ] && [ "$elapsed" -lt 60 ] && grep -q 'ECS service slow was still' "$out" &&
		grep -q 'wagtail_ecs_service.slow' "$out.state" && ! crashed "$out"; then
		ok timeout-honoured-service-kept-in-state
	else
		notok timeout-honoured-service-kept-in-state "$out" "$out.state"
		note "apply exit $rc after ${elapsed}s"
	fi
	expect timed-out-service-destroyed "$out" in_dir "$side" "$out" destroy -no-color -auto-approve -input=false
	expect timed-out-service-gone "$out.aws" check ecs-service-gone "$cluster" slow
	expect timed-out-revision-deregistered "$out.aws" check ecs-active-revisions "$prefix-slow" ""
}

# CreateService refused after the revision was registered: the revision is
# deregistered again and nothing enters the state.
partial_failure() {
	local side out=$work/$cli_name-partial.out log=$work/$cli_name-partial-proxy.log rc
	side=$(side_dir partial)
	proxied_provider ecs "$side" "$log" reject:CreateService
	side_service half 1 >"$side/main.tf"
	in_dir "$side" "$out" init -no-color -input=false
	in_dir "$side" "$out" apply -no-color -auto-approve -input=false
	rc=$?
	in_dir "$side" "$out.state" state list
	stop_fault_proxy
	if [ "$rc" != 0 ] && grep -q 'ecs:CreateService' "$out" && grep -q 'InvalidParameterValue' "$out" &&
		! grep -q 'wagtail_ecs_service.half' "$out.state" && grep -q '^RegisterTaskDefinition forwarded' "$log" &&
		grep -q '^DeregisterTaskDefinition forwarded' "$log" && ! crashed "$out"; then
		ok failed-create-leaves-nothing-in-state
	else
		notok failed-create-leaves-nothing-in-state "$out" "$out.state" "$log"
	fi
	expect failed-create-revision-deregistered "$out.aws" check ecs-active-revisions "$prefix-half" ""
}

# Rules ECS would enforce are refused by validate, before any AWS call, each
# diagnostic naming its attribute.
invalid_input() {
	local side out=$work/$cli_name-invalid.out rc missing= phrase
	side=$(side_dir invalid)
	cat >"$side/main.tf" <<'HCL'
locals {
  service = { cluster = "main", family = "bad", subnets = ["subnet-1"] }
}

resource "wagtail_ecs_service" "malformed" {
  name                  = "malformed"
  cluster               = local.service.cluster
  family                = local.service.family
  subnets               = local.service.subnets
  memory                = 512
  container_definitions = "[{\"name\": \"web\", \"image\": "
}

resource "wagtail_ecs_service" "no_image" {
  name                  = "no-image"
  cluster               = local.service.cluster
  family                = local.service.family
  subnets               = local.service.subnets
  memory                = 512
  container_definitions = jsonencode([{ name = "web" }])
}

resource "wagtail_ecs_service" "no_memory" {
  name                  = "no-memory"
  cluster               = local.service.cluster
  family                = local.service.family
  subnets               = local.service.subnets
  container_definitions = jsonencode([{ name = "web", image = "nginx" }])
}
HCL
	in_dir "$side" "$out" init -no-color -input=false
	TF_LOG=trace TF_LOG_PATH=$work/$cli_name-invalid.log in_dir "$side" "$out" validate -no-color
	rc=$?
	for phrase in 'container_definitions: not valid JSON' 'container_definitions: container 1 ("web") has no "image"' \
		'Missing memory setting' 'Container "web" sets neither memory nor memoryReservation'; do
		grep -qF "$phrase" "$out" || missing="$missing [$phrase]"
	done
	if [ "$rc" != 0 ] && [ -z "$missing" ] && ! grep -q 'AWS call' "$work/$cli_name-invalid.log" && ! crashed "$out"; then
		ok invalid-input-rejected-by-validate
	else
		notok invalid-input-rejected-by-validate "$out"
		note "missing:$missing"
	fi
}

# A rollout the deployment circuit breaker stops (the strict AWS layer fails
# the next deployment of cymph): ECS rolls back to the revision that ran
# before, the apply fails naming the service and ECS's reason, the state
# says which revision runs, and the configuration of that revision plans
# empty again. moto alone runs no deployments: skipped there.
failed_rollout() {
	[ -n "${STRICT_AWS_STATS_URL:-}" ] || return 0
	local out=$work/$cli_name-failed-rollout.out before
	before=$(check ecs-service-revision "$cluster" cymph)
	curl -fsS -X PUT -d '{"service": "cymph"}' "${STRICT_AWS_STATS_URL%/stats}/fail-deployment" >/dev/null
	local kept=$cymph_containers
	cymph_containers=$(cymph_jsonencode 9.0)
	main_tf >"$dir/main.tf"
	tr_out() { tr -s '\n ' '  ' <"$out"; }
	if ! apply_ok "$out" && tr_out | grep -q 'ECS service cymph is' && tr_out | grep -q 'circuit breaker' &&
		! crashed "$out"; then
		ok failed-rollout-reported
	else
		notok failed-rollout-reported "$out"
	fi
	expect rolled-back-in-aws "$out.aws" check ecs-service "$cluster" cymph "{\"taskDefinition\": \"$before\"}"
	cymph_containers=$kept
	main_tf >"$dir/main.tf"
	no_changes after-rollback-no-changes
}

# refused CODE: how many answers with CODE the strict AWS layer has given.
refused() {
	curl -fsS "$STRICT_AWS_STATS_URL" | "$python" -c "import json, sys; print(json.load(sys.stdin)['refused'].get('$1', 0))"
}

# Destroy while a service deleted behind Terraform's back still drains its
# tasks (for 20 s here): ECS refuses DeleteCluster with
# ClusterContainsTasksException until they are gone, and the provider
# retries it within the delete timeout.
destroy_all() {
	local out=$work/$cli_name-destroy.out strict=${STRICT_AWS_STATS_URL:+1} before=0
	if [ -n "$strict" ]; then
		before=$(refused ClusterContainsTasksException)
		curl -fsS -X PUT -d '{"ecs_drain": 20}' "${STRICT_AWS_STATS_URL%/stats}/delays" >/dev/null
		outside ecs-delete-service "$cluster" wagtail
		curl -fsS -X PUT -d '{"ecs_drain": 3}' "${STRICT_AWS_STATS_URL%/stats}/delays" >/dev/null
	fi
	expect destroy "$out" tf "$out" destroy -no-color -auto-approve -input=false
	if [ -n "$strict" ]; then
		if [ "$(refused ClusterContainsTasksException)" -gt "$before" ]; then ok cluster-delete-retried-while-tasks-drain
		else notok cluster-delete-retried-while-tasks-drain "$out"; note "ECS never refused DeleteCluster"; fi
	fi
	expect cymph-gone "$out.aws" check ecs-service-gone "$cluster" cymph
	expect wagtail-gone "$out.aws" check ecs-service-gone "$cluster" wagtail
	expect cymph-revisions-deregistered "$out.aws" check ecs-active-revisions "$prefix-cymph" ""
	expect wagtail-revisions-deregistered "$out.aws" check ecs-active-revisions "$prefix-wagtail" ""
	expect cluster-gone "$out.aws" check cluster-gone "$cluster"
}

run_cli() {
	local out=$work/$cli_name-init.out
	prefix=acc-$cli_name cluster=acc-$cli_name-cluster dir=$work/$cli_name
	mkdir -p "$dir"
	read -r vpc subnet_a subnet_b < <(check default-network)
	app_group=$(check create-security-group "$prefix-app" "$vpc")
	target_group=$(check ecs-create-target-group "$prefix-wagtail" "$vpc")
	for role in execution cymph wagtail; do check iam-create-role "$prefix-$role" ecs-tasks.amazonaws.com; done
	execution_role=arn:aws:iam::$account:role/$prefix-execution
	cymph_role=arn:aws:iam::$account:role/$prefix-cymph
	wagtail_role=arn:aws:iam::$account:role/$prefix-wagtail
	cymph_containers=$(cymph_template 1.0) cymph_subnets="\"$subnet_a\", \"$subnet_b\""
	wagtail_min=50 wagtail_grace=30 wagtail_exec=false wagtail_tags='{ App = "wagtail" }' wagtail_breaker=
	provider_block >"$dir/provider.tf"
	main_tf >"$dir/main.tf"
	if tf "$out" init -no-color -input=false; then ok init; else notok init "$out"; return; fi
	invalid_input
	create || return
	reordered
	new_image
	deployment
	one_zone
	refresh_calls
	imports
	drift
	timeout_honoured
	partial_failure
	failed_rollout
	destroy_all
}

for_each_cli run_cli
finish
