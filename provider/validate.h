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

/* Parses a Go-style duration ("30m", "1h30m", "45s", "1.5h") into seconds. */
bool validate_duration(const char *text, double *seconds);

#endif
