/* test_fields.c: requests built from a plan and states read from AWS's
 * answers through a field table (provider/fields.c). */
#include "unit.h"

#include "attr.h"
#include "cty_codec.h"
#include "fields.h"

#include <stdlib.h>

static const attr_def attributes[] = {
	{"id", &cty_string, ATTR_COMPUTED, "Id."},
	{"name", &cty_string, ATTR_REQUIRED, "Name."},
	{"port", &cty_number, ATTR_OPTIONAL, "Port."},
	{"encrypted", &cty_bool, ATTR_OPTIONAL, "Encrypted."},
	{"kms_key", &cty_string, ATTR_OPTIONAL, "Key."},
	{"logs", &cty_set_of_string, ATTR_OPTIONAL, "Log types."},
	{"zones", &cty_list_of_string, ATTR_OPTIONAL, "Zones."},
	{NULL},
};

static const field_def json_fields[] = {
	{"name", "name", "name"},
	{"id", NULL, "arn"},
	{"port", "config/port", "config/port", "port"},
	{"encrypted", "config/encryption/enabled", "config/encryption/enabled"},
	{"kms_key", "config/encryption/key", "config/encryption/key", "kmsKey"},
	{"logs", "logTypes", "logTypes", "logTypes"},
	{NULL},
};

static const field_def query_fields[] = {
	{"name", "Name", "Name"},
	{"port", "Port", "Port", "Port"},
	{"encrypted", "StorageEncrypted", "StorageEncrypted"},
	{"kms_key", "KmsKeyId", "Secret/KmsKeyId"},
	{"zones", "Zones.Zone", "Zones", "Zones.Zone"},
	{NULL},
};

static const resource_def thing = {.type_name = "wagtail_thing", .schema = {.attributes = attributes}};

static cty_value *object(const char *json)
{
	char *error = NULL;
	cty_value *v = cty_json_decode(json, strlen(json), resource_state_type(&thing), &error);
	if (!v)
		unit_fail(__FILE__, __LINE__, error ? error : "decode");
	free(error);
	return v;
}

static char *printed(const cJSON *json)
{
	return cJSON_PrintUnformatted(json);
}

TEST(fields_json_create_nests_members_and_leaves_out_nulls)
{
	cty_value *planned = object("{\"name\":\"a\",\"port\":5432,\"encrypted\":true,\"logs\":[\"x\",\"y\"]}");
	cJSON *request = cJSON_CreateObject();
	fields_json_create(json_fields, planned, request);
	char *text = printed(request);
	CHECK_STR(text, "{\"name\":\"a\",\"config\":{\"port\":5432,\"encryption\":{\"enabled\":true}},"
			"\"logTypes\":[\"x\",\"y\"]}");
	free(text);
	cJSON_Delete(request);
	cty_value_free(planned);
}

TEST(fields_json_update_sends_only_changes_to_update_members)
{
	cty_value *prior = object("{\"name\":\"a\",\"port\":5432,\"kms_key\":\"k1\",\"logs\":[\"x\"]}");
	cty_value *planned = object("{\"name\":\"b\",\"port\":5433,\"kms_key\":\"k1\",\"logs\":[\"x\"]}");
	cJSON *request = cJSON_CreateObject();
	/* name changed but has no update member: not sent; port has one. */
	CHECK(fields_json_update(json_fields, prior, planned, request) == 1);
	char *text = printed(request);
	CHECK_STR(text, "{\"port\":5433}");
	free(text);
	cJSON_Delete(request);
	cty_value_free(planned);
	/* A setting that became null is not sent, and not counted. */
	planned = object("{\"name\":\"a\",\"port\":5432,\"logs\":[\"x\"]}");
	request = cJSON_CreateObject();
	CHECK(fields_json_update(json_fields, prior, planned, request) == 0);
	CHECK(cJSON_GetArraySize(request) == 0);
	cJSON_Delete(request);
	cty_value_free(prior);
	cty_value_free(planned);
}

TEST(fields_json_read_sets_each_kind_and_absent_values)
{
	const char *answer = "{\"name\":\"a\",\"arn\":\"arn:aws:x\",\"config\":{\"port\":8080,"
			     "\"encryption\":{\"key\":\"k\"}},\"logTypes\":[\"b\",\"a\"]}";
	cJSON *described = cJSON_Parse(answer);
	cty_value *state = object("{\"name\":\"old\",\"encrypted\":true,\"zones\":[\"z\"]}");
	fields_json_read(json_fields, described, state);
	CHECK_STR(attr_text(state, "name"), "a");
	CHECK_STR(attr_text(state, "id"), "arn:aws:x");
	CHECK(attr_long(state, "port", 0) == 8080);
	CHECK_STR(attr_text(state, "kms_key"), "k");
	CHECK(attr_strings_contain(cty_object_get(state, "logs"), "a"));
	CHECK(cty_length(cty_object_get(state, "logs")) == 2);
	/* An absent flag is false, not the prior true. */
	CHECK(cty_is_known(cty_object_get(state, "encrypted")) && !attr_flag(state, "encrypted"));
	/* Not in the table: kept. */
	CHECK(cty_length(cty_object_get(state, "zones")) == 1);
	cJSON_Delete(described);
	cty_value_free(state);

	/* Everything absent: null strings and numbers, an empty set. */
	described = cJSON_Parse("{}");
	state = object("{\"name\":\"old\",\"port\":1,\"logs\":[\"x\"]}");
	fields_json_read(json_fields, described, state);
	CHECK(cty_is_null(cty_object_get(state, "name")) && cty_is_null(cty_object_get(state, "port")));
	CHECK(cty_is_known(cty_object_get(state, "logs")) && cty_length(cty_object_get(state, "logs")) == 0);
	cty_value_free(state);
	state = object("{\"name\":\"old\"}");
	fields_json_read(json_fields, described, state);
	CHECK(cty_is_null(cty_object_get(state, "logs")));
	cJSON_Delete(described);
	cty_value_free(state);
}

TEST(fields_query_create_numbers_lists_and_update)
{
	cty_value *planned = object("{\"name\":\"a\",\"port\":5432,\"encrypted\":false,\"zones\":[\"z1\",\"z2\"]}");
	query_params q = {0};
	fields_query_create(query_fields, planned, &q);
	const char *want[][2] = {{"Name", "a"},
				 {"Port", "5432"},
				 {"StorageEncrypted", "false"},
				 {"Zones.Zone.1", "z1"},
				 {"Zones.Zone.2", "z2"}};
	CHECK(q.count == 5);
	for (size_t i = 0; i < q.count && i < 5; i++) {
		CHECK_STR(q.items[i].name, want[i][0]);
		CHECK_STR(q.items[i].value, want[i][1]);
	}
	query_free(&q);

	cty_value *prior = object("{\"name\":\"a\",\"port\":5432,\"zones\":[\"z1\"]}");
	query_params u = {0};
	CHECK(fields_query_update(query_fields, prior, planned, &u) == 1);
	CHECK(u.count == 2);
	CHECK_STR(u.items[0].name, "Zones.Zone.1");
	CHECK_STR(u.items[1].value, "z2");
	query_free(&u);
	cty_value_free(prior);
	cty_value_free(planned);
}

TEST(fields_xml_read_direct_children_lists_and_flags)
{
	const char *xml = "<DBCluster><Name>a</Name><Port>3306</Port><StorageEncrypted>true</StorageEncrypted>"
			  "<KmsKeyId>cluster-key</KmsKeyId><Secret><KmsKeyId>secret-key</KmsKeyId></Secret>"
			  "<Zones><Zone>z1</Zone><Zone>z2</Zone></Zones></DBCluster>";
	xmlDoc *doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, 0);
	cty_value *state = object("{\"name\":\"old\"}");
	fields_xml_read(query_fields, xmlDocGetRootElement(doc), state);
	CHECK_STR(attr_text(state, "name"), "a");
	CHECK(attr_long(state, "port", 0) == 3306);
	CHECK(attr_flag(state, "encrypted"));
	CHECK_STR(attr_text(state, "kms_key"), "secret-key"); /* by its path, not the first KmsKeyId */
	CHECK(cty_length(cty_object_get(state, "zones")) == 2);
	CHECK_STR(cty_index(cty_object_get(state, "zones"), 1)->u.str.text, "z2");
	xmlFreeDoc(doc);
	cty_value_free(state);

	xml = "<DBCluster><Zones/></DBCluster>";
	doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, 0);
	state = object("{\"name\":\"old\",\"encrypted\":true,\"zones\":[\"z\"]}");
	fields_xml_read(query_fields, xmlDocGetRootElement(doc), state);
	CHECK(cty_is_null(cty_object_get(state, "name")));
	CHECK(cty_is_known(cty_object_get(state, "encrypted")) && !attr_flag(state, "encrypted"));
	CHECK(cty_is_known(cty_object_get(state, "zones")) && cty_length(cty_object_get(state, "zones")) == 0);
	cty_value_free(state);
	/* A list the user left unset (null) that AWS shows empty stays null. */
	state = object("{\"name\":\"old\"}");
	fields_xml_read(query_fields, xmlDocGetRootElement(doc), state);
	CHECK(cty_is_null(cty_object_get(state, "zones")));
	xmlFreeDoc(doc);
	cty_value_free(state);
}
