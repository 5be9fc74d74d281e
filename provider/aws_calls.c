/* aws_calls.c: see aws_calls.h. */
#include "aws_calls.h"

#include "log.h"
#include "tags.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void settle(call_ctx *ctx, bool failed, aws_error *mine, aws_error *theirs)
{
	if (failed && !theirs)
		aws_error_report(mine, ctx->diags, NULL);
	if (!theirs)
		aws_error_clear(mine);
}

cJSON *ctx_json_call(call_ctx *ctx, const aws_service *svc, const char *action, const cJSON *request,
		     aws_error *err)
{
	aws_error own = {0};
	aws_client *aws = ctx_aws(ctx);
	if (!aws)
		return NULL;
	cJSON *answer = aws_json_call(aws, svc, action, request, ctx->deadline, err ? err : &own);
	settle(ctx, answer == NULL, &own, err);
	return answer;
}

xmlDoc *ctx_query_call(call_ctx *ctx, const aws_service *svc, const char *action, const aws_param *params,
		       size_t count, aws_error *err)
{
	aws_error own = {0};
	aws_client *aws = ctx_aws(ctx);
	if (!aws)
		return NULL;
	xmlDoc *answer = aws_query_call(aws, svc, action, params, count, ctx->deadline, err ? err : &own);
	settle(ctx, answer == NULL, &own, err);
	return answer;
}

cty_value *json_string_value(const cJSON *object, const char *member)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, member);
	return cJSON_IsString(item) ? cty_string_new(item->valuestring) : cty_null(&cty_string);
}

cty_value *json_string_set(const cJSON *list)
{
	cty_value *set = cty_collection_new(&cty_set_of_string);
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
		if (cJSON_IsString(item))
			cty_append(set, cty_string_new(item->valuestring));
	return set;
}

const cJSON *json_find_by(const cJSON *list, const char *member, const char *value)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, list) {
		const cJSON *found = cJSON_GetObjectItemCaseSensitive(item, member);
		if (cJSON_IsString(found) && strcmp(found->valuestring, value) == 0)
			return item;
	}
	return NULL;
}

cJSON *json_request(const char *member, const char *value)
{
	cJSON *request = cJSON_CreateObject();
	cJSON_AddStringToObject(request, member, value);
	return request;
}

void json_add_attribute(cJSON *request, const char *member, const cty_value *o, const char *name)
{
	const cty_value *v = cty_object_get(o, name);
	if (!cty_is_known(v))
		return;
	if (v->type->kind == CTY_BOOL)
		cJSON_AddBoolToObject(request, member, v->u.boolean);
	else
		cJSON_AddStringToObject(request, member, v->u.str.text);
}

cJSON *tags_to_json(const cty_value *map, const char *key_member, const char *value_member)
{
	cJSON *tags = key_member ? cJSON_CreateArray() : cJSON_CreateObject();
	for (size_t i = 0; i < cty_length(map); i++) {
		const cty_value *value = map->u.coll.items[i];
		const char *text = cty_is_known(value) ? value->u.str.text : "";
		if (!key_member) {
			cJSON_AddStringToObject(tags, map->u.coll.keys[i], text);
			continue;
		}
		cJSON *tag = cJSON_CreateObject();
		cJSON_AddStringToObject(tag, key_member, map->u.coll.keys[i]);
		cJSON_AddStringToObject(tag, value_member, text);
		cJSON_AddItemToArray(tags, tag);
	}
	return tags;
}

cty_value *tags_from_json(const cJSON *tags, const char *key_member, const char *value_member)
{
	cty_value *map = cty_collection_new(&cty_map_of_string);
	const cJSON *tag;
	cJSON_ArrayForEach(tag, tags) {
		if (!key_member) {
			if (cJSON_IsString(tag))
				cty_map_put(map, tag->string, cty_string_new(tag->valuestring));
			continue;
		}
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(tag, key_member);
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(tag, value_member);
		if (cJSON_IsString(key))
			cty_map_put(map, key->valuestring, cty_string_new(cJSON_IsString(value) ? value->valuestring : ""));
	}
	return map;
}

create_outcome ctx_create_outcome(call_ctx *ctx, const resource_def *r, const cty_value *planned, const char *id,
				  aws_error *err, const aws_rules *rules)
{
	create_outcome outcome = CREATE_NONE;
	if (err->maybe_applied) {
		cty_value *probe = cty_value_clone(planned);
		if (id)
			cty_object_set(probe, "id", cty_string_new(id));
		cty_value *found = r->read(ctx, probe);
		if (!found) /* the read failed: whether it exists is unknown */
			outcome = CREATE_PARTIAL;
		else if (cty_is_known(found) && !cty_is_null(found))
			outcome = rules && aws_error_match(err, rules->exists) ? CREATE_MADE : CREATE_PARTIAL;
		cty_value_free(found);
		cty_value_free(probe);
	}
	if (outcome == CREATE_MADE)
		log_write(LOG_WARN, "an attempt whose answer was lost made the resource; the retry met it", "operation",
			  err->operation, "code", err->code, NULL);
	else
		aws_error_report(err, ctx->diags, NULL);
	aws_error_clear(err);
	return outcome;
}

const json_tag_api ecs_tag_api = {"TagResource", "UntagResource", "tags", "tagKeys", "key", "value"};
const json_tag_api ecr_tag_api = {"TagResource", "UntagResource", "tags", "tagKeys", "Key", "Value"};
const json_tag_api ssm_tag_api = {"AddTagsToResource", "RemoveTagsFromResource", "Tags", "TagKeys", "Key", "Value"};
const json_tag_api logs_tag_api = {"TagResource", "UntagResource", "tags", "tagKeys", NULL, NULL};

bool ctx_json_update_tags_take(call_ctx *ctx, const aws_service *svc, const json_tag_api *api, cJSON *target,
			       const cty_value *prior, const cty_value *planned)
{
	cty_value *removed, *changed;
	bool ok = true;
	tags_diff(cty_object_get(prior, "tags_all"), cty_object_get(planned, "tags_all"), &removed, &changed);
	if (cty_length(removed)) {
		cJSON *request = cJSON_Duplicate(target, 1), *keys = cJSON_AddArrayToObject(request, api->keys_member);
		for (size_t i = 0; i < cty_length(removed); i++)
			cJSON_AddItemToArray(keys, cJSON_CreateString(removed->u.coll.keys[i]));
		ok = ctx_json_send_take(ctx, svc, api->untag_action, request, NULL) == AWS_DONE;
	}
	if (ok && cty_length(changed)) {
		cJSON *request = cJSON_Duplicate(target, 1);
		cJSON_AddItemToObject(request, api->tags_member, tags_to_json(changed, api->key_member, api->value_member));
		ok = ctx_json_send_take(ctx, svc, api->tag_action, request, NULL) == AWS_DONE;
	}
	cty_value_free(removed);
	cty_value_free(changed);
	cJSON_Delete(target);
	return ok;
}

void query_add(query_params *q, const char *name, const char *value)
{
	q->items = realloc(q->items, (q->count + 1) * sizeof *q->items);
	if (!q->items)
		abort();
	q->items[q->count++] = (aws_param){strdup(name), strdup(value)};
}

void query_addf(query_params *q, const char *value, const char *name_format, ...)
{
	char name[256];
	va_list args;
	va_start(args, name_format);
	vsnprintf(name, sizeof name, name_format, args);
	va_end(args);
	query_add(q, name, value);
}

void query_free(query_params *q)
{
	for (size_t i = 0; i < q->count; i++) {
		free((char *)q->items[i].name);
		free((char *)q->items[i].value);
	}
	free(q->items);
	q->items = NULL;
	q->count = 0;
}

void query_add_attribute(query_params *q, const char *param, const cty_value *o, const char *name)
{
	const cty_value *v = cty_object_get(o, name);
	if (!cty_is_known(v))
		return;
	if (v->type->kind == CTY_BOOL)
		query_add(q, param, v->u.boolean ? "true" : "false");
	else
		query_add(q, param, v->u.str.text);
}

void query_add_strings(query_params *q, const char *name_format, const cty_value *list)
{
	for (size_t i = 0; i < cty_length(list); i++)
		if (cty_is_known(cty_index(list, i)))
			query_addf(q, cty_index(list, i)->u.str.text, name_format, i + 1);
}

xmlDoc *ctx_query(call_ctx *ctx, const aws_service *svc, const char *action, const query_params *q, aws_error *err)
{
	return ctx_query_call(ctx, svc, action, q->items, q->count, err);
}

const aws_match *aws_error_match(const aws_error *err, const aws_match *list)
{
	for (; list && list->code; list++)
		if (aws_error_is(err, list->code) &&
		    (!list->message || (err->message && strstr(err->message, list->message))))
			return list;
	return NULL;
}

/* One attempt of a call; the answer (NULL on failure, err filled). */
typedef void *(*attempt_fn)(call_ctx *ctx, const void *call, aws_error *err);

/* How long a refusal is retried when neither its rule nor the call's
 * deadline bounds it. */
#define UNBOUNDED_RETRY_SECONDS 1200

/* The loop behind ctx_query_as, ctx_json_as and ctx_rest_json_as. */
static aws_outcome call_as(call_ctx *ctx, attempt_fn attempt, const void *call, const aws_rules *rules,
			   void **answer, aws_error *err)
{
	double delay = 1, started = monotonic_now();
	for (;;) {
		aws_error own = {0};
		if (!ctx_aws(ctx))
			return AWS_FAILED; /* reported: no credentials */
		void *got = attempt(ctx, call, &own);
		if (got) {
			*answer = got;
			return AWS_DONE;
		}
		if (rules && aws_error_match(&own, rules->gone)) {
			aws_error_clear(&own);
			return AWS_GONE;
		}
		if (rules && aws_error_match(&own, rules->exists)) {
			if (err)
				*err = own;
			else
				aws_error_clear(&own);
			return AWS_EXISTS;
		}
		const aws_match *passing = rules ? aws_error_match(&own, rules->retry) : NULL;
		/* A refusal retried "until the deadline" on a call that has none
		 * (a resource without a timeouts block) is bounded all the same. */
		double bound = passing && passing->seconds > 0 ? passing->seconds
			       : ctx->deadline			   ? 0
								   : UNBOUNDED_RETRY_SECONDS;
		bool in_time = passing && (bound <= 0 || monotonic_now() + delay - started <= bound);
		if (in_time) {
			log_write(LOG_WARN, "AWS refused the call for now; retrying", "operation", own.operation, "code",
				  own.code, "message", own.message, NULL);
			double pause = delay;
			if (ctx_pause(ctx, &pause, pause)) {
				delay = delay * 2 > 10 ? 10 : delay * 2;
				aws_error_clear(&own);
				continue;
			}
		}
		if (err)
			*err = own;
		else {
			aws_error_report(&own, ctx->diags, NULL);
			aws_error_clear(&own);
		}
		return AWS_FAILED;
	}
}

typedef struct {
	const aws_service *svc;
	const char *action; /* REST-JSON: the HTTP method */
	const query_params *q;
	const cJSON *request;
	const char *path; /* REST-JSON only */
} ruled_call;

static void *query_attempt(call_ctx *ctx, const void *call, aws_error *err)
{
	const ruled_call *c = call;
	return aws_query_call(ctx_aws(ctx), c->svc, c->action, c->q->items, c->q->count, ctx->deadline, err);
}

static void *json_attempt(call_ctx *ctx, const void *call, aws_error *err)
{
	const ruled_call *c = call;
	return aws_json_call(ctx_aws(ctx), c->svc, c->action, c->request, ctx->deadline, err);
}

static void *rest_json_attempt(call_ctx *ctx, const void *call, aws_error *err)
{
	const ruled_call *c = call;
	return aws_rest_json_call(ctx_aws(ctx), c->svc, c->action, c->path, c->request, ctx->deadline, err);
}

aws_outcome ctx_query_as(call_ctx *ctx, const aws_service *svc, const char *action, const query_params *q,
			 const aws_rules *rules, xmlDoc **answer, aws_error *err)
{
	const ruled_call call = {svc, action, q, NULL, NULL};
	void *got = NULL;
	aws_outcome outcome = call_as(ctx, query_attempt, &call, rules, &got, err);
	if (answer)
		*answer = got;
	else
		xmlFreeDoc(got);
	return outcome;
}

aws_outcome ctx_json_as(call_ctx *ctx, const aws_service *svc, const char *action, const cJSON *request,
			const aws_rules *rules, cJSON **answer, aws_error *err)
{
	const ruled_call call = {svc, action, NULL, request, NULL};
	void *got = NULL;
	aws_outcome outcome = call_as(ctx, json_attempt, &call, rules, &got, err);
	if (answer)
		*answer = got;
	else
		cJSON_Delete(got);
	return outcome;
}

aws_outcome ctx_rest_json_as(call_ctx *ctx, const aws_service *svc, const char *method, const char *path,
			     const cJSON *body, const aws_rules *rules, cJSON **answer, aws_error *err)
{
	const ruled_call call = {svc, method, NULL, body, path};
	void *got = NULL;
	aws_outcome outcome = call_as(ctx, rest_json_attempt, &call, rules, &got, err);
	if (answer)
		*answer = got;
	else
		cJSON_Delete(got);
	return outcome;
}

aws_outcome ctx_json_send_take(call_ctx *ctx, const aws_service *svc, const char *action, cJSON *request,
			       const aws_rules *rules)
{
	aws_outcome outcome = ctx_json_as(ctx, svc, action, request, rules, NULL, NULL);
	cJSON_Delete(request);
	return outcome;
}

aws_outcome ctx_query_send_take(call_ctx *ctx, const aws_service *svc, const char *action, query_params *q,
				const aws_rules *rules)
{
	aws_outcome outcome = ctx_query_as(ctx, svc, action, q, rules, NULL, NULL);
	query_free(q);
	return outcome;
}

cty_value *xml_text_list(xmlNode *node, const char *container, const char *item)
{
	cty_value *list = cty_collection_new(&cty_list_of_string);
	xmlNode *parent = aws_xml_find(node, container);
	for (xmlNode *child = parent ? parent->children : NULL; child; child = child->next) {
		if (child->type != XML_ELEMENT_NODE || strcmp((const char *)child->name, item) != 0)
			continue;
		xmlChar *text = xmlNodeGetContent(child);
		cty_append(list, cty_string_new(text ? (const char *)text : ""));
		xmlFree(text);
	}
	return list;
}

char *xml_child_text(xmlNode *node, const char *path)
{
	size_t len = strcspn(path, "/");
	for (xmlNode *c = node ? node->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || strlen((const char *)c->name) != len ||
		    strncmp((const char *)c->name, path, len) != 0)
			continue;
		if (path[len] == '/')
			return xml_child_text(c, path + len + 1);
		xmlChar *content = xmlNodeGetContent(c);
		char *copy = strdup(content ? (const char *)content : "");
		xmlFree(content);
		if (!copy)
			abort();
		return copy;
	}
	return NULL;
}

cty_value *xml_string_value(xmlNode *node, const char *path)
{
	char *text = aws_xml_text(node, path);
	cty_value *v = text ? cty_string_new(text) : cty_null(&cty_string);
	free(text);
	return v;
}

cty_value *xml_tags(xmlNode *node, const char *container)
{
	cty_value *tags = cty_collection_new(&cty_map_of_string);
	xmlNode *list = aws_xml_find(node, container);
	for (xmlNode *tag = list ? list->children : NULL; tag; tag = tag->next) {
		char *key = tag->type == XML_ELEMENT_NODE ? aws_xml_text(tag, "Key") : NULL;
		char *value = key ? aws_xml_text(tag, "Value") : NULL;
		if (key)
			cty_map_put(tags, key, cty_string_new(value ? value : ""));
		free(key);
		free(value);
	}
	return tags;
}

/* A runaway series of tokens is a broken endpoint, not a big account. */
#define MAX_PAGES 1000

/* The text of a direct child of the answer's Result element (Marker,
 * IsTruncated), which items never hold at that depth; malloc'd or NULL. */
static char *result_field(xmlDoc *doc, const char *name)
{
	xmlNode *root = xmlDocGetRootElement(doc);
	for (xmlNode *result = root ? root->children : NULL; result; result = result->next) {
		if (result->type != XML_ELEMENT_NODE)
			continue;
		char *text = xml_child_text(result, name);
		if (text)
			return text;
	}
	return NULL;
}

/* The token for the page after doc: its Marker, unless IAM's IsTruncated
 * says there is none; malloc'd or NULL. */
static char *next_marker(xmlDoc *doc)
{
	char *marker = result_field(doc, "Marker"), *truncated = result_field(doc, "IsTruncated");
	if (marker && (!*marker || (truncated && strcmp(truncated, "false") == 0))) {
		free(marker);
		marker = NULL;
	}
	free(truncated);
	return marker;
}

aws_outcome ctx_query_all(call_ctx *ctx, const aws_service *svc, const char *action, const query_params *q,
			  const aws_rules *rules, const char *list, xmlDoc **answer)
{
	xmlDoc *first = NULL;
	aws_outcome outcome = ctx_query_as(ctx, svc, action, q, rules, &first, NULL);
	xmlNode *items = first ? aws_xml_find(xmlDocGetRootElement(first), list) : NULL;
	char *marker = outcome == AWS_DONE ? next_marker(first) : NULL;
	for (int page = 1; marker && page < MAX_PAGES; page++) {
		query_params next = {0};
		for (size_t i = 0; i < q->count; i++)
			query_add(&next, q->items[i].name, q->items[i].value);
		query_add(&next, "Marker", marker);
		free(marker);
		marker = NULL;
		xmlDoc *doc = NULL;
		outcome = ctx_query_as(ctx, svc, action, &next, rules, &doc, NULL);
		query_free(&next);
		if (outcome != AWS_DONE)
			break;
		xmlNode *more = aws_xml_find(xmlDocGetRootElement(doc), list);
		for (xmlNode *item = more ? more->children : NULL; items && item; item = item->next)
			if (item->type == XML_ELEMENT_NODE)
				xmlAddChild(items, xmlDocCopyNode(item, first, 1));
		marker = next_marker(doc);
		xmlFreeDoc(doc);
	}
	free(marker);
	if (outcome != AWS_DONE) {
		xmlFreeDoc(first);
		first = NULL;
	}
	*answer = first;
	return outcome;
}

aws_outcome ctx_json_all(call_ctx *ctx, const aws_service *svc, const char *action, const cJSON *request,
			 const aws_rules *rules, const char *list, const char *token, cJSON **answer)
{
	cJSON *first = NULL;
	aws_outcome outcome = ctx_json_as(ctx, svc, action, request, rules, &first, NULL);
	cJSON *items = cJSON_GetObjectItemCaseSensitive(first, list);
	for (int page = 1; outcome == AWS_DONE && page < MAX_PAGES; page++) {
		const cJSON *next_token = cJSON_GetObjectItemCaseSensitive(first, token);
		if (!cJSON_IsString(next_token) || !*next_token->valuestring)
			break;
		cJSON *next = request ? cJSON_Duplicate(request, true) : cJSON_CreateObject();
		cJSON_AddStringToObject(next, token, next_token->valuestring);
		cJSON *doc = NULL;
		outcome = ctx_json_as(ctx, svc, action, next, rules, &doc, NULL);
		cJSON_Delete(next);
		if (outcome != AWS_DONE)
			break;
		cJSON *more = cJSON_DetachItemFromObjectCaseSensitive(doc, list), *item;
		if (!items && more) {
			cJSON_AddItemToObject(first, list, more);
			items = more;
			more = NULL;
		}
		while (more && (item = cJSON_DetachItemFromArray(more, 0)))
			cJSON_AddItemToArray(items, item);
		cJSON_Delete(more);
		/* The last page's token (or its absence) replaces the first's. */
		cJSON_DeleteItemFromObjectCaseSensitive(first, token);
		cJSON *again = cJSON_DetachItemFromObjectCaseSensitive(doc, token);
		if (again)
			cJSON_AddItemToObject(first, token, again);
		cJSON_Delete(doc);
	}
	if (outcome != AWS_DONE) {
		cJSON_Delete(first);
		first = NULL;
	}
	*answer = first;
	return outcome;
}
