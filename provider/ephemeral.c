/* ephemeral.c: see ephemeral.h. */
#include "ephemeral.h"

#include "plan.h"
#include "validate.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

const ephemeral_def *ephemeral_find(const char *type_name)
{
	for (const ephemeral_def *const *e = registry_ephemerals; *e; e++)
		if (strcmp((*e)->shape->type_name, type_name) == 0)
			return *e;
	return NULL;
}

/* The defaults come from the planning engine, as for a create: the same
 * rules a resource's config goes through, so an ephemeral resource that
 * mirrors one sees what that resource's create would see. */
cty_value *ephemeral_open(call_ctx *ctx, const ephemeral_def *e, const cty_value *config, ephemeral_lease *lease)
{
	path_list replace = {0};
	cty_value *none = cty_null(resource_state_type(e->shape));
	cty_value *planned = plan_resource(ctx, e->shape, none, config, config, &replace);
	cty_value *result = NULL;

	path_list_clear(&replace);
	cty_value_free(none);
	validate_config(e->shape, planned, ctx->diags);
	if (!diag_has_error(ctx->diags))
		result = e->open(ctx, planned, lease);
	cty_value_free(planned);
	return result;
}

void ephemeral_lease_set_private(ephemeral_lease *lease, const void *data, size_t len)
{
	if (lease->private_data)
		OPENSSL_cleanse(lease->private_data, lease->private_len);
	free(lease->private_data);
	lease->private_data = NULL;
	lease->private_len = 0;
	if (!len)
		return;
	lease->private_data = malloc(len);
	if (!lease->private_data)
		abort();
	memcpy(lease->private_data, data, len);
	lease->private_len = len;
}

void ephemeral_lease_clear(ephemeral_lease *lease)
{
	ephemeral_lease_set_private(lease, NULL, 0);
	lease->renew_at = 0;
}
