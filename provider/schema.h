/* schema.h: lookups over the registered resource tables and the cty types
 * derived from them. schema_init() runs once before serving. */
#ifndef WAGTAIL_SCHEMA_H
#define WAGTAIL_SCHEMA_H

#include "resource.h"

/* The provider's own configuration block, as a data-source-like table. */
extern const resource_def provider_config_def;
/* The `timeouts` block added to resources that declare timeouts. */
extern const block_def schema_timeouts_block;
extern const nested_def schema_timeouts_nested;

void schema_init(void);
void schema_shutdown(void);

const resource_def *schema_find_resource(const char *type_name);
const resource_def *schema_find_data_source(const char *type_name);
const attr_def *schema_find_attribute(const block_def *b, const char *name);
/* A nested block of b by name; for r's top block this includes `timeouts`. */
const nested_def *schema_find_block(const resource_def *r, const block_def *b, const char *name);

#endif
