#!/usr/bin/env bash
# demo.sh: the local quick start. `make demo` runs `demo.sh up`, `make demo-down`
# runs `demo.sh down`.
#
#   up       install what is missing (Debian packages, moto and boto3, the
#            OpenTofu CLI), build the provider and lay it into a filesystem
#            mirror, start a moto server (AWS, signatures checked) and a
#            PostgreSQL server (standing in for the Aurora database), apply
#            the example stack examples/wagtail against them, print its
#            outputs, what was made, and how to look further. The servers keep
#            running; running `up` again re-applies against them.
#   inspect  print again what the stack made, in AWS (moto) and in the database
#   down     stop both servers and remove the demo directory (state included)
#
# Environment:
#   BUILD         build directory (default build)
#   DEMO_DIR      where the demo keeps its state, logs and copy of the stack
#                 (default $BUILD/demo)
#   DEMO_CLI      tofu (default) or terraform
#   TOFU_BIN, TERRAFORM_BIN   the CLI to use; else one on PATH, else the one
#                 tests/acceptance/setup-clis.sh builds and caches
#   PROVIDER_BINARY  use this provider binary instead of building one
#   DEMO_SKIP_DEPS=1 do not check Debian and Python packages
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
version=${VERSION:-0.1.0}
build=${BUILD:-build}
case "$build" in /*) ;; *) build=$root/$build ;; esac
demo=${DEMO_DIR:-$build/demo}
case "$demo" in /*) ;; *) demo=$PWD/$demo ;; esac
cli_name=${DEMO_CLI:-tofu}
region=eu-west-1
stack=$demo/stack/examples/wagtail
python=${PYTHON:-python3}

say() { printf '\n== %s\n' "$*"; }
die() {
	echo "demo: $*" >&2
	exit 1
}

# ---------------------------------------------------------------------------
# what is missing
# ---------------------------------------------------------------------------

install_deps() {
	[ -n "${DEMO_SKIP_DEPS:-}" ] && return 0
	say "Packages: Debian build and test dependencies, moto and boto3"
	"$root/build.sh" deps || die "installing the dependencies failed (see above); as non-root it needs sudo"
}

# find_cli: sets cli to the CLI binary, building it (setup-clis.sh) if none is found.
find_cli() {
	local line
	case "$cli_name" in
	tofu) cli=${TOFU_BIN:-} line=1 ;;
	terraform) cli=${TERRAFORM_BIN:-} line=2 ;;
	*) die "DEMO_CLI must be tofu or terraform, not '$cli_name'" ;;
	esac
	[ -n "$cli" ] && return 0
	cli=$(command -v "$cli_name" || true)
	[ -n "$cli" ] && return 0
	cli=$(ls "${WAGTAIL_CACHE:-$HOME/.cache/terraform-provider-wagtail}"/bin/"$cli_name"-v* 2>/dev/null | sort -V | tail -1)
	[ -n "$cli" ] && return 0
	say "CLI: building $cli_name from the Go module proxy (once; cached in ~/.cache/terraform-provider-wagtail)"
	[ -d /usr/local/go/bin ] && PATH=$PATH:/usr/local/go/bin
	if ! command -v go >/dev/null; then
		# Debian's Go is old; GOTOOLCHAIN=auto (setup-clis.sh) fetches the toolchain the CLI needs.
		local sudo=()
		[ "$(id -u)" -eq 0 ] || sudo=(sudo)
		DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends golang-go ca-certificates ||
			die "cannot install Go to build $cli_name"
	fi
	cli=$("$root/tests/acceptance/setup-clis.sh" | sed -n "${line}p") || die "building the CLIs failed"
	[ -x "$cli" ] || die "no $cli_name binary after setup-clis.sh"
}

build_provider() {
	if [ -n "${PROVIDER_BINARY:-}" ]; then
		binary=$PROVIDER_BINARY
	else
		say "Provider: make"
		make -C "$root" --no-print-directory BUILD="$build" >"$demo/build.log" 2>&1 ||
			{ tail -n 30 "$demo/build.log"; die "the build failed; its log: $demo/build.log"; }
		binary=$build/terraform-provider-wagtail_v$version
	fi
	mirror=${MIRROR:-$build/mirror}
	MIRROR=$mirror "$root/build.sh" install "$binary" "$version" >/dev/null || die "cannot install the provider into $mirror"
	# The CLI finds the provider in the mirror, and nothing else of ours anywhere else.
	"$root/build.sh" cli-config "$mirror" >"$demo/cli.tfrc"
}

# ---------------------------------------------------------------------------
# moto and PostgreSQL
# ---------------------------------------------------------------------------

# shellcheck source=tests/aws/moto.sh
source "$root/tests/aws/moto.sh"
# shellcheck source=tests/db/postgres.sh
source "$root/tests/db/postgres.sh"

services_running() {
	[ -f "$demo/services.env" ] || return 1
	# shellcheck disable=SC1091
	source "$demo/services.env"
	kill -0 "$MOTO_PID" 2>/dev/null && curl -fsS -o /dev/null "$MOTO_ENDPOINT/moto-api/" 2>/dev/null &&
		[ -f "$PG_DIR/data/postmaster.pid" ] && pg_as_owner "$PG_BIN/pg_isready" -q -h "$PG_DIR" -p "$PG_PORT"
}

start_services() {
	if services_running; then
		say "Servers: moto at $MOTO_ENDPOINT and PostgreSQL on port $PG_PORT are already running"
		return 0
	fi
	stop_services
	say "Servers: moto (signatures checked) and PostgreSQL"
	# AWS managed IAM policies exist in moto only when asked for: the
	# enhanced monitoring role attaches one. (No ECS task ever runs: moto
	# runs no containers, and no image was pushed.)
	export MOTO_IAM_LOAD_MANAGED_POLICIES=true
	# The servers outlive this script (and its terminal).
	trap '' HUP
	moto_start "$demo/moto" >"$demo/moto-start.log" 2>&1 || { cat "$demo/moto-start.log"; die "moto did not start"; }
	pg_start >"$demo/pg-start.log" 2>&1 || { cat "$demo/pg-start.log"; kill "$MOTO_PID"; die "PostgreSQL did not start"; }
	local name
	for name in MOTO_PID STRICT_PID MOTO_ENDPOINT MOTO_DIRECT_ENDPOINT MOTO_ACCESS_KEY MOTO_SECRET_KEY PG_BIN PG_DIR \
		PG_HOST PG_PORT PG_DATABASE \
		PG_ADMIN_USER PG_ADMIN_PASSWORD PG_CA; do
		printf '%s=%q\n' "$name" "${!name}"
	done >"$demo/services.env"
	echo "   moto:       $MOTO_ENDPOINT (log $demo/moto/moto.log)"
	echo "   PostgreSQL: $PG_HOST:$PG_PORT, database $PG_DATABASE (log $PG_DIR/server.log)"
}

# alive PID: the process runs (an exited one that no parent has reaped yet does not).
alive() { kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]; }

stop_services() {
	[ -f "$demo/services.env" ] || return 0
	# shellcheck disable=SC1091
	source "$demo/services.env"
	# moto, and the strict AWS layer in front of it (tests/aws/moto.sh)
	local pid
	for pid in "${STRICT_PID:-}" "${MOTO_PID:-}"; do
		if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
			for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
			alive "$pid" && kill -KILL "$pid" 2>/dev/null
		fi
	done
	pg_stop
	rm -f "$demo/services.env"
}

# env.sh: what a shell needs to use the stack: the CLI config, moto's
# endpoint and key; and a psql connection string. (The stack reads the
# database password from the SecureString the prerequisites put it in.)
write_env() {
	cat >"$demo/env.sh" <<EOF
# Source me: . $demo/env.sh
export TF_CLI_CONFIG_FILE=$demo/cli.tfrc
export AWS_ENDPOINT_URL=$MOTO_ENDPOINT
export AWS_ACCESS_KEY_ID=$MOTO_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$MOTO_SECRET_KEY
export AWS_REGION=$region AWS_DEFAULT_REGION=$region
unset AWS_PROFILE AWS_SESSION_TOKEN
export PGHOST=$PG_HOST PGPORT=$PG_PORT PGDATABASE=$PG_DATABASE PGUSER=$PG_ADMIN_USER PGPASSWORD='$PG_ADMIN_PASSWORD'
export PGSSLMODE=verify-full PGSSLROOTCERT=$PG_CA
EOF
}

# ---------------------------------------------------------------------------
# the stack
# ---------------------------------------------------------------------------

# A copy of the example and a link to the modules, at the same relative
# places, so that the repository stays free of state and lock files.
lay_out_stack() {
	mkdir -p "$stack"
	cp -R "$root/examples/wagtail/." "$stack/"
	ln -sfn "$root/modules" "$demo/stack/modules"
	# A provider rebuilt since the last run has other checksums.
	rm -rf "$stack/.terraform.lock.hcl" "$stack/.terraform/providers"
	LOCAL_DATABASE_PASSWORD=$PG_ADMIN_PASSWORD "$python" "$root/scripts/demo_aws.py" prereqs "$MOTO_ENDPOINT" \
		"$MOTO_ACCESS_KEY" "$MOTO_SECRET_KEY" "$region" >"$demo/prereqs.json" ||
		die "cannot make the stack's prerequisites in moto"
	"$python" - "$demo/prereqs.json" "$stack/demo.auto.tfvars.json" <<PY || die "cannot write the stack's variables"
import json, sys
variables = json.load(open(sys.argv[1]))
variables["region"] = "$region"
variables["stage"] = "demo"
variables["database_connection"] = {"host": "$PG_HOST", "port": $PG_PORT, "database": "$PG_DATABASE",
                                    "username": "$PG_ADMIN_USER", "sslmode": "verify-full", "sslrootcert": "$PG_CA"}
json.dump(variables, open(sys.argv[2], "w"), indent=2)
PY
}

run_cli() { (cd "$stack" && "$cli" "$@"); }

apply_stack() {
	say "$cli_name init"
	run_cli init -input=false -no-color >"$demo/init.log" 2>&1 || { cat "$demo/init.log"; die "init failed"; }
	echo "   $(grep -m1 -E 'Installed wagtail/wagtail|Using previously-installed wagtail/wagtail|Reusing previous version of wagtail/wagtail' "$demo/init.log" || echo 'initialized')"
	say "$cli_name apply"
	run_cli apply -auto-approve -input=false -no-color >"$demo/apply.log" 2>&1 || { tail -n 60 "$demo/apply.log"; die "apply failed; its log: $demo/apply.log"; }
	grep -E '^Apply complete' "$demo/apply.log"
	say "$cli_name output"
	run_cli output -no-color
}

inspect() {
	services_running || die "the demo is not running: make demo"
	say "In AWS (moto), read back with boto3: python3 scripts/demo_aws.py inspect ..."
	"$python" "$root/scripts/demo_aws.py" inspect "$MOTO_ENDPOINT" "$MOTO_ACCESS_KEY" "$MOTO_SECRET_KEY" "$region"
	say "In the database (psql): the IAM database user and the page trigger"
	pg_sql "SELECT r.rolname AS iam_user, string_agg(g.rolname, ',') AS member_of FROM pg_roles r
		JOIN pg_auth_members m ON m.member = r.oid JOIN pg_roles g ON g.oid = m.roleid
		WHERE g.rolname = 'rds_iam' GROUP BY r.rolname" | sed 's/^/   IAM user|roles: /'
	pg_sql "SELECT tgname || ' on ' || tgrelid::regclass FROM pg_trigger WHERE NOT tgisinternal" | sed 's/^/   trigger: /'
	say "A page saved in Wagtail invokes the Lambda (the test aws_lambda extension records the call)"
	pg_sql "INSERT INTO public.wagtailcore_page (title, slug, live, url_path)
		VALUES ('Hello', 'hello-' || floor(random() * 1e6)::int, true, '/home/hello/')"
	pg_sql "SELECT function_name || ' ' || invocation_type || ' ' || payload::text FROM aws_lambda.invocations
		ORDER BY id DESC LIMIT 1" | sed 's/^/   invoked: /'
}

how_to_look() {
	cat <<EOF

== Look further

  # the CLI config, moto's endpoint and key, psql's settings:
  . $demo/env.sh
  cd $stack
  $cli state list
  $cli plan              # no changes
  TF_LOG=debug $cli plan # with the provider's log lines (it never logs a secret)

  # AWS, as boto3 (and the aws CLI) see it through AWS_ENDPOINT_URL:
  python3 $root/scripts/demo_aws.py inspect \$AWS_ENDPOINT_URL \$AWS_ACCESS_KEY_ID \$AWS_SECRET_ACCESS_KEY $region
  python3 -c 'import boto3; print(boto3.client("ssm").get_parameter(Name="/$region/demo/wagtail/database_user", WithDecryption=True)["Parameter"]["Value"])'

  # the database (psql takes PGHOST, PGPORT, ... from env.sh):
  psql -c '\\du'
  psql -c "UPDATE wagtailcore_page SET live = false" -c 'TABLE aws_lambda.invocations'

  make demo          # again: re-applies against the running servers (no changes)
  make demo-down     # stops moto and PostgreSQL and forgets the state
EOF
}

up() {
	mkdir -p "$demo"
	install_deps
	find_cli
	build_provider
	start_services
	write_env
	# shellcheck disable=SC1091
	source "$demo/env.sh"
	lay_out_stack
	apply_stack
	inspect
	how_to_look
}

case "${1:-}" in
up) up ;;
inspect) inspect ;;
down)
	stop_services
	rm -rf "$demo"
	echo "demo: stopped and removed $demo"
	;;
*)
	sed -n '2,22s/^# \{0,1\}//p' "$0" >&2
	exit 2
	;;
esac
