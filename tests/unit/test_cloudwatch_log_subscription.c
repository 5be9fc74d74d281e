/* test_cloudwatch_log_subscription.c: wagtail_cloudwatch_log_subscription's
 * checks before any AWS call (the names CloudWatch Logs accepts, ARNs, the
 * role Kinesis and Firehose need, the distributions) and its import id;
 * and, against the real moto server tests/unit/run.sh starts, the kit's
 * ruled REST-JSON call on Lambda, the service of a subscription's Lambda
 * destinations. */
#include "unit.h"

#include "moto_provider.h"

#include "attr.h"
#include "aws_calls.h"
#include "provider_config.h"
#include "schema.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>

#define KINESIS "arn:aws:kinesis:eu-west-1:123456789012:stream/wagtail-logs"
#define FIREHOSE "arn:aws:firehose:eu-west-1:123456789012:deliverystream/wagtail-logs"
#define LAMBDA "arn:aws:lambda:eu-west-1:123456789012:function:wagtail-logs"
#define ROLE "arn:aws:iam::123456789012:role/cwl-to-kinesis"

typedef struct {
	const char *group, *name, *pattern, *destination, *role, *distribution;
} subscription;

/* How many errors validation reports for these arguments (NULL: unset). */
static size_t subscription_errors(subscription s)
{
	const resource_def *r = schema_find_resource("wagtail_cloudwatch_log_subscription");
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *config = cty_object_new(resource_state_type(r));
	const char *values[] = {s.group, s.name, s.pattern, s.destination, s.role, s.distribution};
	const char *names[] = {"log_group_name", "name", "filter_pattern", "destination_arn", "role_arn", "distribution"};
	for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
		if (values[i])
			cty_object_set(config, names[i], cty_string_new(values[i]));
	}
	validate_config(r, config, &diags);
	r->validate(&ctx, config);
	size_t count = diags.count;
	diag_list_clear(&diags);
	cty_value_free(config);
	return count;
}

static subscription good(void)
{
	return (subscription){"/ecs/wagtail", "to-kinesis", "", KINESIS, ROLE, NULL};
}

TEST(log_subscription_accepts_a_kinesis_filter)
{
	subscription s = good();
	CHECK(subscription_errors(s) == 0);
	s.pattern = "[ip, user, ..., status=5*]";
	s.distribution = "Random";
	CHECK(subscription_errors(s) == 0);
	s.distribution = "ByLogStream";
	CHECK(subscription_errors(s) == 0);
}

TEST(log_subscription_names_follow_cloudwatch_rules)
{
	subscription s = good();
	s.group = "/ecs/wagtail:*";
	CHECK(subscription_errors(s) == 1);
	s = good();
	s.name = "";
	CHECK(subscription_errors(s) == 1);
	s.name = "a:b";
	CHECK(subscription_errors(s) == 1);
	s.name = "a|b"; /* would make the import id ambiguous */
	CHECK(subscription_errors(s) == 1);
	s.name = "Wagtail logs to Kinesis #1";
	CHECK(subscription_errors(s) == 0);
}

TEST(log_subscription_destination_and_role_are_arns)
{
	subscription s = good();
	s.destination = "wagtail-logs";
	CHECK(subscription_errors(s) == 1);
	s = good();
	s.role = "cwl-to-kinesis";
	CHECK(subscription_errors(s) == 1);
	s = good();
	s.distribution = "random";
	CHECK(subscription_errors(s) == 1);
}

TEST(log_subscription_kinesis_and_firehose_need_a_role)
{
	subscription s = good();
	s.role = NULL;
	CHECK(subscription_errors(s) == 1);
	s.destination = FIREHOSE;
	CHECK(subscription_errors(s) == 1);
	s.destination = LAMBDA;
	CHECK(subscription_errors(s) == 0);
}

TEST(log_subscription_import_id_is_group_bar_name)
{
	const resource_def *r = schema_find_resource("wagtail_cloudwatch_log_subscription");
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *state = r->import(&ctx, "/ecs/wagtail|to-kinesis");
	CHECK(state != NULL && diags.count == 0);
	if (state) {
		CHECK_STR(attr_text(state, "log_group_name"), "/ecs/wagtail");
		CHECK_STR(attr_text(state, "name"), "to-kinesis");
		CHECK_STR(attr_text(state, "id"), "/ecs/wagtail|to-kinesis");
		cty_value_free(state);
	}
	static const char *const bad[] = {"/ecs/wagtail", "|to-kinesis", "/ecs/wagtail|", ""};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		CHECK(r->import(&ctx, bad[i]) == NULL);
		CHECK(diags.count == i + 1);
	}
	diag_list_clear(&diags);
}

/* ---- ctx_rest_json_as on Lambda, against moto ---- */

/* These run against the moto that checks no signatures
 * (MOTO_UNCHECKED_ENDPOINT): moto 5.2.1 answers every signed Lambda request
 * with SignatureDoesNotMatch (boto3's too), so the checking one cannot
 * serve Lambda at all. */
#define NO_SUCH_FUNCTION "/2015-03-31/functions/wagtail-unit-no-such-function"

static const aws_match function_not_found[] = {{"ResourceNotFoundException"}, {NULL}};

/* Lambda answers GetFunction of a function that does not exist with
 * ResourceNotFoundException (HTTP 404): under a gone rule that is AWS_GONE
 * and no error; without one, an error left to the caller; a listing is an
 * answer. */
TEST(log_subscription_rest_json_call_reads_lambda_by_rules)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = unit_moto_provider("lambda", "MOTO_UNCHECKED_ENDPOINT"), .diags = &diags};
	if (!ctx.client)
		return;
	const aws_rules gone = {.gone = function_not_found};
	cJSON *answer = NULL;
	CHECK(ctx_rest_json_as(&ctx, &aws_lambda, "GET", NO_SUCH_FUNCTION, NULL, &gone, &answer, NULL) == AWS_GONE);
	CHECK(answer == NULL && diags.count == 0);

	aws_error err = {0};
	CHECK(ctx_rest_json_as(&ctx, &aws_lambda, "GET", NO_SUCH_FUNCTION, NULL, NULL, &answer, &err) == AWS_FAILED);
	CHECK_STR(err.code, "ResourceNotFoundException");
	CHECK(err.http_status == 404 && answer == NULL && diags.count == 0);
	aws_error_clear(&err);

	CHECK(ctx_rest_json_as(&ctx, &aws_lambda, "GET", "/2015-03-31/functions/", NULL, &gone, &answer, NULL) ==
	      AWS_DONE);
	CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(answer, "Functions")) && diags.count == 0);
	cJSON_Delete(answer);
	provider_client_free(ctx.client);
	diag_list_clear(&diags);
}

/* A refusal under a retry rule is sent again until its time is up, then
 * reported: a function still missing after two seconds fails after one
 * pause of 1 s, with AWS's error in the diagnostics. */
TEST(log_subscription_rest_json_call_retries_within_the_rule)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = unit_moto_provider("lambda", "MOTO_UNCHECKED_ENDPOINT"), .diags = &diags};
	if (!ctx.client)
		return;
	const aws_match missing_for_now[] = {{"ResourceNotFoundException", NULL, 2}, {NULL}};
	const aws_rules retry = {.retry = missing_for_now};
	double started = monotonic_now();
	CHECK(ctx_rest_json_as(&ctx, &aws_lambda, "GET", NO_SUCH_FUNCTION, NULL, &retry, NULL, NULL) == AWS_FAILED);
	double took = monotonic_now() - started;
	CHECK(took >= 1 && took < 10);
	CHECK(diags.count == 1 && diag_has_error(&diags));
	if (diags.count == 1)
		CHECK(strstr(diags.items[0].summary, "ResourceNotFoundException") ||
		      (diags.items[0].detail && strstr(diags.items[0].detail, "ResourceNotFoundException")));
	provider_client_free(ctx.client);
	diag_list_clear(&diags);
}
