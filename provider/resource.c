/* resource.c: helpers shared by resource handlers. */
#include "resource.h"


cty_value *resource_created(call_ctx *ctx, const resource_def *r, const cty_value *planned, const char *id)
{
	cty_value *created = cty_value_clone(planned);
	cty_object_set(created, "id", cty_string_new(id));
	cty_value *fresh = r->read(ctx, created);
	if (cty_is_known(fresh)) {
		cty_value_free(created);
		return fresh;
	}
	/* Read failed (its error is in ctx->diags) or did not find it yet. */
	cty_value_free(fresh);
	return created;
}
