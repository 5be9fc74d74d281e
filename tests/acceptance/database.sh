#!/usr/bin/env bash
# Acceptance tests of wagtail_iam_db_user and wagtail_aurora_lambda_trigger:
# both real CLIs against a real PostgreSQL 15 started here
# (tests/db/postgres.sh) and a real moto server that checks every signature
# (aws_lib.sh).
#
# The server has TLS with a certificate from a CA the fixture makes, so the
# connections below use the default sslmode, verify-full, with that CA. It
# has rds_iam, as Aurora does, and the test stand-ins of Aurora's
# aws_commons and aws_lambda extensions (tests/db/), whose invoke records
# each call in aws_lambda.invocations: the payloads the tests read. moto
# holds the Aurora clusters whose Lambda role the trigger checks.
#
# Environment: as tests/acceptance/cli.sh, plus PG_BIN (default: the bindir
# of pg_config). Ends with `database: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
case_timeout=${CASE_TIMEOUT:-300}
stage_name=database

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

cluster_resource_id=cluster-ABCDEFGHIJKLM0123456789XYZ
lambda_arn=arn:aws:lambda:eu-west-1:123456789012:function
closed_port=$(pg_free_port) # nothing listens there
pg_sql 'CREATE ROLE "Wagtail Readers"'

# connection_hcl [PASSWORD]: the db_connection block: the fixture's server, as
# its admin, over TLS verified against the fixture's CA.
connection_hcl() {
	cat <<HCL
  db_connection {
    host        = "$PG_HOST"
    port        = $PG_PORT
    database    = "$PG_DATABASE"
    username    = "$PG_ADMIN_USER"
    password    = "${1:-$PG_ADMIN_PASSWORD}"
    sslrootcert = "$PG_CA"
  }
HCL
}

hcl_string() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }

# role_grants NAME: login|connection limit|memberships|privileges on the database.
role_grants() {
	pg_sql "SELECT r.rolcanlogin, r.rolconnlimit,
		coalesce((SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m
			JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid), ''),
		coalesce((SELECT string_agg(DISTINCT a.privilege_type, ',' ORDER BY a.privilege_type)
			FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = current_database()
			AND a.grantee = r.oid), '')
		FROM pg_roles r WHERE r.rolname = :'name'" name="$1"
}

# expect_output CASE OUT WANT COMMAND...: COMMAND prints exactly WANT.
expect_output() {
	local name=$1 out=$2 want=$3 got
	shift 3
	got=$("$@" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "$name"
	else
		notok "$name" "$out"
		note "got:  $(printf '%s' "$got" | tr '\n' ';')"
		note "want: $(printf '%s' "$want" | tr '\n' ';')"
	fi
}

# apply_fails CASE OUT PATTERN...: apply fails, its output matching every
# PATTERN (grep -E, lines joined) and showing no crash.
apply_fails() {
	local name=$1 out=$2 pattern flat missing=
	shift 2
	if tf "$out" apply -no-color -auto-approve -input=false; then
		notok "$name" "$out"
		note "apply succeeded; want a failure"
		return
	fi
	flat=$(tr -s ' \n' '  ' <"$out") # Terraform wraps diagnostics
	for pattern in "$@"; do grep -qE -- "$pattern" <<<"$flat" || missing="$missing [$pattern]"; done
	if [ -z "$missing" ] && ! crashed "$out"; then ok "$name"; else notok "$name" "$out"; note "missing:$missing"; fi
}

# in_dir NAME: a fresh working dir beside the main one, for a case of its own.
in_dir() {
	dir=$work/$cli_name-$1
	mkdir -p "$dir"
	provider_block >"$dir/provider.tf"
	tf "$dir/init.out" init -no-color -input=false
}

# ---- wagtail_iam_db_user ----

# users_tf ROLES PRIVILEGES LIMIT
users_tf() {
	cat <<HCL
resource "wagtail_iam_db_user" "editor" {
  name                = $(hcl_string "$editor")
  roles               = $1
  database_privileges = $2
  connection_limit    = $3
  cluster_resource_id = "$cluster_resource_id"
$(connection_hcl)
}

resource "wagtail_iam_db_user" "sneaky" {
  name = $(hcl_string "$sneaky")
$(connection_hcl)
}

output "connect_arn" { value = wagtail_iam_db_user.editor.connect_arn }
output "policy_json" { value = wagtail_iam_db_user.editor.policy_json }
HCL
}

tf_output() { (cd "$dir" && "$cli" output -raw "$1"); }

create_users() {
	local out=$work/$cli_name-users.out arn
	users_tf '["wagtail_app"]' '["CONNECT", "CREATE"]' 5 >"$dir/main.tf"
	if apply_ok "$out"; then ok users-created; else notok users-created "$out"; return 1; fi
	expect_output editor-login-memberships-privileges "$out" "t|5|rds_iam,wagtail_app|CONNECT,CREATE" \
		role_grants "$editor"
	expect_output injection-name-is-just-a-name "$out" "t|-1|rds_iam|" role_grants "$sneaky"
	expect_output injection-dropped-nothing "$out" t \
		pg_sql "SELECT to_regclass('public.wagtailcore_page') IS NOT NULL"
	arn="arn:aws:rds-db:eu-west-1:123456789012:dbuser:$cluster_resource_id/$editor"
	expect_output connect-arn "$out" "$arn" tf_output connect_arn
	expect_output policy-json "$out" \
		"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"rds-db:connect\"],\"Resource\":[\"$arn\"]}]}" \
		tf_output policy_json
	no_changes users-no-changes
}

users_drift() {
	local out=$work/$cli_name-users-drift.out
	pg_sql 'REVOKE wagtail_app FROM :"name"' name="$editor"
	pg_sql 'GRANT TEMPORARY ON DATABASE wagtail TO :"name"' name="$editor"
	pg_sql 'ALTER ROLE :"name" CONNECTION LIMIT 9' name="$editor"
	if [ "$(plan_exit "$out")" = 2 ] && grep -q 'update in-place' "$out" && grep -q '"wagtail_app"' "$out" &&
		grep -q '"TEMPORARY"' "$out" && grep -q 'connection_limit *= 9 -> 5' "$out"; then
		ok users-drift-detected
	else
		notok users-drift-detected "$out"
	fi
	expect users-drift-repaired "$out" apply_ok "$out"
	expect_output users-drift-grants-restored "$out" "t|5|rds_iam,wagtail_app|CONNECT,CREATE" role_grants "$editor"
	no_changes users-after-drift-no-changes
}

users_update() {
	local out=$work/$cli_name-users-update.out
	users_tf '["wagtail_app", "Wagtail Readers"]' '["CONNECT"]' 10 >"$dir/main.tf"
	expect users-updated "$out" apply_ok "$out"
	expect_output users-updated-grants "$out" "t|10|Wagtail Readers,rds_iam,wagtail_app|CONNECT" role_grants "$editor"
	no_changes users-after-update-no-changes
}

# A role that exists already is an error that points to import; imported,
# the next apply grants and revokes what differs from the configuration.
users_import() {
	local out=$work/$cli_name-users-import.out name=acc-$cli_name-existing
	pg_sql 'CREATE ROLE :"name" LOGIN' name="$name"
	pg_sql 'GRANT TEMPORARY ON DATABASE wagtail TO :"name"' name="$name"
	cat >"$dir/existing.tf" <<HCL
resource "wagtail_iam_db_user" "existing" {
  name                = "$name"
  database_privileges = ["CONNECT"]
$(connection_hcl)
}
HCL
	apply_fails existing-role-points-to-import "$out" 'Role already exists' 'terraform import'
	out=$work/$cli_name-users-import-cmd.out
	if tf "$out" import -no-color -input=false wagtail_iam_db_user.existing "$name" &&
		grep -q 'Database not read yet' "$out"; then
		ok users-import
	else
		notok users-import "$out"
	fi
	out=$work/$cli_name-users-import-plan.out
	if [ "$(plan_exit "$out")" = 2 ] && grep -q 'wagtail_iam_db_user.existing will be updated in-place' "$out" &&
		! grep -q 'must be replaced' "$out"; then
		ok users-after-import-update-in-place
	else
		notok users-after-import-update-in-place "$out"
	fi
	expect users-after-import-apply "$out" apply_ok "$out"
	expect_output users-imported-grants-converged "$out" "t|-1|rds_iam|CONNECT" role_grants "$name"
	no_changes users-after-import-no-changes
}

users_deleted_outside() {
	local out=$work/$cli_name-users-deleted.out
	pg_sql 'DROP ROLE :"name"' name="$sneaky"
	if [ "$(plan_exit "$out")" = 2 ] && grep -q 'wagtail_iam_db_user.sneaky will be created' "$out"; then
		ok deleted-role-planned-for-creation
	else
		notok deleted-role-planned-for-creation "$out"
	fi
	expect deleted-role-recreated "$out" apply_ok "$out"
	expect_output recreated-role-in-database "$out" "t|-1|rds_iam|" role_grants "$sneaky"
}

# ---- wagtail_aurora_lambda_trigger ----

# trigger_tf EVENTS ARN: trigger "purge" (whole rows, Event) and trigger
# "notify" (two columns, RequestResponse, a name that needs quoting).
trigger_tf() {
	cat <<HCL
resource "wagtail_aurora_lambda_trigger" "purge" {
  name               = "$purge"
  cluster_identifier = "$lambda_cluster"
  table              = "public.wagtailcore_page"
  events             = $1
  function_arn       = "$2"
$(connection_hcl)
}

resource "wagtail_aurora_lambda_trigger" "notify" {
  name               = "$notify"
  cluster_identifier = "$lambda_cluster"
  table              = "public.wagtailcore_page"
  events             = ["INSERT", "DELETE"]
  function_arn       = "$lambda_arn:notify-$cli_name"
  invocation_type    = "RequestResponse"
  payload_columns    = ["id", "title"]
$(connection_hcl)

  timeouts {
    create = "2m"
  }
}
HCL
}

# page_changes: inserts, updates and deletes a page as the application's
# role (which may not call aws_lambda.invoke itself), then prints the
# recorded invocations: function|type|operation|schema.table|title|row keys.
page_changes() {
	pg_sql "TRUNCATE aws_lambda.invocations" &&
		pg_sql "SET ROLE wagtail_app;
			INSERT INTO public.wagtailcore_page (title, slug, live) VALUES ('Home', 'home', true);
			UPDATE public.wagtailcore_page SET title = 'Welcome' WHERE slug = 'home';
			DELETE FROM public.wagtailcore_page WHERE slug = 'home';" &&
		pg_sql "SELECT regexp_replace(function_name, '.*:function:', ''), invocation_type,
				payload->>'operation', (payload->>'schema') || '.' || (payload->>'table'),
				payload->'row'->>'title',
				(SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(payload->'row') k)
			FROM aws_lambda.invocations ORDER BY function_name, id"
}

all_columns=id,live,slug,title,url_path

no_lambda_role() {
	local out=$work/$cli_name-no-lambda-role.out main=$dir
	in_dir no-lambda-role
	trigger_tf '["INSERT"]' "$lambda_arn:purge" | sed "s/$lambda_cluster/$bare_cluster/" >"$dir/main.tf"
	apply_fails trigger-needs-lambda-role "$out" 'cannot invoke Lambda' "$bare_cluster" 'iam_roles' \
		'feature_name = "Lambda"'
	expect_output no-trigger-without-lambda-role "$out" 0 \
		pg_sql "SELECT count(*) FROM pg_trigger WHERE tgname IN (:'a', :'b')" a="$purge" b="$notify"
	dir=$main
}

create_triggers() {
	local out=$work/$cli_name-triggers.out
	trigger_tf '["INSERT", "UPDATE"]' "$lambda_arn:purge-$cli_name" >"$dir/triggers.tf"
	if apply_ok "$out"; then ok triggers-created; else notok triggers-created "$out"; return 1; fi
	expect_output trigger-payloads "$out" "notify-$cli_name|RequestResponse|INSERT|public.wagtailcore_page|Home|id,title
notify-$cli_name|RequestResponse|DELETE|public.wagtailcore_page|Welcome|id,title
purge-$cli_name|Event|INSERT|public.wagtailcore_page|Home|$all_columns
purge-$cli_name|Event|UPDATE|public.wagtailcore_page|Welcome|$all_columns" page_changes
	no_changes triggers-no-changes
}

triggers_drift() {
	local out=$work/$cli_name-triggers-drift.out
	pg_sql 'DROP TRIGGER :"t" ON public.wagtailcore_page' t="$purge"
	pg_sql "CREATE TRIGGER :\"t\" AFTER INSERT ON public.wagtailcore_page FOR EACH ROW
		EXECUTE FUNCTION public.:\"t\"('$lambda_arn:elsewhere', 'Event')" t="$purge"
	if [ "$(plan_exit "$out")" = 2 ] && grep -q 'update in-place' "$out" && grep -q 'elsewhere' "$out" &&
		grep -q '+ "UPDATE"' "$out"; then
		ok trigger-drift-detected
	else
		notok trigger-drift-detected "$out"
	fi
	expect trigger-drift-repaired "$out" apply_ok "$out"
	no_changes trigger-after-drift-no-changes
	out=$work/$cli_name-function-drift.out
	pg_sql 'CREATE OR REPLACE FUNCTION public.:"t"() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$' \
		t="$purge"
	if [ "$(plan_exit "$out")" = 2 ] && grep -q 'function_body' "$out"; then
		ok function-drift-detected
	else
		notok function-drift-detected "$out"
	fi
	expect function-drift-repaired "$out" apply_ok "$out"
	expect_output payloads-after-repair "$out" "notify-$cli_name|RequestResponse|INSERT|public.wagtailcore_page|Home|id,title
notify-$cli_name|RequestResponse|DELETE|public.wagtailcore_page|Welcome|id,title
purge-$cli_name|Event|INSERT|public.wagtailcore_page|Home|$all_columns
purge-$cli_name|Event|UPDATE|public.wagtailcore_page|Welcome|$all_columns" page_changes
	no_changes function-after-drift-no-changes
}

triggers_update() {
	local out=$work/$cli_name-triggers-update.out
	trigger_tf '["UPDATE", "DELETE"]' "$lambda_arn:purge-v2-$cli_name" >"$dir/triggers.tf"
	expect trigger-updated "$out" apply_ok "$out"
	expect_output payloads-after-update "$out" "notify-$cli_name|RequestResponse|INSERT|public.wagtailcore_page|Home|id,title
notify-$cli_name|RequestResponse|DELETE|public.wagtailcore_page|Welcome|id,title
purge-v2-$cli_name|Event|UPDATE|public.wagtailcore_page|Welcome|$all_columns
purge-v2-$cli_name|Event|DELETE|public.wagtailcore_page|Welcome|$all_columns" page_changes
	no_changes trigger-after-update-no-changes
}

triggers_import() {
	local out=$work/$cli_name-triggers-import.out id="public.wagtailcore_page/$notify"
	tf "$out.rm" state rm wagtail_aurora_lambda_trigger.notify
	if tf "$out" import -no-color -input=false wagtail_aurora_lambda_trigger.notify "$id" &&
		grep -q 'Database not read yet' "$out"; then
		ok trigger-import
	else
		notok trigger-import "$out"
	fi
	out=$work/$cli_name-triggers-import-plan.out
	if [ "$(plan_exit "$out")" = 2 ] && grep -q 'wagtail_aurora_lambda_trigger.notify will be updated in-place' "$out" &&
		! grep -q 'must be replaced' "$out"; then
		ok trigger-after-import-update-in-place
	else
		notok trigger-after-import-update-in-place "$out"
	fi
	expect trigger-after-import-apply "$out" apply_ok "$out"
	no_changes trigger-after-import-no-changes
	out=$work/$cli_name-triggers-bad-import.out
	if ! tf "$out" import -no-color -input=false wagtail_aurora_lambda_trigger.purge wagtailcore_page &&
		grep -q 'Invalid import id' "$out"; then
		ok trigger-import-id-checked
	else
		notok trigger-import-id-checked "$out"
	fi
}

triggers_deleted_outside() {
	local out=$work/$cli_name-triggers-deleted.out
	pg_sql 'DROP TRIGGER :"t" ON public.wagtailcore_page' t="$purge"
	if [ "$(plan_exit "$out")" = 2 ] && grep -q 'wagtail_aurora_lambda_trigger.purge will be created' "$out"; then
		ok deleted-trigger-planned-for-creation
	else
		notok deleted-trigger-planned-for-creation "$out"
	fi
	expect deleted-trigger-recreated "$out" apply_ok "$out"
	expect_output recreated-trigger-fires "$out" "purge-v2-$cli_name|Event|UPDATE|public.wagtailcore_page|Welcome|$all_columns
purge-v2-$cli_name|Event|DELETE|public.wagtailcore_page|Welcome|$all_columns" \
		eval "page_changes | grep '^purge'"
}

destroy_all() {
	local out=$work/$cli_name-destroy.out
	expect destroy "$out" tf "$out" destroy -no-color -auto-approve -input=false
	expect_output roles-dropped "$out" 0 pg_sql "SELECT count(*) FROM pg_roles WHERE rolname IN (:'a', :'b', :'c')" \
		a="$editor" b="$sneaky" c="acc-$cli_name-existing"
	expect_output triggers-and-functions-dropped "$out" "0|0" pg_sql \
		"SELECT (SELECT count(*) FROM pg_trigger WHERE tgname IN (:'a', :'b')),
			(SELECT count(*) FROM pg_proc WHERE proname IN (:'a', :'b'))" a="$purge" b="$notify"
	expect_output extension-stays "$out" 1 pg_sql "SELECT count(*) FROM pg_extension WHERE extname = 'aws_lambda'"
}

# ---- connections and checks, each in a directory of its own ----

# Validate and plan never connect: a plan against a port where nothing
# listens succeeds, and the configuration's mistakes are reported first.
plan_without_database() {
	local out=$work/$cli_name-plan-offline.out main=$dir
	in_dir plan-offline
	sed "s/port        = $PG_PORT/port        = $closed_port/" "$main/main.tf" "$main/triggers.tf" >"$dir/main.tf"
	if [ "$(plan_exit "$out")" = 2 ] && ! grep -q 'Error' "$out"; then
		ok plan-makes-no-connection
	else
		notok plan-makes-no-connection "$out"
	fi
	out=$work/$cli_name-invalid.out
	cat >"$dir/main.tf" <<HCL
resource "wagtail_iam_db_user" "bad" {
  name                = "pg_monitor_me"
  roles               = ["rds_iam"]
  cluster_resource_id = "acc-db"
  db_connection {
    host     = "127.0.0.1"
    port     = $closed_port
    database = "wagtail"
    username = "admin"
    password = "x"
    iam_auth = true
  }
}

resource "wagtail_aurora_lambda_trigger" "bad" {
  name               = "bad"
  cluster_identifier = "acc-db"
  table              = "wagtailcore_page"
  events             = []
  function_arn       = "purge"
  db_connection {
    host     = "127.0.0.1"
    port     = $closed_port
    database = "wagtail"
    username = "admin"
  }
}
HCL
	tf "$out" validate -no-color
	local rc=$? pattern missing=
	for pattern in 'Reserved role name' 'rds_iam in roles' 'DbClusterResourceId' 'Conflicting login settings' \
		'are both set' \
		'Missing login' 'schema-qualified table' 'No events' 'Lambda function ARN'; do
		grep -q "$pattern" "$out" || missing="$missing [$pattern]"
	done
	if [ "$rc" != 0 ] && [ -z "$missing" ] && ! crashed "$out"; then
		ok invalid-input-rejected-by-validate
	else
		notok invalid-input-rejected-by-validate "$out"
		note "missing:$missing"
	fi
	dir=$main
}

# user_tf NAME [CONNECTION_HCL [TIMEOUT]]
user_tf() {
	cat <<HCL
resource "wagtail_iam_db_user" "probe" {
  name = "$1"
${2:-$(connection_hcl)}

  timeouts {
    create = "${3:-2m}"
  }
}
HCL
}

wrong_password() {
	local out=$work/$cli_name-wrong-password.out main=$dir start=$SECONDS
	in_dir wrong-password
	user_tf "acc-$cli_name-probe" "$(connection_hcl not-the-password)" >"$dir/main.tf"
	apply_fails wrong-password-refused "$out" 'Database login refused' 'password authentication failed' \
		'password += \(sensitive value\)'
	if [ $((SECONDS - start)) -lt 60 ]; then ok wrong-password-not-retried; else notok wrong-password-not-retried; fi
	dir=$main
}

unreachable_host() {
	local out=$work/$cli_name-unreachable.out main=$dir start elapsed
	in_dir unreachable
	user_tf "acc-$cli_name-probe" "$(connection_hcl | sed "s/port        = $PG_PORT/port        = $closed_port/")" 10s \
		>"$dir/main.tf"
	start=$SECONDS
	apply_fails unreachable-host-diagnostic "$out" 'Cannot reach the database' "port $closed_port" \
		'within the timeout' 'Connection refused'
	elapsed=$((SECONDS - start))
	# Retried until the last moment (the last attempt starts just before the
	# deadline; $SECONDS counts whole seconds), and not much longer.
	if [ "$elapsed" -ge 9 ] && [ "$elapsed" -lt 60 ]; then
		ok unreachable-host-retried-until-timeout
	else
		notok unreachable-host-retried-until-timeout
		note "apply took ${elapsed}s; want the 10s timeout and not much more"
	fi
	dir=$main
}

# verify-full with a CA that did not sign the server's certificate.
wrong_ca() {
	local out=$work/$cli_name-wrong-ca.out main=$dir ca=$work/other-ca.crt
	in_dir wrong-ca
	[ -s "$ca" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=other CA" \
		-keyout "$work/other-ca.key" -out "$ca" >/dev/null 2>&1
	user_tf "acc-$cli_name-probe" "$(connection_hcl | sed "s#$PG_CA#$ca#")" >"$dir/main.tf"
	apply_fails wrong-ca-refused "$out" 'Cannot connect to the database over TLS' 'certificate verify failed' \
		'sslrootcert'
	dir=$main
}

# TF_LOG=trace output of an apply that logs in with the password and of
# one that logs in with an IAM token: neither secret appears.
secrets_not_logged() {
	local out=$work/$cli_name-trace.out main=$dir
	in_dir trace
	user_tf "acc-$cli_name-traced" >"$dir/main.tf"
	cat >>"$dir/main.tf" <<HCL

resource "wagtail_iam_db_user" "iam" {
  name = "acc-$cli_name-iam"
  db_connection {
    host        = "$PG_HOST"
    port        = $PG_PORT
    database    = "$PG_DATABASE"
    username    = "$PG_ADMIN_USER"
    iam_auth    = true
    sslrootcert = "$PG_CA"
  }
}
HCL
	TF_LOG=trace tf "$out" apply -no-color -auto-approve -input=false
	if grep -q 'IAM authentication token' "$out" && grep -q 'password authentication failed' "$out" &&
		[ "$(role_grants "acc-$cli_name-traced")" = "t|-1|rds_iam|" ]; then
		ok trace-run-used-password-and-token
	else
		notok trace-run-used-password-and-token "$out"
	fi
	if ! grep -qF "$PG_ADMIN_PASSWORD" "$out" && ! grep -qE 'X-Amz-Signature|Action=connect|DBUser=' "$out"; then
		ok trace-log-has-no-password-or-token
	else
		notok trace-log-has-no-password-or-token
		note "$(grep -nE -m3 "$PG_ADMIN_PASSWORD|X-Amz-Signature|Action=connect|DBUser=" "$out" | cut -c1-200)"
	fi
	tf "$out.destroy" destroy -no-color -auto-approve -input=false
	dir=$main
}

# db_connection.password_parameter: the password is read from an SSM
# SecureString whenever the provider connects (apply, refresh, destroy):
# neither the state nor a saved plan holds it, a refresh with the parameter
# changed to a wrong password is refused (so refresh did read it), and a
# parameter that does not exist is an error naming the attribute.
password_from_ssm() {
	local out=$work/$cli_name-ssm-password.out main=$dir param=/acc/$cli_name/db/password flat
	local user=acc-$cli_name-ssm
	in_dir ssm-password
	check put-parameter "$param" "$PG_ADMIN_PASSWORD"
	user_tf "$user" "$(connection_hcl | sed "s#password    = .*#password_parameter = \"$param\"#")" >"$dir/main.tf"
	if tf "$out" apply -no-color -auto-approve -input=false &&
		[ "$(role_grants "$user")" = "t|-1|rds_iam|" ]; then
		ok ssm-password-login
	else
		notok ssm-password-login "$out"
	fi
	tf "$out.plan" plan -no-color -input=false -out=saved.tfplan
	if ! grep -qF "$PG_ADMIN_PASSWORD" "$dir/terraform.tfstate" "$dir/saved.tfplan" &&
		! (cd "$dir" && "$cli" show -json saved.tfplan | grep -qF "$PG_ADMIN_PASSWORD") &&
		grep -qF "\"password_parameter\": \"$param\"" "$dir/terraform.tfstate"; then
		ok ssm-password-not-in-state-or-plan
	else
		notok ssm-password-not-in-state-or-plan "$out.plan"
	fi
	check put-parameter "$param" not-the-password
	tf "$out.refresh" plan -no-color -input=false
	flat=$(tr -s ' \n' '  ' <"$out.refresh")
	if grep -q 'Database login refused' <<<"$flat" && grep -q 'password_parameter' <<<"$flat"; then
		ok ssm-password-read-at-refresh
	else
		notok ssm-password-read-at-refresh "$out.refresh"
	fi
	check put-parameter "$param" "$PG_ADMIN_PASSWORD"
	if tf "$out.destroy" destroy -no-color -auto-approve -input=false && [ -z "$(role_grants "$user")" ]; then
		ok ssm-password-destroy
	else
		notok ssm-password-destroy "$out.destroy"
	fi
	user_tf "$user" "$(connection_hcl | sed "s#password    = .*#password_parameter = \"$param-missing\"#")" \
		>"$dir/main.tf"
	apply_fails ssm-password-missing-parameter "$out.missing" 'Cannot read the secret from SSM' 'ParameterNotFound' \
		'password_parameter'
	dir=$main
}

run_cli() {
	local out=$work/$cli_name-init.out role_arn
	dir=$work/$cli_name
	mkdir -p "$dir"
	editor="Wagtail Editor $cli_name"
	sneaky="robert\"); DROP TABLE public.wagtailcore_page; -- $cli_name"
	purge=purge_cdn_$cli_name
	notify="Notify Search $cli_name"
	lambda_cluster=acc-$cli_name-lambda
	bare_cluster=acc-$cli_name-bare
	check create-aurora "$lambda_cluster"
	check create-aurora "$bare_cluster"
	role_arn=$(check create-role "acc-$cli_name-aurora-lambda")
	check associate-role "$lambda_cluster" "$role_arn" Lambda
	provider_block >"$dir/provider.tf"
	users_tf '["wagtail_app"]' '["CONNECT", "CREATE"]' 5 >"$dir/main.tf"
	trigger_tf '["INSERT", "UPDATE"]' "$lambda_arn:purge-$cli_name" >"$dir/triggers.tf"
	if tf "$out" init -no-color -input=false; then ok init; else notok init "$out"; return; fi
	plan_without_database
	rm -f "$dir/triggers.tf"
	create_users || return
	users_drift
	users_update
	users_import
	users_deleted_outside
	no_lambda_role
	create_triggers || return
	triggers_drift
	triggers_update
	triggers_import
	triggers_deleted_outside
	wrong_password
	unreachable_host
	wrong_ca
	secrets_not_logged
	password_from_ssm
	destroy_all
}

for_each_cli run_cli
finish
