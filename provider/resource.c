/* resource.c: helpers shared by resource handlers. */
#include "resource.h"

#include "cty_codec.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>


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

cty_value *resource_upgrade_state(const resource_def *r, long version, const char *json, size_t len,
				  diag_list *diags)
{
	if (version > r->schema_version) {
		diag_add(diags, DIAG_ERROR, NULL, "State from a newer provider",
			 "The state of this %s was written by schema version %ld; this provider knows up to %ld. "
			 "Upgrade the provider.", r->type_name, version, r->schema_version);
		return NULL;
	}
	cJSON *raw = cJSON_ParseWithLength(json, len);
	if (!cJSON_IsObject(raw)) {
		diag_add(diags, DIAG_ERROR, NULL, "Unreadable state", "The stored state of this %s is not a JSON "
			 "object.", r->type_name);
		cJSON_Delete(raw);
		return NULL;
	}
	for (long v = version; v < r->schema_version; v++) {
		if (!r->upgraders || !r->upgraders[v] || !r->upgraders[v](raw, diags)) {
			if (!diag_has_error(diags))
				diag_add(diags, DIAG_ERROR, NULL, "State cannot be upgraded",
					 "The provider has no way to carry a state of %s from schema version %ld to %ld.",
					 r->type_name, v, v + 1);
			cJSON_Delete(raw);
			return NULL;
		}
	}
	char *text = cJSON_PrintUnformatted(raw), *error = NULL;
	cJSON_Delete(raw);
	if (!text)
		abort();
	cty_value *state = cty_json_decode(text, strlen(text), resource_state_type(r), &error);
	if (!state)
		diag_add(diags, DIAG_ERROR, NULL, "Unreadable state",
			 "The stored state of this %s is not valid for its schema: %s.", r->type_name, error);
	free(error);
	free(text);
	return state;
}
