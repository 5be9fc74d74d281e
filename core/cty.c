/* cty.c: construction, copying, comparison and freeing of cty types and
 * values. The wire codecs live in cty_msgpack.c and cty_json.c. */
#include "cty.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cty_type cty_string = {.kind = CTY_STRING};
const cty_type cty_number = {.kind = CTY_NUMBER};
const cty_type cty_bool = {.kind = CTY_BOOL};
const cty_type cty_dynamic = {.kind = CTY_DYNAMIC};
const cty_type cty_list_of_string = {.kind = CTY_LIST, .elem = &cty_string};
const cty_type cty_set_of_string = {.kind = CTY_SET, .elem = &cty_string};
const cty_type cty_map_of_string = {.kind = CTY_MAP, .elem = &cty_string};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort(); /* out of memory: nothing sensible left to do */
	return p;
}

static char *xstrndup(const char *s, size_t len)
{
	char *p = xcalloc(len + 1, 1);
	if (len) /* an empty string may come as a null pointer (msgpack-c) */
		memcpy(p, s, len);
	return p;
}

/* ---- types ---- */

bool cty_type_is_collection(const cty_type *t)
{
	return t->kind == CTY_LIST || t->kind == CTY_SET || t->kind == CTY_MAP;
}

bool cty_type_equal(const cty_type *a, const cty_type *b)
{
	if (a == b)
		return true;
	if (a->kind != b->kind)
		return false;
	if (cty_type_is_collection(a))
		return cty_type_equal(a->elem, b->elem);
	if (a->kind != CTY_OBJECT && a->kind != CTY_TUPLE)
		return true;
	if (a->field_count != b->field_count)
		return false;
	for (size_t i = 0; i < a->field_count; i++) {
		if (a->kind == CTY_OBJECT && strcmp(a->fields[i].name, b->fields[i].name) != 0)
			return false;
		if (!cty_type_equal(a->fields[i].type, b->fields[i].type))
			return false;
	}
	return true;
}

int cty_type_field_index(const cty_type *object, const char *name)
{
	if (object->kind != CTY_OBJECT)
		return -1;
	for (size_t i = 0; i < object->field_count; i++)
		if (strcmp(object->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

static const char *const kind_names[] = {
	[CTY_STRING] = "string", [CTY_NUMBER] = "number", [CTY_BOOL] = "bool",
	[CTY_DYNAMIC] = "dynamic", [CTY_LIST] = "list", [CTY_SET] = "set",
	[CTY_MAP] = "map", [CTY_OBJECT] = "object", [CTY_TUPLE] = "tuple",
};

static cJSON *type_to_cjson(const cty_type *t)
{
	if (t->kind <= CTY_DYNAMIC)
		return cJSON_CreateString(kind_names[t->kind]);
	cJSON *pair = cJSON_CreateArray();
	cJSON_AddItemToArray(pair, cJSON_CreateString(kind_names[t->kind]));
	if (cty_type_is_collection(t)) {
		cJSON_AddItemToArray(pair, type_to_cjson(t->elem));
	} else if (t->kind == CTY_OBJECT) {
		cJSON *attrs = cJSON_CreateObject();
		for (size_t i = 0; i < t->field_count; i++)
			cJSON_AddItemToObject(attrs, t->fields[i].name, type_to_cjson(t->fields[i].type));
		cJSON_AddItemToArray(pair, attrs);
	} else {
		cJSON *elems = cJSON_CreateArray();
		for (size_t i = 0; i < t->field_count; i++)
			cJSON_AddItemToArray(elems, type_to_cjson(t->fields[i].type));
		cJSON_AddItemToArray(pair, elems);
	}
	return pair;
}

char *cty_type_to_json(const cty_type *t)
{
	cJSON *json = type_to_cjson(t);
	char *text = cJSON_PrintUnformatted(json);
	cJSON_Delete(json);
	return text;
}

static int kind_from_name(const char *name)
{
	for (int k = CTY_STRING; k <= CTY_TUPLE; k++)
		if (strcmp(kind_names[k], name) == 0)
			return k;
	return -1;
}

static int compare_fields(const void *a, const void *b)
{
	return strcmp(((const cty_field *)a)->name, ((const cty_field *)b)->name);
}

static cty_type *type_from_cjson(const cJSON *json);

static bool parse_fields(cty_type *t, const cJSON *spec)
{
	int count = cJSON_GetArraySize(spec);
	cty_field *fields = xcalloc((size_t)count, sizeof *fields);
	const cJSON *item;
	size_t i = 0;

	t->fields = fields;
	cJSON_ArrayForEach(item, spec) {
		fields[i].name = t->kind == CTY_OBJECT ? xstrndup(item->string, strlen(item->string)) : NULL;
		fields[i].type = type_from_cjson(item);
		t->field_count = ++i;
		if (!fields[i - 1].type)
			return false;
	}
	if (t->kind == CTY_OBJECT)
		qsort(fields, t->field_count, sizeof *fields, compare_fields);
	return true;
}

static cty_type *type_from_cjson(const cJSON *json)
{
	if (cJSON_IsString(json)) {
		int kind = kind_from_name(json->valuestring);
		cty_type *t;
		if (kind < 0 || kind > CTY_DYNAMIC)
			return NULL;
		t = xcalloc(1, sizeof *t);
		t->kind = (cty_kind)kind;
		return t;
	}
	if (!cJSON_IsArray(json) || cJSON_GetArraySize(json) != 2 || !cJSON_IsString(json->child))
		return NULL;
	int kind = kind_from_name(json->child->valuestring);
	const cJSON *spec = json->child->next;
	if (kind <= CTY_DYNAMIC)
		return NULL;
	cty_type *t = xcalloc(1, sizeof *t);
	t->kind = (cty_kind)kind;
	bool ok;
	if (cty_type_is_collection(t))
		ok = (t->elem = type_from_cjson(spec)) != NULL;
	else if (t->kind == CTY_OBJECT)
		ok = cJSON_IsObject(spec) && parse_fields(t, spec);
	else
		ok = cJSON_IsArray(spec) && parse_fields(t, spec);
	if (!ok) {
		cty_type_free(t);
		return NULL;
	}
	return t;
}

cty_type *cty_type_from_json(const char *json, size_t len)
{
	cJSON *parsed = cJSON_ParseWithLength(json, len);
	cty_type *t = parsed ? type_from_cjson(parsed) : NULL;
	cJSON_Delete(parsed);
	return t;
}

void cty_type_free(cty_type *t)
{
	if (!t)
		return;
	cty_type_free((cty_type *)t->elem);
	for (size_t i = 0; i < t->field_count; i++) {
		free((char *)t->fields[i].name);
		cty_type_free((cty_type *)t->fields[i].type);
	}
	free((cty_field *)t->fields);
	free(t);
}

/* ---- values ---- */

static cty_value *value_new(const cty_type *t, cty_state state)
{
	cty_value *v = xcalloc(1, sizeof *v);
	v->type = t;
	v->state = state;
	return v;
}

cty_value *cty_null(const cty_type *t)
{
	return value_new(t, CTY_NULL);
}

cty_value *cty_unknown(const cty_type *t)
{
	return value_new(t, CTY_UNKNOWN);
}

cty_value *cty_string_from(const char *bytes, size_t len)
{
	cty_value *v = value_new(&cty_string, CTY_KNOWN);
	v->u.str.text = xstrndup(bytes, len);
	v->u.str.len = len;
	return v;
}

cty_value *cty_string_new(const char *s)
{
	return cty_string_from(s, strlen(s));
}

cty_value *cty_bool_new(bool b)
{
	cty_value *v = value_new(&cty_bool, CTY_KNOWN);
	v->u.boolean = b;
	return v;
}

/* Splits decimal text into sign, significant digits (no leading or trailing
 * zeros) and the power of ten of the last digit. Returns false when the text
 * is not a finite decimal number. */
#define CTY_MAX_EXPONENT 1000000L

static bool decimal_split(const char *s, bool *negative, char *digits, size_t size, long *exponent)
{
	size_t n = 0;
	long exp = 0;
	bool seen_digit = false, in_fraction = false;

	*negative = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	for (; *s; s++) {
		if (*s == '.' && !in_fraction) {
			in_fraction = true;
		} else if (*s >= '0' && *s <= '9') {
			seen_digit = true;
			if (in_fraction)
				exp--;
			if (n == 0 && *s == '0')
				continue;
			if (n + 1 >= size)
				return false;
			digits[n++] = *s;
		} else {
			break;
		}
	}
	if (!seen_digit)
		return false;
	if (*s == 'e' || *s == 'E') {
		char *end;
		long e = strtol(s + 1, &end, 10);
		/* Exponents past a million are not numbers anyone configures, and
		 * bounding them keeps the arithmetic below from overflowing. */
		if (end == s + 1 || *end || e > CTY_MAX_EXPONENT || e < -CTY_MAX_EXPONENT)
			return false;
		exp += e;
	} else if (*s) {
		return false;
	}
	while (n > 0 && digits[n - 1] == '0') {
		n--;
		exp++;
	}
	digits[n] = '\0';
	if (n == 0) {
		*negative = false;
		exp = 0;
	}
	*exponent = exp;
	return true;
}

bool cty_number_normalize(const char *text, char *buf, size_t size)
{
	char digits[512], out[600];
	bool negative;
	long exp;
	size_t n = 0;

	if (!decimal_split(text, &negative, digits, sizeof digits, &exp))
		return false;
	long len = (long)strlen(digits);
	if (negative)
		out[n++] = '-';
	if (len == 0) {
		out[n++] = '0';
	} else if (exp >= 0 && exp + len <= 40) { /* integer: digits then zeros */
		memcpy(out + n, digits, (size_t)len);
		n += (size_t)len;
		memset(out + n, '0', (size_t)exp);
		n += (size_t)exp;
	} else if (exp < 0 && -exp < len) { /* point inside the digits */
		memcpy(out + n, digits, (size_t)(len + exp));
		n += (size_t)(len + exp);
		out[n++] = '.';
		memcpy(out + n, digits + len + exp, (size_t)-exp);
		n += (size_t)-exp;
	} else if (exp < 0 && -exp - len < 20) { /* 0.000ddd */
		memcpy(out + n, "0.", 2);
		n += 2;
		memset(out + n, '0', (size_t)(-exp - len));
		n += (size_t)(-exp - len);
		memcpy(out + n, digits, (size_t)len);
		n += (size_t)len;
	} else {
		n += (size_t)snprintf(out + n, sizeof out - n, "%se%ld", digits, exp);
	}
	if (n >= size)
		return false;
	memcpy(buf, out, n);
	buf[n] = '\0';
	return true;
}

cty_value *cty_number_from_text(const char *decimal)
{
	char canonical[600];
	if (!cty_number_normalize(decimal, canonical, sizeof canonical))
		return NULL;
	cty_value *v = value_new(&cty_number, CTY_KNOWN);
	v->u.str.len = strlen(canonical);
	v->u.str.text = xstrndup(canonical, v->u.str.len);
	return v;
}

cty_value *cty_number_from_int(int64_t n)
{
	char text[32];
	snprintf(text, sizeof text, "%lld", (long long)n);
	return cty_number_from_text(text);
}

cty_value *cty_number_from_double(double d)
{
	char text[40];
	/* The shortest text that reads back as the same double, so a float64
	 * from the wire keeps its exact value through text. */
	for (int precision = 1; precision <= 17; precision++) {
		snprintf(text, sizeof text, "%.*g", precision, d);
		if (strtod(text, NULL) == d)
			break;
	}
	if (!isfinite(d))
		return NULL;
	cty_value *v = cty_number_from_text(text);
	v->u.str.binary = true;
	return v;
}

cty_value *cty_collection_new(const cty_type *t)
{
	return value_new(t, CTY_KNOWN);
}

static void collection_grow(cty_value *v, bool with_keys)
{
	size_t n = v->u.coll.count + 1;
	v->u.coll.items = realloc(v->u.coll.items, n * sizeof *v->u.coll.items);
	if (!v->u.coll.items)
		abort();
	if (with_keys) {
		v->u.coll.keys = realloc(v->u.coll.keys, n * sizeof *v->u.coll.keys);
		if (!v->u.coll.keys)
			abort();
	}
}

void cty_append(cty_value *list, cty_value *item)
{
	collection_grow(list, false);
	list->u.coll.items[list->u.coll.count++] = item;
}

void cty_map_put(cty_value *map, const char *key, cty_value *item)
{
	for (size_t i = 0; i < map->u.coll.count; i++) {
		if (strcmp(map->u.coll.keys[i], key) == 0) { /* a repeated key: the last one wins */
			cty_value_free(map->u.coll.items[i]);
			map->u.coll.items[i] = item;
			return;
		}
	}
	collection_grow(map, true);
	map->u.coll.keys[map->u.coll.count] = xstrndup(key, strlen(key));
	map->u.coll.items[map->u.coll.count++] = item;
}

cty_value *cty_object_new(const cty_type *t)
{
	cty_value *v = value_new(t, CTY_KNOWN);
	v->u.coll.count = t->field_count;
	v->u.coll.items = xcalloc(t->field_count, sizeof *v->u.coll.items);
	for (size_t i = 0; i < t->field_count; i++)
		v->u.coll.items[i] = cty_null(t->fields[i].type);
	return v;
}

/* A misuse of an object that the code, not the input, got wrong: a name
 * the type does not have, or a value of another type. Checked builds
 * (WAGTAIL_CHECKED: the sanitizer and fuzz builds) stop at once so that a
 * typo in an attribute name fails the first test that reaches it; the
 * release build carries on as before (the set is dropped, the get finds
 * nothing). */
#ifdef WAGTAIL_CHECKED
static void misuse(const cty_value *object, const char *name, const char *what)
{
	char *type = cty_type_to_json(object->type);
	fprintf(stderr, "cty: %s \"%s\" on an object of type %s\n", what, name, type);
	free(type);
	abort();
}
#define CHECKED_MISUSE(object, name, what) misuse(object, name, what)
#else
#define CHECKED_MISUSE(object, name, what) ((void)0)
#endif

bool cty_object_set(cty_value *object, const char *name, cty_value *v)
{
	int i = cty_is_known(object) ? cty_type_field_index(object->type, name) : -1;
	if (cty_is_known(object) && i < 0)
		CHECKED_MISUSE(object, name, "no attribute");
	if (i >= 0 && v && object->type->fields[i].type->kind != CTY_DYNAMIC &&
	    !cty_type_equal(object->type->fields[i].type, v->type))
		CHECKED_MISUSE(object, name, "a value of another type for attribute");
	if (i < 0) {
		cty_value_free(v);
		return false;
	}
	cty_value_free(object->u.coll.items[i]);
	object->u.coll.items[i] = v;
	return true;
}

static bool has_items(const cty_value *v)
{
	cty_kind k = v->type->kind;
	return v->state == CTY_KNOWN && k != CTY_STRING && k != CTY_NUMBER && k != CTY_BOOL;
}

static bool has_text(const cty_value *v)
{
	return v->state == CTY_KNOWN && (v->type->kind == CTY_STRING || v->type->kind == CTY_NUMBER);
}

cty_value *cty_value_clone(const cty_value *v)
{
	if (!v)
		return NULL;
	cty_value *copy = value_new(v->type, v->state);
	if (v->owned_type) {
		/* Re-derive the type rather than share it: each owner frees its own. */
		char *json = cty_type_to_json(v->owned_type);
		copy->owned_type = cty_type_from_json(json, strlen(json));
		copy->type = copy->owned_type;
		free(json);
	}
	if (has_text(v)) {
		copy->u.str.text = xstrndup(v->u.str.text, v->u.str.len);
		copy->u.str.len = v->u.str.len;
		copy->u.str.binary = v->u.str.binary;
	} else if (has_items(v)) {
		size_t n = v->u.coll.count;
		copy->u.coll.count = n;
		copy->u.coll.items = xcalloc(n, sizeof *copy->u.coll.items);
		for (size_t i = 0; i < n; i++)
			copy->u.coll.items[i] = cty_value_clone(v->u.coll.items[i]);
		if (v->u.coll.keys) {
			copy->u.coll.keys = xcalloc(n, sizeof *copy->u.coll.keys);
			for (size_t i = 0; i < n; i++)
				copy->u.coll.keys[i] = xstrndup(v->u.coll.keys[i], strlen(v->u.coll.keys[i]));
		}
	} else {
		copy->u = v->u;
	}
	return copy;
}

void cty_value_free(cty_value *v)
{
	if (!v)
		return;
	if (has_text(v)) {
		free(v->u.str.text);
	} else if (has_items(v)) {
		for (size_t i = 0; i < v->u.coll.count; i++) {
			cty_value_free(v->u.coll.items[i]);
			if (v->u.coll.keys)
				free(v->u.coll.keys[i]);
		}
		free(v->u.coll.items);
		free(v->u.coll.keys);
	}
	cty_type_free(v->owned_type);
	free(v);
}

bool cty_contains_unknown(const cty_value *v)
{
	if (!v)
		return false;
	if (v->state == CTY_UNKNOWN)
		return true;
	if (has_items(v))
		for (size_t i = 0; i < v->u.coll.count; i++)
			if (cty_contains_unknown(v->u.coll.items[i]))
				return true;
	return false;
}

cty_value *cty_object_get(const cty_value *object, const char *name)
{
	if (!cty_is_known(object))
		return NULL;
	int i = cty_type_field_index(object->type, name);
	if (i < 0)
		CHECKED_MISUSE(object, name, "no attribute");
	return i < 0 ? NULL : object->u.coll.items[i];
}

const char *cty_object_get_string(const cty_value *object, const char *name)
{
	cty_value *v = cty_object_get(object, name);
	return cty_is_known(v) && v->type->kind == CTY_STRING ? v->u.str.text : NULL;
}

size_t cty_length(const cty_value *v)
{
	return v && has_items(v) ? v->u.coll.count : 0;
}

cty_value *cty_index(const cty_value *v, size_t i)
{
	return i < cty_length(v) ? v->u.coll.items[i] : NULL;
}

static bool set_contains(const cty_value *set, const cty_value *item)
{
	for (size_t i = 0; i < set->u.coll.count; i++)
		if (cty_value_equal(set->u.coll.items[i], item))
			return true;
	return false;
}

static bool map_equal(const cty_value *a, const cty_value *b)
{
	for (size_t i = 0; i < a->u.coll.count; i++) {
		size_t j = 0;
		while (j < b->u.coll.count && strcmp(a->u.coll.keys[i], b->u.coll.keys[j]) != 0)
			j++;
		if (j == b->u.coll.count || !cty_value_equal(a->u.coll.items[i], b->u.coll.items[j]))
			return false;
	}
	return true;
}

bool cty_value_equal(const cty_value *a, const cty_value *b)
{
	if (!a || !b)
		return cty_is_null(a) && cty_is_null(b);
	if (a->state != b->state)
		return false;
	if (a->state != CTY_KNOWN)
		return true;
	if (a->type->kind != b->type->kind)
		return false;
	switch (a->type->kind) {
	case CTY_BOOL:
		return a->u.boolean == b->u.boolean;
	case CTY_STRING:
	case CTY_NUMBER: /* numbers are kept in canonical text */
		return a->u.str.len == b->u.str.len && memcmp(a->u.str.text, b->u.str.text, a->u.str.len) == 0;
	default:
		break;
	}
	if (a->u.coll.count != b->u.coll.count)
		return false;
	if (a->type->kind == CTY_MAP)
		return map_equal(a, b);
	for (size_t i = 0; i < a->u.coll.count; i++) {
		bool same = a->type->kind == CTY_SET ? set_contains(b, a->u.coll.items[i])
						      : cty_value_equal(a->u.coll.items[i], b->u.coll.items[i]);
		if (!same)
			return false;
	}
	return true;
}
