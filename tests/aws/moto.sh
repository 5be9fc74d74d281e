# moto.sh: a moto server of our own for the AWS tests, sourced by them.
#
#   moto_start DIR   start moto_server on a free 127.0.0.1 port with SigV4
#                    checking on (INITIAL_NO_AUTH_ACTION_COUNT), make an IAM
#                    user and access key with the unchecked requests, and
#                    export MOTO_ENDPOINT, MOTO_ACCESS_KEY, MOTO_SECRET_KEY.
#                    The server logs to DIR/moto.log.
#   moto_start_unchecked DIR
#                    start a second moto_server that checks no signatures
#                    and export MOTO_UNCHECKED_ENDPOINT; it logs to
#                    DIR/moto-unchecked.log. For the calls that moto 5.2.1
#                    cannot serve while it checks signatures: it answers an
#                    unsigned request (sts:AssumeRoleWithWebIdentity, which
#                    AWS takes unsigned) with HTTP 500 instead of serving it.
#   moto_stop        stop whichever of them were started.
#
# The strict AWS layer: unless STRICT_AWS=0, moto_start also starts
# tests/aws/strict_proxy.py in front of the checking moto (it behaves as real
# AWS does where moto is lenient: states that take time, refusals, requests
# checked against botocore's models, paged listings; it logs to
# DIR/strict.log) and exports
#   MOTO_ENDPOINT         the proxy: what the provider under test talks to
#   MOTO_DIRECT_ENDPOINT  moto itself: for the tests' own boto3 checkers,
#                         which are not under test (and would else see pages)
#   STRICT_AWS_STATS_URL  the proxy's GET /_strict/stats
#   STRICT_AWS_VIOLATIONS_FILE  where it writes the model violations it saw
# With STRICT_AWS=0 both endpoints are moto's and STRICT_AWS_STATS_URL is
# empty.
#   strict_report [--allow-none]
#                    prints "strict AWS layer: N requests validated, M
#                    violations" (and the violations); fails when M > 0, or
#                    when N == 0 with the layer on (unless --allow-none: a
#                    run that may make no AWS call).
#
# Environment: MOTO_SERVER (default moto_server), PYTHON (default python3,
# needs boto3), STRICT_AWS (default 1), STRICT_AWS_DELAYS (JSON, see
# strict_proxy.py).

moto_sh_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Requests moto serves before it starts checking signatures: exactly the
# three that make our IAM user, allow it everything and give it a key
# (CreateUser, PutUserPolicy, CreateAccessKey). Later requests must be signed
# with that key, and moto checks them against the user's policy.
MOTO_FREE_REQUESTS=3

moto_free_port() {
	"${PYTHON:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# moto_wait_ready URL PID: wait until the server at URL answers, while PID lives.
moto_wait_ready() {
	local url=$1 pid=$2 i
	for i in $(seq 1 100); do
		# A GET of /moto-api/ is free: moto does not count it as an action.
		if curl -fsS -o /dev/null "$url/moto-api/" 2>/dev/null; then return 0; fi
		if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
		sleep 0.1
	done
	return 1
}

# moto_spawn LOG [FREE]: start moto_server on a free port, logging to LOG,
# checking signatures after FREE requests when FREE is given (else never),
# and wait until it answers. Sets moto_spawned_url and moto_spawned_pid (the
# pid even when it fails, so that moto_stop can end a server that hangs).
moto_spawn() {
	local log=$1 free=${2:-} port
	local -a env_args=(-u INITIAL_NO_AUTH_ACTION_COUNT)
	if [ -n "$free" ]; then env_args=("INITIAL_NO_AUTH_ACTION_COUNT=$free"); fi
	moto_spawned_url= moto_spawned_pid=
	mkdir -p "$(dirname "$log")"
	port=$(moto_free_port) || return 1
	moto_spawned_url=http://127.0.0.1:$port
	env "${env_args[@]}" "${MOTO_SERVER:-moto_server}" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
	moto_spawned_pid=$!
	if ! moto_wait_ready "$moto_spawned_url" "$moto_spawned_pid"; then
		echo "moto_server did not start on port $port; its log:"
		cat "$log"
		return 1
	fi
}

moto_make_user() {
	"${PYTHON:-python3}" - "$MOTO_ENDPOINT" <<'PY'
import json
import sys
import boto3
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="wagtail-acceptance")
iam.put_user_policy(UserName="wagtail-acceptance", PolicyName="everything", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="wagtail-acceptance")["AccessKey"]
print(key["AccessKeyId"], key["SecretAccessKey"])
PY
}

moto_start() {
	local dir=$1 keys rc
	moto_spawn "$dir/moto.log" "$MOTO_FREE_REQUESTS"
	rc=$?
	MOTO_ENDPOINT=$moto_spawned_url MOTO_PID=$moto_spawned_pid
	[ "$rc" -eq 0 ] || return 1
	keys=$(moto_make_user) || return 1
	read -r MOTO_ACCESS_KEY MOTO_SECRET_KEY <<<"$keys"
	MOTO_DIRECT_ENDPOINT=$MOTO_ENDPOINT STRICT_AWS_STATS_URL= STRICT_AWS_VIOLATIONS_FILE= STRICT_PID=
	export MOTO_ENDPOINT MOTO_DIRECT_ENDPOINT MOTO_ACCESS_KEY MOTO_SECRET_KEY MOTO_PID STRICT_AWS_STATS_URL \
		STRICT_AWS_VIOLATIONS_FILE
	[ "${STRICT_AWS:-1}" = 0 ] || strict_start "$dir"
}

# strict_start DIR: the strict proxy in front of moto (see the top).
strict_start() {
	local dir=$1 port_file=$1/strict.port
	rm -f "$port_file"
	"${PYTHON:-python3}" "$moto_sh_dir/strict_proxy.py" "$MOTO_DIRECT_ENDPOINT" "$port_file" >"$dir/strict.log" 2>&1 &
	STRICT_PID=$!
	for _ in $(seq 1 100); do
		[ -s "$port_file" ] && break
		if ! kill -0 "$STRICT_PID" 2>/dev/null; then break; fi
		sleep 0.1
	done
	if [ ! -s "$port_file" ]; then
		echo "strict_proxy.py did not start; its log:"
		cat "$dir/strict.log"
		return 1
	fi
	MOTO_ENDPOINT=http://127.0.0.1:$(cat "$port_file")
	STRICT_AWS_STATS_URL=$MOTO_ENDPOINT/_strict/stats
	STRICT_AWS_VIOLATIONS_FILE=${STRICT_AWS_VIOLATIONS:-$port_file.violations}
	export MOTO_ENDPOINT STRICT_AWS_STATS_URL STRICT_AWS_VIOLATIONS_FILE STRICT_PID
}

strict_report() {
	local stats n m allow_none=${1:-}
	if [ -z "${STRICT_AWS_STATS_URL:-}" ]; then
		echo "strict AWS layer: off (STRICT_AWS=0)"
		return 0
	fi
	if ! stats=$(curl -fsS "$STRICT_AWS_STATS_URL"); then
		echo "strict AWS layer: no stats from $STRICT_AWS_STATS_URL"
		return 1
	fi
	read -r n m < <("${PYTHON:-python3}" -c 'import json, sys; s = json.load(sys.stdin); print(s["validated"], s["violations"])' <<<"$stats")
	echo "strict AWS layer: $n requests validated, $m violations"
	if [ "$m" -gt 0 ] && [ -s "$STRICT_AWS_VIOLATIONS_FILE" ]; then
		sort "$STRICT_AWS_VIOLATIONS_FILE" | uniq -c | sort -rn | head -n 40
	fi
	[ "$m" -eq 0 ] && { [ "$n" -gt 0 ] || [ "$allow_none" = --allow-none ]; }
}

moto_start_unchecked() {
	local dir=$1 rc
	moto_spawn "$dir/moto-unchecked.log"
	rc=$?
	MOTO_UNCHECKED_ENDPOINT=$moto_spawned_url MOTO_UNCHECKED_PID=$moto_spawned_pid
	[ "$rc" -eq 0 ] || return 1
	export MOTO_UNCHECKED_ENDPOINT MOTO_UNCHECKED_PID
}

moto_stop() {
	local pid
	for pid in "${STRICT_PID:-}" "${MOTO_PID:-}" "${MOTO_UNCHECKED_PID:-}"; do
		if [ -n "$pid" ]; then
			kill "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
		fi
	done
	STRICT_PID= MOTO_PID= MOTO_UNCHECKED_PID=
}
