/* schema.c: the cty object types of resource schemas, derived once at start
 * from the static tables in resources/, plus the `timeouts` block that
 * resources with timeouts get. */
#include "schema.h"

#include "ephemeral.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const attr_def timeout_attributes[] = {
	{"create", &cty_string, ATTR_OPTIONAL, "How long to wait for creation, e.g. \"30m\"."},
	{"delete", &cty_string, ATTR_OPTIONAL, "How long to wait for deletion."},
	{"read", &cty_string, ATTR_OPTIONAL, "How long to wait for a read."},
	{"update", &cty_string, ATTR_OPTIONAL, "How long to wait for an update."},
	{NULL},
};

const block_def schema_timeouts_block = {
	.attributes = timeout_attributes,
	.description = "Limits on how long each operation may take.",
};

const nested_def schema_timeouts_nested = {"timeouts", NEST_SINGLE, &schema_timeouts_block};

static int compare_fields(const void *a, const void *b)
{
	return strcmp(((const cty_field *)a)->name, ((const cty_field *)b)->name);
}

static cty_type *nested_type(const nested_def *n);

static size_t count_entries(const block_def *b)
{
	size_t n = 0;
	for (const attr_def *a = b->attributes; a && a->name; a++)
		n++;
	for (const nested_def *nd = b->blocks; nd && nd->name; nd++)
		n++;
	return n;
}

/* Builds a heap object type; with_timeouts adds the timeouts block. */
static cty_type *block_type(const block_def *b, bool with_timeouts)
{
	size_t n = count_entries(b) + (with_timeouts ? 1 : 0), i = 0;
	cty_type *t = calloc(1, sizeof *t);
	cty_field *fields = calloc(n ? n : 1, sizeof *fields);
	if (!t || !fields)
		abort();
	for (const attr_def *a = b->attributes; a && a->name; a++)
		fields[i++] = (cty_field){a->name, a->type};
	for (const nested_def *nd = b->blocks; nd && nd->name; nd++)
		fields[i++] = (cty_field){nd->name, nested_type(nd)};
	if (with_timeouts)
		fields[i++] = (cty_field){schema_timeouts_nested.name, nested_type(&schema_timeouts_nested)};
	qsort(fields, n, sizeof *fields, compare_fields);
	t->kind = CTY_OBJECT;
	t->field_count = n;
	t->fields = fields;
	return t;
}

static cty_type *nested_type(const nested_def *n)
{
	cty_type *object = block_type(n->block, false);
	if (NEST_IS_OBJECT(n->nesting))
		return object;
	cty_type *t = calloc(1, sizeof *t);
	if (!t)
		abort();
	t->kind = n->nesting == NEST_LIST ? CTY_LIST : n->nesting == NEST_SET ? CTY_SET : CTY_MAP;
	t->elem = object;
	return t;
}

/* Types are freed field by field: unlike wire-parsed types, their names are
 * borrowed from the static tables and primitive types are singletons. */
static void schema_type_free(cty_type *t)
{
	if (!t || t->kind <= CTY_DYNAMIC)
		return;
	if (t->elem && t->elem->kind == CTY_OBJECT)
		schema_type_free((cty_type *)t->elem);
	for (size_t i = 0; i < t->field_count; i++) {
		const cty_type *ft = t->fields[i].type;
		bool ours = ft->kind == CTY_OBJECT || (cty_type_is_collection(ft) && ft->elem->kind == CTY_OBJECT);
		if (ours)
			schema_type_free((cty_type *)ft);
	}
	free((cty_field *)t->fields);
	free(t);
}

static struct {
	const resource_def *def;
	cty_type *type;
} *types;
static size_t type_count;

static pthread_mutex_t types_lock = PTHREAD_MUTEX_INITIALIZER;

static const cty_type *add_type(const resource_def *r)
{
	types = realloc(types, (type_count + 1) * sizeof *types);
	if (!types)
		abort();
	types[type_count].def = r;
	types[type_count].type = block_type(&r->schema, r->timeouts != NULL);
	return types[type_count++].type;
}

static void add_types(const resource_def *const *defs)
{
	for (; *defs; defs++)
		add_type(*defs);
}

void schema_init(void)
{
	add_types(registry_resources);
	add_types(registry_data_sources);
	add_types((const resource_def *const[]){&provider_config_def, NULL});
	/* Looked up rather than added: some share a resource's or data source's table. */
	for (const ephemeral_def *const *e = registry_ephemerals; *e; e++)
		resource_state_type((*e)->shape);
}

void schema_shutdown(void)
{
	for (size_t i = 0; i < type_count; i++)
		schema_type_free(types[i].type);
	free(types);
	types = NULL;
	type_count = 0;
}

/* Registered tables are typed by schema_init, before any thread runs; a
 * table met for the first time later (a unit test's) is typed on demand. */
const cty_type *resource_state_type(const resource_def *r)
{
	const cty_type *found = NULL;
	pthread_mutex_lock(&types_lock);
	for (size_t i = 0; i < type_count && !found; i++)
		if (types[i].def == r)
			found = types[i].type;
	if (!found)
		found = add_type(r);
	pthread_mutex_unlock(&types_lock);
	return found;
}

static const resource_def *find(const resource_def *const *defs, const char *type_name)
{
	for (; *defs; defs++)
		if (strcmp((*defs)->type_name, type_name) == 0)
			return *defs;
	return NULL;
}

const resource_def *schema_find_resource(const char *type_name)
{
	return find(registry_resources, type_name);
}

const resource_def *schema_find_data_source(const char *type_name)
{
	return find(registry_data_sources, type_name);
}

const attr_def *schema_find_attribute(const block_def *b, const char *name)
{
	for (const attr_def *a = b->attributes; a && a->name; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

const nested_def *schema_find_block(const resource_def *r, const block_def *b, const char *name)
{
	for (const nested_def *nd = b->blocks; nd && nd->name; nd++)
		if (strcmp(nd->name, name) == 0)
			return nd;
	if (b == &r->schema && r->timeouts && strcmp(name, schema_timeouts_nested.name) == 0)
		return &schema_timeouts_nested;
	return NULL;
}
