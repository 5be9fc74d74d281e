/* tags.h: AWS tags with the provider's default_tags, as AWS provider users
 * know them. A taggable resource puts TAG_ATTRIBUTES in its schema:
 *   tags      what the user wrote
 *   tags_all  tags merged over default_tags: what AWS holds (computed)
 * The planner fills tags_all; handlers send tags_all and, on read, hand
 * AWS's tags to tags_read so that default tags never show as a diff. */
#ifndef WAGTAIL_TAGS_H
#define WAGTAIL_TAGS_H

#include "resource.h"

#define TAG_ATTRIBUTES                                                                                        \
	{"tags", &cty_map_of_string, ATTR_OPTIONAL, "Tags for the resource."},                                  \
	{"tags_all", &cty_map_of_string, ATTR_COMPUTED,                                                         \
	 "The resource's tags together with the provider's default_tags."}

/* Planner step: sets planned.tags_all to default_tags merged under tags. */
void tags_plan(const call_ctx *ctx, cty_value *planned);

/* Sets state.tags_all to aws_tags (adopted) and state.tags to those of them
 * the user manages: all but default tags, unless prior tags named them. */
void tags_read(const call_ctx *ctx, const cty_value *prior, cty_value *state, cty_value *aws_tags);

/* Keys of `before` that `after` lacks, and entries of `after` that are new
 * or changed: what TagResource and UntagResource must do on update. Both
 * results are new maps the caller frees. */
void tags_diff(const cty_value *before, const cty_value *after, cty_value **removed, cty_value **changed);

#endif
