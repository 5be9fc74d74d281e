/* json_equiv.h: JSON documents compared by meaning, not by text.
 *
 * Users write policies and container definitions by hand or with
 * jsonencode/templatefile; AWS answers with its own key order, spacing and
 * defaults. Showing those differences as diffs would make every plan noisy,
 * so attributes holding JSON keep the user's text while it means what AWS
 * has. Each resource supplies a normalizer for its own rules (a policy's
 * single string versus one-element list, the defaults ECS adds); key order
 * and whitespace never matter. */
#ifndef WAGTAIL_JSON_EQUIV_H
#define WAGTAIL_JSON_EQUIV_H

#include "cty.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

/* Rewrites doc in place into a canonical form. May be NULL: no rewriting. */
typedef void (*json_normalizer)(cJSON *doc);

/* Whether two JSON texts mean the same once both are normalized. Text that
 * does not parse equals only identical text. NULL equals only NULL. */
bool json_equivalent(const char *a, const char *b, json_normalizer normalize);

/* For plan and read handlers: when attribute `name` of `next` means the
 * same as it does in `prior`, puts prior's text back into next (no diff). */
void json_keep_prior(cty_value *next, const cty_value *prior, const char *name, json_normalizer normalize);

#endif
