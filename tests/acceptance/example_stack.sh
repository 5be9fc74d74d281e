#!/usr/bin/env bash
# Acceptance tests of the example stack (examples/wagtail, with
# modules/rds-aurora and modules/ecs): on both real CLIs, against a real moto
# server that checks every signature (aws_lib.sh) and a real PostgreSQL 15
# (tests/db/postgres.sh) standing in for the Aurora database, as the local
# quick start runs it. For each CLI, on a copy of the example laid out beside
# a link to the modules:
#
#   apply; every piece read back (boto3, psql); the second plan empty; the
#   TF_LOG=trace log of the apply, the state and a saved plan free of every
#   secret; deletion protection
#   turned off, as a user must before a destroy; destroy, and everything gone.
#
# Then the quick start itself: `make demo` twice (the second run changes
# nothing) and `make demo-down`.
#
# The stack runs as an assumed-role session, so that its credentials carry a
# session token, and the test adds a wagtail_rds_auth_token data source to
# its copy, so that an IAM token is made during the apply: the trace log must
# show neither.
#
# Where moto differs from AWS: its Lambda refuses signed calls, so the
# function the trigger names is not made (the stack only names it); AWS
# managed IAM policies exist only with MOTO_IAM_LOAD_MANAGED_POLICIES (set
# below: the monitoring role attaches one); ECS tasks never run.
#
# Environment: as tests/acceptance/cli.sh, plus PG_BIN and EXPECT_YOUNG_ROLE_REFUSAL
# (0: skip the check that RDS refused the young monitoring role). Ends with
# `example-stack: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
case_timeout=${CASE_TIMEOUT:-600}
stage_name=example-stack
region=eu-west-1
account=123456789012

# moto_server inherits it: tests/aws/moto.sh starts it from this shell.
export MOTO_IAM_LOAD_MANAGED_POLICIES=true
# The strict AWS layer as AWS is at its slower: the cluster creating for
# 10 s, and a new IAM role unknown to RDS for 15 s, so that the monitoring
# role the module makes in the same apply is still refused when the
# instances are made after the cluster (the provider must retry it).
export STRICT_AWS_DELAYS=${STRICT_AWS_DELAYS:-'{"rds_cluster_create": 10, "iam_propagation": 15}'}

# shellcheck source=tests/acceptance/aws_lib.sh
source "$root/tests/acceptance/aws_lib.sh"
# shellcheck source=tests/db/postgres.sh
source "$root/tests/db/postgres.sh"

if ! pg_start >"$work/pg-start.out" 2>&1; then
	notok start-postgres "$work/pg-start.out"
	pg_stop
	finish
	exit 1
fi
trap 'pg_stop; moto_stop; cleanup' EXIT

# The stack's provider block has no credentials or endpoints: like a user's,
# it takes them from the environment. A role session, for its token.
read -r session_key session_secret session_token < <(check session-credentials acc-example-stack)
export AWS_ENDPOINT_URL=$MOTO_ENDPOINT AWS_ACCESS_KEY_ID=$session_key AWS_SECRET_ACCESS_KEY=$session_secret
export AWS_SESSION_TOKEN=$session_token AWS_REGION=$region
unset AWS_PROFILE AWS_DEFAULT_PROFILE

# expect_output CASE OUT WANT COMMAND...: COMMAND prints exactly WANT.
expect_output() {
	local name=$1 out=$2 want=$3 got
	shift 3
	got=$("$@" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "$name"
	else
		echo "$got" >>"$out"
		notok "$name" "$out"
		note "got:  $(printf '%s' "$got" | tr '\n' ';')"
		note "want: $(printf '%s' "$want" | tr '\n' ';')"
	fi
}

json_string() { "$python" -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"; }

# A database of its own for each CLI, with the table Wagtail's migrations
# would have made, owned by the user the stack connects as.
make_database() {
	pg_sql_in postgres "CREATE DATABASE $db OWNER $PG_ADMIN_USER" &&
		pg_sql_in "$db" "CREATE TABLE public.wagtailcore_page (
				id serial PRIMARY KEY, title text NOT NULL, slug text NOT NULL,
				live boolean NOT NULL DEFAULT false, url_path text);
			ALTER TABLE public.wagtailcore_page OWNER TO $PG_ADMIN_USER"
}

# lay_out: the example as a user copies it, the modules beside it, the
# variables of this run, and the IAM token the test adds.
lay_out() {
	mkdir -p "$dir"
	cp -R "$root/examples/wagtail/." "$dir/"
	ln -sfn "$root/modules" "$work/$cli_name/modules"
	LOCAL_DATABASE_PASSWORD=$PG_ADMIN_PASSWORD "$python" "$root/scripts/demo_aws.py" prereqs "$MOTO_DIRECT_ENDPOINT" \
		"$MOTO_ACCESS_KEY" "$MOTO_SECRET_KEY" "$region" >"$work/$cli_name-prereqs.json" 2>&1 || return 1
	"$python" - "$work/$cli_name-prereqs.json" "$dir/acceptance.auto.tfvars.json" <<PY || return 1
import json, sys
variables = json.load(open(sys.argv[1]))
variables.update({"region": "$region", "stage": "$cli_name", "wagtail_db_user": "$db_user",
                  "database_connection": {"host": "$PG_HOST", "port": $PG_PORT, "database": "$db",
                                          "username": "$PG_ADMIN_USER", "sslrootcert": "$PG_CA"}})
json.dump(variables, open(sys.argv[2], "w"), indent=2)
PY
	read -r vpc subnet_a subnet_b ecs_group lambda_role function cidr < <("$python" -c '
import json, sys
v = json.load(open(sys.argv[1]))
print(v["private_subnet_id"], *v["subnets"], v["wagtail_ecs_sg"], v["wagtail_rds_iam_role"], v["page_changed_lambda_arn"], v["wagtail_cidr_range"])
' "$work/$cli_name-prereqs.json")
	cat >"$dir/acceptance_token.tf" <<'HCL'
# Added by example_stack.sh: an IAM authentication token made during the apply.
data "wagtail_rds_auth_token" "acceptance" {
  hostname = module.wagtail_rds_instance.this_rds_cluster_endpoint
  username = var.wagtail_db_user
}
HCL
}

repositories_exist() { check repository "$cli_name-cymph" MUTABLE true && check repository "$cli_name-wagtail" MUTABLE true; }
services_gone() { check ecs-service-gone "$ecs_cluster" "$label" && check ecs-service-gone "$ecs_cluster" "$label-wagtail"; }

# What the stack's tags are: the module's own and the provider's default_tags.
default_tags() { echo "{\"Service\": \"wagtail\", \"Stage\": \"$cli_name\"${1:-}}"; }

created() {
	local out=$work/$cli_name-apply.out
	export TF_LOG=trace TF_LOG_PATH=$work/$cli_name-apply.trace
	local started=$SECONDS
	if tf "$out" apply -no-color -auto-approve -input=false; then ok apply; else
		notok apply "$out"
		unset TF_LOG TF_LOG_PATH
		return 1
	fi
	if [ -n "${STRICT_AWS_STATS_URL:-}" ] && [ "${EXPECT_YOUNG_ROLE_REFUSAL:-1}" = 0 ]; then
		echo "    young-monitoring-role-retried not checked (EXPECT_YOUNG_ROLE_REFUSAL=0)"
	elif [ -n "${STRICT_AWS_STATS_URL:-}" ]; then
		echo "    apply took $((SECONDS - started)) s (strict AWS layer on, delays $STRICT_AWS_DELAYS)"
		# The monitoring role was made in this apply and the instances
		# soon after: RDS refused it at least once, and the provider retried.
		local refused
		refused=$(curl -fsS "$STRICT_AWS_STATS_URL" |
			"$python" -c 'import json, sys; print(json.load(sys.stdin).get("refused", {}).get("InvalidParameterValue", 0))')
		if [ "${refused:-0}" -ge 1 ]; then ok young-monitoring-role-retried; else
			notok young-monitoring-role-retried; note "the strict layer refused no young IAM role"
		fi
	else
		echo "    apply took $((SECONDS - started)) s (strict AWS layer off)"
	fi
	unset TF_LOG TF_LOG_PATH
	out=$work/$cli_name-aws.out

	# The database, as the design's module block asks: a writer and one reader (replica_count = 1),
	# in two zones, the Lambda role for feature Lambda, the monitoring role.
	expect cluster-has-seed-settings "$out" check aurora "$cluster" "{
		\"Engine\": \"aurora-postgresql\", \"EngineVersion\": \"11.9\", \"DatabaseName\": \"wagtail\",
		\"MasterUsername\": \"root\", \"Port\": 5432, \"IAMDatabaseAuthenticationEnabled\": true,
		\"StorageEncrypted\": true, \"EnabledCloudwatchLogsExports\": [\"postgresql\"], \"DeletionProtection\": true,
		\"DBSubnetGroup\": \"$cluster-subnets\",
		\"AssociatedRoles\": [{\"RoleArn\": \"$lambda_role\", \"FeatureName\": \"Lambda\"}],
		\"TagList\": $(default_tags ", \"Environment\": \"$cli_name\"")}"
	expect replica-count-1-is-writer-and-one-reader "$out" check aurora-instances "$cluster" 2 2
	tf "$out.state" state show -no-color module.wagtail_rds_instance.wagtail_aurora_cluster.this
	group=$(sed -n 's/^ *security_group_id *= "\(.*\)"$/\1/p' "$out.state")
	expect database-lets-tasks-and-cidr-in "$out" check ingress "$group" 5432 "$ecs_group" "$cidr"
	expect monitoring-role-made "$out" check iam-role "rds-enhanced-monitoring-$cluster" "{
		\"TrustedServices\": [\"monitoring.rds.amazonaws.com\"],
		\"Attached\": [\"arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole\"]}"

	# Credentials: the generated master password in its SecureString, and the
	# SecureStrings the Wagtail task reads.
	expect master-password-is-the-generated-secure-string "$out" outside master-password-is "$cluster" \
		"/rds/$cluster/master_password"
	expect database-user-parameter "$out" check parameter "/$region/$cli_name/wagtail/database_user" root SecureString \
		"$(default_tags)"

	# The services: in the cluster made outside the module, each with its roles, log group and task size.
	expect cymph-service "$out" check ecs-service "$ecs_cluster" "$label" "{
		\"launchType\": \"FARGATE\", \"desiredCount\": 1, \"subnets\": [\"$subnet_a\", \"$subnet_b\"],
		\"securityGroups\": [\"$ecs_group\"], \"taskDefinition\": \"arn:aws:ecs:$region:$account:task-definition/$label:1\"}"
	expect wagtail-service "$out" check ecs-service "$ecs_cluster" "$label-wagtail" "{
		\"desiredCount\": 2, \"taskDefinition\": \"arn:aws:ecs:$region:$account:task-definition/$label-wagtail:1\"}"
	expect cymph-task-definition "$out" check ecs-task-definition "$label:1" "{
		\"cpu\": \"256\", \"memory\": \"512\", \"image\": \"$account.dkr.ecr.$region.amazonaws.com/$cli_name-cymph:latest\",
		\"executionRoleArn\": \"arn:aws:iam::$account:role/$label-execution\",
		\"taskRoleArn\": \"arn:aws:iam::$account:role/$label-task\"}"
	expect wagtail-task-definition "$out" check ecs-task-definition "$label-wagtail:1" "{
		\"cpu\": \"512\", \"memory\": \"1024\",
		\"executionRoleArn\": \"arn:aws:iam::$account:role/$label-wagtail-execution\",
		\"taskRoleArn\": \"arn:aws:iam::$account:role/$label-wagtail-task\"}"
	local pull='["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetAuthorizationToken", "ecr:GetDownloadUrlForLayer"]'
	local logs='["logs:CreateLogStream", "logs:PutLogEvents"]'
	expect cymph-execution-role-shared-policies "$out" check iam-role "$label-execution" "{
		\"TrustedServices\": [\"ecs-tasks.amazonaws.com\"], \"Attached\": [],
		\"Inline\": {\"ecr-pull\": $pull, \"logs\": $logs}}"
	expect wagtail-execution-role-shared-policies-and-secrets "$out" check iam-role "$label-wagtail-execution" "{
		\"Attached\": [], \"Inline\": {\"ecr-pull\": $pull, \"logs\": $logs,
		\"secrets\": [\"kms:Decrypt\", \"ssm:GetParameters\"]}}"
	expect execution-role-reads-exactly-the-task-secrets "$out" check stack-secrets-least-privilege "$ecs_cluster" \
		"$label-wagtail"
	expect cymph-task-role-has-its-policy "$out" check iam-role "$label-task" "{
		\"TrustedServices\": [\"ecs-tasks.amazonaws.com\"], \"Inline\": {},
		\"Attached\": [\"arn:aws:iam::$account:policy/$label-fargate\"]}"
	expect wagtail-task-role-has-its-policy "$out" check iam-role "$label-wagtail-task" "{
		\"Inline\": {}, \"Attached\": [\"arn:aws:iam::$account:policy/$label-wagtail-fargate\"]}"
	expect wagtail-policy-is-db-connect "$out" check iam-policy "arn:aws:iam::$account:policy/$label-wagtail-fargate" \
		'{"DefaultActions": ["rds-db:connect"]}'
	expect cymph-log-group "$out" check log-group "/ecs/$label" 30 none "$(default_tags)"
	expect wagtail-log-group "$out" check log-group "/ecs/$label-wagtail" 30 none "$(default_tags)"
	expect repositories "$out" repositories_exist

	# The database side, in PostgreSQL: the IAM user and the trigger, which a saved page fires.
	expect_output iam-db-user-made "$out" "t|rds_iam|CONNECT,CREATE,TEMPORARY" pg_sql_in "$db" "
		SELECT r.rolcanlogin, string_agg(DISTINCT g.rolname, ','),
			(SELECT string_agg(DISTINCT a.privilege_type, ',' ORDER BY a.privilege_type)
			 FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = current_database() AND a.grantee = r.oid)
		FROM pg_roles r JOIN pg_auth_members m ON m.member = r.oid JOIN pg_roles g ON g.oid = m.roleid
		WHERE r.rolname = '$db_user' GROUP BY r.oid, r.rolcanlogin"
	pg_sql_in "$db" "INSERT INTO public.wagtailcore_page (title, slug, live, url_path)
		VALUES ('About', 'about', true, '/home/about/')" >>"$out" 2>&1
	expect_output page-saved-invokes-lambda "$out" "$function|Event|INSERT|/home/about/" pg_sql_in "$db" "
		SELECT function_name, invocation_type, payload->>'operation', payload->'row'->>'url_path'
		FROM aws_lambda.invocations ORDER BY id DESC LIMIT 1"
}

# The apply's trace log holds none of the secrets it handled: the moto
# key's secret, the session's secret and token, the database password, the
# generated master password, the IAM token. Nor do the state and a saved
# plan (but the IAM token, see below), on every CLI: the provider makes the
# master password in its SecureString, and the database resources and the
# cluster read it, and the local database's password, from SSM.
secrets_not_logged() {
	local trace=$work/$cli_name-apply.trace out=$work/$cli_name-secrets.out found= name value master token
	master=$(check parameter-value "/rds/$cluster/master_password")
	tf "$out.json" show -json
	token=$("$python" -c '
import json, sys
def walk(module):
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from walk(child)
state = json.load(open(sys.argv[1]))
for r in walk(state["values"]["root_module"]):
    if r["address"] == "data.wagtail_rds_auth_token.acceptance":
        print(r["values"]["token"])
' "$out.json" 2>>"$out")
	# The log must hold the provider's own lines, its AWS calls and database connections among them.
	if ! grep -q 'provider\.terraform-provider-wagtail.*AWS call' "$trace" ||
		! grep -q 'provider\.terraform-provider-wagtail.*connecting to the database' "$trace" ||
		[ -z "$master" ] || [ -z "$token" ]; then
		notok secrets-not-in-trace-log "$out"
		note "trace log $(wc -c <"$trace" 2>/dev/null) bytes; master password read: ${master:+yes}; IAM token read: ${token:+yes}"
		return
	fi
	# Each as written, URL-encoded and JSON-escaped, in the trace log or the apply's own output.
	found=$(SECRETS="$(printf '%s\n' "moto-user-secret-key=$MOTO_SECRET_KEY" "session-secret-key=$session_secret" \
		"session-token=$session_token" "database-password=$PG_ADMIN_PASSWORD" "master-password=$master" \
		"iam-token=${token#*X-Amz-Signature=}")" secrets_in "$trace" "$work/$cli_name-apply.out")
	if [ -z "$found" ]; then ok secrets-not-in-trace-log; else
		notok secrets-not-in-trace-log
		note "found in the trace log or the apply's output: $(echo $found)"
	fi
	# The state, and a saved plan: its file's members (a zip) and what show
	# -json makes of it. IAM tokens (which hold the session token) are cut
	# out first: the test's data source keeps its token in the state by
	# design (the ephemeral resource does not), and makes a new one at each
	# refresh; anything else is a leak.
	local plan_dir=$work/$cli_name-saved-plan
	rm -rf "$plan_dir" && mkdir -p "$plan_dir"
	tf "$out.plan" plan -no-color -input=false -out="$plan_dir/saved.tfplan"
	tf "$plan_dir/show.json" show -json "$plan_dir/saved.tfplan"
	(cd "$plan_dir" && unzip -q -o saved.tfplan -d members) >>"$out" 2>&1
	if [ ! -s "$dir/terraform.tfstate" ] || [ ! -s "$plan_dir/show.json" ] || [ ! -d "$plan_dir/members" ]; then
		notok secrets-not-in-state-or-saved-plan "$out.plan"
		return
	fi
	found=$(SECRETS="$(printf '%s\n' "moto-user-secret-key=$MOTO_SECRET_KEY" "session-secret-key=$session_secret" \
		"session-token=$session_token" "database-password=$PG_ADMIN_PASSWORD" "master-password=$master")" \
		ALLOWED='[^"\s]*Action=connect[^"\s]*' secrets_in "$dir/terraform.tfstate" "$plan_dir/show.json" "$plan_dir/members")
	if [ -z "$found" ]; then ok secrets-not-in-state-or-saved-plan; else
		notok secrets-not-in-state-or-saved-plan
		note "found in the state or the saved plan: $(echo $found)"
	fi
}

# secrets_in PATH...: the names of the NAME=VALUE lines of $SECRETS whose
# value is in any file at or under PATH, as written, URL-encoded or
# JSON-escaped, once whatever the regular expression $ALLOWED matches is
# cut out.
secrets_in() {
	"$python" - "$@" <<'PY'
import json, os, re, sys, urllib.parse
def files(path):
    if os.path.isdir(path):
        for top, _, names in os.walk(path):
            yield from (os.path.join(top, name) for name in names)
    elif os.path.isfile(path):
        yield path
def forms(value):
    escaped = json.dumps(value)[1:-1]
    # Go's JSON (the CLIs' state and plan) also escapes & < > as \u00XX.
    go = escaped.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value), escaped, go}
text = "".join(open(f, errors="replace").read() for path in sys.argv[1:] for f in files(path))
if os.environ.get("ALLOWED"):
    text = re.sub(os.environ["ALLOWED"], "", text)
for line in os.environ["SECRETS"].splitlines():
    name, value = line.split("=", 1)
    if any(form in text for form in forms(value)):
        print(name)
PY
}

# A new KMS key for the master password's parameter makes a new version of
# the same value: the plan changes the parameter in place and leaves the
# cluster alone, since the module gives it the parameter's value_version,
# not its version (a new version would set the same password again).
# Planned only: the key is not made.
password_kept_for_a_new_key() {
	local out=$work/$cli_name-new-key.out
	cp "$dir/main.tf" "$work/$cli_name-main.tf.kept"
	sed -i 's|^\( *\)deletion_protection *= *true$|&\n\1master_password_kms_key_id = "alias/wagtail-acceptance"|' "$dir/main.tf"
	if tf "$out" plan -no-color -input=false &&
		grep -qF 'module.wagtail_rds_instance.wagtail_ssm_parameter.master_password[0] will be updated in-place' "$out" &&
		! grep -qF 'module.wagtail_rds_instance.wagtail_aurora_cluster.this will be' "$out" &&
		grep -qF 'Plan: 0 to add, 1 to change, 0 to destroy.' "$out"; then
		ok new-password-key-leaves-the-cluster-alone
	else
		notok new-password-key-leaves-the-cluster-alone "$out"
		note "want the password's parameter changed in place, and nothing else"
	fi
	cp "$work/$cli_name-main.tf.kept" "$dir/main.tf"
}

protection_off() {
	local out=$work/$cli_name-protection.out
	sed -i 's/^\( *deletion_protection *= *\)true$/\1false/' "$dir/main.tf"
	expect deletion-protection-turned-off "$out" apply_ok "$out"
	expect cluster-unprotected "$out.aws" check aurora "$cluster" '{"DeletionProtection": false}'
	no_changes after-protection-off-no-changes
}

destroyed() {
	local out=$work/$cli_name-destroy.out name
	expect destroy "$out" tf "$out" destroy -no-color -auto-approve -input=false
	out=$work/$cli_name-gone.out
	expect cluster-gone "$out" check aurora-gone "$cluster"
	expect subnet-group-gone "$out" check subnet-group-gone "$cluster-subnets"
	[ -n "${group:-}" ] && expect database-security-group-gone "$out" check security-group-gone "$group"
	expect services-gone "$out" services_gone
	expect ecs-cluster-gone "$out" check cluster-gone "$ecs_cluster"
	local missing=
	for name in "$label-execution" "$label-task" "$label-wagtail-execution" "$label-wagtail-task" \
		"rds-enhanced-monitoring-$cluster"; do
		check iam-role-gone "$name" >>"$out" 2>&1 || missing="$missing role:$name"
	done
	for name in "$label-fargate" "$label-wagtail-fargate"; do
		check iam-policy-gone "arn:aws:iam::$account:policy/$name" >>"$out" 2>&1 || missing="$missing policy:$name"
	done
	for name in "/rds/$cluster/master_password" "/$region/$cli_name/wagtail/database_host" \
		"/$region/$cli_name/wagtail/database_port" "/$region/$cli_name/wagtail/database_name" \
		"/$region/$cli_name/wagtail/database_user"; do
		check parameter-gone "$name" >>"$out" 2>&1 || missing="$missing parameter:$name"
	done
	for name in "$cli_name-cymph" "$cli_name-wagtail"; do
		check repository-gone "$name" >>"$out" 2>&1 || missing="$missing repository:$name"
	done
	for name in "/ecs/$label" "/ecs/$label-wagtail"; do
		check log-group-gone "$name" >>"$out" 2>&1 || missing="$missing log-group:$name"
	done
	if [ -z "$missing" ]; then ok roles-policies-parameters-repositories-logs-gone; else
		notok roles-policies-parameters-repositories-logs-gone "$out"
		note "still there:$missing"
	fi
	expect_output database-user-and-trigger-gone "$out" "0|0" pg_sql_in "$db" "
		SELECT (SELECT count(*) FROM pg_roles WHERE rolname = '$db_user'),
		       (SELECT count(*) FROM pg_trigger WHERE tgname = 'wagtail_page_changed')"
}

# The modules refuse, at plan and before any resource is touched, inputs
# AWS would refuse later; each message names the input.
inputs_validated() {
	local side=$work/$cli_name-invalid out=$work/$cli_name-invalid.out rc flat phrase missing=
	mkdir -p "$side"
	cat >"$side/main.tf" <<HCL
terraform {
  required_providers {
    wagtail = { source = "wagtail/wagtail" }
  }
}

provider "wagtail" {
  region = "$region"
}

module "db" {
  source              = "$root/modules/rds-aurora"
  name                = "invalid-inputs"
  instance_type       = "db.t3.medium"
  replica_count       = 16
  monitoring_interval = 7
  password            = "has@sign-in-it"
}

module "service" {
  source = "$root/modules/ecs"
  label_id = "a-label-that-is-far-too-long-for-the-iam-role-names-it-makes"
  cluster_config = { cluster = { name = "main" }, subnets = ["$subnet_a"] }
  task_config = { cpu = 256, memory = 4096 }
  additional_policy_arn       = null
  task_rendered_template_file = jsonencode([{ name = "web" }])
}

# OpenTofu reports the first rule of a variable that fails: a task_config
# whose only fault is a secret named, not given by ARN.
module "secrets_by_name" {
  source                      = "$root/modules/ecs"
  label_id                    = "secrets-by-name"
  cluster_config              = { cluster = { name = "main" }, subnets = ["$subnet_a"] }
  task_config                 = { cpu = 256, memory = 512, secrets = { DATABASE_PASSWORD = "/wagtail/database_password" } }
  additional_policy_arn       = null
  task_rendered_template_file = jsonencode([{ name = "web", image = "nginx" }])
}
HCL
	(cd "$side" && timeout -k 10 "$case_timeout" "$cli" init -no-color -input=false &&
		timeout -k 10 "$case_timeout" "$cli" plan -no-color -input=false) >"$out" 2>&1
	rc=$?
	flat=$(tr -s ' \n' '  ' <"$out") # the CLIs wrap diagnostics
	for phrase in 'replica_count must be a whole number from 0 to 15' 'monitoring_interval must be 0, 1, 5, 10, 15, 30 or 60' \
		"without '/', '\"', '@' or spaces" 'label_id must be 1 to 54' 'must be a Fargate task size' \
		'task_config.secrets values must be SSM parameter ARNs' 'each with a name and an image'; do
		grep -qF -- "$phrase" <<<"$flat" || missing="$missing [$phrase]"
	done
	if [ "$rc" != 0 ] && [ -z "$missing" ] && ! grep -q 'Creating\.\.\.' "$out" && ! crashed "$out"; then
		ok module-inputs-validated
	else
		notok module-inputs-validated "$out"
		note "missing:$missing"
	fi
}

run_cli() {
	local out=$work/$cli_name-init.out
	dir=$work/$cli_name/examples/wagtail db=acc_$cli_name db_user=wagtail_$cli_name group=
	cluster=$region-$cli_name-wagtail-rds label=$region-$cli_name-cymph ecs_cluster=$region-$cli_name-ecs
	if ! make_database >"$work/$cli_name-db.out" 2>&1 || ! lay_out >>"$work/$cli_name-db.out" 2>&1; then
		notok lay-out "$work/$cli_name-db.out" "$work/$cli_name-prereqs.json"
		return
	fi
	if tf "$out" init -no-color -input=false; then ok init; else notok init "$out"; return; fi
	out=$work/$cli_name-validate.out
	expect validate "$out" tf "$out" validate -no-color
	inputs_validated
	created || return
	no_changes second-plan-no-changes
	secrets_not_logged
	password_kept_for_a_new_key
	protection_off
	destroyed
}

# running PID: the process runs (an exited one that no parent has reaped yet does not).
running() { kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]; }

# The quick start, as the README tells it: `make demo`, again, `make demo-down`.
quick_start() {
	local out=$work/quick-start.out demo=$work/demo pid pg_dir
	local -a env=(DEMO_DIR="$demo" PROVIDER_BINARY="$binary" MIRROR="$work/demo-mirror" DEMO_CLI="$cli_kind"
		"$([ "$cli_kind" = tofu ] && echo TOFU_BIN || echo TERRAFORM_BIN)=$cli" TF_CLI_CONFIG_FILE= AWS_ENDPOINT_URL=
		AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= AWS_SESSION_TOKEN=)
	cli_name=quick-start cli_label=quick-start-$cli_label
	if env "${env[@]}" timeout -k 10 900 make -C "$root" --no-print-directory demo >"$out" 2>&1 &&
		grep -q '^Apply complete! Resources: [1-9]' "$out" && grep -q '^database_endpoint = ' "$out" &&
		grep -q 'invoked: arn:aws:lambda:' "$out" && grep -q 'make demo-down' "$out"; then
		ok make-demo
	else
		notok make-demo "$out" "$demo/apply.log"
	fi
	out=$work/quick-start-again.out
	if env "${env[@]}" timeout -k 10 900 make -C "$root" --no-print-directory demo >"$out" 2>&1 &&
		grep -q 'already running' "$out" && grep -q '^Apply complete! Resources: 0 added, 0 changed, 0 destroyed' "$out"; then
		ok make-demo-again-changes-nothing
	else
		notok make-demo-again-changes-nothing "$out" "$demo/apply.log"
	fi
	pid=$(sed -n 's/^MOTO_PID=//p' "$demo/services.env" 2>/dev/null)
	pg_dir=$(sed -n 's/^PG_DIR=//p' "$demo/services.env" 2>/dev/null)
	out=$work/quick-start-down.out
	if env "${env[@]}" make -C "$root" --no-print-directory demo-down >"$out" 2>&1 && [ ! -e "$demo" ] &&
		[ -n "$pid" ] && ! running "$pid" && [ -n "$pg_dir" ] && [ ! -e "$pg_dir" ]; then
		ok make-demo-down
	else
		notok make-demo-down "$out"
		note "moto pid '$pid', PostgreSQL dir '$pg_dir'"
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	fi
}

for_each_cli run_cli
# The quick start once, with the first CLI of the run.
if [ ${#wanted_clis[@]} -gt 0 ] && use_cli "${wanted_clis[0]}"; then quick_start; fi
finish
