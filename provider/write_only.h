/* write_only.h: write-only attributes (resource.h, ATTR_WRITE_ONLY) as the
 * protocol defines them. The user's value travels in the config only: the
 * provider answers null for it in every state and plan it returns, so it is
 * never stored and never planned as a change, and it hands the config's
 * value to create and update. A client announces that it can do this
 * (ClientCapabilities.write_only_attributes_allowed, at
 * ValidateResourceConfig); one that does not would store the value, so a
 * config that sets one is refused there. */
#ifndef WAGTAIL_WRITE_ONLY_H
#define WAGTAIL_WRITE_ONLY_H

#include "resource.h"

/* Whether b or any block nested in it has a write-only attribute. */
bool write_only_in_block(const block_def *b);

/* Sets every write-only attribute of v (an object of b's type), nested
 * blocks included, to null, in place. */
void write_only_clear(const block_def *b, cty_value *v);

/* Copies the write-only values of config into planned (both of b's type),
 * in place: what create and update read. Nested blocks pair up as the
 * engine plans them: single ones directly, lists by index, maps by key, and
 * sets by content (the config element whose other attributes that it sets
 * equal the planned element's; the write-only ones are null in the plan, so
 * a set's order there is not the config's). */
void write_only_merge(const block_def *b, cty_value *planned, const cty_value *config);

/* When the client does not allow write-only attributes: an error for each
 * one config sets (unknown counts as set), at its attribute path, naming
 * the CLI versions that keep them out of state. */
void write_only_check_allowed(const block_def *b, const cty_value *config, bool allowed, diag_list *diags);

#endif
