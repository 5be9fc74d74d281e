#!/usr/bin/env bash
# Acceptance tests: drive the real OpenTofu and Terraform CLIs against our provider,
# installed from a throw-away filesystem mirror.
#
#   tests/acceptance/cli.sh
#
# Environment:
#   ACCEPTANCE_CLIS  tofu, terraform, terraform-1.11 (a list), both or all (default
#                    all: every CLI available; see lib.sh)
#   PROVIDER_BINARY  provider to test (default build/terraform-provider-wagtail_v$VERSION)
#   VERSION          provider version (default 0.1.0)
#   CASE_TIMEOUT     seconds allowed for any one CLI command (default 180)
#   TOFU_BIN, TERRAFORM_BIN  use these CLIs instead of asking setup-clis.sh
#   TERRAFORM_111_BIN  the Terraform 1.11 or newer (default /usr/local/bin/terraform)
#   KEEP_WORKDIR=1   keep the temporary directory for inspection
#
# Prints `ok <cli> <case>` / `FAIL <cli> <case>` per case and ends with
# `acceptance: N passed, N failed`; exits non-zero if anything failed.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)

# shellcheck source=tests/acceptance/lib.sh
source "$root/tests/acceptance/lib.sh"
provider_log_name="provider.terraform-provider-wagtail_v$version"

# ---------------------------------------------------------------------------
# Configurations
# ---------------------------------------------------------------------------
ds=wagtail_iam_db_connect_policy
cluster="cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# config_case BODY: replace the per-case configuration of the working dir.
config_case() { printf '%s\n' "$1" >"$dir/case.tf"; }

cfg_wrong_type="data \"$ds\" \"p\" {
  region = \"eu-west-1\"
  account_id = \"123456789012\"
  cluster_resource_id = \"$cluster\"
  db_users = \"notalist\"
}"
cfg_missing_required="data \"$ds\" \"p\" {
  region = \"eu-west-1\"
  account_id = \"123456789012\"
  db_users = [\"wagtail\"]
}"
cfg_malformed_id="data \"$ds\" \"p\" {
  region = \"eu-west-1\"
  account_id = \"123456789012\"
  cluster_resource_id = \"my-cluster\"
  db_users = [\"wagtail\"]
}"
cfg_good="data \"$ds\" \"p\" {
  region = \"eu-west-1\"
  account_id = \"123456789012\"
  cluster_resource_id = \"$cluster\"
  db_users = [\"wagtail\", \"db_userx\"]
}

output \"policy\" {
  value = data.$ds.p.json
}

output \"arns\" {
  value = data.$ds.p.arns
}"

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

# validate_case NAME CONFIG ATTRIBUTE: validate must fail, name ATTRIBUTE, and not crash.
validate_case() {
	local name=$1 config=$2 attr=$3 out=$work/$cli_name-$1.out rc
	config_case "$config"
	tf "$out" validate -no-color
	rc=$?
	if [ "$rc" -eq 0 ]; then
		notok "$name" "$out"
		note "validate exited 0; expected a failure"
	elif [ "$rc" -ge 124 ]; then
		notok "$name" "$out"
		note "validate timed out or was killed (exit $rc)"
	elif crashed "$out"; then
		notok "$name" "$out"
		note "the provider crashed or did not respond"
	elif ! grep -q "$attr" "$out"; then
		notok "$name" "$out"
		note "output does not mention $attr"
	else
		ok "$name"
	fi
}

expected_policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["rds-db:connect"],"Resource":["arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ/wagtail","arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ/db_userx"]}]}'

# check_outputs MODE FILE: MODE semantic|exact; prints the reason and fails on mismatch.
check_outputs() {
	"$python" - "$1" "$2" "$expected_policy" <<'PY'
import json, sys
mode, path, expected_text = sys.argv[1], sys.argv[2], sys.argv[3]
expected = json.loads(expected_text)
try:
    outputs = json.load(open(path))
except ValueError as e:
    sys.exit("output -json is not JSON: %s" % e)
policy = outputs.get("policy", {}).get("value")
if not isinstance(policy, str):
    sys.exit("output policy is missing or not a string: %r" % (policy,))
if mode == "exact":
    if policy != expected_text:
        sys.exit("policy string differs:\n  got:      %s\n  expected: %s" % (policy, expected_text))
    sys.exit(0)
try:
    got = json.loads(policy)
except ValueError as e:
    sys.exit("policy is not JSON: %s: %r" % (e, policy))
if got != expected:
    sys.exit("policy differs:\n  got:      %s\n  expected: %s" % (json.dumps(got), expected_text))
arns = outputs.get("arns", {}).get("value")
want = expected["Statement"][0]["Resource"]
if arns != want:
    sys.exit("arns differ:\n  got:      %r\n  expected: %r" % (arns, want))
PY
}

check_schema() {
	"$python" - "$1" "$2" "$ds" <<'PY'
import json, sys
path, key, ds = sys.argv[1:4]
try:
    doc = json.load(open(path))
except ValueError as e:
    sys.exit("providers schema -json is not JSON: %s" % e)
schemas = doc.get("provider_schemas", {})
if key not in schemas:
    sys.exit("no provider_schemas[%r]; have %s" % (key, sorted(schemas)))
data = schemas[key].get("data_source_schemas", {})
if ds not in data:
    sys.exit("no data_source_schemas.%s; have %s" % (ds, sorted(data)))
attrs = data[ds].get("block", {}).get("attributes", {})
missing = [a for a in ("region", "account_id", "cluster_resource_id", "db_users", "json", "arns") if a not in attrs]
if missing:
    sys.exit("attributes missing: %s (have %s)" % (missing, sorted(attrs)))
if attrs["db_users"].get("type") != ["list", "string"]:
    sys.exit("db_users type is %r, expected [\"list\", \"string\"]" % (attrs["db_users"].get("type"),))
PY
}

# ---------------------------------------------------------------------------
# The cases, for one CLI
# ---------------------------------------------------------------------------
run_cli_cases() {
	local host=$1 out out2 rc msg
	dir=$work/$cli_name
	mkdir -p "$dir"
	cat >"$dir/main.tf" <<'EOF'
terraform {
  required_providers {
    wagtail = {
      source = "wagtail/wagtail"
    }
  }
}
EOF

	# 1. init
	out=$work/$cli_name-init.out
	if tf "$out" init -no-color -input=false && ! crashed "$out"; then
		ok init
	else
		notok init "$out"
		note "skipping the remaining $cli_name cases (counted as failed)"
		failed=$((failed + 13))
		return
	fi

	# 6. schema (run while the configuration is just the terraform block)
	msg=
	out=$work/$cli_name-schema.json
	out2=$work/$cli_name-schema.err
	if (cd "$dir" && timeout -k 10 "$case_timeout" "$cli" providers schema -json) >"$out" 2>"$out2" &&
		msg=$(check_schema "$out" "$host/wagtail/wagtail" 2>&1); then
		ok providers-schema
	else
		notok providers-schema "$out2"
		note "${msg:-providers schema -json failed}"
	fi
	# Every attribute the CLI sees is documented, and every documented one exists.
	if "$python" "$root/tests/docs/check_docs.py" "$out" "$root/docs" "$host/wagtail/wagtail" >"$out.docs" 2>&1; then
		ok docs-match-schema
	else
		notok docs-match-schema "$out.docs"
	fi

	# 2-4. validate failures
	validate_case validate-wrong-type "$cfg_wrong_type" db_users
	validate_case validate-missing-required "$cfg_missing_required" cluster_resource_id
	validate_case validate-malformed-id "$cfg_malformed_id" cluster_resource_id
	# The provider's diagnostic carries an attribute path, so the CLI quotes the
	# offending line of configuration rather than the block header.
	out=$work/$cli_name-validate-malformed-id.out
	if grep -qE '[0-9]+: +cluster_resource_id *= *"my-cluster"' "$out"; then
		ok validate-malformed-id-path
	else
		notok validate-malformed-id-path "$out"
		note "the diagnostic does not point at the cluster_resource_id line (attribute path missing?)"
	fi

	# 5. plan, apply, outputs
	config_case "$cfg_good"
	out=$work/$cli_name-plan.out
	if tf "$out" plan -no-color -input=false && ! crashed "$out"; then
		ok plan
	else
		notok plan "$out"
	fi
	out=$work/$cli_name-apply.out
	if tf "$out" apply -no-color -input=false -auto-approve && ! crashed "$out"; then
		ok apply
	else
		notok apply "$out"
	fi
	out=$work/$cli_name-output.json
	out2=$work/$cli_name-output.err
	if ! (cd "$dir" && timeout -k 10 "$case_timeout" "$cli" output -json) >"$out" 2>"$out2"; then
		notok output-json "$out2"
		notok output-json-exact
		note "output -json failed"
	else
		if msg=$(check_outputs semantic "$out" 2>&1); then ok output-json; else
			notok output-json
			note "$msg"
		fi
		if msg=$(check_outputs exact "$out" 2>&1); then ok output-json-exact; else
			notok output-json-exact
			note "$msg"
		fi
	fi

	# 7. plan without TLS between CLI and provider
	out=$work/$cli_name-plan-no-tls.out
	if TF_DISABLE_PLUGIN_TLS=1 tf "$out" plan -no-color -input=false && ! crashed "$out"; then
		ok plan-no-tls
	else
		notok plan-no-tls "$out"
	fi

	# 8. provider log lines arrive with their level
	out=$work/$cli_name-plan-trace.out
	local log=$work/$cli_name-trace.log
	TF_LOG=trace TF_LOG_PATH=$log tf "$out" plan -no-color -input=false
	rc=$?
	# hclog pads the level: "[INFO]  provider...", "[DEBUG] provider...".
	local name_re=${provider_log_name//./\\.}
	# What reached the log from our provider, for the failure report.
	grep -F "$provider_log_name" "$log" 2>/dev/null | head -n 200 >"$work/$cli_name-provider-lines.log"
	if [ "$rc" -ne 0 ] || crashed "$out"; then
		notok trace-log-levels "$out"
		note "plan with TF_LOG=trace failed (exit $rc)"
	elif grep -E "\[(TRACE|DEBUG|INFO)\] +$name_re: " "$log" | grep -vE "$name_re: \{" |
		grep -qE "$name_re: .*(GetProviderSchema|[Cc]onfigur)"; then
		ok trace-log-levels
	else
		notok trace-log-levels "$work/$cli_name-provider-lines.log"
		note "no line like '[DEBUG] $provider_log_name: GetProviderSchema' or '[INFO] $provider_log_name: configured provider' in the trace log"
	fi
	if [ ! -s "$log" ]; then
		notok trace-log-no-raw-json "$out"
		note "TF_LOG_PATH=$log was not written"
	elif grep -qF "$provider_log_name: {\"@" "$log"; then
		grep -F "$provider_log_name: {\"@" "$log" | head -n 50 >"$work/$cli_name-raw-json.log"
		notok trace-log-no-raw-json "$work/$cli_name-raw-json.log"
		note "provider log lines reached the CLI as unparsed JSON"
	else
		ok trace-log-no-raw-json
	fi
}

run_cli() {
	if [ ! -x "$cli" ]; then
		notok cli-present
		note "setup-clis.sh gave '$cli', which is not executable"
		return
	fi
	run_cli_cases "$host"
}

for_each_cli run_cli

summary
