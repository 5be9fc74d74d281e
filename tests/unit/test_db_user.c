/* test_db_user.c: wagtail_iam_db_user without a database: its checks, and
 * the plan's connect_arn and policy_json. */
#include "unit.h"

#include "pg_connection.h"
#include "plan.h"
#include "provider_config.h"
#include "schema.h"
#include "validate.h"

#include <stdlib.h>

#define CLUSTER "cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ"

static const resource_def *user(void)
{
	return schema_find_resource("wagtail_iam_db_user");
}

/* A configured provider for eu-west-1 that looked up no account. */
static provider_client *provider_in_eu_west_1(void)
{
	cty_value *config = cty_object_new(resource_state_type(&provider_config_def));
	diag_list diags = {0};
	cty_object_set(config, "region", cty_string_new("eu-west-1"));
	cty_object_set(config, "access_key", cty_string_new("AKIDEXAMPLE"));
	cty_object_set(config, "secret_key", cty_string_new("secret"));
	cty_object_set(config, "skip_credentials_validation", cty_bool_new(true));
	cty_object_set(config, "skip_requesting_account_id", cty_bool_new(true));
	provider_client *client = provider_client_new(config, &diags);
	cty_value_free(config);
	diag_list_clear(&diags);
	return client;
}

static cty_value *user_config(const char *name)
{
	const cty_type *t = resource_state_type(user());
	cty_value *config = cty_object_new(t);
	cty_value *block = cty_object_new(t->fields[cty_type_field_index(t, PG_CONNECTION_NAME)].type);
	cty_object_set(block, "host", cty_string_new("db.example.com"));
	cty_object_set(block, "database", cty_string_new("wagtail"));
	cty_object_set(block, "username", cty_string_new("wagtail_admin"));
	cty_object_set(block, "password", cty_string_new("secret"));
	cty_object_set(config, PG_CONNECTION_NAME, block);
	cty_object_set(config, "name", name ? cty_string_new(name) : cty_unknown(&cty_string));
	return config;
}

/* A plan for creation, as Terraform proposes it: the config. */
static cty_value *plan_new(const cty_value *config, diag_list *diags)
{
	call_ctx ctx = {.client = provider_in_eu_west_1(), .diags = diags};
	cty_value *prior = cty_null(resource_state_type(user()));
	path_list replace = {0};
	cty_value *planned = plan_resource(&ctx, user(), prior, config, config, &replace);
	path_list_clear(&replace);
	cty_value_free(prior);
	provider_client_free(ctx.client);
	return planned;
}

TEST(db_user_plan_shows_connect_arn_and_policy)
{
	diag_list diags = {0};
	cty_value *config = user_config("Wagtail Editor");
	cty_object_set(config, "cluster_resource_id", cty_string_new(CLUSTER));
	cty_object_set(config, "account_id", cty_string_new("123456789012"));
	cty_value *planned = plan_new(config, &diags);

	CHECK(diags.count == 0);
	CHECK_STR(cty_object_get_string(planned, "region"), "eu-west-1");
	CHECK_STR(cty_object_get_string(planned, "connect_arn"),
		  "arn:aws:rds-db:eu-west-1:123456789012:dbuser:" CLUSTER "/Wagtail Editor");
	CHECK_STR(cty_object_get_string(planned, "policy_json"),
		  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"rds-db:connect\"],"
		  "\"Resource\":[\"arn:aws:rds-db:eu-west-1:123456789012:dbuser:" CLUSTER "/Wagtail Editor\"]}]}");
	/* Defaults: rds_iam, nothing else, no limit, verify-full on 5432. */
	CHECK(cty_object_get(planned, "grant_rds_iam")->u.boolean);
	CHECK(cty_is_known(cty_object_get(planned, "roles")) && cty_length(cty_object_get(planned, "roles")) == 0);
	CHECK_STR(cty_object_get(planned, "connection_limit")->u.str.text, "-1");
	const cty_value *block = cty_object_get(planned, PG_CONNECTION_NAME);
	CHECK_STR(cty_object_get_string(block, "sslmode"), "verify-full");
	CHECK_STR(cty_object_get(block, "port")->u.str.text, "5432");
	cty_value_free(planned);
	cty_value_free(config);
}

TEST(db_user_policy_waits_for_unknown_inputs_and_needs_a_cluster)
{
	diag_list diags = {0};
	cty_value *config = user_config(NULL); /* name known only at apply */
	cty_object_set(config, "cluster_resource_id", cty_string_new(CLUSTER));
	cty_object_set(config, "account_id", cty_string_new("123456789012"));
	cty_value *planned = plan_new(config, &diags);
	CHECK(cty_is_unknown(cty_object_get(planned, "connect_arn")));
	CHECK(cty_is_unknown(cty_object_get(planned, "policy_json")));
	cty_value_free(planned);

	cty_object_set(config, "name", cty_string_new("wagtail"));
	cty_object_set(config, "cluster_resource_id", cty_null(&cty_string));
	planned = plan_new(config, &diags);
	CHECK(diags.count == 0);
	CHECK(cty_is_null(cty_object_get(planned, "connect_arn")));
	CHECK(cty_is_null(cty_object_get(planned, "policy_json")));
	cty_value_free(planned);
	cty_value_free(config);
}

/* The provider was told not to look up its account: policy_json needs one. */
TEST(db_user_policy_needs_an_account)
{
	diag_list diags = {0};
	cty_value *config = user_config("wagtail");
	cty_object_set(config, "cluster_resource_id", cty_string_new(CLUSTER));
	cty_value *planned = plan_new(config, &diags);
	CHECK(diags.count == 1 && diags.items[0].has_path && strcmp(diags.items[0].path.steps[0].name, "account_id") == 0);
	CHECK(cty_is_null(cty_object_get(planned, "policy_json")));
	diag_list_clear(&diags);
	cty_value_free(planned);
	cty_value_free(config);
}

/* The diagnostics of validate for a user name and roles. */
static size_t validate_user(const char *name, const char *role, const char *expect_summary)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *config = user_config(name);
	if (role) {
		cty_value *roles = cty_collection_new(&cty_set_of_string);
		cty_append(roles, cty_string_new(role));
		cty_object_set(config, "roles", roles);
	}
	validate_config(user(), config, &diags);
	user()->validate(&ctx, config);
	size_t count = diags.count;
	if (expect_summary)
		CHECK(count == 1 && strcmp(diags.items[0].summary, expect_summary) == 0);
	diag_list_clear(&diags);
	cty_value_free(config);
	return count;
}

TEST(db_user_names_are_quoted_not_restricted)
{
	CHECK(validate_user("Wagtail Editors", NULL, NULL) == 0);
	CHECK(validate_user("robert\"); DROP TABLE wagtailcore_page; --", NULL, NULL) == 0);
	CHECK(validate_user("pg_wagtail", NULL, "Reserved role name") == 1);
	CHECK(validate_user("public", NULL, "Reserved role name") == 1);
	/* IAM would read * and ? in the rds-db ARN as wildcards. */
	CHECK(validate_user("wagtail*", NULL, "Invalid attribute value") == 1);
	CHECK(validate_user("a123456789b123456789c123456789d123456789e123456789f123456789g1234", NULL,
			    "Invalid attribute value") == 1);
	CHECK(validate_user("line\nbreak", NULL, "Invalid attribute value") == 1);
	CHECK(validate_user("wagtail", "rds_iam", "rds_iam in roles") == 1);
	CHECK(validate_user("wagtail", "wagtail", "Role granted to itself") == 1);
	CHECK(validate_user("wagtail", "Wagtail Readers", NULL) == 0);
}

TEST(db_user_import_by_name)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *state = user()->import(&ctx, "Wagtail Editor");
	CHECK_STR(cty_object_get_string(state, "id"), "Wagtail Editor");
	CHECK_STR(cty_object_get_string(state, "name"), "Wagtail Editor");
	CHECK(!pg_connection_known(state));
	cty_value_free(state);
}
