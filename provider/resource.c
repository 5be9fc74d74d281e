/* resource.c: helpers shared by resource handlers. */
#include "resource.h"

#include <time.h>

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

static double monotonic_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool ctx_wait(call_ctx *ctx, double *delay, double max_delay, const char *what)
{
	if (ctx->deadline && monotonic_seconds() + *delay > ctx->deadline) {
		diag_add(ctx->diags, DIAG_ERROR, NULL, "Timed out",
			 "Waited for %s until the deadline; raise it in the resource's timeouts block.", what);
		return false;
	}
	if (!provider_sleep(*delay)) {
		diag_add(ctx->diags, DIAG_ERROR, NULL, "Interrupted",
			 "Stopped waiting for %s: Terraform asked the provider to stop. What was made is in the "
			 "state; the next apply carries on.", what);
		return false;
	}
	*delay = *delay * 1.5 > max_delay ? max_delay : *delay * 1.5;
	return true;
}
