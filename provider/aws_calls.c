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

cJSON *tags_to_json(const cty_value *map, const char *key_member, const char *value_member)
{
	cJSON *list = cJSON_CreateArray();
	for (size_t i = 0; i < cty_length(map); i++) {
		cJSON *tag = cJSON_CreateObject();
		const cty_value *value = map->u.coll.items[i];
		cJSON_AddStringToObject(tag, key_member, map->u.coll.keys[i]);
		cJSON_AddStringToObject(tag, value_member, cty_is_known(value) ? value->u.str.text : "");
		cJSON_AddItemToArray(list, tag);
	}
	return list;
}

cty_value *tags_from_json(const cJSON *list, const char *key_member, const char *value_member)
{
	cty_value *map = cty_collection_new(&cty_map_of_string);
	const cJSON *tag;
	cJSON_ArrayForEach(tag, list) {
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(tag, key_member);
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(tag, value_member);
		if (cJSON_IsString(key))
			cty_map_put(map, key->valuestring, cty_string_new(cJSON_IsString(value) ? value->valuestring : ""));
	}
	return map;
}

bool ctx_json_send(call_ctx *ctx, const aws_service *svc, const char *action, cJSON *request)
{
	cJSON *answer = ctx_json_call(ctx, svc, action, request, NULL);
	cJSON_Delete(request);
	cJSON_Delete(answer);
	return answer != NULL;
}

bool ctx_json_delete(call_ctx *ctx, const aws_service *svc, const char *action, cJSON *request,
		     const char *not_found_code)
{
	aws_error err = {0};
	cJSON *answer = ctx_json_call(ctx, svc, action, request, &err);
	bool gone = answer || aws_error_is(&err, not_found_code);
	if (!gone)
		aws_error_report(&err, ctx->diags, NULL);
	aws_error_clear(&err);
	cJSON_Delete(answer);
	cJSON_Delete(request);
	return gone;
}

create_outcome ctx_create_outcome(call_ctx *ctx, const resource_def *r, const cty_value *planned, const char *id,
				  aws_error *err, const char *already_exists)
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
			outcome = already_exists && aws_error_is(err, already_exists) ? CREATE_MADE : CREATE_PARTIAL;
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

bool ctx_json_update_tags(call_ctx *ctx, const aws_service *svc, const json_tag_api *api, const cJSON *target,
			  const cty_value *before, const cty_value *after)
{
	cty_value *removed, *changed;
	bool ok = true;
	tags_diff(before, after, &removed, &changed);
	if (cty_length(removed)) {
		cJSON *request = cJSON_Duplicate(target, 1), *keys = cJSON_AddArrayToObject(request, api->keys_member);
		for (size_t i = 0; i < cty_length(removed); i++)
			cJSON_AddItemToArray(keys, cJSON_CreateString(removed->u.coll.keys[i]));
		ok = ctx_json_send(ctx, svc, api->untag_action, request);
	}
	if (ok && cty_length(changed)) {
		cJSON *request = cJSON_Duplicate(target, 1);
		cJSON_AddItemToObject(request, api->tags_member, tags_to_json(changed, api->key_member, api->value_member));
		ok = ctx_json_send(ctx, svc, api->tag_action, request);
	}
	cty_value_free(removed);
	cty_value_free(changed);
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

xmlDoc *ctx_query(call_ctx *ctx, const aws_service *svc, const char *action, const query_params *q, aws_error *err)
{
	return ctx_query_call(ctx, svc, action, q->items, q->count, err);
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
