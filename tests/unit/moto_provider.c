/* moto_provider.c: see moto_provider.h. */
#include "moto_provider.h"

#include "provider_config.h"
#include "schema.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>

provider_client *unit_moto_provider(const char *service, const char *endpoint_variable)
{
	const char *const variables[] = {endpoint_variable, "MOTO_ACCESS_KEY", "MOTO_SECRET_KEY"};
	const char *values[3];
	for (size_t i = 0; i < 3; i++) {
		values[i] = getenv(variables[i]);
		if (!values[i] || !*values[i]) {
			char message[512];
			snprintf(message, sizeof message,
				 "no moto server (%s not set): this test calls a real moto_server; run the unit "
				 "tests with `tests/unit/run.sh build/unit-tests [FILTER]` or `make unit`, which "
				 "start moto and set %s, MOTO_ACCESS_KEY and MOTO_SECRET_KEY",
				 variables[i], endpoint_variable);
			unit_fail(__FILE__, __LINE__, message);
			return NULL;
		}
	}
	const cty_type *t = resource_state_type(&provider_config_def);
	const cty_type *list_type = t->fields[cty_type_field_index(t, "endpoints")].type;
	cty_value *config = cty_object_new(t);
	cty_value *blocks = cty_collection_new(list_type), *block = cty_object_new(list_type->elem);
	diag_list diags = {0};
	cty_object_set(block, service, cty_string_new(values[0]));
	cty_append(blocks, block);
	cty_object_set(config, "endpoints", blocks);
	cty_object_set(config, "region", cty_string_new("eu-west-1"));
	cty_object_set(config, "access_key", cty_string_new(values[1]));
	cty_object_set(config, "secret_key", cty_string_new(values[2]));
	cty_object_set(config, "max_retries", cty_number_from_int(2));
	cty_object_set(config, "skip_credentials_validation", cty_bool_new(true));
	cty_object_set(config, "skip_requesting_account_id", cty_bool_new(true));
	provider_client *client = provider_client_new(config, &diags);
	CHECK(client != NULL && !diag_has_error(&diags));
	cty_value_free(config);
	diag_list_clear(&diags);
	return client;
}
