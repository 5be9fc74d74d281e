/* rds_auth_token.c: data source wagtail_rds_auth_token, a fresh IAM
 * authentication token to log in to an Aurora cluster as an IAM database
 * user (the token is the password). Computed locally: no AWS call. */
#include "attr.h"
#include "aws_calls.h"
#include "ephemeral.h"
#include "rds_token.h"

#include <stdlib.h>
#include <time.h>

static const attr_def attributes[] = {
	{"hostname", &cty_string, ATTR_REQUIRED, "Cluster or instance endpoint host name."},
	{"port", &cty_number, ATTR_OPTIONAL, "Database port.", .default_json = "5432",
	 .check = {CHECK_RANGE, .min = 1, .max = 65535}},
	{"username", &cty_string, ATTR_REQUIRED, "The IAM database user (one granted rds_iam)."},
	{"region", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED, "Region of the database; default the provider's.",
	 .check = {CHECK_REGEX, .pattern = "^[a-z]{2}(-[a-z]+)+-[0-9]+$", .expected = "an AWS region such as eu-west-1"}},
	{"token", &cty_string, ATTR_COMPUTED | ATTR_SENSITIVE, "The authentication token, valid for 15 minutes."},
	{"id", &cty_string, ATTR_COMPUTED, "hostname:port/username."},
	{NULL},
};

static cty_value *read_token(call_ctx *ctx, const cty_value *config)
{
	const char *host = attr_text(config, "hostname");
	const char *user = attr_text(config, "username");
	const char *region = attr_text(config, "region");
	long port = attr_long(config, "port", 5432);
	aws_credentials creds = {0};
	char *error = NULL, *token = NULL, *id = NULL;
	cty_value *state = NULL;

	if (!region)
		region = ctx_region(ctx);
	if (ctx_credentials(ctx, &creds) != 0)
		return NULL;
	sigv4_credentials signing = {creds.access_key_id, creds.secret_access_key, creds.session_token};
	token = rds_token_generate(host, port, user, region, &signing, time(NULL), &error);
	if (!token) {
		diag_add(ctx->diags, DIAG_ERROR, NULL, "Cannot sign the RDS auth token", "%s", error ? error : "");
	} else {
		state = cty_value_clone(config);
		if (asprintf(&id, "%s:%ld/%s", host, port, user) < 0)
			abort();
		cty_object_set(state, "region", cty_string_new(region));
		cty_object_set(state, "port", cty_number_from_int(port));
		cty_object_set(state, "token", cty_string_new(token));
		cty_object_set(state, "id", cty_string_new(id));
	}
	aws_credentials_clear(&creds);
	free(error);
	free(token);
	free(id);
	return state;
}

const resource_def data_rds_auth_token = {
	.type_name = "wagtail_rds_auth_token",
	.schema = {.attributes = attributes,
		   .description = "An IAM authentication token for an Aurora PostgreSQL IAM database user."},
	.read = read_token,
};

/* ---- ephemeral resource wagtail_rds_auth_token ----
 *
 * The same token made for one run and never stored (the data source writes
 * its token into the state and the plan). The table and read above are the
 * whole of it. A token is valid for 15 minutes from the open; RDS has no
 * way to extend one, so there is nothing to renew. */

static cty_value *open_token(call_ctx *ctx, const cty_value *config, ephemeral_lease *lease)
{
	(void)lease;
	return data_rds_auth_token.read(ctx, config);
}

const ephemeral_def ephemeral_rds_auth_token = {
	.shape = &data_rds_auth_token,
	.open = open_token,
};
