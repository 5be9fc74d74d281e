# aws_lib.sh: what the AWS acceptance scripts share, on top of lib.sh. Sourced
# after the script has set root and stage_name (and what lib.sh lets it
# override). Starts a moto server of our own that checks every
# signature (moto_start sets MOTO_ENDPOINT, MOTO_ACCESS_KEY, MOTO_SECRET_KEY)
# and stops it on exit. Unless STRICT_AWS=0 the provider reaches moto
# through the strict AWS layer (tests/aws/strict_proxy.py), which behaves
# as real AWS does; the tests' own boto3 reads (check) go to moto directly
# (MOTO_DIRECT_ENDPOINT), and finish() reports what the layer saw.
# shellcheck shell=bash

# shellcheck source=tests/acceptance/lib.sh
source "$root/tests/acceptance/lib.sh"

finish() {
	# Every request the provider sent must be one AWS would take, as
	# botocore's models describe it (a case of its own, so that it counts).
	if [ -n "${STRICT_AWS_STATS_URL:-}" ]; then
		local cli_name=-
		if strict_report >"$work/strict-report.out" 2>&1; then
			ok requests-valid-per-botocore-models
		else
			notok requests-valid-per-botocore-models
			sed 's/^/    /' "$work/strict-report.out"
		fi
		head -n 1 "$work/strict-report.out"
	fi
	echo "$stage_name: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# shellcheck source=tests/aws/moto.sh
source "$root/tests/aws/moto.sh"
if ! moto_start "$work/moto" >"$work/moto-start.out" 2>&1; then
	notok start-moto "$work/moto-start.out"
	finish
	exit 1
fi
trap 'moto_stop; cleanup' EXIT

# The checker reads AWS back from moto itself: it is not under test, and the
# strict layer would page its listings and delay its reads.
check() { "$python" "$root/tests/acceptance/aws_check.py" "$MOTO_DIRECT_ENDPOINT" "$MOTO_ACCESS_KEY" "$MOTO_SECRET_KEY" "$@"; }
# outside COMMAND ARGS...: a change made behind Terraform's back (a CI job, a
# console user). It goes through the strict layer, as any caller's request
# reaches AWS, so that what the layer keeps of a resource (deployments,
# states) follows it.
outside() { "$python" "$root/tests/acceptance/aws_check.py" "$MOTO_ENDPOINT" "$MOTO_ACCESS_KEY" "$MOTO_SECRET_KEY" "$@"; }

# expect NAME OUT COMMAND...: a case that passes when COMMAND succeeds.
expect() {
	local name=$1 out=$2
	shift 2
	if "$@" >>"$out" 2>&1; then ok "$name"; else notok "$name" "$out"; fi
}

# apply_ok OUT: apply, output to OUT.
apply_ok() { tf "$1" apply -no-color -auto-approve -input=false; }

provider_block() {
	cat <<EOF
terraform {
  required_providers {
    wagtail = { source = "wagtail/wagtail" }
  }
}

provider "wagtail" {
  region      = "eu-west-1"
  access_key  = "$MOTO_ACCESS_KEY"
  secret_key  = "$MOTO_SECRET_KEY"
  max_retries = 2
  endpoints {
    ec2            = "$MOTO_ENDPOINT"
    ecr            = "$MOTO_ENDPOINT"
    ecs            = "$MOTO_ENDPOINT"
    iam            = "$MOTO_ENDPOINT"
    lambda         = "$MOTO_ENDPOINT"
    logs           = "$MOTO_ENDPOINT"
    rds            = "$MOTO_ENDPOINT"
    secretsmanager = "$MOTO_ENDPOINT"
    ssm            = "$MOTO_ENDPOINT"
    sts            = "$MOTO_ENDPOINT"
  }
  default_tags {
    tags = { ManagedBy = "wagtail-acceptance" }
  }
}
EOF
}

# plan_exit OUT: plan with -detailed-exitcode; prints its exit code.
plan_exit() {
	tf "$1" plan -no-color -detailed-exitcode -input=false
	echo $?
}

no_changes() {
	local name=$1 out=$work/$cli_name-$1.out rc
	rc=$(plan_exit "$out")
	if [ "$rc" = 0 ]; then ok "$name"; else notok "$name" "$out"; note "plan exit $rc, want 0 (no changes)"; fi
}

# start_fault_proxy LOG FAULTS: a fault_proxy.py in front of moto; sets
# PROXY_URL and PROXY_PID (stop_fault_proxy stops it). HTTPS when
# FAULT_PROXY_TLS_CERT and FAULT_PROXY_TLS_KEY are exported.
start_fault_proxy() {
	local port_file=$work/proxy.port
	rm -f "$port_file"
	"$python" "$root/tests/aws/fault_proxy.py" "$MOTO_ENDPOINT" "$port_file" "$2" >"$1" 2>&1 &
	PROXY_PID=$!
	for _ in $(seq 1 50); do [ -s "$port_file" ] && break; sleep 0.1; done
	PROXY_URL=http${FAULT_PROXY_TLS_CERT:+s}://127.0.0.1:$(cat "$port_file" 2>/dev/null)
}

# proxied_provider SERVICE DIR LOG FAULTS: a fault proxy in front of moto for
# SERVICE (rds, ssm, ...) and, in DIR, a provider.tf that reaches SERVICE
# through it (every other service goes to moto directly).
proxied_provider() {
	local service=$1 dir=$2
	mkdir -p "$dir"
	start_fault_proxy "$3" "$4"
	provider_block | sed "s#$service *= \"$MOTO_ENDPOINT\"#$service = \"$PROXY_URL\"#" >"$dir/provider.tf"
}

stop_fault_proxy() {
	kill "$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null
}
