/* aws_calls.h: AWS calls as resource handlers make them. The AWS client,
 * the deadline and the reporting of errors come from the call_ctx, so a
 * handler names only the service, the action and the request. */
#ifndef WAGTAIL_AWS_CALLS_H
#define WAGTAIL_AWS_CALLS_H

#include "client.h"
#include "resource.h"

/* With err NULL a failure is reported to ctx->diags; with err given the
 * caller decides (to treat a NotFound as "gone", say) and must clear it. */
cJSON *ctx_json_call(call_ctx *ctx, const aws_service *svc, const char *action, const cJSON *request,
		     aws_error *err);
xmlDoc *ctx_query_call(call_ctx *ctx, const aws_service *svc, const char *action, const aws_param *params,
		       size_t count, aws_error *err);

/* Query API parameters built up by a handler; names and values are copied. */
typedef struct {
	aws_param *items;
	size_t count;
} query_params;

void query_add(query_params *q, const char *name, const char *value);
/* Adds name (printf-formatted, e.g. "Tags.Tag.%zu.Key") = value. */
void query_addf(query_params *q, const char *value, const char *name_format, ...)
	__attribute__((format(printf, 3, 4)));
void query_free(query_params *q);
/* ctx_query_call with a query_params. */
xmlDoc *ctx_query(call_ctx *ctx, const aws_service *svc, const char *action, const query_params *q, aws_error *err);

/* Reading Query answers: the texts of the `item` children of the first
 * `container` element at or below node, as a list(string) (empty when
 * absent). */
cty_value *xml_text_list(xmlNode *node, const char *container, const char *item);
/* A text as a cty string, null when absent. */
cty_value *xml_string_value(xmlNode *node, const char *path);
/* Query-protocol tags below node: <container><member-or-Tag><Key/><Value/>...
 * as a map(string) the caller owns (empty when there are none). */
cty_value *xml_tags(xmlNode *node, const char *container);

/* Current credentials, for signing outside an AWS call (RDS auth tokens):
 * 0, or -1 with an error in ctx->diags. Free with aws_credentials_clear. */
int ctx_credentials(call_ctx *ctx, aws_credentials *out);

/* Reading JSON answers into values: a string member as a cty string, or
 * null when absent. */
cty_value *json_string_value(const cJSON *object, const char *member);

/* AWS tag lists <-> map(string). Services spell the members differently
 * ("key"/"value" in ECS, "Key"/"Value" elsewhere). */
cJSON *tags_to_json(const cty_value *map, const char *key_member, const char *value_member);
cty_value *tags_from_json(const cJSON *list, const char *key_member, const char *value_member);



/* Sends a JSON request (consumed) and discards the answer; false when it
 * failed (reported to ctx->diags). */
bool ctx_json_send(call_ctx *ctx, const aws_service *svc, const char *action, cJSON *request);

/* Sends a delete request (consumed). True when the resource is gone,
 * including when AWS answers not_found_code; otherwise false (reported). */
bool ctx_json_delete(call_ctx *ctx, const aws_service *svc, const char *action, cJSON *request,
		     const char *not_found_code);

/* What a create call that failed (err, not yet reported) left in AWS. When
 * no attempt can have taken effect (err->maybe_applied false), nothing.
 * Otherwise the resource is read back as `planned` with `id` (NULL: keep
 * planned's, for a read that goes by other attributes):
 *   CREATE_MADE     it exists, and the call's last answer was already_exists
 *                   (may be NULL): a retry met what the lost attempt had
 *                   made. The create carries on; err is dropped, and the
 *                   adoption logged.
 *   CREATE_PARTIAL  it exists, or the read failed (reported): err is
 *                   reported and the create returns what it has, which
 *                   Terraform keeps in the state, tainted.
 *   CREATE_NONE     it does not exist: err is reported.
 * err is cleared. */
typedef enum { CREATE_NONE, CREATE_PARTIAL, CREATE_MADE } create_outcome;
create_outcome ctx_create_outcome(call_ctx *ctx, const resource_def *r, const cty_value *planned, const char *id,
				  aws_error *err, const char *already_exists);

/* How a JSON service tags: its two actions and member names. */
typedef struct {
	const char *tag_action, *untag_action; /* "TagResource", "UntagResource" */
	const char *tags_member, *keys_member; /* "tags", "tagKeys" */
	const char *key_member, *value_member; /* "key", "value" */
} json_tag_api;

/* Brings AWS's tags from `before` to `after` (maps) with at most one untag
 * and one tag call. target holds the members naming the resource (copied
 * into each request). False when a call failed (reported). */
bool ctx_json_update_tags(call_ctx *ctx, const aws_service *svc, const json_tag_api *api, const cJSON *target,
			  const cty_value *before, const cty_value *after);
#endif
