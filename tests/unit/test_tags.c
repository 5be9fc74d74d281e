/* test_tags.c: tags merged with the provider's default_tags. */
#include "unit.h"

#include "provider_config.h"
#include "schema.h"
#include "tags.h"

#include <stdlib.h>

static cty_value *string_map(const char *const *pairs)
{
	cty_value *map = cty_collection_new(&cty_map_of_string);
	for (; *pairs; pairs += 2)
		cty_map_put(map, pairs[0], cty_string_new(pairs[1]));
	return map;
}

/* A configured provider whose default_tags are {Env = "prod", Owner = "cms"},
 * without credentials (none are needed to plan tags). */
static provider_client *provider_with_default_tags(void)
{
	const cty_type *t = resource_state_type(&provider_config_def);
	cty_value *config = cty_object_new(t);
	const cty_type *list_type = t->fields[cty_type_field_index(t, "default_tags")].type;
	cty_value *blocks = cty_collection_new(list_type), *block = cty_object_new(list_type->elem);
	diag_list diags = {0};

	cty_object_set(block, "tags", string_map((const char *const[]){"Env", "prod", "Owner", "cms", NULL}));
	cty_append(blocks, block);
	cty_object_set(config, "default_tags", blocks);
	cty_object_set(config, "region", cty_string_new("eu-west-1"));
	cty_object_set(config, "skip_credentials_validation", cty_bool_new(true));
	cty_object_set(config, "skip_requesting_account_id", cty_bool_new(true));
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	provider_client *client = provider_client_new(config, &diags);
	cty_value_free(config);
	diag_list_clear(&diags);
	return client;
}

static const attr_def tagged_attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED, "name"},
	TAG_ATTRIBUTES,
	{NULL},
};
static const resource_def tagged = {.type_name = "test_tagged", .schema = {.attributes = tagged_attributes}};

TEST(tags_all_merges_user_tags_over_defaults)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = provider_with_default_tags(), .diags = &diags};
	cty_value *planned = cty_object_new(resource_state_type(&tagged));
	cty_object_set(planned, "tags", string_map((const char *const[]){"Owner", "web", "Team", "a", NULL}));

	tags_plan(&ctx, planned);
	cty_value *want = string_map((const char *const[]){"Env", "prod", "Owner", "web", "Team", "a", NULL});
	CHECK(cty_value_equal(cty_object_get(planned, "tags_all"), want));

	/* Reading back what AWS holds gives the user's tags without the defaults. */
	cty_value *state = cty_object_new(resource_state_type(&tagged));
	tags_read(&ctx, planned, state, cty_value_clone(want));
	cty_value *mine = string_map((const char *const[]){"Owner", "web", "Team", "a", NULL});
	CHECK(cty_value_equal(cty_object_get(state, "tags"), mine));
	CHECK(cty_value_equal(cty_object_get(state, "tags_all"), want));

	cty_value_free(mine);
	cty_value_free(want);
	cty_value_free(state);
	cty_value_free(planned);
	provider_client_free(ctx.client);
}

TEST(tags_read_keeps_null_tags_null)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = provider_with_default_tags(), .diags = &diags};
	cty_value *prior = cty_object_new(resource_state_type(&tagged));
	cty_value *state = cty_object_new(resource_state_type(&tagged));
	tags_read(&ctx, prior, state, string_map((const char *const[]){"Env", "prod", "Owner", "cms", NULL}));
	CHECK(cty_is_null(cty_object_get(state, "tags")));
	CHECK(cty_length(cty_object_get(state, "tags_all")) == 2);
	cty_value_free(prior);
	cty_value_free(state);
	provider_client_free(ctx.client);
}

TEST(tags_diff_lists_removed_and_changed)
{
	cty_value *before = string_map((const char *const[]){"a", "1", "b", "2", "c", "3", NULL});
	cty_value *after = string_map((const char *const[]){"a", "1", "b", "20", "d", "4", NULL});
	cty_value *removed, *changed;
	tags_diff(before, after, &removed, &changed);
	cty_value *want_removed = string_map((const char *const[]){"c", "3", NULL});
	cty_value *want_changed = string_map((const char *const[]){"b", "20", "d", "4", NULL});
	CHECK(cty_value_equal(removed, want_removed));
	CHECK(cty_value_equal(changed, want_changed));
	cty_value_free(before);
	cty_value_free(after);
	cty_value_free(removed);
	cty_value_free(changed);
	cty_value_free(want_removed);
	cty_value_free(want_changed);
}
