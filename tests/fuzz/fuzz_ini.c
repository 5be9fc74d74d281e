/* fuzz_ini.c: ~/.aws/credentials and ~/.aws/config as a user may have
 * written them. */
#include "ini.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *error = NULL;
	ini *f = ini_parse((const char *)data, size, &error);
	if (!f) {
		free(error);
		return 0;
	}
	ini_get(f, "default", "aws_access_key_id");
	ini_get(f, "profile dev", "role_arn");
	ini_has_section(f, "default");
	ini_free(f);
	return 0;
}
