/* ssm_secret.c: see ssm_secret.h. */
#include "ssm_secret.h"

#include <stdlib.h>
#include <string.h>

/* The answer's copy of the value is overwritten before it is freed: cJSON
 * would leave it in freed memory. */
void ssm_answer_free(cJSON *answer)
{
	cJSON *value = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(answer, "Parameter"),
							"Value");
	if (cJSON_IsString(value))
		explicit_bzero(value->valuestring, strlen(value->valuestring));
	cJSON_Delete(answer);
}

aws_outcome ssm_get_decrypted(call_ctx *ctx, const char *name, const aws_rules *rules, cJSON **answer,
			      aws_error *err)
{
	cJSON *request = json_request("Name", name);
	cJSON_AddBoolToObject(request, "WithDecryption", 1);
	aws_outcome outcome = ctx_json_as(ctx, &aws_ssm, "GetParameter", request, rules, answer, err);
	cJSON_Delete(request);
	return outcome;
}

char *ssm_secret_get(call_ctx *ctx, const char *name, const diag_path *at)
{
	cJSON *answer = NULL;
	aws_error err = {0};
	char *secret = NULL;

	/* No rules: a missing parameter is an error here, never "gone". A
	 * secret silently missing would be sent on as an empty password. */
	if (ssm_get_decrypted(ctx, name, NULL, &answer, &err) != AWS_DONE) {
		diag_add(ctx->diags, DIAG_ERROR, at, "Cannot read the secret from SSM",
			 "GetParameter of \"%s\" failed: %s: %s", name, err.code ? err.code : "no answer",
			 err.message && *err.message ? err.message : "no message");
	} else {
		const cJSON *value =
			cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(answer, "Parameter"), "Value");
		if (cJSON_IsString(value) && *value->valuestring)
			secret = strdup(value->valuestring);
		else
			diag_add(ctx->diags, DIAG_ERROR, at, "Empty secret in SSM",
				 "GetParameter of \"%s\" returned no value.", name);
	}
	ssm_answer_free(answer);
	aws_error_clear(&err);
	return secret;
}

void ssm_secret_free(char *secret)
{
	if (secret)
		explicit_bzero(secret, strlen(secret));
	free(secret);
}
