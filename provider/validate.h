/* validate.h: the per-attribute checks of a schema (resource.h attr_check),
 * run over a config, and the duration strings of `timeouts` blocks. */
#ifndef WAGTAIL_VALIDATE_H
#define WAGTAIL_VALIDATE_H

#include "resource.h"

/* Runs every check of r's schema over config. Unknown and null values are
 * skipped (checked again at apply). Errors carry the attribute path. */
void validate_config(const resource_def *r, const cty_value *config, diag_list *diags);

/* Checks one string against one check; on failure returns false and writes
 * a sentence describing the problem into why. Exposed for unit tests. */
bool validate_string(const attr_check *check, const char *value, char *why, size_t why_size);

/* Exactly one of names (NULL-terminated attributes of o, a config or the
 * nested block at base) must be set: known, not null, and true for a bool.
 * Two set: conflict_summary on the second, naming both and every choice;
 * none set and none unknown: missing_summary with missing_detail on the
 * first. Unknown values are not judged: at validate a module's input, or a
 * value computed at apply, is unknown, and may turn out null. */
void validate_exactly_one(const cty_value *o, const char *const *names, diag_path base, const char *conflict_summary,
			  const char *missing_summary, const char *missing_detail, diag_list *diags);

/* Parses a Go-style duration ("30m", "1h30m", "45s", "1.5h") into seconds. */
bool validate_duration(const char *text, double *seconds);

#endif
