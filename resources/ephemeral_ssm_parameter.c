/* ephemeral_ssm_parameter.c: ephemeral resource wagtail_ssm_parameter, the
 * value of one SSM parameter read for one run, decrypted (a SecureString's
 * plain text), and never stored: for a write-only attribute or a provider
 * configuration. The resource of the same name manages a parameter; this
 * only reads one, made by anyone.
 *
 * One GetParameter with WithDecryption, which SSM ignores for String and
 * StringList parameters. A name of another account's parameter shared
 * with this one is its ARN; a name:version or name:label selector reads
 * that version. A parameter that does not exist is an error, not an empty
 * value: a secret silently missing would be sent on as "". */
#include "attr.h"
#include "aws_calls.h"
#include "ephemeral.h"

#include <cjson/cJSON.h>

static const attr_def attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED,
	 "The parameter's name (/app/db/password), its ARN, or either with :version or :label.",
	 .check = {CHECK_REGEX, .pattern = "^[^[:space:]]+$", .max_length = 2048,
		   .expected = "a parameter name or ARN, without spaces"}},
	{"value", &cty_string, ATTR_COMPUTED | ATTR_SENSITIVE, "The value, decrypted. Sensitive."},
	{"type", &cty_string, ATTR_COMPUTED, "String, StringList or SecureString."},
	{"version", &cty_number, ATTR_COMPUTED, "The version read."},
	{"arn", &cty_string, ATTR_COMPUTED, "The parameter's ARN."},
	{NULL},
};

static const resource_def shape = {
	.type_name = "wagtail_ssm_parameter",
	.schema = {.attributes = attributes,
		   .description = "The decrypted value of an SSM parameter, read for one run and never stored."},
};

static cty_value *open_parameter(call_ctx *ctx, const cty_value *config, ephemeral_lease *lease)
{
	cJSON *request = json_request("Name", attr_text(config, "name")), *answer = NULL;
	cty_value *result = NULL;
	(void)lease; /* SSM gives no lease: nothing to renew or close */

	cJSON_AddBoolToObject(request, "WithDecryption", 1);
	/* No rules: not found, access denied and a KMS refusal are all errors to report as they are. */
	if (ctx_json_as(ctx, &aws_ssm, "GetParameter", request, NULL, &answer, NULL) == AWS_DONE) {
		const cJSON *parameter = cJSON_GetObjectItemCaseSensitive(answer, "Parameter");
		const cJSON *version = cJSON_GetObjectItemCaseSensitive(parameter, "Version");
		result = cty_value_clone(config);
		cty_object_set(result, "value", json_string_value(parameter, "Value"));
		cty_object_set(result, "type", json_string_value(parameter, "Type"));
		cty_object_set(result, "arn", json_string_value(parameter, "ARN"));
		if (cJSON_IsNumber(version))
			cty_object_set(result, "version", cty_number_from_int((int64_t)version->valuedouble));
	}
	cJSON_Delete(request);
	cJSON_Delete(answer);
	return result;
}

const ephemeral_def ephemeral_ssm_parameter = {
	.shape = &shape,
	.open = open_parameter,
};
