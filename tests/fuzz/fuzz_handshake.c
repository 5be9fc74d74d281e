/* fuzz_handshake.c: the environment a plugin client hands us:
 * PLUGIN_PROTOCOL_VERSIONS and the magic cookie. */
#include "handshake.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *error = NULL;
	memcpy(text, data, size);
	text[size] = '\0';
	int version = handshake_protocol(text, &error);
	if (version != -1 && version != HANDSHAKE_PROTOCOL)
		abort(); /* we speak one protocol and must never claim another */
	free(error);
	handshake_cookie_ok(text);
	free(text);
	return 0;
}
