/* test_cloudwatch_log_subscription.c: wagtail_cloudwatch_log_subscription's
 * checks before any AWS call (the names CloudWatch Logs accepts, ARNs, the
 * role Kinesis and Firehose need, the distributions) and its import id. */
#include "unit.h"

#include "schema.h"
#include "validate.h"

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
		CHECK_STR(cty_object_get_string(state, "log_group_name"), "/ecs/wagtail");
		CHECK_STR(cty_object_get_string(state, "name"), "to-kinesis");
		CHECK_STR(cty_object_get_string(state, "id"), "/ecs/wagtail|to-kinesis");
		cty_value_free(state);
	}
	static const char *const bad[] = {"/ecs/wagtail", "|to-kinesis", "/ecs/wagtail|", ""};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		CHECK(r->import(&ctx, bad[i]) == NULL);
		CHECK(diags.count == i + 1);
	}
	diag_list_clear(&diags);
}
