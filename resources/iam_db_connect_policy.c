/* iam_db_connect_policy.c: data source wagtail_iam_db_connect_policy.
 *
 * Builds the IAM policy that lets database users log in to an Aurora
 * cluster with IAM authentication (action rds-db:connect). No AWS call: the
 * ARNs are arn:PARTITION:rds-db:REGION:ACCOUNT:dbuser:CLUSTER_RESOURCE_ID/USER
 * (PARTITION that of the region: aws, aws-cn, aws-us-gov, ...),
 * and the cluster is named by its resource id (cluster-...), not its name,
 * which is the mistake this data source exists to prevent. The ARN and the
 * document are made here for wagtail_iam_db_user too (iam_db_connect_policy.h). */
#include "iam_db_connect_policy.h"

#include "partition.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

static const attr_def attributes[] = {
	{"region", &cty_string, ATTR_REQUIRED, "Region of the Aurora cluster, e.g. eu-west-1.",
	 .check = RDS_DB_REGION_CHECK},
	{"account_id", &cty_string, ATTR_REQUIRED, "The 12-digit AWS account id that owns the cluster.",
	 .check = RDS_DB_ACCOUNT_CHECK},
	{"cluster_resource_id", &cty_string, ATTR_REQUIRED,
	 "The cluster's resource id (DbClusterResourceId, `cluster-` and 26 characters), not its name.",
	 .check = RDS_DB_CLUSTER_RESOURCE_ID_CHECK},
	{"db_users", CTY_LIST_OF(&cty_string), ATTR_REQUIRED, "Database user names allowed to connect.",
	 .check = {CHECK_REGEX, .pattern = "^[A-Za-z_][A-Za-z0-9_$]*$", .max_length = 63,
		   .expected = "a PostgreSQL user name (letters, digits, _ and $, at most 63)"}},
	{"arns", CTY_LIST_OF(&cty_string), ATTR_COMPUTED, "The rds-db:connect ARN of each user, in order."},
	{"id", &cty_string, ATTR_COMPUTED, "The cluster resource id."},
	{"json", &cty_string, ATTR_COMPUTED, "The policy document, as compact JSON."},
	{NULL},
};

char *rds_db_user_arn(const char *region, const char *account_id, const char *cluster_resource_id,
		      const char *user)
{
	char *arn;
	if (asprintf(&arn, "arn:%s:rds-db:%s:%s:dbuser:%s/%s", aws_partition_of(region)->name, region, account_id,
		     cluster_resource_id, user) < 0)
		abort();
	return arn;
}

char *rds_db_connect_policy(const cty_value *arns)
{
	cJSON *policy = cJSON_CreateObject(), *statement = cJSON_CreateObject();
	cJSON *resources = cJSON_CreateArray();

	cJSON_AddStringToObject(policy, "Version", "2012-10-17");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(policy, "Statement"), statement);
	cJSON_AddStringToObject(statement, "Effect", "Allow");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(statement, "Action"), cJSON_CreateString("rds-db:connect"));
	cJSON_AddItemToObject(statement, "Resource", resources);
	for (size_t i = 0; i < cty_length(arns); i++)
		cJSON_AddItemToArray(resources, cJSON_CreateString(cty_index(arns, i)->u.str.text));
	char *text = cJSON_PrintUnformatted(policy);
	cJSON_Delete(policy);
	return text;
}

static cty_value *read_policy(call_ctx *ctx, const cty_value *config)
{
	const char *region = cty_object_get_string(config, "region");
	const char *account = cty_object_get_string(config, "account_id");
	const char *cluster = cty_object_get_string(config, "cluster_resource_id");
	const cty_value *users = cty_object_get(config, "db_users");
	cty_value *state = cty_value_clone(config);
	cty_value *arns = cty_collection_new(&cty_list_of_string);

	for (size_t i = 0; i < cty_length(users); i++) {
		const cty_value *user = cty_index(users, i);
		if (!cty_is_known(user)) {
			diag_add(ctx->diags, DIAG_ERROR, NULL, "Null database user",
				 "Every element of db_users must be a user name; element %zu is null.", i);
			continue;
		}
		char *arn = rds_db_user_arn(region, account, cluster, user->u.str.text);
		cty_append(arns, cty_string_new(arn));
		free(arn);
	}
	char *json = rds_db_connect_policy(arns);
	cty_object_set(state, "json", cty_string_new(json));
	cty_object_set(state, "arns", arns);
	cty_object_set(state, "id", cty_string_new(cluster));
	free(json);
	return state;
}

const resource_def data_iam_db_connect_policy = {
	.type_name = "wagtail_iam_db_connect_policy",
	.schema = {.attributes = attributes,
		   .description = "An IAM policy document allowing rds-db:connect for IAM database users of an "
				  "Aurora cluster."},
	.read = read_policy,
};
