/* test_db_lambda_trigger.c: wagtail_aurora_lambda_trigger without a
 * database: its checks, its plan and its import id. */
#include "unit.h"

#include "pg_connection.h"
#include "plan.h"
#include "schema.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const resource_def *trigger(void)
{
	return schema_find_resource("wagtail_aurora_lambda_trigger");
}

static cty_value *trigger_config(const char *table, const char *function_arn)
{
	const cty_type *t = resource_state_type(trigger());
	cty_value *config = cty_object_new(t);
	cty_value *block = cty_object_new(t->fields[cty_type_field_index(t, PG_CONNECTION_NAME)].type);
	cty_value *events = cty_collection_new(&cty_set_of_string);
	cty_append(events, cty_string_new("INSERT"));
	cty_append(events, cty_string_new("UPDATE"));
	cty_object_set(block, "host", cty_string_new("db.example.com"));
	cty_object_set(block, "database", cty_string_new("wagtail"));
	cty_object_set(block, "username", cty_string_new("wagtail_admin"));
	cty_object_set(block, "iam_auth", cty_bool_new(true));
	cty_object_set(config, PG_CONNECTION_NAME, block);
	cty_object_set(config, "name", cty_string_new("Purge CDN"));
	cty_object_set(config, "cluster_identifier", cty_string_new("wagtail-db"));
	cty_object_set(config, "table", cty_string_new(table));
	cty_object_set(config, "events", events);
	cty_object_set(config, "function_arn", cty_string_new(function_arn));
	return config;
}

/* The summaries validate reports, joined by ";". */
static char *validate_trigger(cty_value *config)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	char *summaries = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&summaries, &size);
	validate_config(trigger(), config, &diags);
	trigger()->validate(&ctx, config);
	for (size_t i = 0; i < diags.count; i++)
		fprintf(out, "%s%s", i ? ";" : "", diags.items[i].summary);
	fclose(out);
	diag_list_clear(&diags);
	cty_value_free(config);
	return summaries;
}

TEST(lambda_trigger_checks_table_arn_and_events)
{
	const char *arn = "arn:aws:lambda:eu-west-1:123456789012:function:purge";
	char *got = validate_trigger(trigger_config("public.wagtailcore_page", arn));
	CHECK_STR(got, "");
	free(got);
	got = validate_trigger(trigger_config("CMS.Blog Pages", "arn:aws:lambda:eu-west-1:123456789012:function:p:live"));
	CHECK_STR(got, "");
	free(got);
	got = validate_trigger(trigger_config("wagtailcore_page", "purge"));
	CHECK_STR(got, "Invalid attribute value;Invalid attribute value");
	free(got);

	cty_value *config = trigger_config("public.wagtailcore_page", arn);
	cty_object_set(config, "events", cty_collection_new(&cty_set_of_string));
	cty_object_set(config, "payload_columns", cty_collection_new(&cty_list_of_string));
	got = validate_trigger(config);
	CHECK_STR(got, "No events;No payload columns");
	free(got);
}

/* Lambda's lengths: a function name of 64 characters and an alias of 128
 * pass, one more of either is refused on function_arn. */
TEST(lambda_trigger_checks_function_arn_lengths)
{
	char arn[400], name[80], alias[140];
	const char *prefix = "arn:aws:lambda:eu-west-1:123456789012:function:";
	memset(name, 'f', 65);
	memset(alias, 'a', 129);
	const struct {
		int name, alias; /* alias -1: none */
		const char *want;
	} cases[] = {
		{64, -1, ""},
		{64, 128, ""},
		{65, -1, "Invalid Lambda function ARN"},
		{1, 129, "Invalid Lambda function ARN"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		if (cases[i].alias < 0)
			snprintf(arn, sizeof arn, "%s%.*s", prefix, cases[i].name, name);
		else
			snprintf(arn, sizeof arn, "%s%.*s:%.*s", prefix, cases[i].name, name, cases[i].alias, alias);
		char *got = validate_trigger(trigger_config("public.wagtailcore_page", arn));
		CHECK_STR(got, cases[i].want);
		free(got);
	}
}

/* The function body is the provider's own text, known at plan, so that a
 * body changed in the database shows as a difference. */
TEST(lambda_trigger_plan_knows_the_function_body)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *config = trigger_config("public.wagtailcore_page", "arn:aws:lambda:eu-west-1:123456789012:function:p");
	cty_value *prior = cty_null(resource_state_type(trigger()));
	path_list replace = {0};
	cty_value *planned = plan_resource(&ctx, trigger(), prior, config, config, &replace);

	const char *body = cty_object_get_string(planned, "function_body");
	CHECK(body && strstr(body, "aws_lambda.invoke(") &&
	      strstr(body, "aws_commons.create_lambda_function_arn(TG_ARGV[0])"));
	CHECK_STR(cty_object_get_string(planned, "invocation_type"), "Event");
	CHECK(cty_is_unknown(cty_object_get(planned, "id")));
	CHECK(diags.count == 0);
	path_list_clear(&replace);
	cty_value_free(planned);
	cty_value_free(prior);
	cty_value_free(config);
}

TEST(lambda_trigger_import_id_is_table_slash_name)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *state = trigger()->import(&ctx, "public.wagtailcore_page/Notify Search");
	CHECK_STR(cty_object_get_string(state, "table"), "public.wagtailcore_page");
	CHECK_STR(cty_object_get_string(state, "name"), "Notify Search");
	CHECK_STR(cty_object_get_string(state, "id"), "public.wagtailcore_page/Notify Search");
	CHECK(diags.count == 0);
	cty_value_free(state);

	const char *bad[] = {"wagtailcore_page/purge", "public.wagtailcore_page", "public.wagtailcore_page/", "/purge"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		CHECK(trigger()->import(&ctx, bad[i]) == NULL);
		CHECK(diags.count == 1 && strcmp(diags.items[0].summary, "Invalid import id") == 0);
		diag_list_clear(&diags);
	}
}
