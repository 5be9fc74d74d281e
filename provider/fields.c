/* fields.c: see fields.h. */
#include "fields.h"

#include "attr.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

bool fields_type_supported(const cty_type *type)
{
	return type == &cty_string || type == &cty_number || type == &cty_bool ||
	       cty_type_equal(type, &cty_list_of_string) || cty_type_equal(type, &cty_set_of_string);
}

/* The schema type of attribute name of object o (the type of its null too). */
static const cty_type *attribute_type(const cty_value *o, const char *name)
{
	int i = cty_type_field_index(o->type, name);
	if (i < 0) /* a table naming no attribute: the registry test's business */
		abort();
	return o->type->fields[i].type;
}

static bool is_list(const cty_type *type)
{
	return type->kind == CTY_LIST || type->kind == CTY_SET;
}

/* ---- requests ---- */

/* The object at a '/'-separated path's parent in request, made as needed;
 * *leaf is set to the last member. */
static cJSON *json_parent(cJSON *request, const char *path, char *leaf, size_t size)
{
	cJSON *at = request;
	const char *slash;
	while ((slash = strchr(path, '/'))) {
		char member[128];
		snprintf(member, sizeof member, "%.*s", (int)(slash - path), path);
		cJSON *next = cJSON_GetObjectItemCaseSensitive(at, member);
		if (!cJSON_IsObject(next))
			next = cJSON_AddObjectToObject(at, member);
		at = next;
		path = slash + 1;
	}
	snprintf(leaf, size, "%s", path);
	return at;
}

/* Puts attribute name of o at path in request; false when it is null or
 * unknown, and so left out. */
static bool json_put(cJSON *request, const char *path, const cty_value *o, const char *name)
{
	const cty_value *v = cty_object_get(o, name);
	if (!cty_is_known(v))
		return false;
	char leaf[128];
	cJSON *parent = json_parent(request, path, leaf, sizeof leaf), *item;
	const cty_type *type = attribute_type(o, name);
	if (type == &cty_bool)
		item = cJSON_CreateBool(v->u.boolean);
	else if (type == &cty_number)
		item = cJSON_CreateNumber(strtod(v->u.str.text, NULL));
	else if (type == &cty_string)
		item = cJSON_CreateString(v->u.str.text);
	else {
		item = cJSON_CreateArray();
		for (size_t i = 0; i < cty_length(v); i++)
			if (cty_is_known(cty_index(v, i)))
				cJSON_AddItemToArray(item, cJSON_CreateString(cty_index(v, i)->u.str.text));
	}
	cJSON_AddItemToObject(parent, leaf, item);
	return true;
}

static bool query_put(query_params *q, const char *param, const cty_value *o, const char *name)
{
	const cty_value *v = cty_object_get(o, name);
	if (!cty_is_known(v))
		return false;
	if (!is_list(attribute_type(o, name))) {
		query_add_attribute(q, param, o, name);
		return true;
	}
	for (size_t i = 0; i < cty_length(v); i++)
		if (cty_is_known(cty_index(v, i)))
			query_addf(q, cty_index(v, i)->u.str.text, "%s.%zu", param, i + 1);
	return true;
}

typedef bool (*put_fn)(void *request, const char *member, const cty_value *o, const char *name);

static bool put_json(void *request, const char *member, const cty_value *o, const char *name)
{
	return json_put(request, member, o, name);
}

static bool put_query(void *request, const char *member, const cty_value *o, const char *name)
{
	return query_put(request, member, o, name);
}

/* Puts each attribute that has a member at `member` (the offset of create
 * or update in field_def) into request; with a prior, only those that
 * differ from it. How many were put (a null one is left out). */
static size_t put_all(const field_def *fields, size_t member, const cty_value *prior, const cty_value *planned,
		      put_fn put, void *request)
{
	size_t n = 0;
	for (const field_def *f = fields; f && f->attribute; f++) {
		const char *at = *(const char *const *)((const char *)f + member);
		if (at && (!prior || attr_differs(prior, planned, f->attribute)))
			n += put(request, at, planned, f->attribute);
	}
	return n;
}

void fields_json_create(const field_def *fields, const cty_value *planned, cJSON *request)
{
	put_all(fields, offsetof(field_def, create), NULL, planned, put_json, request);
}

void fields_query_create(const field_def *fields, const cty_value *planned, query_params *q)
{
	put_all(fields, offsetof(field_def, create), NULL, planned, put_query, q);
}

size_t fields_json_update(const field_def *fields, const cty_value *prior, const cty_value *planned,
			  cJSON *request)
{
	return put_all(fields, offsetof(field_def, update), prior, planned, put_json, request);
}

size_t fields_query_update(const field_def *fields, const cty_value *prior, const cty_value *planned,
			   query_params *q)
{
	return put_all(fields, offsetof(field_def, update), prior, planned, put_query, q);
}

/* ---- answers ---- */

/* A value of type from a text AWS gave (NULL: absent). */
static cty_value *value_of_text(const cty_type *type, const char *text)
{
	if (type == &cty_bool)
		return cty_bool_new(text && strcmp(text, "true") == 0);
	if (!text)
		return cty_null(type);
	if (type == &cty_number) {
		cty_value *n = cty_number_from_text(text);
		return n ? n : cty_null(type);
	}
	return cty_string_new(text);
}

static const cJSON *json_at(const cJSON *object, const char *path)
{
	const char *slash;
	while (object && (slash = strchr(path, '/'))) {
		char member[128];
		snprintf(member, sizeof member, "%.*s", (int)(slash - path), path);
		object = cJSON_GetObjectItemCaseSensitive(object, member);
		path = slash + 1;
	}
	return object ? cJSON_GetObjectItemCaseSensitive(object, path) : NULL;
}

static cty_value *value_of_json(const cty_type *type, const cJSON *item)
{
	if (is_list(type)) {
		cty_value *list = cty_collection_new(type);
		const cJSON *e;
		const cJSON *items = cJSON_IsArray(item) ? item : NULL;
		cJSON_ArrayForEach(e, items)
			if (cJSON_IsString(e))
				cty_append(list, cty_string_new(e->valuestring));
		return list;
	}
	if (type == &cty_bool)
		return cty_bool_new(cJSON_IsTrue(item));
	if (type == &cty_number)
		return cJSON_IsNumber(item) ? cty_number_from_double(item->valuedouble)
		       : cJSON_IsString(item) ? value_of_text(type, item->valuestring)
					       : cty_null(type);
	return cJSON_IsString(item) ? cty_string_new(item->valuestring) : cty_null(type);
}

void fields_json_read(const field_def *fields, const cJSON *described, cty_value *state)
{
	for (const field_def *f = fields; f && f->attribute; f++) {
		if (!f->read)
			continue;
		const cty_type *type = attribute_type(state, f->attribute);
		const cJSON *at = json_at(described, f->read);
		if (is_list(type) && !cJSON_GetArraySize(at) && cty_is_null(cty_object_get(state, f->attribute)))
			continue; /* see fields.h: an unset list stays null */
		cty_object_set(state, f->attribute, value_of_json(type, at));
	}
}

/* The element at a '/'-separated path of direct children, or NULL. */
static xmlNode *xml_at(xmlNode *node, const char *path)
{
	size_t len = strcspn(path, "/");
	for (xmlNode *c = node ? node->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || strlen((const char *)c->name) != len ||
		    strncmp((const char *)c->name, path, len) != 0)
			continue;
		return path[len] == '/' ? xml_at(c, path + len + 1) : c;
	}
	return NULL;
}

void fields_xml_read(const field_def *fields, xmlNode *described, cty_value *state)
{
	for (const field_def *f = fields; f && f->attribute; f++) {
		if (!f->read)
			continue;
		const cty_type *type = attribute_type(state, f->attribute);
		xmlNode *at = xml_at(described, f->read);
		cty_value *v;
		if (is_list(type)) {
			v = cty_collection_new(type);
			for (xmlNode *item = at ? at->children : NULL; item; item = item->next) {
				if (item->type != XML_ELEMENT_NODE)
					continue;
				xmlChar *text = xmlNodeGetContent(item);
				cty_append(v, cty_string_new(text ? (const char *)text : ""));
				xmlFree(text);
			}
			if (!cty_length(v) && cty_is_null(cty_object_get(state, f->attribute))) {
				cty_value_free(v); /* see fields.h: an unset list stays null */
				continue;
			}
		} else {
			xmlChar *text = at ? xmlNodeGetContent(at) : NULL;
			v = value_of_text(type, at ? (text ? (const char *)text : "") : NULL);
			xmlFree(text);
		}
		cty_object_set(state, f->attribute, v);
	}
}
