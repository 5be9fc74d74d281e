/* cty.h: Terraform's value model (named after go-cty, which defines it).
 *
 * A cty_type says what a value may hold; a cty_value holds it. Every value is
 * one of three states: null, unknown (known only after apply), or known.
 *
 * Types are immutable. Primitive types are static singletons; composite types
 * written in resource tables are file-scope compound literals (static
 * storage, see CTY_LIST_OF and friends); types parsed from the wire are heap
 * objects freed with cty_type_free. A value never owns its type except where
 * it says so (dynamic values decoded from the wire, see cty_value.owned_type).
 *
 * Values are trees of heap nodes; every constructor returns a new node the
 * caller owns and frees with cty_value_free. Functions that take a child
 * value "adopt" it: ownership moves into the parent. */
#ifndef WAGTAIL_CTY_H
#define WAGTAIL_CTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
	CTY_STRING,
	CTY_NUMBER,
	CTY_BOOL,
	CTY_DYNAMIC, /* "any type": the value carries its own type on the wire */
	CTY_LIST,
	CTY_SET,
	CTY_MAP,
	CTY_OBJECT,
	CTY_TUPLE
} cty_kind;

typedef struct cty_type cty_type;

typedef struct {
	const char *name;
	const cty_type *type;
} cty_field;

struct cty_type {
	cty_kind kind;
	const cty_type *elem;    /* list, set, map */
	size_t field_count;      /* object attributes or tuple elements */
	const cty_field *fields; /* object: sorted by name; tuple: names NULL */
};

extern const cty_type cty_string, cty_number, cty_bool, cty_dynamic;

/* Composite type literals. Only at file scope (in schema tables), where a
 * compound literal has static storage; inside a function it would die with
 * the block, so functions use the singletons below or a schema's types. */
#define CTY_LIST_OF(t) (&(const cty_type){.kind = CTY_LIST, .elem = (t)})
#define CTY_SET_OF(t) (&(const cty_type){.kind = CTY_SET, .elem = (t)})
#define CTY_MAP_OF(t) (&(const cty_type){.kind = CTY_MAP, .elem = (t)})

extern const cty_type cty_list_of_string, cty_set_of_string, cty_map_of_string;

bool cty_type_is_collection(const cty_type *t); /* list, set or map */
bool cty_type_equal(const cty_type *a, const cty_type *b);

/* Index of attribute `name` in an object type, or -1. */
int cty_type_field_index(const cty_type *object, const char *name);

/* Type JSON as Terraform writes it: "string", ["list","string"], ... The
 * result is malloc'd; the caller frees it. */
char *cty_type_to_json(const cty_type *t);

/* Parses type JSON into a heap type the caller frees with cty_type_free.
 * NULL on malformed input. */
cty_type *cty_type_from_json(const char *json, size_t len);
void cty_type_free(cty_type *t);

typedef enum { CTY_NULL, CTY_UNKNOWN, CTY_KNOWN } cty_state;

typedef struct cty_value cty_value;
struct cty_value {
	const cty_type *type; /* for CTY_DYNAMIC attributes: the concrete type */
	cty_type *owned_type; /* set when this node owns `type` (freed with it) */
	cty_state state;
	union {
		bool boolean;
		/* string: UTF-8 bytes; number: its canonical decimal text,
		 * exact. `binary` marks a number that arrived as a float64, so
		 * it goes back as the same float64 rather than as text. */
		struct {
			char *text;
			size_t len;
			bool binary;
		} str;
		/* list, set, tuple: items; map: items with keys; object: items in
		 * the type's field order (keys NULL) */
		struct {
			size_t count;
			cty_value **items;
			char **keys;
		} coll;
	} u;
};

/* Constructors: each returns a new value the caller owns. */
cty_value *cty_null(const cty_type *t);
cty_value *cty_unknown(const cty_type *t);
cty_value *cty_string_new(const char *s);
cty_value *cty_string_from(const char *bytes, size_t len);
cty_value *cty_number_from_text(const char *decimal); /* NULL if not a number */
cty_value *cty_number_from_int(int64_t n);
cty_value *cty_number_from_double(double d);
cty_value *cty_bool_new(bool b);
/* Empty known list/set/tuple/map of type t; fill with cty_append / cty_map_put. */
cty_value *cty_collection_new(const cty_type *t);
/* A known object of type t whose attributes are all null. */
cty_value *cty_object_new(const cty_type *t);

/* Appends to a list, set or tuple, adopting item. */
void cty_append(cty_value *list, cty_value *item);
/* Adds a map entry, adopting item; the key is copied. A key already there
 * takes the new item (a repeated key in JSON or msgpack: the last wins). */
void cty_map_put(cty_value *map, const char *key, cty_value *item);
/* Replaces an object's attribute, adopting v (freeing the old one). Returns
 * false, freeing v, if the object has no such attribute. */
bool cty_object_set(cty_value *object, const char *name, cty_value *v);

cty_value *cty_value_clone(const cty_value *v);
void cty_value_free(cty_value *v);

/* Accessors. They tolerate NULL and never allocate. */
static inline bool cty_is_null(const cty_value *v) { return !v || v->state == CTY_NULL; }
static inline bool cty_is_unknown(const cty_value *v) { return v && v->state == CTY_UNKNOWN; }
static inline bool cty_is_known(const cty_value *v) { return v && v->state == CTY_KNOWN; }
/* True when v or anything inside it is unknown. */
bool cty_contains_unknown(const cty_value *v);
/* Attribute of an object, or NULL when absent / object not known. */
cty_value *cty_object_get(const cty_value *object, const char *name);
/* String text of a known string attribute, else NULL. */
const char *cty_object_get_string(const cty_value *object, const char *name);
size_t cty_length(const cty_value *v); /* items of a known collection, else 0 */
cty_value *cty_index(const cty_value *v, size_t i);

/* Deep equality: same state, same type kind, same content (sets compare as
 * unordered). Numbers compare by numeric value. */
bool cty_value_equal(const cty_value *a, const cty_value *b);

/* Canonical decimal text for a number (shortest exact form), into buf. */
bool cty_number_normalize(const char *text, char *buf, size_t size);

#endif
