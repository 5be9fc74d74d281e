# postgres.sh: a private PostgreSQL server for the database tests, sourced.
#
#   pg_start   initdb a cluster in a new temp dir and start it on a free
#              localhost port, with TLS (a CA made here and a server
#              certificate for localhost, so that libpq's verify-full holds),
#              password (SCRAM) logins over TCP and trust over its own Unix
#              socket. Installs the test extensions aws_commons and aws_lambda
#              (this directory) into the server's extension directory, and
#              makes what Aurora has or the tests need:
#                - role rds_iam (built into Aurora)
#                - wagtail_admin, a non-superuser with CREATEROLE like Aurora's
#                  master user, owning database wagtail
#                - in wagtail: table public.wagtailcore_page and role
#                  wagtail_app that may write it
#              Exports PG_HOST, PG_PORT, PG_DATABASE, PG_ADMIN_USER,
#              PG_ADMIN_PASSWORD and PG_CA (the CA certificate, for
#              sslrootcert). The server logs to $PG_DIR/server.log.
#   pg_sql SQL [NAME=VALUE...]
#              runs SQL in database wagtail as the superuser postgres over
#              the socket, with psql variables (:'NAME' is VALUE quoted as
#              a literal, :"NAME" as an identifier); prints rows unaligned,
#              `|`-separated.
#   pg_stop    stops the server and removes its directory.
#
# As root the server runs as the postgres user (PostgreSQL refuses root).
# Environment: PG_BIN (default: the bindir of pg_config), PYTHON.
# shellcheck shell=bash

PG_BIN=${PG_BIN:-$(pg_config --bindir)}
PG_DIR=
pg_fixture_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# pg_as_owner CMD...: runs CMD as the user that owns the server's files.
pg_as_owner() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_free_port() {
	"${PYTHON:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The server's extension directory; identical files from several runs can
# share it, so each file is replaced atomically.
pg_install_extensions() {
	local dir f
	dir=$("$PG_BIN/pg_config" --sharedir)/extension
	for f in aws_commons.control aws_commons--1.0.sql aws_lambda.control aws_lambda--1.0.sql; do
		install -m 644 "$pg_fixture_dir/$f" "$dir/.$f.$$" && mv -f "$dir/.$f.$$" "$dir/$f" || return 1
	done
}

# A CA and a server certificate for localhost and 127.0.0.1, signed by it.
pg_make_certificates() {
	local d=$PG_DIR
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=wagtail test CA" \
		-keyout "$d/ca.key" -out "$d/ca.crt" &&
		openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$d/server.key" -out "$d/server.csr" &&
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$d/server.ext" &&
		openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
			-extfile "$d/server.ext" -out "$d/server.crt" &&
		chmod 600 "$d/server.key"
} >/dev/null 2>&1

pg_configure() {
	cat >>"$PG_DIR/data/postgresql.conf" <<EOF
listen_addresses = 'localhost'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
ssl = on
ssl_cert_file = '$PG_DIR/server.crt'
ssl_key_file = '$PG_DIR/server.key'
password_encryption = 'scram-sha-256'
log_min_messages = warning
EOF
	cat >"$PG_DIR/data/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
EOF
}

# pg_sql_in DB SQL [NAME=VALUE...]
pg_sql_in() {
	local db=$1 sql=$2 var
	local -a vars=()
	shift 2
	for var in "$@"; do vars+=(-v "$var"); done
	# From stdin: psql does not interpolate variables in -c commands.
	printf '%s\n' "$sql" |
		"$PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres -d "$db" "${vars[@]}"
}

pg_sql() { pg_sql_in "$PG_DATABASE" "$@"; }

pg_seed() {
	pg_sql_in postgres "CREATE ROLE rds_iam;
		CREATE ROLE $PG_ADMIN_USER LOGIN CREATEROLE PASSWORD '$PG_ADMIN_PASSWORD';" &&
		pg_sql_in postgres "CREATE DATABASE $PG_DATABASE OWNER $PG_ADMIN_USER" &&
		pg_sql "CREATE TABLE public.wagtailcore_page (
				id serial PRIMARY KEY, title text NOT NULL, slug text NOT NULL,
				live boolean NOT NULL DEFAULT false, url_path text);
			ALTER TABLE public.wagtailcore_page OWNER TO $PG_ADMIN_USER;
			CREATE ROLE wagtail_app;
			GRANT SELECT, INSERT, UPDATE, DELETE ON public.wagtailcore_page TO wagtail_app;
			GRANT USAGE ON SEQUENCE public.wagtailcore_page_id_seq TO wagtail_app;"
}

pg_start() {
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/wagtail-pg.XXXXXX") || return 1
	chmod 755 "$PG_DIR"
	export PG_HOST=localhost PG_DATABASE=wagtail PG_ADMIN_USER=wagtail_admin
	export PG_ADMIN_PASSWORD=admin-Secret-4711 PG_CA=$PG_DIR/ca.crt
	PG_PORT=$(pg_free_port) || return 1
	export PG_PORT
	pg_install_extensions || { echo "pg_start: cannot install the test extensions"; return 1; }
	pg_make_certificates || { echo "pg_start: openssl failed"; return 1; }
	[ "$(id -u)" = 0 ] && chown -R postgres "$PG_DIR"
	pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
		>"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; return 1; }
	pg_configure
	pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start >/dev/null ||
		{ cat "$PG_DIR/server.log"; return 1; }
	pg_seed
}

pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	[ -f "$PG_DIR/data/postmaster.pid" ] &&
		pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
	rm -rf "$PG_DIR"
	PG_DIR=
}
