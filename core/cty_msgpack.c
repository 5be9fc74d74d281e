/* cty_msgpack.c: the msgpack form of cty values, as go-cty writes it. */
#include "cty_codec.h"

#include <errno.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- decoding ---- */

static cty_value *decode(const msgpack_object *o, const cty_type *t, char **error);

static cty_value *fail(char **error, const char *format, ...)
{
	va_list args;
	char message[256];
	va_start(args, format);
	vsnprintf(message, sizeof message, format, args);
	va_end(args);
	if (error && !*error)
		*error = strdup(message);
	return NULL;
}

static bool is_text(const msgpack_object *o)
{
	return o->type == MSGPACK_OBJECT_STR || o->type == MSGPACK_OBJECT_BIN;
}

static const char *text_of(const msgpack_object *o, size_t *len)
{
	*len = o->type == MSGPACK_OBJECT_STR ? o->via.str.size : o->via.bin.size;
	return o->type == MSGPACK_OBJECT_STR ? o->via.str.ptr : o->via.bin.ptr;
}

static cty_value *decode_number(const msgpack_object *o, char **error)
{
	char text[512];
	size_t len;
	const char *s;

	switch (o->type) {
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		snprintf(text, sizeof text, "%llu", (unsigned long long)o->via.u64);
		return cty_number_from_text(text);
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return cty_number_from_int(o->via.i64);
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64: {
		cty_value *v = cty_number_from_double(o->via.f64);
		return v ? v : fail(error, "number is not finite");
	}
	case MSGPACK_OBJECT_STR:
		s = text_of(o, &len);
		if (len < sizeof text) {
			if (len)
				memcpy(text, s, len);
			text[len] = '\0';
			cty_value *v = cty_number_from_text(text);
			if (v)
				return v;
		}
		return fail(error, "malformed number text");
	default:
		return fail(error, "number expected");
	}
}

static cty_value *decode_sequence(const msgpack_object *o, const cty_type *t, char **error)
{
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return fail(error, "%s expected", t->kind == CTY_TUPLE ? "tuple" : "list or set");
	if (t->kind == CTY_TUPLE && o->via.array.size != t->field_count)
		return fail(error, "tuple of %zu elements expected", t->field_count);
	cty_value *v = cty_collection_new(t);
	for (uint32_t i = 0; i < o->via.array.size; i++) {
		const cty_type *et = t->kind == CTY_TUPLE ? t->fields[i].type : t->elem;
		cty_value *item = decode(&o->via.array.ptr[i], et, error);
		if (!item) {
			cty_value_free(v);
			return NULL;
		}
		cty_append(v, item);
	}
	return v;
}

/* Copies a map key into a NUL-terminated buffer; false if it is no string. */
static bool key_text(const msgpack_object *key, char *buf, size_t size)
{
	size_t len;
	const char *s;
	if (!is_text(key))
		return false;
	s = text_of(key, &len);
	if (len >= size)
		return false;
	if (len) /* msgpack-c gives an empty string a null pointer */
		memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

static cty_value *decode_mapping(const msgpack_object *o, const cty_type *t, char **error)
{
	char key[1024];
	if (o->type != MSGPACK_OBJECT_MAP)
		return fail(error, "%s expected", t->kind == CTY_MAP ? "map" : "object");
	cty_value *v = t->kind == CTY_MAP ? cty_collection_new(t) : cty_object_new(t);
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];
		int field = -1;
		if (!key_text(&kv->key, key, sizeof key)) {
			cty_value_free(v);
			return fail(error, "map key is not a string");
		}
		if (t->kind == CTY_OBJECT && (field = cty_type_field_index(t, key)) < 0) {
			cty_value_free(v);
			return fail(error, "unsupported attribute \"%s\"", key);
		}
		cty_value *item = decode(&kv->val, t->kind == CTY_MAP ? t->elem : t->fields[field].type, error);
		if (!item) {
			cty_value_free(v);
			return NULL;
		}
		if (t->kind == CTY_MAP)
			cty_map_put(v, key, item);
		else
			cty_object_set(v, key, item);
	}
	return v;
}

/* A dynamic value is [type JSON, value]: the type travels with it. */
static cty_value *decode_dynamic(const msgpack_object *o, char **error)
{
	size_t len;
	const char *json;
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 2 || !is_text(&o->via.array.ptr[0]))
		return fail(error, "dynamic value must be [type, value]");
	json = text_of(&o->via.array.ptr[0], &len);
	cty_type *t = cty_type_from_json(json, len);
	if (!t)
		return fail(error, "dynamic value has a malformed type");
	cty_value *v = decode(&o->via.array.ptr[1], t, error);
	if (!v) {
		cty_type_free(t);
		return NULL;
	}
	v->owned_type = t;
	return v;
}

static cty_value *decode(const msgpack_object *o, const cty_type *t, char **error)
{
	if (o->type == MSGPACK_OBJECT_EXT) /* any extension is an unknown, refined or not */
		return cty_unknown(t);
	if (o->type == MSGPACK_OBJECT_NIL)
		return cty_null(t);
	switch (t->kind) {
	case CTY_STRING: {
		size_t len;
		if (!is_text(o))
			return fail(error, "string expected");
		const char *s = text_of(o, &len);
		return cty_string_from(s, len);
	}
	case CTY_NUMBER:
		return decode_number(o, error);
	case CTY_BOOL:
		if (o->type != MSGPACK_OBJECT_BOOLEAN)
			return fail(error, "bool expected");
		return cty_bool_new(o->via.boolean);
	case CTY_DYNAMIC:
		return decode_dynamic(o, error);
	case CTY_LIST:
	case CTY_SET:
	case CTY_TUPLE:
		return decode_sequence(o, t, error);
	case CTY_MAP:
	case CTY_OBJECT:
		return decode_mapping(o, t, error);
	}
	return fail(error, "unsupported type");
}

/* ---- a walk over the bytes before msgpack-c sees them ----
 *
 * msgpack-c allocates a container's declared size up front, so 20 bytes
 * declaring a map of 2^32 entries would ask for hundreds of gigabytes. A
 * first walk checks that every declared length fits in what is left (each
 * element takes at least one byte) and bounds the nesting depth. */

#define MSGPACK_MAX_DEPTH 64

static uint64_t big_endian(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Sizes of the length field (or fixed payload) by leading byte 0xc4..0xdf. */
typedef struct {
	uint8_t length_bytes;  /* bytes holding a length or count */
	uint8_t fixed_payload; /* bytes of payload when there is no length */
	char kind;             /* 'b' bytes, 'e' extension, 'a' array, 'm' map, 'f' fixed */
} msgpack_format;

static const msgpack_format formats[] = {
	[0xc4 - 0xc4] = {1, 0, 'b'}, [0xc5 - 0xc4] = {2, 0, 'b'}, [0xc6 - 0xc4] = {4, 0, 'b'},
	[0xc7 - 0xc4] = {1, 0, 'e'}, [0xc8 - 0xc4] = {2, 0, 'e'}, [0xc9 - 0xc4] = {4, 0, 'e'},
	[0xca - 0xc4] = {0, 4, 'f'}, [0xcb - 0xc4] = {0, 8, 'f'}, [0xcc - 0xc4] = {0, 1, 'f'},
	[0xcd - 0xc4] = {0, 2, 'f'}, [0xce - 0xc4] = {0, 4, 'f'}, [0xcf - 0xc4] = {0, 8, 'f'},
	[0xd0 - 0xc4] = {0, 1, 'f'}, [0xd1 - 0xc4] = {0, 2, 'f'}, [0xd2 - 0xc4] = {0, 4, 'f'},
	[0xd3 - 0xc4] = {0, 8, 'f'}, [0xd4 - 0xc4] = {0, 2, 'f'}, [0xd5 - 0xc4] = {0, 3, 'f'},
	[0xd6 - 0xc4] = {0, 5, 'f'}, [0xd7 - 0xc4] = {0, 9, 'f'}, [0xd8 - 0xc4] = {0, 17, 'f'},
	[0xd9 - 0xc4] = {1, 0, 'b'}, [0xda - 0xc4] = {2, 0, 'b'}, [0xdb - 0xc4] = {4, 0, 'b'},
	[0xdc - 0xc4] = {2, 0, 'a'}, [0xdd - 0xc4] = {4, 0, 'a'}, [0xde - 0xc4] = {2, 0, 'm'},
	[0xdf - 0xc4] = {4, 0, 'm'},
};

static bool plausible_items(const uint8_t *p, size_t len, size_t *used, uint64_t items, int depth);

/* Whether one value starts at p and fits in len; *used is its size. */
static bool plausible(const uint8_t *p, size_t len, size_t *used, int depth)
{
	if (len == 0 || depth > MSGPACK_MAX_DEPTH)
		return false;
	uint8_t b = p[0];
	if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) { /* fixints, nil, bools */
		*used = 1;
		return true;
	}
	if (b >= 0xa0 && b <= 0xbf) { /* fixstr */
		*used = 1 + (size_t)(b & 0x1f);
		return *used <= len;
	}
	if (b >= 0x80 && b <= 0x9f) { /* fixmap, fixarray */
		uint64_t items = b < 0x90 ? 2u * (b & 0x0f) : (b & 0x0f);
		if (!plausible_items(p + 1, len - 1, used, items, depth))
			return false;
		*used += 1;
		return true;
	}
	if (b < 0xc4)
		return false; /* 0xc1 is never used */
	const msgpack_format *f = &formats[b - 0xc4];
	size_t head = 1 + f->length_bytes;
	if (head > len)
		return false;
	uint64_t n = big_endian(p + 1, f->length_bytes);
	if (f->kind == 'f') {
		*used = 1 + (size_t)f->fixed_payload;
		return *used <= len;
	}
	if (f->kind == 'b' || f->kind == 'e') {
		uint64_t payload = n + (f->kind == 'e'); /* an extension adds its type byte */
		*used = head + (size_t)payload;
		return payload <= len - head;
	}
	if (!plausible_items(p + head, len - head, used, f->kind == 'm' ? 2 * n : n, depth))
		return false;
	*used += head;
	return true;
}

static bool plausible_items(const uint8_t *p, size_t len, size_t *used, uint64_t items, int depth)
{
	size_t at = 0;
	if (items > len) /* every element takes at least one byte */
		return false;
	for (uint64_t i = 0; i < items; i++) {
		size_t one;
		if (!plausible(p + at, len - at, &one, depth + 1))
			return false;
		at += one;
	}
	*used = at;
	return true;
}

cty_value *cty_msgpack_decode(const uint8_t *data, size_t len, const cty_type *t, char **error)
{
	msgpack_unpacked unpacked;
	size_t offset = 0;
	cty_value *v;

	if (len == 0)
		return cty_null(t);
	size_t used;
	if (!plausible(data, len, &used, 0))
		return fail(error, "malformed msgpack: a length runs past the end, or nesting is too deep");
	msgpack_unpacked_init(&unpacked);
	if (msgpack_unpack_next(&unpacked, (const char *)data, len, &offset) != MSGPACK_UNPACK_SUCCESS)
		v = fail(error, "malformed msgpack");
	else if (offset != len)
		v = fail(error, "trailing bytes after msgpack value");
	else
		v = decode(&unpacked.data, t, error);
	msgpack_unpacked_destroy(&unpacked);
	return v;
}

/* ---- encoding ---- */

static void encode(msgpack_packer *pk, const cty_value *v, const cty_type *t);

static void encode_text(msgpack_packer *pk, const char *s, size_t len)
{
	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, s, len);
}

static bool is_plain_integer(const char *text)
{
	if (*text == '-')
		text++;
	return *text && strspn(text, "0123456789") == strlen(text) && strlen(text) <= 19;
}

static void encode_number(msgpack_packer *pk, const cty_value *v)
{
	const char *text = v->u.str.text;
	if (v->u.str.binary) {
		msgpack_pack_double(pk, strtod(text, NULL));
		return;
	}
	if (is_plain_integer(text)) {
		char *end;
		errno = 0;
		long long n = strtoll(text, &end, 10);
		if (errno == 0) {
			msgpack_pack_int64(pk, n);
			return;
		}
	}
	encode_text(pk, text, v->u.str.len); /* beyond int64: exact as text */
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/* Maps go out with sorted keys, as go-cty writes them, so that equal maps
 * encode to equal bytes. */
static void encode_map(msgpack_packer *pk, const cty_value *v)
{
	size_t n = v->u.coll.count;
	char ***order = malloc((n ? n : 1) * sizeof *order);
	if (!order)
		abort();
	for (size_t i = 0; i < n; i++)
		order[i] = &v->u.coll.keys[i];
	qsort(order, n, sizeof order[0], compare_keys);
	msgpack_pack_map(pk, n);
	for (size_t i = 0; i < n; i++) {
		size_t at = (size_t)(order[i] - v->u.coll.keys);
		encode_text(pk, v->u.coll.keys[at], strlen(v->u.coll.keys[at]));
		encode(pk, v->u.coll.items[at], v->type->elem);
	}
	free(order);
}

static void encode_dynamic(msgpack_packer *pk, const cty_value *v)
{
	char *json = cty_type_to_json(v->type);
	msgpack_pack_array(pk, 2);
	msgpack_pack_bin(pk, strlen(json));
	msgpack_pack_bin_body(pk, json, strlen(json));
	free(json);
	encode(pk, v, v->type);
}

static void encode(msgpack_packer *pk, const cty_value *v, const cty_type *t)
{
	if (t->kind == CTY_DYNAMIC && v && v->type->kind != CTY_DYNAMIC) {
		encode_dynamic(pk, v);
		return;
	}
	if (cty_is_unknown(v)) {
		static const char zero = 0;
		msgpack_pack_ext(pk, 1, 0);
		msgpack_pack_ext_body(pk, &zero, 1);
		return;
	}
	if (cty_is_null(v)) {
		msgpack_pack_nil(pk);
		return;
	}
	switch (t->kind) {
	case CTY_STRING:
		encode_text(pk, v->u.str.text, v->u.str.len);
		break;
	case CTY_NUMBER:
		encode_number(pk, v);
		break;
	case CTY_BOOL:
		v->u.boolean ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
		break;
	case CTY_LIST:
	case CTY_SET:
	case CTY_TUPLE:
		msgpack_pack_array(pk, v->u.coll.count);
		for (size_t i = 0; i < v->u.coll.count; i++)
			encode(pk, v->u.coll.items[i], t->kind == CTY_TUPLE ? t->fields[i].type : t->elem);
		break;
	case CTY_MAP:
		encode_map(pk, v);
		break;
	case CTY_OBJECT: /* every attribute, in the type's sorted order */
		msgpack_pack_map(pk, t->field_count);
		for (size_t i = 0; i < t->field_count; i++) {
			encode_text(pk, t->fields[i].name, strlen(t->fields[i].name));
			encode(pk, v->u.coll.items[i], t->fields[i].type);
		}
		break;
	case CTY_DYNAMIC: /* a dynamic-typed null or unknown: handled above */
		msgpack_pack_nil(pk);
		break;
	}
}

void cty_msgpack_encode(const cty_value *v, const cty_type *t, uint8_t **out, size_t *out_len)
{
	msgpack_sbuffer buffer;
	msgpack_packer pk;
	msgpack_sbuffer_init(&buffer);
	msgpack_packer_init(&pk, &buffer, msgpack_sbuffer_write);
	encode(&pk, v, t);
	*out_len = buffer.size;
	*out = (uint8_t *)msgpack_sbuffer_release(&buffer);
}
