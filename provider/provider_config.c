/* provider_config.c: the `provider "wagtail"` block. */
#include "provider_config.h"

#include "schema.h"

#include <stdlib.h>
#include <string.h>

struct provider_client {
	char *region; /* owned */
};

static const attr_def provider_attributes[] = {
	{"region", &cty_string, ATTR_OPTIONAL,
	 "AWS region to manage resources in. Defaults to AWS_REGION, then AWS_DEFAULT_REGION.",
	 .check = {CHECK_REGEX, .pattern = "^[a-z]{2}(-[a-z]+)+-[0-9]+$", .expected = "an AWS region such as eu-west-1"}},
	{NULL},
};

const resource_def provider_config_def = {
	.type_name = "wagtail",
	.schema = {.attributes = provider_attributes,
		   .description = "Stands up a Wagtail CMS on AWS: Aurora PostgreSQL, ECS Fargate and their IAM."},
};

static const char *first_set(const char *a, const char *b, const char *c)
{
	return a && *a ? a : b && *b ? b : c && *c ? c : NULL;
}

provider_client *provider_client_new(const cty_value *config, diag_list *diags)
{
	const char *region = first_set(cty_object_get_string(config, "region"), getenv("AWS_REGION"),
				       getenv("AWS_DEFAULT_REGION"));
	provider_client *client = calloc(1, sizeof *client);
	if (!client)
		abort();
	/* A missing region is only an error once something needs AWS; data
	 * sources such as wagtail_iam_db_connect_policy take their own. */
	client->region = strdup(region ? region : "us-east-1");
	(void)diags;
	return client;
}

void provider_client_free(provider_client *client)
{
	if (!client)
		return;
	free(client->region);
	free(client);
}

const char *provider_client_region(const provider_client *client)
{
	return client->region;
}
