/* test_write_only.c: write-only attributes (provider/write_only.h) over a
 * table with one at the top and one in each kind of nested block: nulled
 * in what the provider returns, handed from the config to what create and
 * update read, refused with the attribute's path when the client cannot
 * keep them out of state, and served as Schema.Attribute.write_only. */
#include "unit.h"

#include "proto_convert.h"
#include "write_only.h"

#include <stdio.h>
#include <stdlib.h>

static const attr_def inner_attributes[] = {
	{"label", &cty_string, ATTR_REQUIRED, "label"},
	{"secret_wo", &cty_string, ATTR_OPTIONAL | ATTR_WRITE_ONLY, "secret"},
	{NULL},
};
static const block_def inner = {.attributes = inner_attributes};

static const attr_def plain_attributes[] = {
	{"label", &cty_string, ATTR_OPTIONAL, "label"},
	{NULL},
};
static const block_def plain = {.attributes = plain_attributes};

static const nested_def blocks[] = {
	{"one", NEST_SINGLE, &inner},
	{"list", NEST_LIST, &inner},
	{"set", NEST_SET, &inner},
	{"map", NEST_MAP, &inner},
	{"plain", NEST_LIST, &plain},
	{NULL},
};

static const attr_def attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED, "name"},
	{"password_wo", &cty_string, ATTR_OPTIONAL | ATTR_WRITE_ONLY | ATTR_SENSITIVE, "password"},
	{"password_wo_version", &cty_number, ATTR_OPTIONAL, "version"},
	{"id", &cty_string, ATTR_COMPUTED, "id"},
	{NULL},
};

static const resource_def secretive = {
	.type_name = "test_secretive",
	.schema = {.attributes = attributes, .blocks = blocks},
};

static const cty_type *field_type(const cty_type *t, const char *name)
{
	return t->fields[cty_type_field_index(t, name)].type;
}

static cty_value *inner_object(const cty_type *t, const char *label, const char *secret)
{
	cty_value *o = cty_object_new(t);
	cty_object_set(o, "label", cty_string_new(label));
	if (secret)
		cty_object_set(o, "secret_wo", cty_string_new(secret));
	return o;
}

/* A config that sets every write-only attribute: password "p", and in
 * each block element the secret "<block>-<label>". */
static cty_value *config_value(void)
{
	const cty_type *t = resource_state_type(&secretive);
	cty_value *v = cty_object_new(t);
	cty_object_set(v, "name", cty_string_new("n"));
	cty_object_set(v, "password_wo", cty_string_new("p"));
	cty_object_set(v, "one", inner_object(field_type(t, "one"), "a", "one-a"));
	cty_value *list = cty_collection_new(field_type(t, "list"));
	cty_append(list, inner_object(list->type->elem, "a", "list-a"));
	cty_append(list, inner_object(list->type->elem, "b", "list-b"));
	cty_object_set(v, "list", list);
	cty_value *set = cty_collection_new(field_type(t, "set"));
	cty_append(set, inner_object(set->type->elem, "a", "set-a"));
	cty_append(set, inner_object(set->type->elem, "b", "set-b"));
	cty_object_set(v, "set", set);
	cty_value *map = cty_collection_new(field_type(t, "map"));
	cty_map_put(map, "k", inner_object(map->type->elem, "k", "map-k"));
	cty_object_set(v, "map", map);
	return v;
}

static const char *secret_in(const cty_value *o)
{
	return cty_object_get_string(o, "secret_wo");
}

TEST(write_only_clear_nulls_every_one_nested_included)
{
	cty_value *v = config_value();
	write_only_clear(&secretive.schema, v);
	CHECK(cty_is_null(cty_object_get(v, "password_wo")));
	CHECK_STR(cty_object_get_string(v, "name"), "n");
	CHECK(secret_in(cty_object_get(v, "one")) == NULL);
	CHECK_STR(cty_object_get_string(cty_object_get(v, "one"), "label"), "a");
	for (const char *const *block = (const char *const[]){"list", "set", "map", NULL}; *block; block++) {
		const cty_value *items = cty_object_get(v, *block);
		CHECK(cty_length(items) > 0);
		for (size_t i = 0; i < cty_length(items); i++) {
			CHECK(secret_in(cty_index(items, i)) == NULL);
			CHECK(cty_object_get_string(cty_index(items, i), "label") != NULL);
		}
	}
	cty_value_free(v);
}

TEST(write_only_clear_nulls_an_unknown_one)
{
	cty_value *v = config_value();
	cty_object_set(v, "password_wo", cty_unknown(&cty_string));
	write_only_clear(&secretive.schema, v);
	CHECK(cty_is_null(cty_object_get(v, "password_wo")));
	cty_value_free(v);
}

/* A planned value as Terraform sends it to apply: write-only values null,
 * a set's elements in another order than the config's. */
TEST(write_only_merge_hands_config_values_to_planned)
{
	cty_value *config = config_value();
	cty_value *planned = cty_value_clone(config);
	write_only_clear(&secretive.schema, planned);
	cty_value *set = cty_object_get(planned, "set");
	cty_value *first = set->u.coll.items[0];
	set->u.coll.items[0] = set->u.coll.items[1];
	set->u.coll.items[1] = first;
	cty_object_set(planned, "id", cty_string_new("computed-id"));

	write_only_merge(&secretive.schema, planned, config);
	CHECK_STR(cty_object_get_string(planned, "password_wo"), "p");
	CHECK_STR(cty_object_get_string(planned, "id"), "computed-id");
	CHECK_STR(secret_in(cty_object_get(planned, "one")), "one-a");
	CHECK_STR(secret_in(cty_index(cty_object_get(planned, "list"), 0)), "list-a");
	CHECK_STR(secret_in(cty_index(cty_object_get(planned, "list"), 1)), "list-b");
	for (size_t i = 0; i < 2; i++) {
		const cty_value *item = cty_index(cty_object_get(planned, "set"), i);
		char want[16];
		snprintf(want, sizeof want, "set-%s", cty_object_get_string(item, "label"));
		CHECK_STR(secret_in(item), want);
	}
	CHECK_STR(secret_in(cty_index(cty_object_get(planned, "map"), 0)), "map-k");
	cty_value_free(config);
	cty_value_free(planned);
}

TEST(write_only_refused_by_a_client_that_cannot_keep_them_out)
{
	cty_value *config = config_value();
	diag_list diags = {0};

	write_only_check_allowed(&secretive.schema, config, true, &diags);
	CHECK(diags.count == 0);

	write_only_check_allowed(&secretive.schema, config, false, &diags);
	/* password_wo, one, list[0], list[1], the set (twice, at the block), map["k"] */
	CHECK(diags.count == 7);
	CHECK(diag_has_error(&diags));
	CHECK(diags.items[0].has_path && diags.items[0].path.depth == 1);
	CHECK_STR(diags.items[0].path.steps[0].name, "password_wo");
	CHECK(strstr(diags.items[0].detail, "Terraform 1.11") && strstr(diags.items[0].detail, "OpenTofu 1.11"));
	const diag_path *in_list = &diags.items[3].path;
	CHECK(in_list->depth == 3 && in_list->steps[1].kind == PATH_INDEX && in_list->steps[1].index == 1);
	CHECK_STR(in_list->steps[2].name, "secret_wo");
	const diag_path *in_set = &diags.items[4].path;
	CHECK(in_set->depth == 1);
	CHECK_STR(in_set->steps[0].name, "set");
	const diag_path *in_map = &diags.items[6].path;
	CHECK(in_map->depth == 3 && in_map->steps[1].kind == PATH_KEY);
	CHECK_STR(in_map->steps[1].name, "k");
	diag_list_clear(&diags);

	/* Unset ones are no problem, whatever the client. */
	cty_value *bare = cty_object_new(resource_state_type(&secretive));
	cty_object_set(bare, "name", cty_string_new("n"));
	write_only_check_allowed(&secretive.schema, bare, false, &diags);
	CHECK(diags.count == 0);
	cty_value_free(bare);
	cty_value_free(config);
}

TEST(write_only_served_in_the_schema)
{
	arena a = {0};
	Tfplugin6__Schema *schema = proto_schema(&a, &secretive);
	size_t write_only = 0;
	for (size_t i = 0; i < schema->block->n_attributes; i++) {
		const Tfplugin6__Schema__Attribute *attr = schema->block->attributes[i];
		CHECK(attr->write_only == (strcmp(attr->name, "password_wo") == 0));
		write_only += attr->write_only;
	}
	CHECK(write_only == 1);
	const Tfplugin6__Schema__Block *nested = schema->block->block_types[1]->block; /* list */
	CHECK(nested->attributes[1]->write_only && !nested->attributes[0]->write_only);
	CHECK(write_only_in_block(&secretive.schema) && !write_only_in_block(&plain));
	arena_free(&a);
}

/* A write-only attribute is the user's to set: computed, it would be the
 * provider's to fill, and a default would be planned and stored. */
static void check_declared_right(const char *type_name, const block_def *b)
{
	for (const attr_def *a = b->attributes; a && a->name; a++) {
		if (!(a->flags & ATTR_WRITE_ONLY))
			continue;
		bool settable = (a->flags & (ATTR_REQUIRED | ATTR_OPTIONAL)) != 0;
		if (!settable || (a->flags & ATTR_COMPUTED) || a->default_json)
			unit_fail(__FILE__, __LINE__, type_name);
	}
	for (const nested_def *n = b->blocks; n && n->name; n++)
		check_declared_right(type_name, n->block);
}

TEST(write_only_attributes_of_every_resource_are_declared_right)
{
	for (const resource_def *const *r = registry_resources; *r; r++)
		check_declared_right((*r)->type_name, &(*r)->schema);
	check_declared_right(secretive.type_name, &secretive.schema);
}
