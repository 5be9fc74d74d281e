/* plan.h: the one planning engine every resource uses. */
#ifndef WAGTAIL_PLAN_H
#define WAGTAIL_PLAN_H

#include "resource.h"

/* Turns Terraform's proposed new state into our planned state:
 *  - an unset attribute with a default takes the default;
 *  - an unset computed attribute is unknown on create, keeps its prior value
 *    on update (Terraform proposes it), and is unknown again on an update
 *    that changes something when it is ATTR_VOLATILE;
 *  - an ATTR_REPLACE attribute or block whose planned value differs from
 *    the prior state is added to *replace;
 *  - then the resource's own plan handler, if any, adjusts the result.
 * prior is null on create; proposed is null on destroy (returned as is).
 * Returns a new value the caller owns; *replace is the caller's to free
 * with path_list_clear. */
cty_value *plan_resource(call_ctx *ctx, const resource_def *r, const cty_value *prior, const cty_value *proposed,
			 const cty_value *config, path_list *replace);

void path_list_clear(path_list *list);

#endif
