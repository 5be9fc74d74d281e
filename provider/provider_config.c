/* provider_config.c: the `provider "wagtail"` block, and the configured
 * provider that resource handlers reach through their call_ctx. */
#include "provider_config.h"

#include "aws_calls.h"
#include "client.h"
#include "credentials.h"
#include "lazy_libs.h"
#include "log.h"
#include "schema.h"
#include "sts.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Services whose endpoint can be overridden, in the `endpoints` block. */
static const attr_def endpoint_attributes[] = {
	{"ec2", &cty_string, ATTR_OPTIONAL, "EC2 endpoint URL."},
	{"ecr", &cty_string, ATTR_OPTIONAL, "ECR endpoint URL."},
	{"ecs", &cty_string, ATTR_OPTIONAL, "ECS endpoint URL."},
	{"iam", &cty_string, ATTR_OPTIONAL, "IAM endpoint URL."},
	{"lambda", &cty_string, ATTR_OPTIONAL, "Lambda endpoint URL."},
	{"logs", &cty_string, ATTR_OPTIONAL, "CloudWatch Logs endpoint URL."},
	{"rds", &cty_string, ATTR_OPTIONAL, "RDS endpoint URL."},
	{"secretsmanager", &cty_string, ATTR_OPTIONAL, "Secrets Manager endpoint URL."},
	{"ssm", &cty_string, ATTR_OPTIONAL, "SSM endpoint URL."},
	{"sts", &cty_string, ATTR_OPTIONAL, "STS endpoint URL."},
	{NULL},
};

static const attr_def assume_role_attributes[] = {
	{"role_arn", &cty_string, ATTR_REQUIRED, "ARN of the role to assume.", .check = {CHECK_ARN}},
	{"session_name", &cty_string, ATTR_OPTIONAL, "Session name; default terraform-provider-wagtail."},
	{"external_id", &cty_string, ATTR_OPTIONAL, "External id the role's trust policy requires."},
	{"duration", &cty_string, ATTR_OPTIONAL, "Session duration, e.g. \"1h\"; default 1h."},
	{NULL},
};

static const attr_def default_tags_attributes[] = {
	{"tags", &cty_map_of_string, ATTR_OPTIONAL, "Tags every taggable resource gets."},
	{NULL},
};

static const attr_def provider_attributes[] = {
	{"region", &cty_string, ATTR_OPTIONAL,
	 "AWS region. Defaults to AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region.",
	 .check = {CHECK_REGEX, .pattern = "^[a-z]{2}(-[a-z]+)+-[0-9]+$", .expected = "an AWS region such as eu-west-1"}},
	{"profile", &cty_string, ATTR_OPTIONAL, "Shared config profile. Defaults to AWS_PROFILE, then default."},
	{"access_key", &cty_string, ATTR_OPTIONAL | ATTR_SENSITIVE, "Access key id."},
	{"secret_key", &cty_string, ATTR_OPTIONAL | ATTR_SENSITIVE, "Secret access key."},
	{"token", &cty_string, ATTR_OPTIONAL | ATTR_SENSITIVE, "Session token for temporary credentials."},
	{"max_retries", &cty_number, ATTR_OPTIONAL, "Retries of throttled or failed AWS calls; default 25.",
	 .check = {CHECK_RANGE, .min = 0, .max = 100}},
	{"custom_ca_bundle", &cty_string, ATTR_OPTIONAL, "PEM file of CAs to trust. Defaults to AWS_CA_BUNDLE."},
	{"insecure", &cty_bool, ATTR_OPTIONAL,
	 "Skip TLS certificate checks of endpoints on a loopback address (127.0.0.0/8, ::1, localhost), such as "
	 "a local test server with a self-signed certificate. Every other endpoint is always verified; an "
	 "endpoints entry elsewhere is an error while this is true."},
	{"skip_credentials_validation", &cty_bool, ATTR_OPTIONAL, "Skip the sts:GetCallerIdentity check."},
	{"skip_requesting_account_id", &cty_bool, ATTR_OPTIONAL, "Do not look up the account id."},
	{"skip_region_validation", &cty_bool, ATTR_OPTIONAL, "Accept a region this provider does not know."},
	{NULL},
};

static const nested_def provider_blocks[] = {
	{"assume_role", NEST_LIST, &(const block_def){.attributes = assume_role_attributes}, .max_items = 1},
	{"default_tags", NEST_LIST, &(const block_def){.attributes = default_tags_attributes}, .max_items = 1},
	{"endpoints", NEST_LIST, &(const block_def){.attributes = endpoint_attributes}, .max_items = 1},
	{NULL},
};

struct provider_client {
	char *region;              /* owned */
	char *account_id;          /* owned, NULL when skipped */
	cty_value *default_tags;   /* owned map(string), or NULL */
	credentials_source *credentials; /* owned, NULL when the chain found none */
	aws_client *aws;           /* owned, NULL without credentials */
	diag_list credentials_error; /* why there are no credentials, for the first AWS call */
};

static const char *first_set(const char *a, const char *b, const char *c)
{
	return a && *a ? a : b && *b ? b : c && *c ? c : NULL;
}

/* The single object of a max-1 list block, or NULL. */
static const cty_value *single_block(const cty_value *config, const char *name)
{
	return cty_index(cty_object_get(config, name), 0);
}

static bool flag(const cty_value *config, const char *name)
{
	const cty_value *v = cty_object_get(config, name);
	return cty_is_known(v) && v->u.boolean;
}

/* Regions known when this was written; skip_region_validation admits newer ones. */
static const char *const known_regions[] = {
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-7", "ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1",
	"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2",
	"eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1",
	"us-east-2", "us-gov-east-1", "us-gov-west-1", "us-west-1", "us-west-2", NULL,
};

/* insecure never reaches beyond the machine: an endpoint override that is
 * not loopback while it is set is a mistake worth stopping for. */
static void validate_insecure(call_ctx *ctx, const cty_value *config)
{
	const cty_value *block = single_block(config, "endpoints");

	if (!flag(config, "insecure"))
		return;
	for (const attr_def *a = endpoint_attributes; block && a->name; a++) {
		const char *url = cty_object_get_string(block, a->name);
		if (url && *url && !http_url_is_loopback(url))
			diag_attr_error(ctx->diags, "insecure", "TLS checks can only be skipped for loopback endpoints",
					"insecure = true skips certificate checks only for endpoints on 127.0.0.0/8, "
					"::1 or localhost, but endpoints.%s is \"%s\". Use custom_ca_bundle to trust "
					"its certificate instead.",
					a->name, url);
	}
}

static void validate_provider(call_ctx *ctx, const cty_value *config)
{
	const char *region = cty_object_get_string(config, "region");

	validate_insecure(ctx, config);
	if (!region || flag(config, "skip_region_validation"))
		return;
	for (const char *const *known = known_regions; *known; known++)
		if (strcmp(*known, region) == 0)
			return;
	diag_attr_error(ctx->diags, "region", "Unknown region",
			"\"%s\" is not an AWS region this provider knows. Check the spelling, or set "
			"skip_region_validation = true for a region newer than the provider.",
			region);
}

const resource_def provider_config_def = {
	.type_name = "wagtail",
	.schema = {.attributes = provider_attributes,
		   .blocks = provider_blocks,
		   .description = "Stands up a Wagtail CMS on AWS: Aurora PostgreSQL, ECS Fargate and their IAM."},
	.validate = validate_provider,
};

/* Flattens the endpoints block into {name, url, ..., NULL}; the strings are
 * borrowed from config. */
static const char **endpoint_pairs(const cty_value *config)
{
	const cty_value *block = single_block(config, "endpoints");
	const char **pairs = calloc(2 * (sizeof endpoint_attributes / sizeof *endpoint_attributes) + 1, sizeof *pairs);
	size_t n = 0;
	if (!pairs)
		abort();
	for (const attr_def *a = endpoint_attributes; block && a->name; a++) {
		const char *url = cty_object_get_string(block, a->name);
		if (url && *url) {
			pairs[n++] = a->name;
			pairs[n++] = url;
		}
	}
	return pairs;
}

/* The strings are borrowed from config or the environment. */
static http_tls tls_settings(const cty_value *config)
{
	return (http_tls){
		.ca_bundle = first_set(cty_object_get_string(config, "custom_ca_bundle"), getenv("AWS_CA_BUNDLE"), NULL),
		.insecure = flag(config, "insecure"),
	};
}

static long duration_seconds(const char *text)
{
	double seconds = 0;
	return text && validate_duration(text, &seconds) ? (long)seconds : 0;
}

static credentials_source *open_credentials(provider_client *client, const cty_value *config, const char **endpoints)
{
	const cty_value *role = single_block(config, "assume_role");
	aws_assume_role assume = {
		.role_arn = cty_object_get_string(role, "role_arn"),
		.session_name = cty_object_get_string(role, "session_name"),
		.external_id = cty_object_get_string(role, "external_id"),
		.duration_seconds = duration_seconds(cty_object_get_string(role, "duration")),
	};
	const char *sts_endpoint = NULL;
	for (size_t i = 0; endpoints[i]; i += 2)
		if (strcmp(endpoints[i], "sts") == 0)
			sts_endpoint = endpoints[i + 1];
	credentials_config cc = {
		.access_key = cty_object_get_string(config, "access_key"),
		.secret_key = cty_object_get_string(config, "secret_key"),
		.token = cty_object_get_string(config, "token"),
		.profile = cty_object_get_string(config, "profile"),
		.assume_role = role ? &assume : NULL,
		.region = client->region,
		.sts_endpoint = sts_endpoint,
		.tls = tls_settings(config),
	};
	return credentials_source_new(&cc, &client->credentials_error);
}

static int max_retries(const cty_value *config)
{
	const cty_value *v = cty_object_get(config, "max_retries");
	return cty_is_known(v) ? atoi(v->u.str.text) : 25;
}

/* Checks the credentials once and learns the account id, unless told not to. */
static void check_identity(provider_client *client, const cty_value *config, diag_list *diags)
{
	aws_error err = {0};
	char *arn = NULL, *user_id = NULL;
	if (flag(config, "skip_credentials_validation") && flag(config, "skip_requesting_account_id"))
		return;
	if (sts_get_caller_identity(client->aws, 0, &client->account_id, &arn, &user_id, &err) != 0) {
		if (!flag(config, "skip_credentials_validation"))
			aws_error_report(&err, diags, NULL);
	} else {
		log_write(LOG_INFO, "credentials validated", "account_id", client->account_id, NULL);
	}
	free(arn);
	free(user_id);
	aws_error_clear(&err);
}

/* libcurl and libxml2 carry every AWS call (lazy_libs.h): a system without
 * them gets one diagnostic here instead of failing on the first call. */
static bool aws_libraries_loaded(diag_list *diags)
{
	const char *why;

	if (lazy_lib_load(LAZY_LIB_CURL, &why) && lazy_lib_load(LAZY_LIB_XML2, &why))
		return true;
	diag_add(diags, DIAG_ERROR, NULL, "Cannot make AWS calls", "%s", why);
	return false;
}

provider_client *provider_client_new(const cty_value *config, diag_list *diags)
{
	provider_client *client = calloc(1, sizeof *client);
	const char **endpoints = endpoint_pairs(config);
	const cty_value *tags = cty_object_get(single_block(config, "default_tags"), "tags");

	if (!client)
		abort();
	const char *region = first_set(cty_object_get_string(config, "region"), getenv("AWS_REGION"),
				       getenv("AWS_DEFAULT_REGION"));
	client->region = strdup(region ? region : "us-east-1");
	client->default_tags = cty_is_known(tags) && cty_length(tags) ? cty_value_clone(tags) : NULL;
	/* No credentials is not yet an error: data sources that need no AWS
	 * call work without them. The first AWS call reports it instead. */
	client->credentials = open_credentials(client, config, endpoints);
	if (client->credentials && aws_libraries_loaded(diags)) {
		aws_client_config ac = {
			.region = client->region,
			.endpoints = endpoints,
			.max_retries = max_retries(config),
			.tls = tls_settings(config),
			.credentials = client->credentials,
		};
		client->aws = aws_client_new(&ac);
		check_identity(client, config, diags);
	}
	free(endpoints);
	return client;
}

void provider_client_free(provider_client *client)
{
	if (!client)
		return;
	aws_client_free(client->aws);
	credentials_source_free(client->credentials);
	diag_list_clear(&client->credentials_error);
	cty_value_free(client->default_tags);
	free(client->account_id);
	free(client->region);
	free(client);
}

const char *provider_client_region(const provider_client *client)
{
	return client->region;
}

aws_client *ctx_aws(call_ctx *ctx)
{
	const diag_list *why = &ctx->client->credentials_error;
	if (ctx->client->aws)
		return ctx->client->aws;
	for (size_t i = 0; i < why->count; i++)
		diag_add(ctx->diags, DIAG_ERROR, NULL, why->items[i].summary, "%s", why->items[i].detail ? why->items[i].detail : "");
	if (why->count == 0)
		diag_add(ctx->diags, DIAG_ERROR, NULL, "No AWS credentials", "No credential source yielded credentials.");
	return NULL;
}

int ctx_credentials(call_ctx *ctx, aws_credentials *out)
{
	if (!ctx_aws(ctx)) /* reports why there are none */
		return -1;
	return credentials_get(ctx->client->credentials, out, ctx->diags);
}

const char *ctx_region(const call_ctx *ctx)
{
	return ctx->client->region;
}

const char *ctx_account_id(const call_ctx *ctx)
{
	return ctx->client->account_id;
}

const cty_value *ctx_default_tags(const call_ctx *ctx)
{
	return ctx->client ? ctx->client->default_tags : NULL;
}
