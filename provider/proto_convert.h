/* proto_convert.h: between our model (schemas, diagnostics, cty values) and
 * the generated tfplugin6 protobuf-c messages. Everything built here lives
 * in the caller's arena. */
#ifndef WAGTAIL_PROTO_CONVERT_H
#define WAGTAIL_PROTO_CONVERT_H

#include "arena.h"
#include "plan.h"
#include "resource.h"
#include "tfplugin6.pb-c.h"

Tfplugin6__Schema *proto_schema(arena *a, const resource_def *r);
Tfplugin6__Diagnostic **proto_diagnostics(arena *a, const diag_list *diags, size_t *count);
Tfplugin6__AttributePath **proto_paths(arena *a, const path_list *paths, size_t *count);

/* Decodes a DynamicValue (msgpack, else JSON; absent = null) as type t.
 * On failure adds an error naming `what` and returns NULL. */
cty_value *proto_value_decode(const Tfplugin6__DynamicValue *dv, const cty_type *t, const char *what,
			      diag_list *diags);
/* Encodes v as a msgpack DynamicValue in the arena. */
Tfplugin6__DynamicValue *proto_value_encode(arena *a, const cty_value *v, const cty_type *t);

#endif
