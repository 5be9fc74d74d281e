/* ssm_secret.c: see ssm_secret.h. */
#include "ssm_secret.h"

#include "aws_calls.h"

#include <stdlib.h>
#include <string.h>

/* The answer's copy of the value is overwritten before it is freed: cJSON
 * would leave it in freed memory. */
static void wipe_answer(cJSON *answer)
{
	cJSON *value = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(answer, "Parameter"),
							"Value");
	if (cJSON_IsString(value))
		explicit_bzero(value->valuestring, strlen(value->valuestring));
	cJSON_Delete(answer);
}

char *ssm_secret_get(call_ctx *ctx, const char *name, const diag_path *at)
{
	cJSON *request = json_request("Name", name), *answer = NULL;
	aws_error err = {0};
	char *secret = NULL;

	cJSON_AddBoolToObject(request, "WithDecryption", 1);
	/* No rules: a missing parameter is an error here, never "gone". A
	 * secret silently missing would be sent on as an empty password. */
	if (ctx_json_as(ctx, &aws_ssm, "GetParameter", request, NULL, &answer, &err) != AWS_DONE) {
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
	cJSON_Delete(request);
	wipe_answer(answer);
	aws_error_clear(&err);
	return secret;
}

void ssm_secret_free(char *secret)
{
	if (secret)
		explicit_bzero(secret, strlen(secret));
	free(secret);
}
