/* test_json_equiv.c: JSON compared by meaning. */
#include "unit.h"

#include "json_equiv.h"

/* A test rule: a lone string under "Action" means a one-element list. */
static void action_as_list(cJSON *doc)
{
	cJSON *action = cJSON_GetObjectItemCaseSensitive(doc, "Action");
	if (cJSON_IsString(action)) {
		cJSON *list = cJSON_CreateArray();
		cJSON_AddItemToArray(list, cJSON_CreateString(action->valuestring));
		cJSON_ReplaceItemInObjectCaseSensitive(doc, "Action", list);
	}
}

TEST(json_key_order_and_spacing_do_not_matter)
{
	CHECK(json_equivalent("{\"a\":1,\"b\":[1,2]}", "{ \"b\": [1, 2],\n \"a\": 1 }", NULL));
	CHECK(!json_equivalent("{\"a\":1,\"b\":[1,2]}", "{\"a\":1,\"b\":[2,1]}", NULL));
	CHECK(!json_equivalent("{\"a\":1}", "{\"a\":1,\"c\":null}", NULL));
}

TEST(json_normalizer_rules_apply_to_both_sides)
{
	CHECK(json_equivalent("{\"Action\":\"s3:GetObject\"}", "{\"Action\":[\"s3:GetObject\"]}", action_as_list));
	CHECK(!json_equivalent("{\"Action\":\"s3:GetObject\"}", "{\"Action\":[\"s3:GetObject\"]}", NULL));
}

TEST(json_unparseable_text_equals_only_itself)
{
	CHECK(json_equivalent("{oops", "{oops", NULL));
	CHECK(!json_equivalent("{oops", "{oops }", NULL));
	CHECK(json_equivalent(NULL, NULL, NULL));
	CHECK(!json_equivalent(NULL, "{}", NULL));
}
