/* pg_connection.h: the PostgreSQL side of the database resources
 * (wagtail_iam_db_user, wagtail_aurora_lambda_trigger), in one place:
 *
 *  - the `db_connection` block both take, and its checks. Nothing here runs
 *    at validate or plan: the database may not exist yet then (the
 *    mistake of the postgresql provider, which connects while planning);
 *  - connecting with libpq at apply and refresh: a password or an IAM
 *    token signed with the provider's credentials, TLS verify-full unless
 *    told otherwise, retrying while the server is unreachable or starting
 *    up, until the operation's deadline (its `timeouts`);
 *  - failures as diagnostics that name the connection attribute at fault;
 *  - SQL in which every name and value is quoted by libpq.
 *
 * Neither the password nor a token is ever logged or shown in a diagnostic. */
#ifndef WAGTAIL_PG_CONNECTION_H
#define WAGTAIL_PG_CONNECTION_H

#include "resource.h"

#include <libpq-fe.h>

/* The `db_connection` block, required, for a resource's nested_def table.
 * (Not `connection`: Terraform keeps that block name for provisioners.) */
#define PG_CONNECTION_NAME "db_connection"
extern const block_def pg_connection_block;
#define PG_CONNECTION_NESTED \
	{PG_CONNECTION_NAME, NEST_SINGLE, &pg_connection_block, .min_items = 1, .max_items = 1}

/* A PostgreSQL name (role, schema, table, column, trigger): at most 63
 * bytes, PostgreSQL's limit, and no control characters. Any other character
 * is allowed: names are always quoted, so "Editors" or a name with a quote
 * in it mean exactly themselves. */
#define PG_NAME_PATTERN "^[^[:cntrl:]]+$"
#define PG_NAME_CHECK                                               \
	{CHECK_REGEX, .pattern = PG_NAME_PATTERN, .max_length = 63, \
	 .expected = "a PostgreSQL name of 1 to 63 bytes without control characters"}

/* The checks of a config's db_connection block that go beyond its
 * attributes' own: a password or iam_auth = true, not both. */
void pg_connection_validate(const cty_value *config, diag_list *diags);

/* Whether a state has its db_connection block: an imported one has none
 * until the next apply brings the configuration's. */
bool pg_connection_known(const cty_value *resource);

/* What read returns for a state without db_connection: the state as it is,
 * with a warning that the next apply reads the database and sets it right. */
cty_value *pg_unread(call_ctx *ctx, const resource_def *r, const cty_value *state);

/* Connects with the db_connection block of `resource` (a planned state or a
 * state), retrying while no server answers or it is starting up, until
 * ctx->deadline. Returns the connection, or NULL with the failure in
 * ctx->diags. The caller closes it with PQfinish. */
PGconn *pg_connect(call_ctx *ctx, const cty_value *resource);

/* SQL built from `format`, where %I is replaced by an identifier quoted by
 * PQescapeIdentifier, %L by a literal quoted by PQescapeLiteral, %s by text
 * copied as it is (our own SQL and keywords, never user input) and %d by an
 * int. malloc'd; NULL, with the error in ctx->diags, when quoting failed. */
char *pg_format(call_ctx *ctx, PGconn *conn, const char *format, ...);

/* Runs one statement built as by pg_format. False when it failed, with the
 * error in ctx->diags, about the resource's `attribute` (NULL: none). */
bool pg_execf(call_ctx *ctx, PGconn *conn, const char *attribute, const char *format, ...);

/* Runs a query with text parameters ($1, ...). Returns its rows (the caller
 * frees them with PQclear), or NULL with the error in ctx->diags. */
PGresult *pg_query(call_ctx *ctx, PGconn *conn, const char *sql, int count, const char *const *params);

/* BEGIN, then waits for the transaction-long lock named `lock`, which
 * every transaction that starts with it takes in turn. PostgreSQL fails
 * the second of two concurrent changes of one catalog row ("tuple
 * concurrently updated": GRANTs on one database; CREATE EXTENSION IF NOT
 * EXISTS), and Terraform applies resources in parallel. */
bool pg_begin_locked(call_ctx *ctx, PGconn *conn, const char *lock);

/* Ends the transaction that pg_begin_locked opened: COMMIT when ok, else ROLLBACK, so
 * that a failed apply leaves nothing half-done. True when committed. */
bool pg_end(call_ctx *ctx, PGconn *conn, bool ok);

/* The SQLSTATE in a libpq error message written with PQERRORS_VERBOSE
 * ("...: FATAL:  28P01: password authentication failed..."), copied into
 * code; false when it holds none (a network or TLS failure). */
bool pg_message_sqlstate(const char *message, char code[6]);

#endif
