/* fuzz_msgpack.c: msgpack from Terraform, decoded against every resource's
 * state type and the dynamic type. Whatever decodes must encode and decode
 * again to an equal value: the codec must not lose or invent anything. */
#include "cty_codec.h"
#include "resource.h"

#include <stdlib.h>

static void round_trip(const uint8_t *data, size_t size, const cty_type *t)
{
	char *error = NULL;
	cty_value *v = cty_msgpack_decode(data, size, t, &error);
	if (!v) {
		free(error);
		return;
	}
	uint8_t *again = NULL;
	size_t again_len = 0;
	cty_msgpack_encode(v, t, &again, &again_len);
	cty_value *w = cty_msgpack_decode(again, again_len, t, &error);
	if (!w || !cty_value_equal(v, w))
		abort(); /* the codec changed a value on the way round */
	cty_value_free(w);
	cty_value_free(v);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	/* The first byte picks the type, so one corpus covers them all. */
	size_t count = 0;
	while (registry_resources[count])
		count++;
	const cty_type *t = data[0] % (count + 1) == count ? &cty_dynamic
							     : resource_state_type(registry_resources[data[0] % (count + 1)]);
	round_trip(data + 1, size - 1, t);
	return 0;
}
