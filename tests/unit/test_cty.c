/* test_cty.c: the value model and both codecs. */
#include "unit.h"

#include "cty.h"
#include "cty_codec.h"

#include <stdlib.h>

static const cty_field person_fields[] = {
	{"age", &cty_number},
	{"name", &cty_string},
	{"tags", CTY_MAP_OF(&cty_string)},
};
static const cty_type person = {.kind = CTY_OBJECT, .field_count = 3, .fields = person_fields};
static const cty_type *const list_of_people = CTY_LIST_OF(&person);
static const cty_type *const set_of_numbers = CTY_SET_OF(&cty_number);

/* Encodes v as t, decodes it back, and checks both the value and that a
 * second encoding gives the very same bytes. */
static void check_round_trip(const cty_value *v, const cty_type *t)
{
	uint8_t *first, *second;
	size_t first_len, second_len;
	char *error = NULL;

	cty_msgpack_encode(v, t, &first, &first_len);
	cty_value *back = cty_msgpack_decode(first, first_len, t, &error);
	CHECK(back != NULL);
	CHECK(error == NULL);
	CHECK(cty_value_equal(v, back));
	cty_msgpack_encode(back, t, &second, &second_len);
	CHECK(first_len == second_len && memcmp(first, second, first_len) == 0);
	free(first);
	free(second);
	free(error);
	cty_value_free(back);
}

TEST(msgpack_round_trips_primitives_null_and_unknown)
{
	cty_value *values[] = {
		cty_string_new("héllo"), cty_number_from_int(-42), cty_number_from_text("123456789012345678901234567890"),
		cty_number_from_text("0.1"), cty_number_from_double(2.5), cty_bool_new(true),
		cty_null(&cty_string), cty_unknown(&cty_number),
	};
	for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
		check_round_trip(values[i], values[i]->type);
		cty_value_free(values[i]);
	}
}

TEST(msgpack_unknown_is_cty_extension)
{
	cty_value *v = cty_unknown(&cty_string);
	uint8_t *out;
	size_t len;
	cty_msgpack_encode(v, &cty_string, &out, &len);
	CHECK(len == 3 && out[0] == 0xd4 && out[1] == 0 && out[2] == 0);
	free(out);
	cty_value_free(v);
}

TEST(msgpack_refined_unknown_decodes_as_unknown)
{
	/* ext8, type 12, a 1-entry map payload: a refined unknown string */
	const uint8_t refined[] = {0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3};
	char *error = NULL;
	cty_value *v = cty_msgpack_decode(refined, sizeof refined, &cty_string, &error);
	CHECK(cty_is_unknown(v));
	cty_value_free(v);
	free(error);
}

TEST(msgpack_big_numbers_keep_full_precision)
{
	const char *digits = "98765432109876543210.123456789";
	cty_value *v = cty_number_from_text(digits);
	uint8_t *out;
	size_t len;
	cty_msgpack_encode(v, &cty_number, &out, &len);
	CHECK(out[0] == 0xa0 + strlen(digits)); /* sent as exact text */
	char *error = NULL;
	cty_value *back = cty_msgpack_decode(out, len, &cty_number, &error);
	CHECK_STR(back->u.str.text, digits);
	free(out);
	cty_value_free(v);
	cty_value_free(back);
}

TEST(number_text_is_canonical)
{
	char buf[64];
	CHECK(cty_number_normalize("007.500", buf, sizeof buf) && strcmp(buf, "7.5") == 0);
	CHECK(cty_number_normalize("1e3", buf, sizeof buf) && strcmp(buf, "1000") == 0);
	CHECK(cty_number_normalize("-0.0", buf, sizeof buf) && strcmp(buf, "0") == 0);
	CHECK(cty_number_normalize("0.00012", buf, sizeof buf) && strcmp(buf, "0.00012") == 0);
	CHECK(!cty_number_normalize("12abc", buf, sizeof buf));
	CHECK(!cty_number_normalize("", buf, sizeof buf));
}

TEST(msgpack_round_trips_objects_lists_sets_maps_tuples)
{
	cty_value *obj = cty_object_new(&person);
	cty_object_set(obj, "name", cty_string_new("wagtail"));
	cty_object_set(obj, "age", cty_unknown(&cty_number));
	cty_value *tags = cty_collection_new(&cty_map_of_string);
	cty_map_put(tags, "z", cty_string_new("last"));
	cty_map_put(tags, "a", cty_null(&cty_string));
	cty_object_set(obj, "tags", tags);
	check_round_trip(obj, &person);

	cty_value *list = cty_collection_new(list_of_people);
	cty_append(list, obj);
	cty_append(list, cty_null(&person));
	check_round_trip(list, list_of_people);
	cty_value_free(list);

	cty_value *set = cty_collection_new(set_of_numbers);
	cty_append(set, cty_number_from_int(3));
	cty_append(set, cty_number_from_int(1));
	check_round_trip(set, set->type);
	cty_value_free(set);

	static const cty_field pair_fields[] = {{NULL, &cty_string}, {NULL, &cty_bool}};
	static const cty_type pair = {.kind = CTY_TUPLE, .field_count = 2, .fields = pair_fields};
	cty_value *tuple = cty_collection_new(&pair);
	cty_append(tuple, cty_string_new("x"));
	cty_append(tuple, cty_bool_new(false));
	check_round_trip(tuple, &pair);
	cty_value_free(tuple);
}

TEST(msgpack_object_carries_every_attribute_sorted)
{
	cty_value *obj = cty_object_new(&person);
	uint8_t *out;
	size_t len;
	cty_msgpack_encode(obj, &person, &out, &len);
	/* fixmap 3, "age" nil, "name" nil, "tags" nil */
	const uint8_t want[] = {0x83, 0xa3, 'a', 'g', 'e', 0xc0, 0xa4, 'n', 'a', 'm', 'e', 0xc0,
				0xa4, 't', 'a', 'g', 's', 0xc0};
	CHECK(len == sizeof want && memcmp(out, want, len) == 0);
	free(out);
	cty_value_free(obj);
}

TEST(msgpack_dynamic_values_carry_their_type)
{
	cty_value *list = cty_collection_new(&cty_list_of_string);
	cty_append(list, cty_string_new("a"));
	uint8_t *out;
	size_t len;
	char *error = NULL;
	cty_msgpack_encode(list, &cty_dynamic, &out, &len);
	CHECK(out[0] == 0x92); /* [type, value] */
	cty_value *back = cty_msgpack_decode(out, len, &cty_dynamic, &error);
	CHECK(back && back->type->kind == CTY_LIST && back->type->elem->kind == CTY_STRING);
	CHECK(cty_value_equal(list, back));
	check_round_trip(back, &cty_dynamic);
	free(out);
	cty_value_free(back);
	cty_value_free(list);

	/* a wholly unknown dynamic is the bare extension */
	const uint8_t unknown[] = {0xd4, 0, 0};
	back = cty_msgpack_decode(unknown, sizeof unknown, &cty_dynamic, &error);
	CHECK(cty_is_unknown(back));
	cty_value_free(back);
}

TEST(msgpack_rejects_wrong_types_with_a_message)
{
	const uint8_t number[] = {0x05};
	const uint8_t truncated[] = {0x92, 0xa1};
	char *error = NULL;
	CHECK(cty_msgpack_decode(number, sizeof number, &cty_string, &error) == NULL);
	CHECK(error && strstr(error, "string"));
	free(error);
	error = NULL;
	CHECK(cty_msgpack_decode(truncated, sizeof truncated, &cty_list_of_string, &error) == NULL);
	CHECK(error != NULL);
	free(error);
}

TEST(type_json_round_trips)
{
	const char *json = "[\"object\",{\"a\":[\"list\",\"string\"],\"b\":[\"tuple\",[\"number\",\"bool\"]],"
			   "\"c\":[\"map\",\"dynamic\"],\"d\":[\"set\",\"number\"]}]";
	cty_type *t = cty_type_from_json(json, strlen(json));
	CHECK(t && t->kind == CTY_OBJECT && t->field_count == 4);
	char *back = cty_type_to_json(t);
	CHECK_STR(back, json);
	free(back);
	cty_type_free(t);
	CHECK(cty_type_from_json("[\"list\"]", 8) == NULL);
	CHECK(cty_type_from_json("\"strung\"", 8) == NULL);
}

TEST(json_state_decodes_leniently)
{
	const char *state = "{\"name\":\"w\",\"age\":30,\"removed_attr\":true}";
	char *error = NULL;
	cty_value *v = cty_json_decode(state, strlen(state), &person, &error);
	CHECK(v != NULL);
	CHECK_STR(cty_object_get_string(v, "name"), "w");
	CHECK_STR(cty_object_get(v, "age")->u.str.text, "30");
	CHECK(cty_is_null(cty_object_get(v, "tags")));
	cty_value_free(v);
	CHECK(cty_json_decode("{\"name\":5}", 10, &person, &error) == NULL);
	CHECK(error && strstr(error, "string"));
	free(error);
}

TEST(json_dynamic_has_type_and_value)
{
	const char *json = "{\"value\":[1,2],\"type\":[\"list\",\"number\"]}";
	char *error = NULL;
	cty_value *v = cty_json_decode(json, strlen(json), &cty_dynamic, &error);
	CHECK(v && v->type->kind == CTY_LIST && cty_length(v) == 2);
	cty_value_free(v);
}

TEST(set_equality_ignores_order)
{
	cty_value *a = cty_collection_new(&cty_set_of_string);
	cty_value *b = cty_collection_new(&cty_set_of_string);
	cty_append(a, cty_string_new("x"));
	cty_append(a, cty_string_new("y"));
	cty_append(b, cty_string_new("y"));
	cty_append(b, cty_string_new("x"));
	CHECK(cty_value_equal(a, b));
	cty_append(b, cty_string_new("z"));
	CHECK(!cty_value_equal(a, b));
	cty_value_free(a);
	cty_value_free(b);
}
