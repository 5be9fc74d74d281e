/* caller_identity.c: data source wagtail_caller_identity, who the
 * provider's credentials belong to (sts:GetCallerIdentity). */
#include "aws_calls.h"
#include "sts.h"

#include <stdlib.h>

static const attr_def attributes[] = {
	{"account_id", &cty_string, ATTR_COMPUTED, "The 12-digit account id."},
	{"arn", &cty_string, ATTR_COMPUTED, "ARN of the calling identity."},
	{"user_id", &cty_string, ATTR_COMPUTED, "Unique id of the calling identity."},
	{"id", &cty_string, ATTR_COMPUTED, "The account id."},
	{NULL},
};

static cty_value *read_identity(call_ctx *ctx, const cty_value *config)
{
	aws_client *aws = ctx_aws(ctx);
	aws_error err = {0};
	char *account = NULL, *arn = NULL, *user_id = NULL;
	cty_value *state = NULL;

	if (!aws)
		return NULL;
	if (sts_get_caller_identity(aws, ctx->deadline, &account, &arn, &user_id, &err) != 0) {
		aws_error_report(&err, ctx->diags, NULL);
	} else {
		state = cty_value_clone(config);
		cty_object_set(state, "account_id", cty_string_new(account));
		cty_object_set(state, "id", cty_string_new(account));
		cty_object_set(state, "arn", cty_string_new(arn));
		cty_object_set(state, "user_id", cty_string_new(user_id));
	}
	aws_error_clear(&err);
	free(account);
	free(arn);
	free(user_id);
	return state;
}

const resource_def data_caller_identity = {
	.type_name = "wagtail_caller_identity",
	.schema = {.attributes = attributes, .description = "The identity the provider acts as."},
	.read = read_identity,
};
