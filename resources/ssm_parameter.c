/* ssm_parameter.c: resource wagtail_ssm_parameter, SSM parameters such as
 * the SecureString credentials an ECS task reads at start.
 *
 * The value is sensitive: Terraform redacts it, and nothing here logs it. */
#include "aws_calls.h"
#include "tags.h"

#include <stdio.h>
#include <string.h>

static const char *const types[] = {"String", "SecureString", "StringList", NULL};
static const char *const tiers[] = {"Standard", "Advanced", "Intelligent-Tiering", NULL};

static const attr_def attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "Parameter name, e.g. /wagtail/prod/db_password.",
	 .check = {CHECK_REGEX, .pattern = "^[A-Za-z0-9_./-]+$", .max_length = 1011,
		   .expected = "a parameter name of 1 to 1011 letters, digits and _ . - / (a hierarchy "
			       "starts with /)"}},
	{"type", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "String, SecureString or StringList.",
	 .check = {CHECK_ENUM, .choices = types}},
	{"value", &cty_string, ATTR_REQUIRED | ATTR_SENSITIVE, "The value. Never logged."},
	{"description", &cty_string, ATTR_OPTIONAL, "What the parameter is for."},
	{"key_id", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED,
	 "KMS key for a SecureString; default the account's alias/aws/ssm."},
	{"tier", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED, "Standard, Advanced or Intelligent-Tiering.",
	 .check = {CHECK_ENUM, .choices = tiers}},
	{"arn", &cty_string, ATTR_COMPUTED, "Parameter ARN."},
	{"version", &cty_number, ATTR_COMPUTED, "Version, raised by every change of the value."},
	{"id", &cty_string, ATTR_COMPUTED, "The parameter name."},
	TAG_ATTRIBUTES,
	{NULL},
};

extern const resource_def resource_ssm_parameter;

static const char *const versioned[] = {"value", "description", "key_id", "tier", NULL};

static bool content_changes(const cty_value *prior, const cty_value *planned)
{
	for (const char *const *name = versioned; *name; name++)
		if (!cty_value_equal(cty_object_get(prior, *name), cty_object_get(planned, *name)))
			return true;
	return false;
}

/* A new version comes only with new content, not with new tags. */
static void plan_parameter(call_ctx *ctx, const cty_value *prior, const cty_value *config, cty_value *planned)
{
	(void)ctx, (void)config;
	if (!cty_is_null(prior) && content_changes(prior, planned))
		cty_object_set(planned, "version", cty_unknown(&cty_number));
}

static void add_optional(cJSON *request, const char *member, const cty_value *planned, const char *name)
{
	const char *text = cty_object_get_string(planned, name);
	if (text)
		cJSON_AddStringToObject(request, member, text);
}

static cJSON *put_request(const cty_value *planned, bool overwrite)
{
	cJSON *request = cJSON_CreateObject();
	add_optional(request, "Name", planned, "name");
	add_optional(request, "Type", planned, "type");
	add_optional(request, "Value", planned, "value");
	add_optional(request, "Description", planned, "description");
	add_optional(request, "Tier", planned, "tier");
	if (strcmp(cty_object_get_string(planned, "type"), "SecureString") == 0)
		add_optional(request, "KeyId", planned, "key_id");
	if (overwrite)
		cJSON_AddBoolToObject(request, "Overwrite", 1);
	else if (cty_length(cty_object_get(planned, "tags_all")))
		cJSON_AddItemToObject(request, "Tags", tags_to_json(cty_object_get(planned, "tags_all"), "Key", "Value"));
	return request;
}

static cJSON *by_name(const char *name)
{
	cJSON *request = cJSON_CreateObject();
	cJSON_AddStringToObject(request, "Name", name);
	return request;
}

/* GetParameter: value, version, type, ARN. NULL answer and no error: gone. */
static cJSON *get_parameter(call_ctx *ctx, const char *name, bool *gone)
{
	aws_error err = {0};
	cJSON *request = by_name(name);
	cJSON_AddBoolToObject(request, "WithDecryption", 1);
	cJSON *answer = ctx_json_call(ctx, &aws_ssm, "GetParameter", request, &err);
	*gone = !answer && aws_error_is(&err, "ParameterNotFound");
	if (!answer && !*gone)
		aws_error_report(&err, ctx->diags, NULL);
	aws_error_clear(&err);
	cJSON_Delete(request);
	return answer;
}

/* DescribeParameters: description, key id and tier, which GetParameter lacks. */
static cJSON *describe_parameter(call_ctx *ctx, const char *name)
{
	cJSON *request = cJSON_CreateObject(), *filter = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(request, "ParameterFilters"), filter);
	cJSON_AddStringToObject(filter, "Key", "Name");
	cJSON_AddStringToObject(filter, "Option", "Equals");
	cJSON_AddItemToObject(filter, "Values", cJSON_CreateStringArray(&name, 1));
	cJSON *answer = ctx_json_call(ctx, &aws_ssm, "DescribeParameters", request, NULL);
	cJSON_Delete(request);
	return answer;
}

static cty_value *list_tags(call_ctx *ctx, const char *name)
{
	cJSON *request = cJSON_CreateObject();
	cJSON_AddStringToObject(request, "ResourceType", "Parameter");
	cJSON_AddStringToObject(request, "ResourceId", name);
	cJSON *answer = ctx_json_call(ctx, &aws_ssm, "ListTagsForResource", request, NULL);
	cJSON_Delete(request);
	cty_value *tags = answer ? tags_from_json(cJSON_GetObjectItemCaseSensitive(answer, "TagList"), "Key", "Value")
				 : NULL;
	cJSON_Delete(answer);
	return tags;
}

static cty_value *parameter_state(call_ctx *ctx, const cty_value *prior, const cJSON *parameter,
				  const cJSON *description, cty_value *tags)
{
	cty_value *state = cty_object_new(resource_state_type(&resource_ssm_parameter));
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(parameter, "Version");
	cty_object_set(state, "name", json_string_value(parameter, "Name"));
	cty_object_set(state, "id", json_string_value(parameter, "Name"));
	cty_object_set(state, "type", json_string_value(parameter, "Type"));
	cty_object_set(state, "value", json_string_value(parameter, "Value"));
	cty_object_set(state, "arn", json_string_value(parameter, "ARN"));
	cty_object_set(state, "version", cJSON_IsNumber(version) ? cty_number_from_double(version->valuedouble)
								 : cty_null(&cty_number));
	cty_object_set(state, "description", json_string_value(description, "Description"));
	cty_object_set(state, "key_id", json_string_value(description, "KeyId"));
	cty_object_set(state, "tier", json_string_value(description, "Tier"));
	tags_read(ctx, prior, state, tags);
	return state;
}

static cty_value *read_parameter(call_ctx *ctx, const cty_value *state)
{
	const char *name = cty_object_get_string(state, "id");
	bool gone = false;
	cJSON *got = get_parameter(ctx, name, &gone), *described = NULL;
	cty_value *tags = NULL, *fresh = NULL;

	if (gone)
		return cty_null(resource_state_type(&resource_ssm_parameter));
	if (got)
		described = describe_parameter(ctx, name);
	if (described)
		tags = list_tags(ctx, name);
	if (tags) {
		const cJSON *description = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(described, "Parameters"), 0);
		fresh = parameter_state(ctx, state, cJSON_GetObjectItemCaseSensitive(got, "Parameter"), description, tags);
	}
	cJSON_Delete(got);
	cJSON_Delete(described);
	return fresh;
}

/* A PutParameter whose answer was lost may have made the parameter; its
 * retry then meets ParameterAlreadyExists (ctx_create_outcome). */
static cty_value *create_parameter(call_ctx *ctx, const cty_value *planned)
{
	const char *name = cty_object_get_string(planned, "name");
	aws_error err = {0};
	cJSON *request = put_request(planned, false);
	cJSON *answer = ctx_json_call(ctx, &aws_ssm, "PutParameter", request, &err);
	cJSON_Delete(request);
	cJSON_Delete(answer);
	if (!answer && ctx_create_outcome(ctx, &resource_ssm_parameter, planned, name, &err, "ParameterAlreadyExists") ==
			       CREATE_NONE)
		return NULL;
	return resource_created(ctx, &resource_ssm_parameter, planned, name);
}

static const json_tag_api ssm_tags = {"AddTagsToResource", "RemoveTagsFromResource", "Tags", "TagKeys", "Key",
				      "Value"};

static cty_value *update_parameter(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	const char *name = cty_object_get_string(prior, "id");
	bool ok = true;
	if (content_changes(prior, planned))
		ok = ctx_json_send(ctx, &aws_ssm, "PutParameter", put_request(planned, true));
	if (ok) {
		cJSON *target = cJSON_CreateObject();
		cJSON_AddStringToObject(target, "ResourceType", "Parameter");
		cJSON_AddStringToObject(target, "ResourceId", name);
		ctx_json_update_tags(ctx, &aws_ssm, &ssm_tags, target, cty_object_get(prior, "tags_all"),
				     cty_object_get(planned, "tags_all"));
		cJSON_Delete(target);
	}
	return read_parameter(ctx, planned);
}

static bool delete_parameter(call_ctx *ctx, const cty_value *state)
{
	return ctx_json_delete(ctx, &aws_ssm, "DeleteParameter", by_name(cty_object_get_string(state, "id")),
			       "ParameterNotFound");
}

const resource_def resource_ssm_parameter = {
	.type_name = "wagtail_ssm_parameter",
	.schema = {.attributes = attributes, .description = "An SSM parameter, e.g. a SecureString credential."},
	.plan = plan_parameter,
	.create = create_parameter,
	.read = read_parameter,
	.update = update_parameter,
	.delete = delete_parameter,
};
