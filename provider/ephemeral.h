/* ephemeral.h: ephemeral resources (Terraform >= 1.10, OpenTofu >= 1.11).
 *
 * An ephemeral resource is opened each time a run needs its value (a
 * token, a secret read from AWS, a password) and that value is never
 * stored: not in the state, not in a plan. The user passes it on to a
 * provider configuration or a write-only attribute (resource.h,
 * ATTR_WRITE_ONLY). While the run lasts past the lease's renew_at, the CLI
 * asks to renew it; at the run's end, to close it.
 *
 * One is a static `ephemeral_def`, listed as EPHEMERAL(x) in
 * resources/registry.def (`ephemeral_x` in resources/x.c). Its
 * schema is a resource_def's: its own table, or that of a data source or
 * resource it mirrors, whose validate hook then runs too. Results are
 * values of that schema's type: mark the secret ones ATTR_SENSITIVE. */
#ifndef WAGTAIL_EPHEMERAL_H
#define WAGTAIL_EPHEMERAL_H

#include "resource.h"

/* What open hands on to renew and close. */
typedef struct {
	/* Unix time (seconds) before which the CLI should call renew; 0: it
	 * never needs to. */
	double renew_at;
	/* The provider's own bytes (a lease id), opaque to the CLI, which
	 * gives them back to renew and close; malloc'd, NULL when none. */
	unsigned char *private_data;
	size_t private_len;
} ephemeral_lease;

typedef struct {
	/* type_name, schema and validate hook. Its other handlers are not
	 * called on the ephemeral path. */
	const resource_def *shape;
	/* config is wholly known, with the schema's defaults applied and its
	 * checks passed. Returns the result (config plus the computed
	 * attributes), a new value the caller owns, or NULL with an error in
	 * ctx->diags. May set *lease (ephemeral_lease_set_private). */
	cty_value *(*open)(call_ctx *ctx, const cty_value *config, ephemeral_lease *lease);
	/* Extends what open made before lease->renew_at; may set a new
	 * renew_at and private data. False with an error in ctx->diags.
	 * NULL: nothing ever needs renewing (open leaves renew_at 0). */
	bool (*renew)(call_ctx *ctx, ephemeral_lease *lease);
	/* Ends what open made. False with an error in ctx->diags. NULL:
	 * nothing to end. */
	bool (*close)(call_ctx *ctx, const ephemeral_lease *lease);
} ephemeral_def;

/* Every ephemeral resource (provider/registry.c); ends with NULL. */
extern const ephemeral_def *const registry_ephemerals[];

const ephemeral_def *ephemeral_find(const char *type_name);

/* OpenEphemeralResource's work: the schema's defaults and checks over
 * config (a value of e's schema type), then e->open. Returns the result
 * or NULL with an error in ctx->diags; *lease is the caller's to clear. */
cty_value *ephemeral_open(call_ctx *ctx, const ephemeral_def *e, const cty_value *config, ephemeral_lease *lease);

/* Replaces the lease's private data with a copy of len bytes at data. */
void ephemeral_lease_set_private(ephemeral_lease *lease, const void *data, size_t len);
/* Frees the private data (wiped first: it may be a secret) and zeroes lease. */
void ephemeral_lease_clear(ephemeral_lease *lease);

#endif
