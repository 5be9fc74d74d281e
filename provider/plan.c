/* plan.c: the schema-driven planning engine (see plan.h for the rules). */
#include "plan.h"

#include "cty_codec.h"
#include "schema.h"
#include "tags.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	const resource_def *r;
	bool creating;
	path_list *replace;
} planner;

static void replace_add(path_list *list, diag_path path)
{
	list->paths = realloc(list->paths, (list->count + 1) * sizeof *list->paths);
	if (!list->paths)
		abort();
	list->paths[list->count++] = path;
}

void plan_require_replace(path_list *replace, const char *attribute)
{
	if (replace)
		replace_add(replace, diag_path_attr(diag_root(), attribute));
}

void path_list_clear(path_list *list)
{
	free(list->paths);
	list->paths = NULL;
	list->count = 0;
}

static cty_value *default_value(const attr_def *a)
{
	char *error = NULL;
	cty_value *v = cty_json_decode(a->default_json, strlen(a->default_json), a->type, &error);
	free(error); /* defaults are ours and covered by unit tests */
	return v ? v : cty_null(a->type);
}

static void plan_block(const planner *p, const block_def *b, const cty_value *prior, const cty_value *config,
		       cty_value *planned, diag_path path);

static void plan_attribute(const planner *p, const attr_def *a, const cty_value *prior, const cty_value *config,
			   cty_value *planned, diag_path path)
{
	const cty_value *set = cty_object_get(config, a->name);
	if (cty_is_null(set)) {
		if (a->default_json)
			cty_object_set(planned, a->name, default_value(a));
		else if ((a->flags & ATTR_COMPUTED) && p->creating)
			cty_object_set(planned, a->name, cty_unknown(a->type));
	}
	if (!p->creating && (a->flags & ATTR_REPLACE) &&
	    !cty_value_equal(cty_object_get(prior, a->name), cty_object_get(planned, a->name)))
		replace_add(p->replace, diag_path_attr(path, a->name));
}

static void plan_nested(const planner *p, const nested_def *n, const cty_value *prior, const cty_value *config,
			cty_value *planned, diag_path path)
{
	const cty_value *was = cty_object_get(prior, n->name);
	const cty_value *set = cty_object_get(config, n->name);
	cty_value *will = cty_object_get(planned, n->name);
	diag_path at = diag_path_attr(path, n->name);

	if (!p->creating && (n->flags & ATTR_REPLACE) && !cty_value_equal(was, will))
		replace_add(p->replace, at);
	if (!cty_is_known(will) || n->block == &schema_timeouts_block)
		return;
	if (NEST_IS_OBJECT(n->nesting)) {
		plan_block(p, n->block, was, set, will, at);
		return;
	}
	/* List blocks pair up by index; set and map blocks by position in
	 * config, which is how Terraform proposes them. */
	for (size_t i = 0; i < will->u.coll.count; i++)
		plan_block(p, n->block, n->nesting == NEST_LIST ? cty_index(was, i) : NULL, cty_index(set, i),
			   will->u.coll.items[i], n->nesting == NEST_LIST ? diag_path_index(at, (long)i) : at);
}

static void plan_block(const planner *p, const block_def *b, const cty_value *prior, const cty_value *config,
		       cty_value *planned, diag_path path)
{
	for (const attr_def *a = b->attributes; a && a->name; a++)
		plan_attribute(p, a, prior, config, planned, path);
	for (const nested_def *n = b->blocks; n && n->name; n++)
		plan_nested(p, n, prior, config, planned, path);
}

static void mark_volatile_unknown(const block_def *b, cty_value *planned)
{
	for (const attr_def *a = b->attributes; a && a->name; a++)
		if (a->flags & ATTR_VOLATILE)
			cty_object_set(planned, a->name, cty_unknown(a->type));
}

cty_value *plan_resource(call_ctx *ctx, const resource_def *r, const cty_value *prior, const cty_value *proposed,
			 const cty_value *config, path_list *replace)
{
	planner p = {.r = r, .creating = cty_is_null(prior), .replace = replace};
	cty_value *planned = cty_value_clone(proposed);

	if (cty_is_null(proposed))
		return planned; /* destroy: nothing to plan */
	plan_block(&p, &r->schema, prior, config, planned, diag_root());
	if (schema_find_attribute(&r->schema, "tags_all"))
		tags_plan(ctx, planned);
	if (!p.creating && !cty_value_equal(prior, planned))
		mark_volatile_unknown(&r->schema, planned);
	if (r->plan)
		r->plan(ctx, prior, config, planned, replace);
	return planned;
}
