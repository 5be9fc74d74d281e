/* log_group.c: resource wagtail_log_group, the CloudWatch Logs group an ECS
 * container's awslogs driver writes to.
 *
 * CloudWatch Logs tags differ from the other JSON services: CreateLogGroup,
 * TagResource and ListTagsForResource carry tags as a JSON object
 * {"key": "value"}, not as a list of key/value pairs (logs_tag_api, and
 * NULL member names to tags_to_json / tags_from_json). Tag calls name the
 * group by its ARN without the ":*" that DescribeLogGroups appends. */
#include "attr.h"
#include "fields.h"
#include "tags.h"
#include "validate.h"

#include <stdlib.h>
#include <string.h>

/* The values PutRetentionPolicy accepts; unset means never expire. */
static const char *const retention_days[] = {"1",    "3",    "5",    "7",    "14",   "30",   "60",   "90",
					     "120",  "150",  "180",  "365",  "400",  "545",  "731",  "1096",
					     "1827", "2192", "2557", "2922", "3288", "3653", NULL};
static const attr_check retention_check = {CHECK_ENUM, .choices = retention_days};

static const attr_def attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "Log group name, e.g. /ecs/wagtail.",
	 .check = {CHECK_REGEX, .pattern = "^[-._/#A-Za-z0-9]+$", .max_length = 512,
		   .expected = "a log group name of 1 to 512 letters, digits and . - _ / #"}},
	{"retention_in_days", &cty_number, ATTR_OPTIONAL,
	 "Days to keep events: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, "
	 "2557, 2922, 3288 or 3653. Unset: never expire."},
	{"kms_key_id", &cty_string, ATTR_OPTIONAL, "ARN of the KMS key that encrypts the log data.",
	 .check = {CHECK_ARN}},
	{"arn", &cty_string, ATTR_COMPUTED, "Log group ARN, without the trailing :*."},
	{"id", &cty_string, ATTR_COMPUTED, "The log group name."},
	TAG_ATTRIBUTES,
	{NULL},
};

extern const resource_def resource_log_group;

static const aws_rules on_group = {.gone = (const aws_match[]){{"ResourceNotFoundException"}, {NULL}}};
static const aws_rules on_create = {.exists = (const aws_match[]){{"ResourceAlreadyExistsException"}, {NULL}}};

/* Retention and the key change through calls of their own (see
 * set_retention, set_kms_key); the ARN is read by hand (group_arn). */
static const field_def fields[] = {
	{"name", "logGroupName", "logGroupName"},
	{"id", NULL, "logGroupName"},
	{"retention_in_days", NULL, "retentionInDays"},
	{"kms_key_id", "kmsKeyId", "kmsKeyId"},
	{NULL},
};

/* Retention is a number, which the schema's enum check does not cover. */
static void validate_log_group(call_ctx *ctx, const cty_value *config)
{
	const cty_value *days = cty_object_get(config, "retention_in_days");
	char why[400];
	if (cty_is_known(days) && !validate_string(&retention_check, days->u.str.text, why, sizeof why))
		diag_attr_error(ctx->diags, "retention_in_days", "Invalid retention",
				"CloudWatch Logs keeps events for a fixed set of days: %s.", why);
}

static cJSON *by_name(const char *name)
{
	return json_request("logGroupName", name);
}

static cty_value *list_tags(call_ctx *ctx, const char *arn)
{
	cJSON *request = json_request("resourceArn", arn);
	cJSON *answer = ctx_json_call(ctx, &aws_logs, "ListTagsForResource", request, NULL);
	cJSON_Delete(request);
	cty_value *tags = answer ? tags_from_json(cJSON_GetObjectItemCaseSensitive(answer, "tags"), NULL, NULL) : NULL;
	cJSON_Delete(answer);
	return tags;
}

/* ---- reading ---- */

/* The ARN of a described group: `arn` ends in ":*" (the group's streams),
 * which tag calls refuse. */
static cty_value *group_arn(const cJSON *group)
{
	const cJSON *arn = cJSON_GetObjectItemCaseSensitive(group, "arn");
	if (!cJSON_IsString(arn))
		return json_string_value(group, "logGroupArn");
	size_t len = strlen(arn->valuestring);
	bool streams = len >= 2 && strcmp(arn->valuestring + len - 2, ":*") == 0;
	return cty_string_from(arn->valuestring, streams ? len - 2 : len);
}

/* DescribeLogGroups by prefix, every page (a prefix also lists longer
 * names), and the group named exactly `name` in it. Answers a copy of it;
 * NULL with *failed false when it does not exist. */
static cJSON *describe_group(call_ctx *ctx, const char *name, bool *failed)
{
	cJSON *request = json_request("logGroupNamePrefix", name), *answer = NULL;
	aws_outcome listed =
		ctx_json_all(ctx, &aws_logs, "DescribeLogGroups", request, &on_group, "logGroups", "nextToken", &answer);
	const cJSON *group = json_find_by(cJSON_GetObjectItemCaseSensitive(answer, "logGroups"), "logGroupName", name);
	cJSON *found = group ? cJSON_Duplicate(group, 1) : NULL;
	*failed = listed == AWS_FAILED;
	cJSON_Delete(answer);
	cJSON_Delete(request);
	return found;
}

static cty_value *group_state(call_ctx *ctx, const cty_value *prior, const cJSON *group, cty_value *tags)
{
	cty_value *state = cty_object_new(resource_state_type(&resource_log_group));
	fields_json_read(fields, group, state);
	cty_object_set(state, "arn", group_arn(group));
	tags_read(ctx, prior, state, tags);
	return state;
}

/* Two calls: DescribeLogGroups (usually one page) and ListTagsForResource. */
static cty_value *read_log_group(call_ctx *ctx, const cty_value *state)
{
	bool failed;
	cJSON *group = describe_group(ctx, attr_text(state, "id"), &failed);
	cty_value *fresh = NULL;

	if (!group)
		return failed ? NULL : cty_null(resource_state_type(&resource_log_group));
	cty_value *arn = group_arn(group);
	cty_value *tags = list_tags(ctx, arn->u.str.text);
	if (tags)
		fresh = group_state(ctx, state, group, tags);
	cty_value_free(arn);
	cJSON_Delete(group);
	return fresh;
}

/* ---- changes ---- */

static bool set_retention(call_ctx *ctx, const char *name, const cty_value *days)
{
	cJSON *request = by_name(name);
	if (cty_is_null(days))
		return ctx_json_send_take(ctx, &aws_logs, "DeleteRetentionPolicy", request, NULL) == AWS_DONE;
	cJSON_AddNumberToObject(request, "retentionInDays", strtod(days->u.str.text, NULL));
	return ctx_json_send_take(ctx, &aws_logs, "PutRetentionPolicy", request, NULL) == AWS_DONE;
}

static bool set_kms_key(call_ctx *ctx, const char *name, const char *key)
{
	cJSON *request = by_name(name);
	if (!key)
		return ctx_json_send_take(ctx, &aws_logs, "DisassociateKmsKey", request, NULL) == AWS_DONE;
	cJSON_AddStringToObject(request, "kmsKeyId", key);
	return ctx_json_send_take(ctx, &aws_logs, "AssociateKmsKey", request, NULL) == AWS_DONE;
}

static cty_value *create_log_group(call_ctx *ctx, const cty_value *planned)
{
	const char *name = attr_text(planned, "name");
	const cty_value *days = cty_object_get(planned, "retention_in_days");
	cJSON *request = cJSON_CreateObject();
	fields_json_create(fields, planned, request);
	if (cty_length(cty_object_get(planned, "tags_all")))
		cJSON_AddItemToObject(request, "tags", tags_to_json(cty_object_get(planned, "tags_all"), NULL, NULL));
	aws_error err = {0};
	cJSON *answer = ctx_json_call(ctx, &aws_logs, "CreateLogGroup", request, &err);
	cJSON_Delete(request);
	cJSON_Delete(answer);
	/* An attempt whose answer was lost may have made it (ctx_create_outcome). */
	if (!answer) {
		create_outcome made = ctx_create_outcome(ctx, &resource_log_group, planned, name, &err, &on_create);
		if (made == CREATE_NONE)
			return NULL;
		if (made == CREATE_PARTIAL)
			return resource_created(ctx, &resource_log_group, planned, name);
	}
	/* CreateLogGroup takes no retention. If setting it fails, the group
	 * still exists and goes into the state with its error. */
	if (!cty_is_null(days))
		set_retention(ctx, name, days);
	return resource_created(ctx, &resource_log_group, planned, name);
}

static cty_value *update_log_group(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	const char *name = attr_text(prior, "id");
	bool ok = true;
	if (attr_differs(prior, planned, "retention_in_days"))
		ok = set_retention(ctx, name, cty_object_get(planned, "retention_in_days"));
	if (ok && attr_differs(prior, planned, "kms_key_id"))
		ok = set_kms_key(ctx, name, attr_text(planned, "kms_key_id"));
	if (ok)
		ctx_json_update_tags_take(ctx, &aws_logs, &logs_tag_api, json_request("resourceArn", attr_text(prior, "arn")),
					  prior, planned);
	/* Even after a failed step, what AWS now has is the state. */
	return read_log_group(ctx, planned);
}

static bool delete_log_group(call_ctx *ctx, const cty_value *state)
{
	return ctx_json_send_take(ctx, &aws_logs, "DeleteLogGroup", by_name(attr_text(state, "id")), &on_group) !=
	       AWS_FAILED;
}

const resource_def resource_log_group = {
	.type_name = "wagtail_log_group",
	.schema = {.attributes = attributes,
		   .description = "A CloudWatch Logs log group, e.g. for the awslogs driver of ECS containers."},
	.fields = fields,
	.validate = validate_log_group,
	.create = create_log_group,
	.read = read_log_group,
	.update = update_log_group,
	.delete = delete_log_group,
};
