/* aws_calls.h: AWS calls as resource handlers make them. The AWS client,
 * the deadline and the reporting of errors come from the call_ctx, so a
 * handler names only the service, the action and the request.
 *
 * What an error answer means (the thing is gone, or refused for now) a
 * resource declares as aws_rules near the top of its file and hands to
 * the call; it does not test error codes after the call.
 *
 * Ownership: a function whose name ends in _take frees the argument it
 * takes (a request, query_params); every other one only borrows its
 * arguments, and what it returns is the caller's to free. */
#ifndef WAGTAIL_AWS_CALLS_H
#define WAGTAIL_AWS_CALLS_H

#include "client.h"
#include "resource.h"
#include "waiter.h"

/* One attempt, no rules. With err NULL a failure is reported to
 * ctx->diags; with err given the caller decides (what a failed create may
 * have left, see ctx_create_outcome) and must report or clear it. */
cJSON *ctx_json_call(call_ctx *ctx, const aws_service *svc, const char *action, const cJSON *request,
		     aws_error *err);
xmlDoc *ctx_query_call(call_ctx *ctx, const aws_service *svc, const char *action, const aws_param *params,
		       size_t count, aws_error *err);

/* ---- what AWS's error answers mean, declared per resource ---- */

/* An AWS error answer: its code and, where AWS gives one code several
 * meanings, a part of its message (NULL: any). For a refusal that passes
 * with time, `seconds` bounds how long it is retried (0: until the call's
 * deadline, or 20 minutes for a call without one): IAM propagation takes seconds, so a role still refused after
 * two minutes is a wrong role, not a slow one. Lists end with {NULL}. */
typedef struct {
	const char *code;
	const char *message;
	double seconds;
} aws_match;

/* The entry of list that err matches, or NULL. */
const aws_match *aws_error_match(const aws_error *err, const aws_match *list);

/* What a call's error answers mean. */
typedef struct {
	const aws_match *gone;   /* the thing does not exist (any more) */
	const aws_match *exists; /* a create met one of that name that exists already */
	const aws_match *retry;  /* refused for now: retried with backoff */
} aws_rules;

typedef enum { AWS_FAILED, AWS_DONE, AWS_GONE, AWS_EXISTS } aws_outcome;

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
/* Adds param = attribute `name` of o, when it is known: a string or a
 * number as its text, a bool as "true" or "false". */
void query_add_attribute(query_params *q, const char *param, const cty_value *o, const char *name);
/* Adds each known string of list under name_format with its index from 1,
 * e.g. "SubnetIds.SubnetIdentifier.%zu". */
void query_add_strings(query_params *q, const char *name_format, const cty_value *list);
/* ctx_query_call with a query_params. */
xmlDoc *ctx_query(call_ctx *ctx, const aws_service *svc, const char *action, const query_params *q, aws_error *err);

/* A call under rules. Refusals in rules->retry are retried (first after
 * 1 s, doubling up to 10 s) within their time and the call's deadline;
 * an answer in rules->gone is AWS_GONE; one in rules->exists is AWS_EXISTS,
 * with the error left in *err when err is given (whether an attempt whose
 * answer was lost made it: err->maybe_applied), for the caller to clear;
 * success is AWS_DONE with the answer
 * in *answer for the caller to free (answer NULL: discarded). Any other
 * failure is AWS_FAILED, reported to ctx->diags, or, when err is given,
 * left in *err for the caller to report or clear. q and request are
 * borrowed. rules may be NULL. */
aws_outcome ctx_query_as(call_ctx *ctx, const aws_service *svc, const char *action, const query_params *q,
			 const aws_rules *rules, xmlDoc **answer, aws_error *err);
aws_outcome ctx_json_as(call_ctx *ctx, const aws_service *svc, const char *action, const cJSON *request,
			const aws_rules *rules, cJSON **answer, aws_error *err);
/* The same for REST-JSON (Lambda), where the action is the HTTP method and
 * the path (already encoded, "/2015-03-31/functions/NAME"); body may be
 * NULL (GET, DELETE). An empty answer (Lambda's 204 to a DELETE) is an
 * empty object. */
aws_outcome ctx_rest_json_as(call_ctx *ctx, const aws_service *svc, const char *method, const char *path,
			     const cJSON *body, const aws_rules *rules, cJSON **answer, aws_error *err);

/* Calls AWS answers in pages. AWS may answer any page with fewer items
 * than asked for, an empty first page included, and a token for the next:
 * these send the call again with each token (bounded: 1000 pages) and
 * gather the items of every page into the first answer.
 *   Query (RDS, IAM): the token is the answer's Marker (IAM also says
 *   IsTruncated); the items are the children of the `list` element.
 *   JSON: the token member is `token` ("nextToken", "NextToken") both
 *   ways; the items are the `list` array. */
aws_outcome ctx_query_all(call_ctx *ctx, const aws_service *svc, const char *action, const query_params *q,
			  const aws_rules *rules, const char *list, xmlDoc **answer);
aws_outcome ctx_json_all(call_ctx *ctx, const aws_service *svc, const char *action, const cJSON *request,
			 const aws_rules *rules, const char *list, const char *token, cJSON **answer);

/* Reading Query answers: the texts of the `item` children of the first
 * `container` element at or below node, as a list(string) (empty when
 * absent). */
cty_value *xml_text_list(xmlNode *node, const char *container, const char *item);
/* The text of the element reached from node by a '/'-separated path of
 * direct children ("MasterUserSecret/KmsKeyId" never matches the
 * cluster's own KmsKeyId, as a depth-first search could); malloc'd, or
 * NULL when absent. */
char *xml_child_text(xmlNode *node, const char *path);
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
/* The strings of a JSON array as a set(string) (empty when absent). */
cty_value *json_string_set(const cJSON *list);
/* The first object of a JSON array whose string `member` is `value`, or
 * NULL: a listing by prefix may hold others. */
const cJSON *json_find_by(const cJSON *list, const char *member, const char *value);

/* A request {member: value}: most calls name the one thing they act on. */
cJSON *json_request(const char *member, const char *value);
/* Adds member = attribute `name` of o, when it is known: a string, or a
 * number's text, as a JSON string (ECS takes task cpu and memory as
 * "256"); a bool as a JSON bool. */
void json_add_attribute(cJSON *request, const char *member, const cty_value *o, const char *name);

/* AWS tag lists <-> map(string). Services spell the members differently
 * ("key"/"value" in ECS, "Key"/"Value" elsewhere); CloudWatch Logs sends
 * tags as one object {"key": "value"}, which key_member NULL means. */
cJSON *tags_to_json(const cty_value *map, const char *key_member, const char *value_member);
cty_value *tags_from_json(const cJSON *tags, const char *key_member, const char *value_member);

/* A call whose answer is not needed, under rules (NULL: none), as
 * ctx_json_as / ctx_query_as with no answer and err NULL: AWS_DONE,
 * AWS_GONE, or AWS_FAILED reported to ctx->diags. The request (q) is
 * consumed: these free it, as the _take in their names says. */
aws_outcome ctx_json_send_take(call_ctx *ctx, const aws_service *svc, const char *action, cJSON *request,
			       const aws_rules *rules);
aws_outcome ctx_query_send_take(call_ctx *ctx, const aws_service *svc, const char *action, query_params *q,
				const aws_rules *rules);

/* What a create call that failed (err, not yet reported) left in AWS. When
 * no attempt can have taken effect (err->maybe_applied false), nothing.
 * Otherwise the resource is read back as `planned` with `id` (NULL: keep
 * planned's, for a read that goes by other attributes):
 *   CREATE_MADE     it exists, and the call's last answer was one of
 *                   rules->exists (rules may be NULL): a retry met what the
 *                   lost attempt had made. The create carries on; err is
 *                   dropped, and the adoption logged.
 *   CREATE_PARTIAL  it exists, or the read failed (reported): err is
 *                   reported and the create returns what it has, which
 *                   Terraform keeps in the state, tainted.
 *   CREATE_NONE     it does not exist: err is reported.
 * err is cleared. */
typedef enum { CREATE_NONE, CREATE_PARTIAL, CREATE_MADE } create_outcome;
create_outcome ctx_create_outcome(call_ctx *ctx, const resource_def *r, const cty_value *planned, const char *id,
				  aws_error *err, const aws_rules *rules);

/* How a JSON service tags: its two actions and member names. */
typedef struct {
	const char *tag_action, *untag_action; /* "TagResource", "UntagResource" */
	const char *tags_member, *keys_member; /* "tags", "tagKeys" */
	const char *key_member, *value_member; /* "key", "value"; NULL: tags as one object */
} json_tag_api;

/* The JSON services whose resources this provider tags. */
extern const json_tag_api ecs_tag_api;  /* ECS: tags [{key, value}], tagKeys */
extern const json_tag_api ecr_tag_api;  /* ECR: tags [{Key, Value}], tagKeys */
extern const json_tag_api ssm_tag_api;  /* SSM: AddTagsToResource, RemoveTagsFromResource */
extern const json_tag_api logs_tag_api; /* CloudWatch Logs: tags {key: value}, tagKeys */

/* Brings AWS's tags from prior's tags_all to planned's with at most one
 * untag and one tag call. target holds the members naming the resource
 * (copied into each request) and is consumed. False when a call failed
 * (reported). */
bool ctx_json_update_tags_take(call_ctx *ctx, const aws_service *svc, const json_tag_api *api, cJSON *target,
			       const cty_value *prior, const cty_value *planned);
#endif
