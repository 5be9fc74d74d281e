/* write_only.c: see write_only.h. */
#include "write_only.h"

#include <stdlib.h>
#include <string.h>

static bool is_write_only(const attr_def *a)
{
	return (a->flags & ATTR_WRITE_ONLY) != 0;
}

bool write_only_in_block(const block_def *b)
{
	for (const attr_def *a = b->attributes; a && a->name; a++)
		if (is_write_only(a))
			return true;
	for (const nested_def *n = b->blocks; n && n->name; n++)
		if (write_only_in_block(n->block))
			return true;
	return false;
}

void write_only_clear(const block_def *b, cty_value *v)
{
	if (!cty_is_known(v))
		return;
	for (const attr_def *a = b->attributes; a && a->name; a++)
		if (is_write_only(a) && !cty_is_null(cty_object_get(v, a->name)))
			cty_object_set(v, a->name, cty_null(a->type));
	for (const nested_def *n = b->blocks; n && n->name; n++) {
		cty_value *inner = cty_object_get(v, n->name);
		if (!cty_is_known(inner) || !write_only_in_block(n->block))
			continue;
		if (NEST_IS_OBJECT(n->nesting))
			write_only_clear(n->block, inner);
		else
			for (size_t i = 0; i < inner->u.coll.count; i++)
				write_only_clear(n->block, inner->u.coll.items[i]);
	}
}

/* Whether config element c of a set block is planned element p: each
 * attribute c sets, other than the write-only ones, has p's value. Nested
 * blocks are not compared: a set of blocks told apart only by their own
 * nested blocks pairs up in order. */
static bool same_element(const block_def *b, const cty_value *p, const cty_value *c)
{
	for (const attr_def *a = b->attributes; a && a->name; a++) {
		const cty_value *set = cty_object_get(c, a->name);
		if (!is_write_only(a) && !cty_is_null(set) && !cty_value_equal(set, cty_object_get(p, a->name)))
			return false;
	}
	return true;
}

static const cty_value *map_item(const cty_value *map, const char *key)
{
	for (size_t i = 0; i < map->u.coll.count; i++)
		if (strcmp(map->u.coll.keys[i], key) == 0)
			return map->u.coll.items[i];
	return NULL;
}

static void merge_set(const block_def *b, cty_value *planned, const cty_value *config)
{
	bool *used = calloc(config->u.coll.count + 1, sizeof *used);
	if (!used)
		abort();
	for (size_t i = 0; i < planned->u.coll.count; i++)
		for (size_t j = 0; j < config->u.coll.count; j++) {
			if (used[j] || !same_element(b, planned->u.coll.items[i], config->u.coll.items[j]))
				continue;
			used[j] = true;
			write_only_merge(b, planned->u.coll.items[i], config->u.coll.items[j]);
			break;
		}
	free(used);
}

void write_only_merge(const block_def *b, cty_value *planned, const cty_value *config)
{
	if (!cty_is_known(planned) || !cty_is_known(config))
		return;
	for (const attr_def *a = b->attributes; a && a->name; a++) {
		const cty_value *value = cty_object_get(config, a->name);
		if (is_write_only(a) && value)
			cty_object_set(planned, a->name, cty_value_clone(value));
	}
	for (const nested_def *n = b->blocks; n && n->name; n++) {
		cty_value *will = cty_object_get(planned, n->name);
		const cty_value *set = cty_object_get(config, n->name);
		if (!cty_is_known(will) || !cty_is_known(set) || !write_only_in_block(n->block))
			continue;
		if (NEST_IS_OBJECT(n->nesting)) {
			write_only_merge(n->block, will, set);
		} else if (n->nesting == NEST_LIST) {
			for (size_t i = 0; i < will->u.coll.count && i < set->u.coll.count; i++)
				write_only_merge(n->block, will->u.coll.items[i], set->u.coll.items[i]);
		} else if (n->nesting == NEST_MAP) {
			for (size_t i = 0; i < will->u.coll.count; i++)
				write_only_merge(n->block, will->u.coll.items[i], map_item(set, will->u.coll.keys[i]));
		} else {
			merge_set(n->block, will, set);
		}
	}
}

/* pinned: path is a set block's, whose elements no path step can name, so
 * the errors inside it point at the block itself. */
static void check_block(const block_def *b, const cty_value *config, diag_path path, bool pinned,
			diag_list *diags)
{
	if (!cty_is_known(config))
		return;
	for (const attr_def *a = b->attributes; a && a->name; a++) {
		if (!is_write_only(a) || cty_is_null(cty_object_get(config, a->name)))
			continue;
		diag_path at = pinned ? path : diag_path_attr(path, a->name);
		diag_add(diags, DIAG_ERROR, &at, "Write-only attribute needs a newer CLI",
			 "%s is write-only: its value must never be stored in the state or a plan, and only "
			 "Terraform 1.11 or later and OpenTofu 1.11 or later can keep it out. This CLI did not "
			 "say it can (it sent no write_only_attributes_allowed), so it would store the value. "
			 "Upgrade the CLI, or leave %s unset.",
			 a->name, a->name);
	}
	for (const nested_def *n = b->blocks; n && n->name; n++) {
		const cty_value *inner = cty_object_get(config, n->name);
		diag_path at = pinned ? path : diag_path_attr(path, n->name);
		if (!cty_is_known(inner) || !write_only_in_block(n->block))
			continue;
		if (NEST_IS_OBJECT(n->nesting)) {
			check_block(n->block, inner, at, pinned, diags);
			continue;
		}
		for (size_t i = 0; i < inner->u.coll.count; i++) {
			bool in_set = pinned || n->nesting == NEST_SET;
			diag_path item = in_set			 ? at
					 : n->nesting == NEST_LIST ? diag_path_index(at, (long)i)
								   : diag_path_key(at, inner->u.coll.keys[i]);
			check_block(n->block, inner->u.coll.items[i], item, in_set, diags);
		}
	}
}

void write_only_check_allowed(const block_def *b, const cty_value *config, bool allowed, diag_list *diags)
{
	if (!allowed)
		check_block(b, config, diag_root(), false, diags);
}
