/* test_registry.c: every registered resource and data source, walked: the
 * mistakes a new resource can make in its tables, found before any CLI
 * runs. */
#include "unit.h"

#include "cty_codec.h"
#include "fields.h"
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

/* No pattern counts a repetition past 255, RE_DUP_MAX's least value: musl's
 * regcomp (the static release build's) refuses {1,512}, which glibc takes.
 * A longer limit goes in the check's max_length. */
static void check_patterns(const char *type_name, const block_def *b)
{
	for (const attr_def *a = b->attributes; a && a->name; a++) {
		if (a->check.kind != CHECK_REGEX || !a->check.pattern)
			continue;
		for (const char *p = strchr(a->check.pattern, '{'); p; p = strchr(p + 1, '{')) {
			char *end;
			for (const char *n = p + 1; *n >= '0' && *n <= '9'; n = end + (*end == ',')) {
				if (strtol(n, &end, 10) > 255) {
					char message[256];
					snprintf(message, sizeof message, "%s.%s: pattern %s counts past 255; use max_length",
						 type_name, a->name, a->check.pattern);
					unit_fail(__FILE__, __LINE__, message);
				}
				if (*end != ',')
					break;
			}
		}
	}
	for (const nested_def *n = b->blocks; n && n->name; n++)
		check_patterns(type_name, n->block);
}

/* Whether a member or path is well formed: not empty, no empty part. */
static bool path_ok(const char *path)
{
	return !path || (*path && path[strlen(path) - 1] != '/' && *path != '/' && !strstr(path, "//"));
}

/* The problems of a resource's field table, each reported: an entry that
 * names no attribute of the schema, one of a kind the table cannot carry,
 * one that says nothing, a malformed path, an attribute listed twice. */
static int field_problems(const resource_def *r)
{
	int problems = 0;
	char message[256];
	for (const field_def *f = r->fields; f && f->attribute; f++) {
		const attr_def *a = schema_find_attribute(&r->schema, f->attribute);
		const char *why = !a ? "names no attribute of the schema"
				  : !fields_type_supported(a->type) ? "has a type the field table cannot carry"
				  : !f->create && !f->read && !f->update ? "says where AWS keeps nothing"
				  : !path_ok(f->create) || !path_ok(f->read) || !path_ok(f->update) ? "has a malformed path"
												   : NULL;
		for (const field_def *g = r->fields; !why && g < f; g++)
			if (strcmp(g->attribute, f->attribute) == 0)
				why = "is listed twice";
		if (why) {
			snprintf(message, sizeof message, "%s field %s %s", r->type_name, f->attribute, why);
			fprintf(stderr, "  %s\n", message);
			problems++;
		}
	}
	return problems;
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
		check_patterns(name, &(*r)->schema);
		CHECK((*r)->read != NULL);
		if (field_problems(*r))
			unit_fail(__FILE__, __LINE__, name);
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

/* The field check finds each kind of mistake in a table made to hold them. */
TEST(registry_field_check_finds_bad_tables)
{
	static const attr_def attributes[] = {
		{"id", &cty_string, ATTR_COMPUTED, "Id."},
		{"name", &cty_string, ATTR_REQUIRED, "Name."},
		{"tags", &cty_map_of_string, ATTR_OPTIONAL, "Tags."},
		{NULL},
	};
	static const field_def good[] = {{"name", "Name", "Name", NULL}, {"id", NULL, "Config/Name"}, {NULL}};
	static const field_def typo[] = {{"nmae", "Name", "Name"}, {NULL}};
	static const field_def map[] = {{"tags", "Tags", "Tags"}, {NULL}};
	static const field_def empty[] = {{"name", NULL, NULL, NULL}, {NULL}};
	static const field_def slashes[] = {{"name", "Config//Name", NULL}, {NULL}};
	static const field_def twice[] = {{"name", "Name"}, {"id", NULL, "Name"}, {"name", NULL, "Name"}, {NULL}};
	resource_def r = {.type_name = "wagtail_test", .schema = {.attributes = attributes}};
	const field_def *bad[] = {typo, map, empty, slashes, twice};
	r.fields = good;
	CHECK(field_problems(&r) == 0);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		r.fields = bad[i];
		CHECK(field_problems(&r) == 1);
	}
}
