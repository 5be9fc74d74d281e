/* test_ephemeral_ssm_parameter.c: the ephemeral wagtail_ssm_parameter
 * against the real moto server tests/unit/run.sh starts (MOTO_ENDPOINT,
 * through the strict AWS layer): a SecureString comes back decrypted with
 * its version and ARN, a selector reads an older version, and a parameter
 * that does not exist is an error, never an empty value. */
#include "unit.h"

#include "moto_provider.h"

#include "attr.h"
#include "aws_calls.h"
#include "ephemeral.h"
#include "provider_config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern const ephemeral_def ephemeral_ssm_parameter;

/* PutParameter, as anyone outside Terraform would make the secret. */
static bool put_parameter(call_ctx *ctx, const char *name, const char *type, const char *value)
{
	cJSON *request = json_request("Name", name);
	cJSON_AddStringToObject(request, "Type", type);
	cJSON_AddStringToObject(request, "Value", value);
	cJSON_AddBoolToObject(request, "Overwrite", 1);
	return ctx_json_send_take(ctx, &aws_ssm, "PutParameter", request, NULL) == AWS_DONE;
}

static cty_value *open_parameter(call_ctx *ctx, const char *name)
{
	ephemeral_lease lease = {0};
	cty_value *config = cty_object_new(resource_state_type(ephemeral_ssm_parameter.shape));
	cty_object_set(config, "name", cty_string_new(name));
	cty_value *result = ephemeral_open(ctx, &ephemeral_ssm_parameter, config, &lease);
	CHECK(lease.renew_at == 0 && lease.private_data == NULL); /* SSM gives no lease */
	cty_value_free(config);
	return result;
}

TEST(ephemeral_ssm_parameter_reads_a_secure_string_decrypted)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = unit_moto_provider("ssm", "MOTO_ENDPOINT"), .diags = &diags};
	char name[64], selector[80];
	if (!ctx.client)
		return;
	snprintf(name, sizeof name, "/ephemeral/%ld/db-password", (long)time(NULL));

	CHECK(put_parameter(&ctx, name, "SecureString", "first-secret"));
	CHECK(put_parameter(&ctx, name, "SecureString", "second-secret"));
	cty_value *result = open_parameter(&ctx, name);
	CHECK(diags.count == 0 && result);
	CHECK_STR(attr_text(result, "value"), "second-secret");
	CHECK_STR(attr_text(result, "type"), "SecureString");
	CHECK(attr_long(result, "version", 0) == 2);
	CHECK(attr_text(result, "arn") && strstr(attr_text(result, "arn"), ":parameter/ephemeral/"));
	CHECK_STR(attr_text(result, "name"), name);
	cty_value_free(result);

	snprintf(selector, sizeof selector, "%s:1", name);
	result = open_parameter(&ctx, selector);
	CHECK(diags.count == 0);
	CHECK_STR(attr_text(result, "value"), "first-secret");
	CHECK(attr_long(result, "version", 0) == 1);
	cty_value_free(result);

	diag_list_clear(&diags);
	provider_client_free(ctx.client);
}

TEST(ephemeral_ssm_parameter_missing_is_an_error)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = unit_moto_provider("ssm", "MOTO_ENDPOINT"), .diags = &diags};
	if (!ctx.client)
		return;
	cty_value *result = open_parameter(&ctx, "/ephemeral/never-made");
	CHECK(result == NULL);
	CHECK(diag_has_error(&diags));
	CHECK(diags.count && strstr(diags.items[0].summary, "GetParameter") != NULL);
	CHECK(diags.count && diags.items[0].detail && strstr(diags.items[0].detail, "ParameterNotFound") != NULL);
	diag_list_clear(&diags);
	provider_client_free(ctx.client);
}
