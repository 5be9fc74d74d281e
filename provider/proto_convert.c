/* proto_convert.c: see proto_convert.h. */
#include "proto_convert.h"

#include "cty_codec.h"
#include "schema.h"

#include <stdlib.h>
#include <string.h>

static Tfplugin6__Schema__Attribute *proto_attribute(arena *a, const attr_def *def)
{
	Tfplugin6__Schema__Attribute *attr = arena_alloc(a, sizeof *attr);
	tfplugin6__schema__attribute__init(attr);
	attr->name = (char *)def->name;
	attr->type.data = arena_adopt(a, cty_type_to_json(def->type));
	attr->type.len = strlen((char *)attr->type.data);
	attr->description = (char *)(def->description ? def->description : "");
	attr->required = (def->flags & ATTR_REQUIRED) != 0;
	attr->optional = (def->flags & ATTR_OPTIONAL) != 0 || def->default_json;
	attr->computed = (def->flags & ATTR_COMPUTED) != 0 || def->default_json;
	/* A write-only value is null in every state and plan the provider
	 * answers, so a sensitive mark on it guards nothing; the CLI would
	 * still record the mark in the state (sensitive_attributes), and a
	 * state written before the attribute existed lacks it: the CLI plans
	 * such a change of marks alone as an update in place (plan
	 * -refresh=false of a 0.1.0 state). The provider itself keeps
	 * treating the value as secret (ATTR_SENSITIVE: never logged). */
	attr->sensitive = (def->flags & ATTR_SENSITIVE) != 0 && !(def->flags & ATTR_WRITE_ONLY);
	attr->write_only = (def->flags & ATTR_WRITE_ONLY) != 0;
	return attr;
}

static Tfplugin6__Schema__Block *proto_block(arena *a, const resource_def *r, const block_def *b);

static Tfplugin6__Schema__NestedBlock *proto_nested(arena *a, const resource_def *r, const nested_def *n)
{
	Tfplugin6__Schema__NestedBlock *nb = arena_alloc(a, sizeof *nb);
	tfplugin6__schema__nested_block__init(nb);
	nb->type_name = (char *)n->name;
	nb->block = proto_block(a, r, n->block);
	nb->nesting = (Tfplugin6__Schema__NestedBlock__NestingMode)n->nesting;
	nb->min_items = n->min_items;
	nb->max_items = n->max_items;
	return nb;
}

static Tfplugin6__Schema__Block *proto_block(arena *a, const resource_def *r, const block_def *b)
{
	Tfplugin6__Schema__Block *block = arena_alloc(a, sizeof *block);
	size_t attrs = 0, blocks = 0;
	bool add_timeouts = b == &r->schema && r->timeouts;

	tfplugin6__schema__block__init(block);
	for (const attr_def *d = b->attributes; d && d->name; d++)
		attrs++;
	for (const nested_def *n = b->blocks; n && n->name; n++)
		blocks++;
	block->attributes = arena_alloc(a, attrs * sizeof *block->attributes);
	block->block_types = arena_alloc(a, (blocks + 1) * sizeof *block->block_types);
	for (const attr_def *d = b->attributes; d && d->name; d++)
		block->attributes[block->n_attributes++] = proto_attribute(a, d);
	for (const nested_def *n = b->blocks; n && n->name; n++)
		block->block_types[block->n_block_types++] = proto_nested(a, r, n);
	if (add_timeouts)
		block->block_types[block->n_block_types++] = proto_nested(a, r, &schema_timeouts_nested);
	block->description = (char *)(b->description ? b->description : "");
	if (b == &r->schema)
		block->version = r->schema_version;
	return block;
}

Tfplugin6__Schema *proto_schema(arena *a, const resource_def *r)
{
	Tfplugin6__Schema *schema = arena_alloc(a, sizeof *schema);
	tfplugin6__schema__init(schema);
	schema->version = r->schema_version;
	schema->block = proto_block(a, r, &r->schema);
	return schema;
}

static Tfplugin6__AttributePath *proto_path(arena *a, const diag_path *path)
{
	Tfplugin6__AttributePath *p = arena_alloc(a, sizeof *p);
	tfplugin6__attribute_path__init(p);
	p->steps = arena_alloc(a, path->depth * sizeof *p->steps);
	for (size_t i = 0; i < path->depth; i++) {
		const diag_step *s = &path->steps[i];
		Tfplugin6__AttributePath__Step *step = arena_alloc(a, sizeof *step);
		tfplugin6__attribute_path__step__init(step);
		if (s->kind == PATH_ATTRIBUTE) {
			step->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME;
			step->attribute_name = arena_strdup(a, s->name);
		} else if (s->kind == PATH_KEY) {
			step->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING;
			step->element_key_string = arena_strdup(a, s->name);
		} else {
			step->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT;
			step->element_key_int = s->index;
		}
		p->steps[p->n_steps++] = step;
	}
	return p;
}

Tfplugin6__AttributePath **proto_paths(arena *a, const path_list *paths, size_t *count)
{
	Tfplugin6__AttributePath **out = arena_alloc(a, paths->count * sizeof *out);
	for (size_t i = 0; i < paths->count; i++)
		out[i] = proto_path(a, &paths->paths[i]);
	*count = paths->count;
	return out;
}

Tfplugin6__Diagnostic **proto_diagnostics(arena *a, const diag_list *diags, size_t *count)
{
	Tfplugin6__Diagnostic **out = arena_alloc(a, diags->count * sizeof *out);
	for (size_t i = 0; i < diags->count; i++) {
		const diag *d = &diags->items[i];
		Tfplugin6__Diagnostic *pd = arena_alloc(a, sizeof *pd);
		tfplugin6__diagnostic__init(pd);
		pd->severity = d->severity == DIAG_ERROR ? TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR
							 : TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING;
		pd->summary = arena_strdup(a, d->summary);
		pd->detail = arena_strdup(a, d->detail ? d->detail : "");
		if (d->has_path && d->path.depth > 0)
			pd->attribute = proto_path(a, &d->path);
		out[i] = pd;
	}
	*count = diags->count;
	return out;
}

cty_value *proto_value_decode(const Tfplugin6__DynamicValue *dv, const cty_type *t, const char *what,
			      diag_list *diags)
{
	char *error = NULL;
	cty_value *v;
	if (!dv)
		return cty_null(t);
	if (dv->msgpack.len > 0 || dv->json.len == 0)
		v = cty_msgpack_decode(dv->msgpack.data, dv->msgpack.len, t, &error);
	else
		v = cty_json_decode((const char *)dv->json.data, dv->json.len, t, &error);
	if (!v)
		diag_add(diags, DIAG_ERROR, NULL, "Malformed value from Terraform", "Could not decode %s: %s.", what,
			 error ? error : "unknown error");
	free(error);
	return v;
}

Tfplugin6__DynamicValue *proto_value_encode(arena *a, const cty_value *v, const cty_type *t)
{
	Tfplugin6__DynamicValue *dv = arena_alloc(a, sizeof *dv);
	tfplugin6__dynamic_value__init(dv);
	cty_msgpack_encode(v, t, &dv->msgpack.data, &dv->msgpack.len);
	arena_adopt(a, dv->msgpack.data);
	return dv;
}
