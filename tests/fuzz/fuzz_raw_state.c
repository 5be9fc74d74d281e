/* fuzz_raw_state.c: JSON raw state (UpgradeResourceState), decoded against
 * every resource's state type. Decoded values must survive a msgpack round
 * trip, since that is what we send back. */
#include "cty_codec.h"
#include "resource.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t count = 0;
	while (registry_resources[count])
		count++;
	const cty_type *t = resource_state_type(registry_resources[data[0] % count]);
	char *error = NULL;
	cty_value *v = cty_json_decode((const char *)data + 1, size - 1, t, &error);
	if (!v) {
		free(error);
		return 0;
	}
	uint8_t *packed = NULL;
	size_t packed_len = 0;
	cty_msgpack_encode(v, t, &packed, &packed_len);
	cty_value *w = cty_msgpack_decode(packed, packed_len, t, &error);
	if (!w || !cty_value_equal(v, w))
		abort();
	cty_value_free(w);
	cty_value_free(v);
	free(packed);
	return 0;
}
