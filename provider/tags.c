/* tags.c: tags and default_tags (see tags.h). */
#include "tags.h"

#include <string.h>

static const cty_value *map_get(const cty_value *map, const char *key)
{
	for (size_t i = 0; i < cty_length(map); i++)
		if (strcmp(map->u.coll.keys[i], key) == 0)
			return map->u.coll.items[i];
	return NULL;
}

void tags_plan(const call_ctx *ctx, cty_value *planned)
{
	const cty_value *defaults = ctx_default_tags(ctx);
	const cty_value *tags = cty_object_get(planned, "tags");
	cty_value *all;

	if (cty_is_unknown(tags) || cty_contains_unknown(tags)) {
		cty_object_set(planned, "tags_all", cty_unknown(&cty_map_of_string));
		return;
	}
	all = cty_collection_new(&cty_map_of_string);
	for (size_t i = 0; i < cty_length(defaults); i++)
		if (!map_get(tags, defaults->u.coll.keys[i]))
			cty_map_put(all, defaults->u.coll.keys[i], cty_value_clone(defaults->u.coll.items[i]));
	for (size_t i = 0; i < cty_length(tags); i++)
		cty_map_put(all, tags->u.coll.keys[i], cty_value_clone(tags->u.coll.items[i]));
	cty_object_set(planned, "tags_all", all);
}

void tags_read(const call_ctx *ctx, const cty_value *prior, cty_value *state, cty_value *aws_tags)
{
	const cty_value *defaults = ctx_default_tags(ctx);
	const cty_value *prior_tags = cty_object_get(prior, "tags");
	cty_value *mine = cty_collection_new(&cty_map_of_string);

	for (size_t i = 0; i < cty_length(aws_tags); i++) {
		const char *key = aws_tags->u.coll.keys[i];
		const cty_value *fallback = map_get(defaults, key);
		bool from_defaults = fallback && cty_value_equal(fallback, aws_tags->u.coll.items[i]);
		if (!from_defaults || map_get(prior_tags, key))
			cty_map_put(mine, key, cty_value_clone(aws_tags->u.coll.items[i]));
	}
	/* A user who wrote no tags has null, not {}: keep it that way. */
	if (cty_length(mine) == 0 && cty_is_null(prior_tags)) {
		cty_value_free(mine);
		mine = cty_null(&cty_map_of_string);
	}
	cty_object_set(state, "tags", mine);
	cty_object_set(state, "tags_all", aws_tags);
}

void tags_diff(const cty_value *before, const cty_value *after, cty_value **removed, cty_value **changed)
{
	*removed = cty_collection_new(&cty_map_of_string);
	*changed = cty_collection_new(&cty_map_of_string);
	for (size_t i = 0; i < cty_length(before); i++)
		if (!map_get(after, before->u.coll.keys[i]))
			cty_map_put(*removed, before->u.coll.keys[i], cty_value_clone(before->u.coll.items[i]));
	for (size_t i = 0; i < cty_length(after); i++) {
		const cty_value *was = map_get(before, after->u.coll.keys[i]);
		if (!was || !cty_value_equal(was, after->u.coll.items[i]))
			cty_map_put(*changed, after->u.coll.keys[i], cty_value_clone(after->u.coll.items[i]));
	}
}
