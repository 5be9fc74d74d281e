/* ephemeral_rds_auth_token.c: ephemeral resource wagtail_rds_auth_token,
 * an IAM authentication token to log in to an Aurora cluster as an IAM
 * database user, made for one run and never stored: the data source of the
 * same name writes its token into the state and the plan.
 *
 * The data source's table and read are the whole of it (the token is
 * signed locally, no AWS call). A token is valid for 15 minutes from the
 * open; RDS has no way to extend one, so there is nothing to renew: a run
 * that needs it longer opens it again in its next run. */
#include "ephemeral.h"

extern const resource_def data_rds_auth_token;

static cty_value *open_token(call_ctx *ctx, const cty_value *config, ephemeral_lease *lease)
{
	(void)lease;
	return data_rds_auth_token.read(ctx, config);
}

const ephemeral_def ephemeral_rds_auth_token = {
	.shape = &data_rds_auth_token,
	.open = open_token,
};
