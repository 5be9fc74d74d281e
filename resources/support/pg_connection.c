/* pg_connection.c: see pg_connection.h.
 *
 * Connecting: each attempt is libpq's non-blocking connect, so that it
 * keeps to the deadline and ends when Terraform stops the provider, with
 * verbose errors, whose SQLSTATE tells a refused login from a server that is
 * still starting. A failure without one (refused, unresolvable, timed out,
 * TLS) is told apart by a ping without credentials or certificate checks:
 * no answer means the cluster is not up yet, so wait and retry; an answer
 * means our TLS settings are at fault, so stop. */
#include "pg_connection.h"

#include "attr.h"
#include "aws_calls.h"
#include "lazy_libs.h"
#include "log.h"
#include "rds_token.h"
#include "ssm_secret.h"
#include "stop.h"
#include "validate.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const sslmodes[] = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full", NULL};

static const attr_def connection_attributes[] = {
	{"host", &cty_string, ATTR_REQUIRED, "Server host name, e.g. the Aurora cluster's writer endpoint."},
	{"port", &cty_number, ATTR_OPTIONAL, "Server port.", .default_json = "5432",
	 .check = {CHECK_RANGE, .min = 1, .max = 65535}},
	{"database", &cty_string, ATTR_REQUIRED, "Database to connect to.", .check = PG_NAME_CHECK},
	{"username", &cty_string, ATTR_REQUIRED, "User to log in as.", .check = PG_NAME_CHECK},
	{"password", &cty_string, ATTR_OPTIONAL | ATTR_SENSITIVE,
	 "Password of username; or set password_parameter or iam_auth. Never logged, but kept in the state."},
	{"password_parameter", &cty_string, ATTR_OPTIONAL,
	 "Name or ARN of the SSM parameter (a SecureString) that holds the password. The provider reads it "
	 "whenever it connects (apply, refresh, destroy), so the password is in no state, plan or log.",
	 .check = {CHECK_REGEX, .pattern = "^[^[:space:]]+$", .max_length = 2048,
		   .expected = "a parameter name or ARN, without spaces"}},
	{"iam_auth", &cty_bool, ATTR_OPTIONAL,
	 "Log in with an IAM authentication token signed with the provider's credentials for its region.",
	 .default_json = "false"},
	{"sslmode", &cty_string, ATTR_OPTIONAL, "libpq sslmode.", .default_json = "\"verify-full\"",
	 .check = {CHECK_ENUM, .choices = sslmodes}},
	{"sslrootcert", &cty_string, ATTR_OPTIONAL,
	 "PEM file of the certificate authorities that sign the server's certificate (for Aurora, the RDS "
	 "bundle)."},
	{NULL},
};

const block_def pg_connection_block = {
	.attributes = connection_attributes,
	.description = "How to reach the database. Used only at apply and refresh, never at validate or plan.",
};

#define ATTEMPT_SECONDS 15.0 /* one attempt's limit: a silent address must not use up the deadline */
#define RETRY_MAX_DELAY 10.0

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static diag_path connection_path(const char *attribute)
{
	diag_path block = diag_path_attr(diag_root(), PG_CONNECTION_NAME);
	return attribute ? diag_path_attr(block, attribute) : block;
}

/* The ways to log in, of which exactly one is set. */
static const char *const logins[] = {"password", "password_parameter", "iam_auth", NULL};

/* The login attribute the block uses (validate made sure there is one). */
static const char *login_attribute(const cty_value *block)
{
	for (const char *const *name = logins; *name; name++)
		if (strcmp(*name, "iam_auth") == 0 ? attr_flag(block, *name) : attr_text(block, *name) != NULL)
			return *name;
	return "password";
}

void pg_connection_validate(const cty_value *config, diag_list *diags)
{
	const cty_value *block = cty_object_get(config, PG_CONNECTION_NAME);
	if (cty_is_known(block))
		validate_exactly_one(block, logins, connection_path(NULL), "Conflicting login settings", "Missing login",
				     "Set password_parameter (an SSM SecureString holding the password), password, "
				     "or iam_auth = true to log in with an IAM authentication token.",
				     diags);
}

bool pg_connection_known(const cty_value *resource)
{
	return !cty_is_null(cty_object_get(resource, PG_CONNECTION_NAME));
}

cty_value *pg_unread(call_ctx *ctx, const resource_def *r, const cty_value *state)
{
	diag_add(ctx->diags, DIAG_WARNING, NULL, "Database not read yet",
		 "%s \"%s\" has no db_connection in its state yet (it was imported), so the database was not read. "
		 "The next apply connects with the configuration's db_connection and makes the database match the "
		 "configuration.",
		 r->type_name, attr_text(state, "id"));
	return cty_value_clone(state);
}

/* ---- connection parameters ---- */

/* libpq keywords and values, NULL-terminated; values are borrowed. */
typedef struct {
	const char *keys[16];
	const char *values[16];
	size_t count;
} conn_params;

/* Sets key to value, replacing an earlier value; a NULL value sets nothing. */
static void param(conn_params *p, const char *key, const char *value)
{
	size_t i = 0;
	while (i < p->count && strcmp(p->keys[i], key) != 0)
		i++;
	if (!value)
		return;
	p->keys[i] = key;
	p->values[i] = value;
	if (i == p->count)
		p->count++;
	p->keys[p->count] = p->values[p->count] = NULL;
}

static const char *port_text(const cty_value *block)
{
	const cty_value *port = cty_object_get(block, "port");
	return cty_is_known(port) ? port->u.str.text : "5432";
}

/* Everything but the secret. client_encoding UTF8: Terraform's strings are
 * UTF-8, and PQescape* must quote them as such. */
static conn_params base_params(const cty_value *block)
{
	conn_params p = {0};
	param(&p, "host", attr_text(block, "host"));
	param(&p, "port", port_text(block));
	param(&p, "dbname", attr_text(block, "database"));
	param(&p, "user", attr_text(block, "username"));
	param(&p, "sslmode", attr_text(block, "sslmode"));
	param(&p, "sslrootcert", attr_text(block, "sslrootcert"));
	param(&p, "client_encoding", "UTF8");
	param(&p, "application_name", "terraform-provider-wagtail");
	return p;
}

/* A fresh IAM token (valid 15 minutes, so one per attempt), or NULL with
 * the error in ctx->diags. */
static char *iam_token(call_ctx *ctx, const cty_value *block)
{
	aws_credentials creds = {0};
	char *error = NULL;
	if (ctx_credentials(ctx, &creds) != 0)
		return NULL;
	sigv4_credentials signing = {creds.access_key_id, creds.secret_access_key, creds.session_token};
	char *token = rds_token_generate(attr_text(block, "host"), strtol(port_text(block), NULL, 10),
					 attr_text(block, "username"), ctx_region(ctx), &signing, time(NULL),
					 &error);
	if (!token)
		diag_add(ctx->diags, DIAG_ERROR, NULL, "Cannot sign the IAM authentication token", "%s",
			 error ? error : "");
	aws_credentials_clear(&creds);
	free(error);
	return token;
}

/* The password or a token, malloc'd (free with ssm_secret_free, which
 * overwrites it), or NULL with the error in ctx->diags. */
static char *login_secret(call_ctx *ctx, const cty_value *block)
{
	const char *password = attr_text(block, "password");
	const char *parameter = attr_text(block, "password_parameter");
	if (attr_flag(block, "iam_auth"))
		return iam_token(ctx, block);
	if (password)
		return strdup(password);
	if (parameter) {
		diag_path at = connection_path("password_parameter");
		return ssm_secret_get(ctx, parameter, &at);
	}
	diag_add(ctx->diags, DIAG_ERROR, NULL, "Missing login", "The db_connection block has no password, "
		 "password_parameter or iam_auth = true.");
	return NULL;
}

/* ---- one attempt ---- */

/* Waits until fd is ready, in slices of a second so that a stop request
 * ends the wait; false when `until` passed or the provider is stopping. */
static bool socket_ready(int fd, bool for_reading, double until)
{
	struct pollfd p = {.fd = fd, .events = for_reading ? POLLIN : POLLOUT};
	for (;;) {
		double left = until - now_seconds();
		if (left <= 0 || provider_stop_requested())
			return false;
		int n = poll(&p, 1, left > 1 ? 1000 : (int)(left * 1000) + 1);
		if (n > 0 || (n < 0 && errno != EINTR)) /* an error is PQconnectPoll's to report */
			return true;
	}
}

/* One connection attempt, abandoned at `until`. *why gets libpq's error
 * (malloc'd) when it failed; the connection is returned only when made. */
static PGconn *attempt(const conn_params *p, double until, char **why)
{
	PGconn *conn = PQconnectStartParams(p->keys, p->values, 0);
	if (!conn)
		abort(); /* libpq is out of memory */
	PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
	PostgresPollingStatusType state = PGRES_POLLING_WRITING; /* as libpq's documentation says to start */
	bool timed_out = false;
	while (PQstatus(conn) != CONNECTION_BAD && state != PGRES_POLLING_OK) {
		if ((timed_out = !socket_ready(PQsocket(conn), state == PGRES_POLLING_READING, until)))
			break;
		state = PQconnectPoll(conn);
	}
	if (PQstatus(conn) == CONNECTION_OK)
		return conn;
	*why = strdup(timed_out ? "no answer before the attempt's time ran out" : PQerrorMessage(conn));
	PQfinish(conn);
	return NULL;
}

/* Where the SQLSTATE is in a verbose message, "SEVERITY:  CODE: text" (the
 * severity word may be translated); NULL when there is none. */
static const char *sqlstate_in(const char *message)
{
	for (const char *p = message ? strstr(message, ":  ") : NULL; p; p = strstr(p + 1, ":  "))
		if (strspn(p + 3, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 5 && p[8] == ':')
			return p + 3;
	return NULL;
}

bool pg_message_sqlstate(const char *message, char code[6])
{
	const char *at = sqlstate_in(message);
	if (at)
		snprintf(code, 6, "%.5s", at);
	return at != NULL;
}

/* Whether a server answers at all, asked without credentials and without
 * TLS verification: PQPING_OK or REJECT (starting up), else NO_RESPONSE. */
static PGPing server_answers(const cty_value *block, double until)
{
	conn_params p = base_params(block);
	char timeout[16];
	double left = until - now_seconds();
	snprintf(timeout, sizeof timeout, "%d", left > 2 ? (int)left : 2); /* libpq's minimum is 2 s */
	param(&p, "sslmode", "prefer");
	param(&p, "connect_timeout", timeout);
	return PQpingParams(p.keys, p.values, 0);
}

/* ---- failures ---- */

typedef enum { RETRY, WRONG_LOGIN, TLS_SETTINGS, REFUSED } failure_kind;

/* What a failed attempt means: wait for the server, or stop. */
static failure_kind classify(const char *sqlstate, const cty_value *block, double until)
{
	/* The server answered: starting up (57P03) and full (53300) pass, the rest is final. */
	if (strcmp(sqlstate, "57P03") == 0 || strcmp(sqlstate, "53300") == 0)
		return RETRY;
	if (strcmp(sqlstate, "28P01") == 0) /* invalid_password */
		return WRONG_LOGIN;
	if (*sqlstate)
		return REFUSED;
	return server_answers(block, until) == PQPING_OK ? TLS_SETTINGS : RETRY;
}

/* The connection attribute a server-side refusal points at. */
static const char *refused_attribute(const char *sqlstate)
{
	if (strcmp(sqlstate, "3D000") == 0) /* invalid_catalog_name */
		return "database";
	if (strcmp(sqlstate, "28000") == 0) /* no such role, or pg_hba.conf has no line for it */
		return "username";
	return NULL;
}

/* libpq's message without what verbose mode adds: the SQLSTATE after the
 * severity and the LOCATION lines. */
static char *clean_message(const char *why)
{
	char *text = strdup(why), *location, *code = (char *)sqlstate_in(text);
	if (code)
		memmove(code, code + 7, strlen(code + 7) + 1); /* "CODE: " */
	while ((location = strstr(text, "\nLOCATION:"))) {
		char *end = strchr(location + 1, '\n');
		memmove(location, end ? end : location + strlen(location), strlen(end ? end : location) + 1);
	}
	size_t len = strlen(text);
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	return text;
}

static void report(call_ctx *ctx, const cty_value *block, failure_kind kind, const char *why, const char *sqlstate)
{
	const char *user = attr_text(block, "username");
	char *message = clean_message(why);
	diag_path at;
	switch (kind) {
	case WRONG_LOGIN:
		at = connection_path(login_attribute(block));
		diag_add(ctx->diags, DIAG_ERROR, &at, "Database login refused",
			 attr_flag(block, "iam_auth")
				 ? "The server refused the IAM authentication token of user \"%s\": %s. The user needs the "
				   "rds_iam role, the cluster IAM database authentication enabled, and the provider's "
				   "credentials rds-db:connect on this user."
				 : "The server refused the password of user \"%s\": %s",
			 user, message);
		break;
	case TLS_SETTINGS:
		at = connection_path("sslmode");
		diag_add(ctx->diags, DIAG_ERROR, &at, "Cannot connect to the database over TLS",
			 "%s. The server answers, so the TLS settings are at fault: with sslmode verify-full (the "
			 "default) set sslrootcert to the certificate authorities of the server (for Aurora, the RDS "
			 "bundle, https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem).",
			 message);
		break;
	case REFUSED:
		at = connection_path(refused_attribute(sqlstate));
		diag_add(ctx->diags, DIAG_ERROR, &at, "Database connection refused", "%s", message);
		break;
	case RETRY:
		at = connection_path("host");
		diag_add(ctx->diags, DIAG_ERROR, &at, "Cannot reach the database",
			 "No PostgreSQL server answered at %s port %s within the timeout (see the timeouts block). "
			 "The last attempt: %s",
			 attr_text(block, "host"), port_text(block), message);
		break;
	}
	free(message);
}

/* ---- connecting, with retries ---- */

static void log_notice(void *unused, const char *message)
{
	(void)unused;
	char *text = clean_message(message);
	log_write(LOG_DEBUG, "database notice", "message", text, NULL);
	free(text);
}

PGconn *pg_connect(call_ctx *ctx, const cty_value *resource)
{
	const cty_value *block = cty_object_get(resource, PG_CONNECTION_NAME);
	conn_params params = base_params(block);
	double delay = 1;
	const char *why_not_loaded;

	if (!lazy_lib_load(LAZY_LIB_PQ, &why_not_loaded)) {
		diag_add(ctx->diags, DIAG_ERROR, NULL, "Cannot connect to the database", "%s", why_not_loaded);
		return NULL;
	}

	log_write(LOG_DEBUG, "connecting to the database", "host", attr_text(block, "host"), "port",
		  port_text(block), "database", attr_text(block, "database"), "username",
		  attr_text(block, "username"), "sslmode", attr_text(block, "sslmode"), "login",
		  login_attribute(block), NULL);
	for (;;) {
		char *secret = login_secret(ctx, block), *why = NULL, sqlstate[6] = "";
		if (!secret)
			return NULL;
		conn_params with_secret = params;
		param(&with_secret, "password", secret);
		double until = now_seconds() + ATTEMPT_SECONDS;
		if (ctx->deadline && ctx->deadline < until)
			until = ctx->deadline;
		PGconn *conn = attempt(&with_secret, until, &why);
		ssm_secret_free(secret);
		if (conn) {
			PQsetErrorVerbosity(conn, PQERRORS_DEFAULT); /* verbose only served classify() */
			PQsetNoticeProcessor(conn, log_notice, NULL);
			return conn;
		}
		pg_message_sqlstate(why, sqlstate);
		failure_kind kind = classify(sqlstate, block, until);
		double left = ctx->deadline - now_seconds();
		bool wait = kind == RETRY && ctx->deadline && left >= 1;
		/* The last pause ends a moment before the deadline, for one more attempt. */
		if (!wait || !provider_sleep(delay < left - 0.5 ? delay : left - 0.5)) {
			report(ctx, block, kind, why, sqlstate);
			free(why);
			return NULL;
		}
		log_write(LOG_INFO, "database not reachable yet; retrying", "host", attr_text(block, "host"),
			  "error", why, NULL);
		free(why);
		delay = delay * 2 > RETRY_MAX_DELAY ? RETRY_MAX_DELAY : delay * 2;
	}
}

/* ---- statements ---- */

static char *vformat(call_ctx *ctx, PGconn *conn, const char *format, va_list args)
{
	char *text = NULL;
	size_t size = 0;
	bool quoted_all = true;
	FILE *out = open_memstream(&text, &size);
	if (!out)
		abort();
	for (const char *p = format; *p; p++) {
		if (*p != '%') {
			fputc(*p, out);
			continue;
		}
		switch (*++p) {
		case 'I':
		case 'L': {
			const char *value = va_arg(args, const char *);
			char *quoted = *p == 'I' ? PQescapeIdentifier(conn, value, strlen(value))
						 : PQescapeLiteral(conn, value, strlen(value));
			quoted_all = quoted_all && quoted;
			fputs(quoted ? quoted : "", out);
			PQfreemem(quoted);
			break;
		}
		case 's':
			fputs(va_arg(args, const char *), out);
			break;
		case 'd':
			fprintf(out, "%d", va_arg(args, int));
			break;
		default:
			abort(); /* a format of ours is wrong */
		}
	}
	fclose(out);
	if (quoted_all)
		return text;
	diag_add(ctx->diags, DIAG_ERROR, NULL, "Cannot quote a name or value for SQL", "%s", PQerrorMessage(conn));
	free(text);
	return NULL;
}

char *pg_format(call_ctx *ctx, PGconn *conn, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	char *sql = vformat(ctx, conn, format, args);
	va_end(args);
	return sql;
}

static void report_result(call_ctx *ctx, const PGresult *result, const char *attribute)
{
	char *message = clean_message(PQresultErrorMessage(result));
	if (attribute)
		diag_attr_error(ctx->diags, attribute, "Database statement failed", "%s", message);
	else
		diag_add(ctx->diags, DIAG_ERROR, NULL, "Database statement failed", "%s", message);
	free(message);
}

static bool succeeded(const PGresult *result)
{
	ExecStatusType status = PQresultStatus(result);
	return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

bool pg_execf(call_ctx *ctx, PGconn *conn, const char *attribute, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	char *sql = vformat(ctx, conn, format, args);
	va_end(args);
	if (!sql)
		return false;
	/* PQexecParams, unlike PQexec, runs no more than one statement. */
	PGresult *result = PQexecParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0);
	bool ok = succeeded(result);
	if (!ok)
		report_result(ctx, result, attribute);
	PQclear(result);
	free(sql);
	return ok;
}

PGresult *pg_query(call_ctx *ctx, PGconn *conn, const char *sql, int count, const char *const *params)
{
	PGresult *result = PQexecParams(conn, sql, count, NULL, params, NULL, NULL, 0);
	if (succeeded(result))
		return result;
	report_result(ctx, result, NULL);
	PQclear(result);
	return NULL;
}

bool pg_begin_locked(call_ctx *ctx, PGconn *conn, const char *lock)
{
	return pg_execf(ctx, conn, NULL, "BEGIN") &&
	       pg_execf(ctx, conn, NULL, "SELECT pg_advisory_xact_lock(hashtext(%L))", lock);
}

bool pg_end(call_ctx *ctx, PGconn *conn, bool ok)
{
	if (ok)
		return pg_execf(ctx, conn, NULL, "COMMIT");
	PQclear(PQexec(conn, "ROLLBACK")); /* the error that got us here is already reported */
	return false;
}

