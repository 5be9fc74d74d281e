/* test_upgrade.c: stored states of older schema versions carried to the
 * current one through a resource's chain of upgraders (UpgradeResourceState),
 * on a test-only resource whose schema renamed an attribute (v0 -> v1) and
 * then turned a string of seconds into a number of minutes (v1 -> v2). */
#include "unit.h"

#include "resource.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

static const attr_def gadget_attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED, "was `label` in version 0"},
	{"minutes", &cty_number, ATTR_OPTIONAL, "was `seconds`, a string, in version 1"},
	{"id", &cty_string, ATTR_COMPUTED, "id"},
	{NULL},
};

static bool rename_label(cJSON *state, diag_list *diags)
{
	(void)diags;
	cJSON *label = cJSON_DetachItemFromObjectCaseSensitive(state, "label");
	if (label)
		cJSON_AddItemToObject(state, "name", label);
	return true;
}

static bool seconds_to_minutes(cJSON *state, diag_list *diags)
{
	cJSON *seconds = cJSON_DetachItemFromObjectCaseSensitive(state, "seconds");
	bool ok = !seconds || cJSON_IsNull(seconds) || cJSON_IsString(seconds);
	if (!ok)
		diag_add(diags, DIAG_ERROR, NULL, "Bad seconds", "seconds is neither null nor a string");
	else if (cJSON_IsString(seconds))
		cJSON_AddNumberToObject(state, "minutes", strtod(seconds->valuestring, NULL) / 60);
	cJSON_Delete(seconds);
	return ok;
}

static const state_upgrader gadget_upgraders[] = {rename_label, seconds_to_minutes};

static const resource_def gadget = {
	.type_name = "test_gadget",
	.schema = {.attributes = gadget_attributes},
	.schema_version = 2,
	.upgraders = gadget_upgraders,
};

static cty_value *upgrade(long version, const char *json, diag_list *diags)
{
	return resource_upgrade_state(&gadget, version, json, strlen(json), diags);
}

TEST(upgrade_runs_the_chain_from_the_stored_version)
{
	diag_list diags = {0};
	cty_value *v0 = upgrade(0, "{\"label\":\"web\",\"seconds\":\"120\",\"id\":\"g-1\"}", &diags);
	CHECK(v0 && diags.count == 0);
	CHECK_STR(cty_object_get_string(v0, "name"), "web");
	CHECK_STR(cty_object_get(v0, "minutes")->u.str.text, "2");
	CHECK_STR(cty_object_get_string(v0, "id"), "g-1");
	cty_value_free(v0);

	/* A version-1 state already says name: only the second step runs. */
	cty_value *v1 = upgrade(1, "{\"name\":\"api\",\"seconds\":\"30\",\"id\":\"g-2\"}", &diags);
	CHECK(v1 && diags.count == 0);
	CHECK_STR(cty_object_get_string(v1, "name"), "api");
	CHECK_STR(cty_object_get(v1, "minutes")->u.str.text, "0.5");
	cty_value_free(v1);

	cty_value *v2 = upgrade(2, "{\"name\":\"db\",\"minutes\":5,\"id\":\"g-3\"}", &diags);
	CHECK(v2 && diags.count == 0);
	CHECK_STR(cty_object_get(v2, "minutes")->u.str.text, "5");
	cty_value_free(v2);
}

TEST(upgrade_refuses_newer_states_and_broken_steps)
{
	diag_list diags = {0};
	CHECK(upgrade(3, "{\"name\":\"x\"}", &diags) == NULL);
	CHECK(diags.count == 1 && strstr(diags.items[0].detail, "schema version 3") != NULL);
	diag_list_clear(&diags);

	CHECK(upgrade(1, "{\"name\":\"x\",\"seconds\":7}", &diags) == NULL);
	CHECK(diags.count == 1 && strcmp(diags.items[0].summary, "Bad seconds") == 0);
	diag_list_clear(&diags);

	CHECK(upgrade(0, "[1, 2]", &diags) == NULL);
	CHECK(diags.count == 1);
	diag_list_clear(&diags);
}

/* Every registered resource either has no versions yet or an upgrader for
 * each step, so no stored state meets a gap in the chain. */
TEST(upgrade_chain_has_no_gaps_in_any_resource)
{
	for (const resource_def *const *r = registry_resources; *r; r++) {
		for (long v = 0; v < (*r)->schema_version; v++)
			CHECK((*r)->upgraders && (*r)->upgraders[v]);
		diag_list diags = {0};
		cty_value *empty = resource_upgrade_state(*r, 0, "{}", 2, &diags);
		CHECK(empty != NULL && diags.count == 0);
		cty_value_free(empty);
		diag_list_clear(&diags);
	}
}
