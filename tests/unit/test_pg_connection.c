/* test_pg_connection.c: the database resources' shared connection code
 * without a server: SQLSTATEs in libpq's messages, quoting, the checks of
 * the db_connection block, and the diagnostic when no server answers. */
#include "unit.h"

#include "pg_connection.h"
#include "schema.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

TEST(pg_sqlstate_read_from_verbose_messages)
{
	char code[6] = "";
	CHECK(pg_message_sqlstate("connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  28P01: "
				  "password authentication failed for user \"wagtail\"\nLOCATION:  auth_failed",
				  code));
	CHECK_STR(code, "28P01");
	CHECK(pg_message_sqlstate("FATAL:  57P03: the database system is starting up", code));
	CHECK_STR(code, "57P03");
	/* Network and TLS failures carry none, whatever the text looks like. */
	CHECK(!pg_message_sqlstate("connection to server at \"db\", port 5432 failed: Connection refused", code));
	CHECK(!pg_message_sqlstate("failed: SSL error: certificate verify failed", code));
	CHECK(!pg_message_sqlstate("ERROR:  abcde: lower case is no SQLSTATE", code));
	CHECK(!pg_message_sqlstate(NULL, code));
}

/* A connection object that never connected (no server at that socket
 * path): enough for libpq's quoting. */
static PGconn *unconnected(void)
{
	return PQconnectdb("host=/nonexistent-wagtail-test port=1 connect_timeout=2");
}

TEST(pg_format_quotes_names_and_values)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	PGconn *conn = unconnected();
	char *sql = pg_format(&ctx, conn, "GRANT %I TO %I", "wagtail_app", "x\"; DROP TABLE t; --");
	CHECK_STR(sql, "GRANT \"wagtail_app\" TO \"x\"\"; DROP TABLE t; --\"");
	free(sql);
	sql = pg_format(&ctx, conn, "COMMENT ON ROLE %I IS %L; -- %s %d", "Editors", "it's", "ours", -1);
	CHECK_STR(sql, "COMMENT ON ROLE \"Editors\" IS 'it''s'; -- ours -1");
	free(sql);
	CHECK(diags.count == 0);
	PQfinish(conn);
}

static const resource_def *user_resource(void)
{
	return schema_find_resource("wagtail_iam_db_user");
}

/* A wagtail_iam_db_user config whose db_connection has the given login. */
static cty_value *config_with_login(const char *password, bool iam_auth, int port)
{
	const cty_type *t = resource_state_type(user_resource());
	cty_value *config = cty_object_new(t);
	cty_value *block = cty_object_new(t->fields[cty_type_field_index(t, PG_CONNECTION_NAME)].type);
	cty_object_set(block, "host", cty_string_new("127.0.0.1"));
	cty_object_set(block, "port", cty_number_from_int(port));
	cty_object_set(block, "database", cty_string_new("wagtail"));
	cty_object_set(block, "username", cty_string_new("wagtail_admin"));
	cty_object_set(block, "sslmode", cty_string_new("disable"));
	cty_object_set(block, "iam_auth", cty_bool_new(iam_auth));
	if (password)
		cty_object_set(block, "password", cty_string_new(password));
	cty_object_set(config, PG_CONNECTION_NAME, block);
	cty_object_set(config, "name", cty_string_new("wagtail"));
	return config;
}

static bool single_error_at(const diag_list *diags, const char *attribute, const char *summary)
{
	const diag *d = diags->count == 1 ? &diags->items[0] : NULL;
	return d && d->severity == DIAG_ERROR && strcmp(d->summary, summary) == 0 && d->has_path &&
	       d->path.depth == 2 && strcmp(d->path.steps[0].name, PG_CONNECTION_NAME) == 0 &&
	       strcmp(d->path.steps[1].name, attribute) == 0;
}

TEST(pg_login_is_one_of_password_parameter_or_iam_auth)
{
	struct {
		const char *password, *parameter;
		bool iam_auth;
		const char *error_at, *summary;
	} cases[] = {
		{"secret", NULL, false, NULL, NULL},
		{NULL, "/app/db/password", false, NULL, NULL},
		{NULL, NULL, true, NULL, NULL},
		{"secret", NULL, true, "iam_auth", "Conflicting login settings"},
		{"secret", "/app/db/password", false, "password_parameter", "Conflicting login settings"},
		{NULL, "/app/db/password", true, "iam_auth", "Conflicting login settings"},
		{NULL, NULL, false, "password", "Missing login"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		diag_list diags = {0};
		cty_value *config = config_with_login(cases[i].password, cases[i].iam_auth, 5432);
		if (cases[i].parameter)
			cty_object_set(cty_object_get(config, PG_CONNECTION_NAME), "password_parameter",
				       cty_string_new(cases[i].parameter));
		pg_connection_validate(config, &diags);
		CHECK(cases[i].error_at ? single_error_at(&diags, cases[i].error_at, cases[i].summary) : diags.count == 0);
		diag_list_clear(&diags);
		cty_value_free(config);
	}
}

static int closed_port(void)
{
	struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t size = sizeof address;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	bind(s, (struct sockaddr *)&address, sizeof address);
	getsockname(s, (struct sockaddr *)&address, &size);
	close(s); /* nothing listens there now */
	return ntohs(address.sin_port);
}

/* Without a deadline there is one attempt; nothing answering is reported
 * on db_connection.host, naming the address. */
TEST(pg_connect_reports_an_unreachable_server)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	int port = closed_port();
	cty_value *config = config_with_login("secret", false, port);
	char where[64];

	CHECK(pg_connect(&ctx, config) == NULL);
	CHECK(single_error_at(&diags, "host", "Cannot reach the database"));
	snprintf(where, sizeof where, "127.0.0.1 port %d", port);
	CHECK(diags.count == 1 && strstr(diags.items[0].detail, where) && !strstr(diags.items[0].detail, "secret"));
	diag_list_clear(&diags);
	cty_value_free(config);
}
