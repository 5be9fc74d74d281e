/* ephemeral_random_password.c: ephemeral resource wagtail_random_password,
 * a password made anew on every run and never stored, for a write-only
 * attribute (an Aurora master password sent once) or a provider
 * configuration.
 *
 * It is the resource wagtail_random_password without the state: the same
 * arguments, the same defaults and checks (its table and validate hook),
 * and the same generator (its create handler: OpenSSL's RAND_bytes drawn
 * without modulo bias). `keepers` has nothing to keep here: every open
 * makes a new password. */
#include "ephemeral.h"

extern const resource_def resource_random_password;

/* The resource's create does exactly what opening asks: a password per
 * the planned arguments, as `result`. */
static cty_value *open_password(call_ctx *ctx, const cty_value *config, ephemeral_lease *lease)
{
	(void)lease; /* nothing to renew or close */
	return resource_random_password.create(ctx, config);
}

const ephemeral_def ephemeral_random_password = {
	.shape = &resource_random_password,
	.open = open_password,
};
