/* test_log_group.c: wagtail_log_group's checks before any AWS call: the
 * names CloudWatch Logs accepts, its fixed retention periods, a KMS key ARN. */
#include "unit.h"

#include "schema.h"
#include "validate.h"

#include <stdio.h>

/* How many errors validate reports for a log group with these arguments
 * (retention_in_days < 0: unset). */
static size_t errors_for(const char *name, long retention_in_days, const char *kms_key_id)
{
	const resource_def *r = schema_find_resource("wagtail_log_group");
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *config = cty_object_new(resource_state_type(r));
	cty_object_set(config, "name", cty_string_new(name));
	if (retention_in_days >= 0)
		cty_object_set(config, "retention_in_days", cty_number_from_int(retention_in_days));
	if (kms_key_id)
		cty_object_set(config, "kms_key_id", cty_string_new(kms_key_id));
	validate_config(r, config, &diags);
	r->validate(&ctx, config);
	size_t count = diags.count;
	diag_list_clear(&diags);
	cty_value_free(config);
	return count;
}

TEST(log_group_names_follow_cloudwatch_rules)
{
	char longest[514];
	CHECK(errors_for("/ecs/wagtail", -1, NULL) == 0);
	CHECK(errors_for("a#b.c-d_e/F9", -1, NULL) == 0);
	CHECK(errors_for("", -1, NULL) == 1);
	CHECK(errors_for("/ecs/wagtail:*", -1, NULL) == 1);
	CHECK(errors_for("with space", -1, NULL) == 1);
	memset(longest, 'a', 512);
	longest[512] = '\0';
	CHECK(errors_for(longest, -1, NULL) == 0);
	longest[512] = 'a';
	longest[513] = '\0';
	CHECK(errors_for(longest, -1, NULL) == 1);
}

TEST(log_group_retention_is_one_of_the_periods_cloudwatch_offers)
{
	static const long accepted[] = {1,   3,   5,   7,    14,   30,   60,   90,   120,  150,  180,
					365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};
	static const long refused[] = {0, 2, 4, 360, 366, 3652, 3654, 10000};
	for (size_t i = 0; i < sizeof accepted / sizeof *accepted; i++)
		CHECK(errors_for("/ecs/wagtail", accepted[i], NULL) == 0);
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
		CHECK(errors_for("/ecs/wagtail", refused[i], NULL) == 1);
}

TEST(log_group_kms_key_is_an_arn)
{
	CHECK(errors_for("/ecs/wagtail", 7, "arn:aws:kms:eu-west-1:123456789012:key/1234abcd") == 0);
	CHECK(errors_for("/ecs/wagtail", 7, "alias/wagtail") == 1);
}
