#!/usr/bin/env bash
# Load: one configuration of LOAD_RESOURCES resources (default 240: SSM
# parameters, ECR repositories and ECS clusters) planned, applied, planned
# again and destroyed with -parallelism=20 against a real moto server, on
# both CLIs. Terraform sends those RPCs concurrently; the provider must not
# crash or lose a resource, and its memory must stay bounded.
#
# The provider runs under a wrapper that samples its peak RSS (VmHWM) from
# /proc, so the case can check the bound: LOAD_MAX_RSS_KB (default 40960).
# PROVIDER_BINARY may be a ThreadSanitizer build (see `make tsan-provider`):
# then TSAN_OPTIONS carries log_path and the reports are checked by the caller.
#
# Environment: as tests/acceptance/cli.sh. Ends with `load: N passed, N failed`.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
real_binary=${PROVIDER_BINARY:-$root/build/terraform-provider-wagtail_v${VERSION:-0.1.0}}
case_timeout=${CASE_TIMEOUT:-900}
stage_name=load
count=${LOAD_RESOURCES:-240}
max_rss_kb=${LOAD_MAX_RSS_KB:-40960} # 20 calls at once: about 25 MiB measured

# The wrapper lives outside the work dir lib.sh makes, so it exists before.
wrapper_dir=$(mktemp -d "${TMPDIR:-/tmp}/wagtail-load.XXXXXX")
rss_log=$wrapper_dir/vmhwm
binary=$wrapper_dir/terraform-provider-wagtail
cat >"$binary" <<EOF
#!/bin/sh
# Samples VmHWM of this PID (the provider, after exec) until it exits.
pid=\$\$
(
	while [ -r /proc/\$pid/status ]; do
		sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/\$pid/status >>"$rss_log" 2>/dev/null
		sleep 0.05
	done
) </dev/null >/dev/null 2>&1 &
exec "$real_binary" "\$@"
EOF
chmod +x "$binary"

# shellcheck source=tests/acceptance/aws_lib.sh
source "$root/tests/acceptance/aws_lib.sh"
trap 'moto_stop; cleanup; rm -rf "$wrapper_dir"' EXIT

many_tf() {
	local parameters=$((count * 6 / 10)) repositories=$((count * 3 / 10)) clusters=$((count - count * 9 / 10))
	cat <<HCL
resource "wagtail_ssm_parameter" "p" {
  count = $parameters
  name  = "/load/$cli_name/p\${count.index}"
  type  = "SecureString"
  value = "value-\${count.index}"
  tags  = { Index = tostring(count.index) }
}

resource "wagtail_ecr_repository" "r" {
  count        = $repositories
  name         = "load-$cli_name/r\${count.index}"
  force_delete = true
}

resource "wagtail_ecs_cluster" "c" {
  count = $clusters
  name  = "load-$cli_name-c\${count.index}"
}
HCL
}

peak_rss_kb() { sort -n "$rss_log" 2>/dev/null | tail -n 1; }

run_cli() {
	local out=$work/$cli_name-init.out
	dir=$work/$cli_name
	mkdir -p "$dir"
	provider_block >"$dir/provider.tf"
	many_tf >"$dir/main.tf"
	: >"$rss_log"
	if tf "$out" init -no-color -input=false; then ok init; else notok init "$out"; return; fi
	out=$work/$cli_name-apply.out
	if tf "$out" apply -no-color -auto-approve -input=false -parallelism=20 && grep -q "$count added" "$out" &&
		! crashed "$out"; then
		ok "apply-$count-resources"
	else
		notok "apply-$count-resources" "$out"
	fi
	out=$work/$cli_name-plan.out
	if [ "$(tf "$out" plan -no-color -detailed-exitcode -input=false -parallelism=20; echo $?)" = 0 ]; then
		ok second-plan-no-changes
	else
		notok second-plan-no-changes "$out"
	fi
	expect all-in-aws "$out.aws" check load-count "$cli_name" "$count"
	out=$work/$cli_name-destroy.out
	if tf "$out" destroy -no-color -auto-approve -input=false -parallelism=20 && grep -q "$count destroyed" "$out"; then
		ok "destroy-$count-resources"
	else
		notok "destroy-$count-resources" "$out"
	fi
	expect nothing-left-in-aws "$out.aws" check load-count "$cli_name" 0
	local peak
	peak=$(peak_rss_kb)
	if [ -n "$peak" ] && [ "$peak" -le "$max_rss_kb" ]; then
		ok "peak-rss-bounded (${peak} KiB)"
	else
		notok peak-rss-bounded
		note "peak RSS ${peak:-unknown} KiB, bound $max_rss_kb KiB"
	fi
}

for_each_cli run_cli
finish
