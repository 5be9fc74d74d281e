/* cloudwatch_log_subscription.c: resource wagtail_cloudwatch_log_subscription,
 * a CloudWatch Logs subscription filter that ships a log group's events
 * (the Wagtail containers' awslogs group) to a Kinesis stream, a Firehose
 * stream, a Lambda function or a cross-account Logs destination.
 *
 * CloudWatch Logs has no create or update of a subscription filter: one
 * PutSubscriptionFilter makes it or overwrites the filter of that name,
 * so create and update are the same call, and a retried create that meets
 * what a lost attempt made simply overwrites it. A filter lives inside its
 * log group: deleting the group deletes its filters, so "the group does not
 * exist" means the filter is gone too. AWS tests the destination when the
 * filter is put: a role made a moment ago is refused for a while. */
#include "attr.h"
#include "fields.h"

#include <stdlib.h>
#include <string.h>

/* ---- schema ---- */

static const char *const distributions[] = {"ByLogStream", "Random", NULL};

static const attr_def attributes[] = {
	{"log_group_name", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "Name of the log group whose events are sent.",
	 .check = {CHECK_REGEX, .pattern = "^[-._/#A-Za-z0-9]+$", .max_length = 512,
		   .expected = "a log group name of 1 to 512 letters, digits and . - _ / #"}},
	{"name", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "Name of the subscription filter, unique in its log group.",
	 .check = {CHECK_REGEX, .pattern = "^[^:*|]+$", .max_length = 512,
		   .expected = "1 to 512 characters other than : * and |"}},
	{"filter_pattern", &cty_string, ATTR_REQUIRED,
	 "The events to send, in CloudWatch Logs filter pattern syntax; \"\" sends every event. Updated in place.",
	 .check = {CHECK_REGEX, .pattern = "^", .max_length = 1024, .expected = "at most 1024 characters"}},
	{"destination_arn", &cty_string, ATTR_REQUIRED | ATTR_REPLACE,
	 "ARN of the Kinesis stream, Firehose stream, Lambda function or Logs destination that receives the events.",
	 .check = {CHECK_ARN}},
	{"role_arn", &cty_string, ATTR_OPTIONAL,
	 "ARN of the role CloudWatch Logs assumes to write to a Kinesis or Firehose destination. Updated in place.",
	 .check = {CHECK_ARN}},
	{"distribution", &cty_string, ATTR_OPTIONAL,
	 "How events are spread over a Kinesis stream's shards: ByLogStream or Random. Updated in place.",
	 .default_json = "\"ByLogStream\"", .check = {CHECK_ENUM, .choices = distributions}},
	{"id", &cty_string, ATTR_COMPUTED, "log_group_name|name."},
	{NULL},
};

extern const resource_def resource_cloudwatch_log_subscription;

/* ---- what AWS's answers mean ---- */

/* The log group (and so the filter) or the filter does not exist. */
static const aws_match not_found[] = {{"ResourceNotFoundException"}, {NULL}};

/* AWS tests the destination on every put: a role or Lambda permission made
 * a moment ago is not yet seen for some seconds. Another change of the
 * same log group at the same time is refused until it is done. */
static const aws_match refused_for_now[] = {
	{"InvalidParameterException", "Could not deliver test message", 120},
	{"InvalidParameterException", "Could not execute the lambda function", 120},
	{"OperationAbortedException", NULL, 60},
	{NULL},
};

static const aws_rules on_filter = {.gone = not_found, .retry = refused_for_now};
/* A put that meets no log group is an error to report as it is. */
static const aws_rules on_put = {.retry = refused_for_now};

/* ---- checks before any AWS call ---- */

/* Kinesis and Firehose take events only through a role; Lambda functions
 * and Logs destinations are called by CloudWatch Logs itself. */
static void validate_subscription(call_ctx *ctx, const cty_value *config)
{
	/* A role known only at apply (unknown now) is set: only a null one is missing. */
	const char *arn = attr_text(config, "destination_arn");
	if (!arn || attr_is_set(config, "role_arn"))
		return;
	if (strstr(arn, ":kinesis:") || strstr(arn, ":firehose:"))
		diag_attr_error(ctx->diags, "role_arn", "Missing role",
				"CloudWatch Logs writes to %s only through a role that may put records there: set "
				"role_arn.",
				arn);
}

/* ---- requests and answers ---- */

/* PutSubscriptionFilter's members and the DescribeSubscriptionFilters
 * item. The pattern and distribution AWS may leave out are read by hand. */
static const field_def fields[] = {
	{"log_group_name", "logGroupName", "logGroupName"},
	{"name", "filterName", "filterName"},
	{"filter_pattern", "filterPattern", NULL},
	{"destination_arn", "destinationArn", "destinationArn"},
	{"role_arn", "roleArn", "roleArn"},
	{"distribution", "distribution", NULL},
	{NULL},
};

/* A filter is named by two members: its log group and its own name. */
static cJSON *by_name(const cty_value *subscription)
{
	cJSON *request = json_request("logGroupName", attr_text(subscription, "log_group_name"));
	json_add_attribute(request, "filterName", subscription, "name");
	return request;
}

static cty_value *id_of(const char *group, const char *name)
{
	size_t group_len = strlen(group), name_len = strlen(name);
	char *id = malloc(group_len + name_len + 2);
	memcpy(id, group, group_len);
	id[group_len] = '|';
	memcpy(id + group_len + 1, name, name_len + 1);
	cty_value *value = cty_string_new(id);
	free(id);
	return value;
}

static cty_value *filter_state(const cJSON *filter)
{
	cty_value *state = cty_object_new(resource_state_type(&resource_cloudwatch_log_subscription));
	const cJSON *pattern = cJSON_GetObjectItemCaseSensitive(filter, "filterPattern");
	const cJSON *distribution = cJSON_GetObjectItemCaseSensitive(filter, "distribution");
	fields_json_read(fields, filter, state);
	const char *group = attr_text(state, "log_group_name"), *name = attr_text(state, "name");
	if (group && name)
		cty_object_set(state, "id", id_of(group, name));
	/* An empty pattern (every event) may come back left out. */
	cty_object_set(state, "filter_pattern", cty_string_new(cJSON_IsString(pattern) ? pattern->valuestring : ""));
	/* ByLogStream is what AWS does when it is not said. */
	cty_object_set(state, "distribution",
		       cty_string_new(cJSON_IsString(distribution) ? distribution->valuestring : "ByLogStream"));
	return state;
}

/* ---- handlers ---- */

/* One DescribeSubscriptionFilters by prefix (a log group holds at most two
 * filters: one page), keeping the exact name. */
static cty_value *read_subscription(call_ctx *ctx, const cty_value *state)
{
	const char *name = attr_text(state, "name");
	cJSON *request = json_request("logGroupName", attr_text(state, "log_group_name")), *answer = NULL;
	json_add_attribute(request, "filterNamePrefix", state, "name");
	aws_outcome found = ctx_json_all(ctx, &aws_logs, "DescribeSubscriptionFilters", request, &on_filter,
					 "subscriptionFilters", "nextToken", &answer);
	cJSON_Delete(request);
	if (found == AWS_FAILED)
		return NULL;
	const cJSON *filter =
		found == AWS_DONE
			? json_find_by(cJSON_GetObjectItemCaseSensitive(answer, "subscriptionFilters"), "filterName", name)
			: NULL;
	cty_value *fresh =
		filter ? filter_state(filter) : cty_null(resource_state_type(&resource_cloudwatch_log_subscription));
	cJSON_Delete(answer);
	return fresh;
}

/* PutSubscriptionFilter with every planned argument: it makes the filter
 * or overwrites the one of that name. */
static aws_outcome put_filter(call_ctx *ctx, const cty_value *planned, aws_error *err)
{
	cJSON *request = cJSON_CreateObject();
	fields_json_create(fields, planned, request);
	aws_outcome outcome = ctx_json_as(ctx, &aws_logs, "PutSubscriptionFilter", request, &on_put, NULL, err);
	cJSON_Delete(request);
	return outcome;
}

static cty_value *create_subscription(call_ctx *ctx, const cty_value *planned)
{
	aws_error err = {0};
	cty_value *id = id_of(attr_text(planned, "log_group_name"), attr_text(planned, "name"));
	cty_value *state = NULL;
	/* A put whose answer was lost may have made it (ctx_create_outcome);
	 * a retry overwrites rather than meets "already exists". */
	if (put_filter(ctx, planned, &err) == AWS_DONE ||
	    ctx_create_outcome(ctx, &resource_cloudwatch_log_subscription, planned, id->u.str.text, &err, NULL) !=
		    CREATE_NONE)
		state = resource_created(ctx, &resource_cloudwatch_log_subscription, planned, id->u.str.text);
	cty_value_free(id);
	return state;
}

static cty_value *update_subscription(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	(void)prior;
	put_filter(ctx, planned, NULL);
	/* Even after a failed put, what AWS now has is the state. */
	return read_subscription(ctx, planned);
}

static bool delete_subscription(call_ctx *ctx, const cty_value *state)
{
	/* Gone already, or with its log group, is deleted. */
	return ctx_json_send_take(ctx, &aws_logs, "DeleteSubscriptionFilter", by_name(state), &on_filter) !=
	       AWS_FAILED;
}

/* The id is LOG_GROUP|NAME: a log group name has no '|', so the first one
 * ends it (the filter name has none either, by its check). */
static cty_value *import_subscription(call_ctx *ctx, const char *id)
{
	const char *bar = strchr(id, '|');
	if (!bar || bar == id || !bar[1]) {
		diag_add(ctx->diags, DIAG_ERROR, NULL, "Invalid import id",
			 "A subscription filter is imported as LOG_GROUP_NAME|FILTER_NAME, e.g. "
			 "/ecs/wagtail|to-kinesis; got \"%s\".",
			 id);
		return NULL;
	}
	cty_value *state = cty_object_new(resource_state_type(&resource_cloudwatch_log_subscription));
	cty_object_set(state, "log_group_name", cty_string_from(id, (size_t)(bar - id)));
	cty_object_set(state, "name", cty_string_new(bar + 1));
	cty_object_set(state, "id", cty_string_new(id));
	return state;
}

const resource_def resource_cloudwatch_log_subscription = {
	.type_name = "wagtail_cloudwatch_log_subscription",
	.schema = {.attributes = attributes,
		   .description = "A CloudWatch Logs subscription filter: a log group's events, sent on to Kinesis, "
				  "Firehose, Lambda or a Logs destination."},
	.fields = fields,
	.validate = validate_subscription,
	.create = create_subscription,
	.read = read_subscription,
	.update = update_subscription,
	.delete = delete_subscription,
	.import = import_subscription,
};
