#!/usr/bin/env bash
# Fault injection: every AWS resource, on every CRUD path, under
# transient and under persistent faults, against a real moto server (that
# checks every signature) behind tests/aws/fault_proxy.py. Every endpoint
# of the provider points at the proxy; the proxy fails chosen attempts of one
# API action per scenario.
#
#   tests/acceptance/faults.sh
#
# A scenario is one row of MATRIX or EXTRA (a resource, a path, the API
# action the faults hit) under one fault class, with a directory, a state, a
# resource and a fault_proxy.py of its own (its faults set through the
# proxy's control endpoint), at most FAULT_JOBS at a time:
#
#   setup      read, update, delete: apply the resource without faults;
#              import: the same, then `state rm` (an import block brings it
#              back)
#   operation  create, partial (a create whose first call succeeds and a
#              later one fails): apply; read: apply (its refresh); update:
#              apply a changed attribute; delete: apply without the
#              resource; import: apply with an import block. With
#              TF_LOG=debug.
#   transient  one or two faults on the first attempts (max_retries is 2):
#              the apply succeeds; each retry of that operation has its
#              "retrying AWS call" line among the provider's debug log lines
#              and the proxy injected every fault; AWS and the state agree;
#              a plan finds nothing to do.
#   persistent one kind on every attempt: the apply fails with a diagnostic
#              naming the call ("AWS ssm:PutParameter failed"), does not
#              crash, ends in time. Then, without faults: boto3 and the state
#              file agree as `want` says (aws_check.py faults-agree): nothing
#              in AWS that the state lacks; a partial create in the state,
#              tainted; a failed delete still in the state; a refresh-only
#              plan finds an untainted state equal to AWS. A second apply
#              converges: the plan after it finds nothing to do.
#
# Fault kinds (fault_proxy.py), rotating over the rows: 500 and 503 with an
# AWS error document, 500bare and 503bare without, throttle
# (ThrottlingException), Throttling and RequestLimitExceeded in the
# protocol's own shape (JSON 1.1, Query XML, EC2 XML), 429, drop, reset (TCP
# RST), truncate, malformed and slow; stall in rows of its own. Truncate and
# malformed forward the request: it takes effect in moto and only its answer
# is lost, the case where a create must not leave the resource untracked and
# where a retried create meets "already exists".
#
# OpenTofu runs every row; Terraform the rows marked tf (both classes),
# tf-transient or tf-persistent, a representative subset: every resource's
# create under both classes, two partial creates, two deletes, one read, two
# updates and one import, a persistent stall and six lost-answer rows
# (about 30 scenarios of 150). What differs between the CLIs is what they
# do with a failed apply's state (tainting, keeping a failed delete); the
# provider's side is the same for both.
#
# Environment: as tests/acceptance/cli.sh (ACCEPTANCE_CLIS, PROVIDER_BINARY,
# VERSION, CASE_TIMEOUT, TOFU_BIN, TERRAFORM_BIN, KEEP_WORKDIR), and
# FAULT_JOBS (scenarios at once, default 6), FAULT_FILTER (an extended
# regular expression: only the scenarios whose id RESOURCE/PATH/ACTION/CLASS/
# KIND matches, e.g. 'iam_role|stall'), FAULT_CHECK_TIME (default 1; 0: a
# persistent stall's failure is not timed against its timeouts block, for a
# run beside others, such as CI's sanitizer repeat), FAULT_ROWS (`all`: every
# row on every CLI, e.g. on Terraform 1.11 with an ASan provider; by default
# Terraform runs only the subset above).
# Ends with the faults injected by kind, the scenarios survived and
# `faults: N passed, N failed` (N counts checks, five or so per scenario).
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
case_timeout=${CASE_TIMEOUT:-150}
stage_name=faults
fault_jobs=${FAULT_JOBS:-6}
fault_filter=${FAULT_FILTER:-}
# every_row: this CLI runs every row (OpenTofu; any CLI with FAULT_ROWS=all)
every_row() { [ "$cli_name" = tofu ] || [ "${FAULT_ROWS:-}" = all ]; }
stall_timeout=8 # seconds: the timeouts block of a persistent-stall scenario
# The strict AWS layer's RDS states, short: these scenarios are about faults,
# and a persistent-stall scenario's create (cluster, then its instance, each
# polled) must fit in stall_timeout. aurora.sh runs the layer's defaults.
export STRICT_AWS_DELAYS=${STRICT_AWS_DELAYS:-'{"rds_cluster_create": 1, "rds_backup": 0.5, "rds_instance_create": 1,
 "rds_enhanced_monitoring": 0.5, "rds_modify": 0.5, "rds_iam_auth": 0.5, "rds_delete": 1, "rds_role_association": 0.5,
 "ec2_eni_release": 0.5}'}

# shellcheck source=tests/acceptance/aws_lib.sh
source "$root/tests/acceptance/aws_lib.sh"

proxy_pids=$work/proxy.pids scenario_files=() scenario_pids=()
: >"$proxy_pids"
stop_everything() {
	local pid
	for pid in "${scenario_pids[@]}"; do kill "$pid" 2>/dev/null; done
	while read -r pid; do kill "$pid" 2>/dev/null; done <"$proxy_pids"
	moto_stop
	cleanup
}
trap stop_everything EXIT

# RESOURCE PATH SERVICE:ACTION [TERRAFORM]: TERRAFORM (tf, tf-transient or
# tf-persistent) says which classes Terraform runs too. partial: a create
# whose first call succeeds and a later one fails; ecs_cluster has none (its
# create is one call). Aurora's create makes a security group (EC2), then
# the cluster, then the writer: its first call is EC2's.
MATRIX='
ssm_parameter  create  ssm:PutParameter                   tf
ssm_parameter  partial ssm:DescribeParameters             tf-persistent
ssm_parameter  read    ssm:GetParameter
ssm_parameter  update  ssm:PutParameter                   tf-persistent
ssm_parameter  delete  ssm:DeleteParameter
ssm_parameter  import  ssm:GetParameter
ecr_repository create  ecr:CreateRepository               tf
ecr_repository partial ecr:ListTagsForResource
ecr_repository read    ecr:DescribeRepositories
ecr_repository update  ecr:PutImageTagMutability
ecr_repository delete  ecr:DeleteRepository
ecr_repository import  ecr:DescribeRepositories           tf-persistent
ecs_cluster    create  ecs:CreateCluster                  tf
ecs_cluster    read    ecs:DescribeClusters
ecs_cluster    update  ecs:UpdateCluster
ecs_cluster    delete  ecs:DeleteCluster
ecs_cluster    import  ecs:DescribeClusters
log_group      create  logs:CreateLogGroup                tf
log_group      partial logs:PutRetentionPolicy
log_group      read    logs:DescribeLogGroups
log_group      update  logs:PutRetentionPolicy
log_group      delete  logs:DeleteLogGroup
log_group      import  logs:DescribeLogGroups
iam_role       create  iam:CreateRole                     tf
iam_role       partial iam:PutRolePolicy
iam_role       read    iam:GetRole                        tf-transient
iam_role       update  iam:UpdateRole
iam_role       delete  iam:DeleteRole                     tf-persistent
iam_role       import  iam:GetRole
iam_policy     create  iam:CreatePolicy                   tf
iam_policy     partial iam:GetPolicyVersion
iam_policy     read    iam:GetPolicy
iam_policy     update  iam:CreatePolicyVersion
iam_policy     delete  iam:DeletePolicy
iam_policy     import  iam:GetPolicy
aurora_cluster create  ec2:CreateSecurityGroup            tf
aurora_cluster partial ec2:AuthorizeSecurityGroupIngress
aurora_cluster partial rds:CreateDBCluster
aurora_cluster partial rds:CreateDBInstance               tf-persistent
aurora_cluster read    rds:DescribeDBClusters
aurora_cluster update  rds:ModifyDBCluster
aurora_cluster delete  rds:DeleteDBCluster
aurora_cluster import  rds:DescribeDBClusters
ecs_service    create  ecs:CreateService                  tf
ecs_service    partial ecs:DescribeServices
ecs_service    read    ecs:DescribeServices
ecs_service    update  ecs:UpdateService                  tf-transient
ecs_service    delete  ecs:DeleteService                  tf-persistent
ecs_service    import  ecs:DescribeServices
'

# Rows of their own (RESOURCE PATH SERVICE:ACTION CLASS KIND [tf]): stalls,
# each of which costs a full per-request timeout (60 s; a persistent one the
# 8 s of its timeouts block); and answers lost after the request took
# effect, on every resource's create (the retry of an attempt that made the
# resource meets "already exists"; when every answer is lost the resource
# must still reach the state) and on deletes (the state keeps what it cannot
# know is gone: the next refresh finds it gone).
EXTRA='
ssm_parameter  read    ssm:GetParameter                  transient  stall
ecs_service    create  ecs:CreateService                 persistent stall     tf
aurora_cluster read    rds:DescribeDBClusters            persistent stall
ssm_parameter  create  ssm:PutParameter                  transient  truncate  tf
ssm_parameter  create  ssm:PutParameter                  persistent malformed tf
ecr_repository create  ecr:CreateRepository              transient  malformed
ecr_repository create  ecr:CreateRepository              persistent truncate
ecs_cluster    create  ecs:CreateCluster                 transient  truncate
ecs_cluster    create  ecs:CreateCluster                 persistent malformed
log_group      create  logs:CreateLogGroup               transient  malformed tf
log_group      create  logs:CreateLogGroup               persistent truncate
iam_role       create  iam:CreateRole                    transient  truncate
iam_role       create  iam:CreateRole                    persistent malformed tf
iam_policy     create  iam:CreatePolicy                  persistent truncate
aurora_cluster create  ec2:CreateSecurityGroup           persistent malformed
aurora_cluster partial rds:CreateDBCluster               persistent truncate  tf
aurora_cluster partial rds:CreateDBInstance              transient  truncate
ecs_service    create  ecs:CreateService                 transient  malformed
ssm_parameter  delete  ssm:DeleteParameter               persistent truncate
iam_role       delete  iam:DeleteRole                    persistent malformed tf
'

# Kinds, rotating over the rows. A bare 5xx is retried once only (at the
# first attempt), so it comes first in a pair.
TRANSIENT=("500bare,503" "throttle,Throttling" "RequestLimitExceeded,429" "reset,500" "truncate,drop"
	"503bare,malformed" slow "503,reset" "drop,truncate" "malformed,throttle" "429,500")
PERSISTENT=(500 503 throttle Throttling RequestLimitExceeded 429 reset drop truncate malformed 500bare 503bare)

# ---------------------------------------------------------------------------
# The resources, one per scenario: hcl_<resource> VARIANT (base, changed or
# import) prints its configuration; the name is $name. Timeouts (when the
# scenario stalls) are in $timeouts.
# ---------------------------------------------------------------------------

pick() { if [ "$1" = changed ]; then echo "$3"; else echo "$2"; fi; }

hcl_ssm_parameter() {
	cat <<HCL
resource "wagtail_ssm_parameter" "r" {
  name  = "/faults/$name"
  type  = "String"
  value = "$(pick "$1" one two)"
}
HCL
}

hcl_ecr_repository() {
	cat <<HCL
resource "wagtail_ecr_repository" "r" {
  name                 = "faults/$name"
  image_tag_mutability = "$(pick "$1" MUTABLE IMMUTABLE)"
}
HCL
}

hcl_ecs_cluster() {
	cat <<HCL
resource "wagtail_ecs_cluster" "r" {
  name               = "$name"
  container_insights = "$(pick "$1" enabled disabled)"
}
HCL
}

hcl_log_group() {
	cat <<HCL
resource "wagtail_log_group" "r" {
  name              = "/faults/$name"
  retention_in_days = $(pick "$1" 7 14)
}
HCL
}

hcl_iam_role() {
	cat <<HCL
resource "wagtail_iam_role" "r" {
  name                 = "$name"
  description          = "$(pick "$1" first second)"
  assume_role_services = ["ecs-tasks.amazonaws.com"]
  inline_policies = {
    read = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
    })
  }
}
HCL
}

hcl_iam_policy() {
	cat <<HCL
resource "wagtail_iam_policy" "r" {
  name = "$name"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "$(pick "$1" s3:GetObject s3:PutObject)", Resource = "*" }]
  })
}
HCL
}

# The import variant makes no security group: vpc_id and the allowed_*
# rules are not read back from AWS, so an imported cluster cannot match them.
hcl_aurora_cluster() {
	local network="  vpc_id                  = \"$vpc\"
  allowed_cidr_blocks     = [\"10.20.0.0/16\"]"
	[ "$1" = import ] && network=
	cat <<HCL
resource "wagtail_aurora_cluster" "r" {
  name                    = "$name"
  instance_class          = "db.r6g.large"
  reader_count            = 0
  master_username         = "wagtail"
  master_password         = "correct-horse-9"
$network
  backup_retention_period = $(pick "$1" 1 2)
  skip_final_snapshot     = true
  apply_immediately       = true
$timeouts
}
HCL
}

hcl_ecs_service() {
	cat <<HCL
resource "wagtail_ecs_service" "r" {
  name                  = "$name"
  cluster               = "$services_cluster"
  family                = "$name"
  container_definitions = jsonencode([{ name = "app", image = "nginx:1.27", memoryReservation = 128, essential = true }])
  cpu                   = 256
  memory                = 512
  execution_role_arn    = "$execution_role"
  desired_count         = $(pick "$1" 1 2)
  subnets               = ["$subnet_a", "$subnet_b"]
  security_groups       = ["$app_group"]
  wait_for_steady_state = false
$timeouts
}
HCL
}

# hcl_aurora_cluster and hcl_ecs_service take $timeouts; the other resources
# have no timeouts block (their calls end by the per-request timeout).

# What boto3 looks the resource up by (aws_check.py faults-agree), and its import id.
aws_name() {
	case $1 in
	ssm_parameter | log_group) echo "/faults/$name" ;;
	ecr_repository) echo "faults/$name" ;;
	ecs_service) echo "$services_cluster/$name" ;;
	*) echo "$name" ;;
	esac
}

import_id() {
	case $1 in
	ecs_cluster) echo "arn:aws:ecs:eu-west-1:123456789012:cluster/$name" ;;
	iam_policy) echo "arn:aws:iam::123456789012:policy/$name" ;;
	*) aws_name "$1" ;;
	esac
}

# ---------------------------------------------------------------------------
# One scenario. Runs in a background subshell; its report (ok/FAIL lines,
# `injected KIND N` lines and a `scenario` line) goes to its result file.
# ---------------------------------------------------------------------------

# proxy_up DIR: a fault_proxy.py of the scenario's own, without faults yet.
proxy_up() {
	local d=$1
	"$python" "$root/tests/aws/fault_proxy.py" "$MOTO_ENDPOINT" "$d/proxy.port" >"$d/proxy.log" 2>&1 &
	proxy_pid=$!
	echo "$proxy_pid" >>"$proxy_pids"
	for _ in $(seq 1 100); do [ -s "$d/proxy.port" ] && break; sleep 0.05; done
	proxy_url=http://127.0.0.1:$(cat "$d/proxy.port" 2>/dev/null)
}

set_faults() { curl -fsS -X PUT --data "$1" "$proxy_url/_fault_proxy/faults" >/dev/null; }

# The proxy's count of injected faults, as `injected KIND N` lines.
injected_lines() {
	curl -fsS "$proxy_url/_fault_proxy/stats" |
		"$python" -c 'import json,sys; [print("injected", k, n) for k, n in json.load(sys.stdin)["injected"].items()]'
}

# want RESOURCE PATH CLASS KIND: the AWS and state presence after the
# faulty operation (aws_check.py faults-agree), as "AWS STATE".
want() {
	local res=$1 path=$2 class=$3 kind=$4 forwarded=
	case $kind in truncate | malformed | slow) forwarded=1 ;; esac
	if [ "$class" = transient ]; then
		if [ "$path" = delete ]; then echo "no no"; else echo "yes yes"; fi
		return
	fi
	case $path in
	create)
		# The request reached moto when the answer was cut or garbled:
		# what it made must be in the state, tainted.
		if [ -n "$forwarded" ]; then echo "yes|partial tainted"; else echo "no no"; fi
		;;
	partial) echo "yes|partial tainted" ;;
	read | update) echo "yes yes" ;;
	# A delete whose answers were all lost may have happened: the state
	# keeps the resource; the next refresh finds it gone.
	delete) if [ -n "$forwarded" ]; then echo "yes|partial|no yes"; else echo "yes yes"; fi ;;
	import) echo "yes no" ;;
	esac
}

# diagnostic_detail SUMMARY FILE: the detail of the first diagnostic with
# that summary (its last line before the next diagnostic), shortened.
diagnostic_detail() {
	awk -v summary="$1" '
		{ sub(/^[│ ]+/, "") }
		index($0, summary) { on = 1; next }
		on && /^(Error|Warning):/ { exit }
		on && !NF { if (text != "") last = text; text = ""; next }
		on { text = text (text == "" ? "" : " ") $0 }
		END { print (text != "" ? text : last) }' "$2" | sed -e 's/ (HTTP \([0-9]*\).*/ (HTTP \1)/' | cut -c1-90
}

scenario() {
	local res=$1 path=$2 call=$3 class=$4 kind=$5 index=$6
	local service=${call%%:*} action=${call#*:}
	local id=$res/$path/$action/$class/$kind name=f-$cli_name-$index${class:0:1} d=$work/s/$cli_name-$index${class:0:1}
	local variant=base op_variant=base timeouts='' spec='' retries=0 started elapsed rc f
	local want_aws want_state out
	mkdir -p "$d"
	if [ "$kind" = stall ] && [ "$class" = persistent ]; then
		timeouts="  timeouts {
    create = \"${stall_timeout}s\"
    read   = \"${stall_timeout}s\"
    update = \"${stall_timeout}s\"
    delete = \"${stall_timeout}s\"
  }"
	fi
	[ "$path" = import ] && variant=import && op_variant=import
	[ "$path" = update ] && op_variant=changed

	proxy_up "$d"
	provider_block | sed "s#\"$MOTO_ENDPOINT\"#\"$proxy_url\"#" >"$d/provider.tf"
	dir=$d
	if ! tf "$d/init.out" init -no-color -input=false; then
		notok "$id setup" "$d/init.out"
		return
	fi

	# Setup, without faults.
	case $path in
	read | update | delete | import)
		"hcl_$res" "$variant" >"$d/main.tf"
		if ! tf "$d/setup.out" apply -no-color -auto-approve -input=false; then
			notok "$id setup" "$d/setup.out"
			return
		fi
		if [ "$path" = import ] && ! tf "$d/setup-rm.out" state rm "wagtail_$res.r"; then
			notok "$id setup" "$d/setup-rm.out"
			return
		fi
		;;
	esac

	# The configuration of the operation.
	case $path in
	delete) rm -f "$d/main.tf" ;;
	*) "hcl_$res" "$op_variant" >"$d/main.tf" ;;
	esac
	if [ "$path" = import ]; then
		printf 'import {\n  to = wagtail_%s.r\n  id = "%s"\n}\n' "$res" "$(import_id "$res")" >>"$d/main.tf"
	fi

	# The faults, then the operation.
	if [ "$class" = transient ]; then
		for f in ${kind//,/ }; do
			spec=$spec${spec:+,}$f:$action
			[ "$f" = slow ] || retries=$((retries + 1))
		done
	else
		spec="$kind*:$action"
	fi
	set_faults "$spec"
	out=$d/op.out
	started=$EPOCHREALTIME
	TF_LOG=debug TF_LOG_PATH=$d/op.log tf "$out" apply -no-color -auto-approve -input=false
	rc=$?
	elapsed=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}')
	set_faults ""
	injected_lines >"$d/injected"

	local logged
	logged=$(grep -c "retrying AWS call:.*operation=$service:$action" "$d/op.log")
	if crashed "$out" "$d/op.log"; then
		grep -hiE -B3 -A3 "$crash_signs" "$out" "$d/op.log" >"$d/crash-signs"
		notok "$id provider-did-not-crash" "$out" "$d/proxy.log" "$d/crash-signs"
	elif [ "$class" = transient ]; then
		if [ "$rc" = 0 ]; then ok "$id apply-succeeds"; else notok "$id apply-succeeds" "$out" "$d/proxy.log"; fi
		if [ "$(awk '{n += $3} END {print n + 0}' "$d/injected")" -ge "$(echo "${kind//,/ }" | wc -w)" ] &&
			[ "$logged" = "$retries" ]; then
			ok "$id retries-logged ($retries)"
		else
			notok "$id retries-logged" "$d/proxy.log"
			note "want $retries 'retrying AWS call' lines for $service:$action in the debug log, found $logged"
		fi
	else
		local bound=$case_timeout
		[ "$kind" = stall ] && [ "${FAULT_CHECK_TIME:-1}" = 1 ] && bound=$((stall_timeout + 10))
		if [ "$rc" != 0 ] && grep -q "AWS $service:$action failed" "$out" && [ -s "$d/injected" ] &&
			awk -v e="$elapsed" -v b="$bound" 'BEGIN {exit !(e < b)}'; then
			ok "$id fails-naming-the-call ($(diagnostic_detail "AWS $service:$action failed" "$out"))"
		else
			notok "$id fails-naming-the-call" "$out" "$d/proxy.log"
			note "rc=$rc after ${elapsed}s (bound ${bound}s); want a diagnostic 'AWS $service:$action failed'"
		fi
	fi

	# AWS and the state agree.
	read -r want_aws want_state < <(want "$res" "$path" "$class" "${kind%%,*}")
	if check faults-agree "$res" "$(aws_name "$res")" "$d/terraform.tfstate" "$want_aws" "$want_state" \
		>"$d/agree.out" 2>&1; then
		ok "$id state-matches-aws ($(cat "$d/agree.out"))"
	else
		notok "$id state-matches-aws" "$d/agree.out"
	fi
	if [ "$want_state" = yes ] && [ "$want_aws" = yes ]; then
		rc=$(refresh_only_exit "$d/refresh.out")
		if [ "$rc" = 0 ]; then ok "$id refresh-finds-no-drift"; else notok "$id refresh-finds-no-drift" "$d/refresh.out"; fi
	fi

	# Without faults, the next apply converges: nothing left to do after it.
	if [ "$class" = persistent ]; then
		if ! TF_LOG=debug TF_LOG_PATH=$d/second.log tf "$d/second.out" apply -no-color -auto-approve -input=false; then
			notok "$id second-apply-converges" "$d/second.out"
			return
		fi
	fi
	rc=$(plan_exit "$d/plan.out")
	read -r want_aws want_state < <(want "$res" "$path" transient "")
	if [ "$rc" = 0 ] && check faults-agree "$res" "$(aws_name "$res")" "$d/terraform.tfstate" "$want_aws" \
		"$want_state" >"$d/final.out" 2>&1; then
		ok "$id $([ "$class" = persistent ] && echo second-apply-)converges"
	else
		notok "$id converges" "$d/plan.out" "$d/final.out"
		note "plan exit $rc, want 0"
	fi
}

# run_scenario ARGS...: scenario in the background, its report in a file;
# waits while fault_jobs of them run.
running_scenarios() {
	local pid n=0
	for pid in "${scenario_pids[@]}"; do kill -0 "$pid" 2>/dev/null && n=$((n + 1)); done
	echo "$n"
}
run_scenario() {
	local file
	file=$work/results/$(printf '%04d' ${#scenario_files[@]})
	scenario_files+=("$file")
	while [ "$(running_scenarios)" -ge "$fault_jobs" ]; do sleep 0.2; done
	# shellcheck disable=SC2030 # each scenario counts its own, in its report
	(
		passed=0 failed=0
		scenario "$@"
		echo "scenario $cli_name $passed $failed"
		cat "$work/s/$cli_name-$6${4:0:1}/injected" 2>/dev/null
		kill "$proxy_pid" 2>/dev/null
	) >"$file" 2>&1 &
	scenario_pids+=($!)
}

# The matrix for one CLI: tofu all rows, terraform those marked tf.
queue_cli() {
	local res path call tf_mark index=0 extra_index=100 class kind
	read -r vpc subnet_a subnet_b app_group execution_role services_cluster < <(check faults-setup "faults-$cli_name")
	if [ -z "$services_cluster" ]; then
		notok faults-setup
		return
	fi
	# These first: the stalls take longest.
	while read -r res path call class kind tf_mark; do
		[ -n "$res" ] || continue
		extra_index=$((extra_index + 1))
		every_row || [ "$tf_mark" = tf ] || continue
		[[ -z "$fault_filter" || "$res/$path/${call#*:}/$class/$kind" =~ $fault_filter ]] || continue
		run_scenario "$res" "$path" "$call" "$class" "$kind" "$extra_index"
	done <<<"$EXTRA"
	while read -r res path call tf_mark; do
		[ -n "$res" ] || continue
		index=$((index + 1))
		every_row || [ -n "$tf_mark" ] || continue
		for class in transient persistent; do
			every_row || [ "$tf_mark" = tf ] || [ "$tf_mark" = "tf-$class" ] || continue
			if [ "$class" = transient ]; then
				kind=${TRANSIENT[$((index % ${#TRANSIENT[@]}))]}
			else
				kind=${PERSISTENT[$((index % ${#PERSISTENT[@]}))]}
			fi
			[[ -z "$fault_filter" || "$res/$path/${call#*:}/$class/$kind" =~ $fault_filter ]] || continue
			run_scenario "$res" "$path" "$call" "$class" "$kind" "$index"
		done
	done <<<"$MATRIX"
}

mkdir -p "$work/results" "$work/s"
started_all=$(date +%s)
for_each_cli queue_cli
while [ "$(running_scenarios)" -gt 0 ]; do sleep 0.2; done

# The report, in the order queued.
scenarios=0 survived=0 injected_total=0
declare -A injected_by_kind=()
# shellcheck disable=SC2031 # the reports, not the subshells, are counted here
for file in "${scenario_files[@]}"; do
	while IFS= read -r line; do
		case $line in
		"ok "*) passed=$((passed + 1)) ;;
		"FAIL "*) failed=$((failed + 1)) ;;
		"scenario "*)
			read -r _ _ s_passed s_failed <<<"$line"
			scenarios=$((scenarios + 1))
			[ "$s_failed" = 0 ] && [ "$s_passed" -gt 0 ] && survived=$((survived + 1))
			continue
			;;
		"injected "*)
			read -r _ kind count <<<"$line"
			injected_by_kind[$kind]=$((${injected_by_kind[$kind]:-0} + count))
			injected_total=$((injected_total + count))
			continue
			;;
		esac
		printf '%s\n' "$line"
	done <"$file"
done
by_kind=
for kind in $(printf '%s\n' "${!injected_by_kind[@]}" | sort); do by_kind="$by_kind $kind=${injected_by_kind[$kind]}"; done
echo "faults: $injected_total faults injected (${by_kind# }); $survived of $scenarios scenarios survived; $(($(date +%s) - started_all))s"
finish
