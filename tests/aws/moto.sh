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
# Environment: MOTO_SERVER (default moto_server), PYTHON (default python3,
# needs boto3).

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
	export MOTO_ENDPOINT MOTO_ACCESS_KEY MOTO_SECRET_KEY MOTO_PID
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
	for pid in "${MOTO_PID:-}" "${MOTO_UNCHECKED_PID:-}"; do
		if [ -n "$pid" ]; then
			kill "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
		fi
	done
	MOTO_PID= MOTO_UNCHECKED_PID=
}
