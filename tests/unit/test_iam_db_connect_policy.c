/* test_iam_db_connect_policy.c: the data source's output and checks. */
#include "unit.h"

#include "schema.h"
#include "validate.h"

#include <stdlib.h>

static const resource_def *policy(void)
{
	return schema_find_data_source("wagtail_iam_db_connect_policy");
}

static cty_value *config_with(const char *cluster_id)
{
	cty_value *config = cty_object_new(resource_state_type(policy()));
	cty_value *users = cty_collection_new(&cty_list_of_string);
	cty_append(users, cty_string_new("wagtail"));
	cty_append(users, cty_string_new("db_userx"));
	cty_object_set(config, "region", cty_string_new("eu-west-1"));
	cty_object_set(config, "account_id", cty_string_new("123456789012"));
	cty_object_set(config, "cluster_resource_id", cty_string_new(cluster_id));
	cty_object_set(config, "db_users", users);
	return config;
}

TEST(policy_document_names_each_user)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *config = config_with("cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	cty_value *state = policy()->read(&ctx, config);

	CHECK(diags.count == 0);
	CHECK_STR(cty_object_get_string(state, "json"),
		  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"rds-db:connect\"],"
		  "\"Resource\":[\"arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ/"
		  "wagtail\",\"arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ/"
		  "db_userx\"]}]}");
	const cty_value *arns = cty_object_get(state, "arns");
	CHECK(cty_length(arns) == 2);
	CHECK_STR(cty_index(arns, 1)->u.str.text,
		  "arn:aws:rds-db:eu-west-1:123456789012:dbuser:cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ/db_userx");
	CHECK_STR(cty_object_get_string(state, "id"), "cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	cty_value_free(state);
	cty_value_free(config);
	diag_list_clear(&diags);
}

TEST(policy_rejects_a_cluster_name_for_the_resource_id)
{
	diag_list diags = {0};
	cty_value *config = config_with("my-wagtail-cluster");
	validate_config(policy(), config, &diags);
	CHECK(diags.count == 1);
	CHECK(diags.count == 1 && diags.items[0].has_path &&
	      strcmp(diags.items[0].path.steps[0].name, "cluster_resource_id") == 0);
	CHECK(diags.count == 1 && strstr(diags.items[0].detail, "DbClusterResourceId"));
	diag_list_clear(&diags);
	cty_value_free(config);
}
