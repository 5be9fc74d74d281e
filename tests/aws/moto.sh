# moto.sh: a moto server of our own for the AWS tests, sourced by them.
#
#   moto_start DIR   start moto_server on a free 127.0.0.1 port with SigV4
#                    checking on (INITIAL_NO_AUTH_ACTION_COUNT), make an IAM
#                    user and access key with the unchecked requests, and
#                    export MOTO_ENDPOINT, MOTO_ACCESS_KEY, MOTO_SECRET_KEY.
#                    The server logs to DIR/moto.log.
#   moto_stop        stop it.
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

moto_wait_ready() {
	local url=$1 i
	for i in $(seq 1 100); do
		# A GET of /moto-api/ is free: moto does not count it as an action.
		if curl -fsS -o /dev/null "$url/moto-api/" 2>/dev/null; then return 0; fi
		if ! kill -0 "$MOTO_PID" 2>/dev/null; then return 1; fi
		sleep 0.1
	done
	return 1
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
	local dir=$1 port keys
	mkdir -p "$dir"
	port=$(moto_free_port) || return 1
	MOTO_ENDPOINT=http://127.0.0.1:$port
	INITIAL_NO_AUTH_ACTION_COUNT=$MOTO_FREE_REQUESTS "${MOTO_SERVER:-moto_server}" -H 127.0.0.1 -p "$port" \
		>"$dir/moto.log" 2>&1 &
	MOTO_PID=$!
	if ! moto_wait_ready "$MOTO_ENDPOINT"; then
		echo "moto_server did not start on port $port; its log:"
		cat "$dir/moto.log"
		return 1
	fi
	keys=$(moto_make_user) || return 1
	read -r MOTO_ACCESS_KEY MOTO_SECRET_KEY <<<"$keys"
	export MOTO_ENDPOINT MOTO_ACCESS_KEY MOTO_SECRET_KEY MOTO_PID
}

moto_stop() {
	if [ -n "${MOTO_PID:-}" ]; then
		kill "$MOTO_PID" 2>/dev/null
		wait "$MOTO_PID" 2>/dev/null
		MOTO_PID=
	fi
}
