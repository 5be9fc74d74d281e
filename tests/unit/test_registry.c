/* test_registry.c: every registered resource and data source, walked: the
 * mistakes a new resource can make in its tables, found before any CLI
 * runs. */
#include "unit.h"

#include "cty_codec.h"
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>

/* Every attribute default of a block (and its nested blocks) decodes to the
 * attribute's type, and only optional attributes have one. */
static void check_defaults(const char *type_name, const block_def *b)
{
	for (const attr_def *a = b->attributes; a && a->name; a++) {
		if (!a->default_json)
			continue;
		char *error = NULL;
		cty_value *v = cty_json_decode(a->default_json, strlen(a->default_json), a->type, &error);
		if (!v) {
			char message[256];
			snprintf(message, sizeof message, "%s.%s: default %s does not decode: %s", type_name, a->name,
				 a->default_json, error ? error : "?");
			unit_fail(__FILE__, __LINE__, message);
		}
		CHECK(a->flags & ATTR_OPTIONAL);
		cty_value_free(v);
		free(error);
	}
	for (const nested_def *n = b->blocks; n && n->name; n++)
		check_defaults(type_name, n->block);
}

static void check_table(const resource_def *const *list, const char *prefix)
{
	for (const resource_def *const *r = list; *r; r++) {
		const char *name = (*r)->type_name;
		CHECK(strncmp(name, prefix, strlen(prefix)) == 0);
		/* Terraform keys every resource by `id`. */
		if (!schema_find_attribute(&(*r)->schema, "id"))
			unit_fail(__FILE__, __LINE__, name);
		check_defaults(name, &(*r)->schema);
		CHECK((*r)->read != NULL);
		for (const resource_def *const *other = list; other < r; other++)
			CHECK(strcmp((*other)->type_name, name) != 0);
	}
}

TEST(registry_names_are_unique_ids_present_defaults_decode)
{
	check_table(registry_resources, "wagtail_");
	check_table(registry_data_sources, "wagtail_");
	/* A resource and a data source may share a name; two resources may not. */
	size_t resources = 0;
	for (const resource_def *const *r = registry_resources; *r; r++)
		resources++;
	CHECK(resources >= 12);
}
