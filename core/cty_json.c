/* cty_json.c: decoding the JSON form of cty values, the form Terraform
 * stores state in. Numbers go through cJSON's double: state numbers beyond
 * float64 precision are read to the nearest double (our schemas hold none). */
#include "cty_codec.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static cty_value *decode(const cJSON *j, const cty_type *t, char **error);

static cty_value *fail(char **error, const char *message)
{
	if (error && !*error)
		*error = strdup(message);
	return NULL;
}

static cty_value *decode_number(const cJSON *j, char **error)
{
	if (cJSON_IsString(j)) {
		cty_value *v = cty_number_from_text(j->valuestring);
		return v ? v : fail(error, "malformed number text");
	}
	cty_value *v = cJSON_IsNumber(j) ? cty_number_from_double(j->valuedouble) : NULL;
	if (!v)
		return fail(error, "number expected");
	v->u.str.binary = false; /* Terraform wrote decimal text, not a float64 */
	return v;
}

static cty_value *decode_sequence(const cJSON *j, const cty_type *t, char **error)
{
	const cJSON *item;
	size_t i = 0;
	if (!cJSON_IsArray(j))
		return fail(error, "array expected");
	if (t->kind == CTY_TUPLE && (size_t)cJSON_GetArraySize(j) != t->field_count)
		return fail(error, "tuple length mismatch");
	cty_value *v = cty_collection_new(t);
	cJSON_ArrayForEach(item, j) {
		cty_value *decoded = decode(item, t->kind == CTY_TUPLE ? t->fields[i].type : t->elem, error);
		if (!decoded) {
			cty_value_free(v);
			return NULL;
		}
		cty_append(v, decoded);
		i++;
	}
	return v;
}

/* Objects keep attributes the type knows; others are dropped, since stored
 * state may predate the current schema. Missing attributes stay null. */
static cty_value *decode_mapping(const cJSON *j, const cty_type *t, char **error)
{
	const cJSON *item;
	if (!cJSON_IsObject(j))
		return fail(error, "object expected");
	cty_value *v = t->kind == CTY_MAP ? cty_collection_new(t) : cty_object_new(t);
	cJSON_ArrayForEach(item, j) {
		int field = t->kind == CTY_OBJECT ? cty_type_field_index(t, item->string) : -1;
		if (t->kind == CTY_OBJECT && field < 0)
			continue;
		cty_value *decoded = decode(item, t->kind == CTY_MAP ? t->elem : t->fields[field].type, error);
		if (!decoded) {
			cty_value_free(v);
			return NULL;
		}
		if (t->kind == CTY_MAP)
			cty_map_put(v, item->string, decoded);
		else
			cty_object_set(v, item->string, decoded);
	}
	return v;
}

/* A dynamic value in JSON is {"value": V, "type": T}. */
static cty_value *decode_dynamic(const cJSON *j, char **error)
{
	const cJSON *type_json = cJSON_GetObjectItemCaseSensitive(j, "type");
	const cJSON *value_json = cJSON_GetObjectItemCaseSensitive(j, "value");
	char *type_text;
	cty_type *t;

	if (!type_json || !value_json)
		return fail(error, "dynamic value must have \"type\" and \"value\"");
	type_text = cJSON_PrintUnformatted(type_json);
	t = cty_type_from_json(type_text, strlen(type_text));
	free(type_text);
	if (!t)
		return fail(error, "dynamic value has a malformed type");
	cty_value *v = decode(value_json, t, error);
	if (!v) {
		cty_type_free(t);
		return NULL;
	}
	v->owned_type = t;
	return v;
}

static cty_value *decode(const cJSON *j, const cty_type *t, char **error)
{
	if (cJSON_IsNull(j))
		return cty_null(t);
	switch (t->kind) {
	case CTY_STRING:
		if (!cJSON_IsString(j))
			return fail(error, "string expected");
		return cty_string_new(j->valuestring);
	case CTY_NUMBER:
		return decode_number(j, error);
	case CTY_BOOL:
		if (!cJSON_IsBool(j))
			return fail(error, "bool expected");
		return cty_bool_new(cJSON_IsTrue(j));
	case CTY_DYNAMIC:
		return decode_dynamic(j, error);
	case CTY_LIST:
	case CTY_SET:
	case CTY_TUPLE:
		return decode_sequence(j, t, error);
	case CTY_MAP:
	case CTY_OBJECT:
		return decode_mapping(j, t, error);
	}
	return fail(error, "unsupported type");
}

cty_value *cty_json_decode(const char *json, size_t len, const cty_type *t, char **error)
{
	if (len == 0)
		return cty_null(t);
	cJSON *parsed = cJSON_ParseWithLength(json, len);
	if (!parsed)
		return fail(error, "malformed JSON");
	cty_value *v = decode(parsed, t, error);
	cJSON_Delete(parsed);
	return v;
}
