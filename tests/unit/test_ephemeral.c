/* test_ephemeral.c: ephemeral resources through the tfplugin6 methods as
 * a CLI calls them (packed requests in, packed responses out): their
 * schemas and metadata, validate, open with the schema's defaults, renew
 * and close of the three wagtail_ ones, which hold no lease; and the
 * wagtail_random_password and wagtail_rds_auth_token results, which need
 * no AWS call. wagtail_ssm_parameter's open against moto is in
 * test_ephemeral_ssm_parameter.c. */
#include "unit.h"

#include "attr.h"
#include "cty_codec.h"
#include "ephemeral.h"
#include "provider_config.h"
#include "rpc.h"
#include "schema.h"
#include "tfplugin6.pb-c.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Calls the tfplugin6 method `name` with request; the unpacked response
 * (free with protobuf_c_message_free_unpacked), or NULL, failing the test. */
static ProtobufCMessage *call(const char *name, const ProtobufCMessage *request,
			      const ProtobufCMessageDescriptor *response_type)
{
	char path[128];
	snprintf(path, sizeof path, "/tfplugin6.Provider/%s", name);
	for (const rpc_method *m = tfplugin6_methods; m->path; m++) {
		if (strcmp(m->path, path) != 0)
			continue;
		size_t len = protobuf_c_message_get_packed_size(request), out_len = 0;
		uint8_t *packed = malloc(len ? len : 1), *out = NULL;
		char *error = NULL;
		protobuf_c_message_pack(request, packed);
		int status = m->handler(packed, len, &out, &out_len, &error);
		CHECK(status == RPC_OK);
		ProtobufCMessage *response =
			status == RPC_OK ? protobuf_c_message_unpack(response_type, NULL, out_len, out) : NULL;
		free(packed);
		free(out);
		free(error);
		return response;
	}
	unit_fail(__FILE__, __LINE__, path);
	return NULL;
}

/* A config of type_name's ephemeral schema, as msgpack bytes. */
static Tfplugin6__DynamicValue *config_of(const cty_value *v, const char *type_name)
{
	Tfplugin6__DynamicValue *dv = malloc(sizeof *dv);
	tfplugin6__dynamic_value__init(dv);
	cty_msgpack_encode(v, resource_state_type(ephemeral_find(type_name)->shape), &dv->msgpack.data,
			   &dv->msgpack.len);
	return dv;
}

static void dynamic_value_free(Tfplugin6__DynamicValue *dv)
{
	free(dv->msgpack.data);
	free(dv);
}

static bool has_error(Tfplugin6__Diagnostic **diagnostics, size_t n, const char *summary_part)
{
	for (size_t i = 0; i < n; i++)
		if (diagnostics[i]->severity == TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR &&
		    strstr(diagnostics[i]->summary, summary_part))
			return true;
	return false;
}

/* ConfigureProvider with static keys and no AWS call, as the RPCs that
 * open need a configured provider. */
static void configure(void)
{
	const cty_type *t = resource_state_type(&provider_config_def);
	cty_value *config = cty_object_new(t);
	cty_object_set(config, "region", cty_string_new("eu-west-1"));
	cty_object_set(config, "access_key", cty_string_new("AKIDEXAMPLE"));
	cty_object_set(config, "secret_key", cty_string_new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
	cty_object_set(config, "skip_credentials_validation", cty_bool_new(true));
	cty_object_set(config, "skip_requesting_account_id", cty_bool_new(true));
	Tfplugin6__ConfigureProvider__Request request = TFPLUGIN6__CONFIGURE_PROVIDER__REQUEST__INIT;
	Tfplugin6__DynamicValue dv = TFPLUGIN6__DYNAMIC_VALUE__INIT;
	cty_msgpack_encode(config, t, &dv.msgpack.data, &dv.msgpack.len);
	request.config = &dv;
	Tfplugin6__ConfigureProvider__Response *response = (void *)call(
		"ConfigureProvider", &request.base, &tfplugin6__configure_provider__response__descriptor);
	CHECK(response && response->n_diagnostics == 0);
	protobuf_c_message_free_unpacked(&response->base, NULL);
	free(dv.msgpack.data);
	cty_value_free(config);
}

/* OpenEphemeralResource of type_name with config; the result decoded, or
 * NULL when the answer had none. *errors: whether it had an error with
 * summary_part (NULL: any). */
static cty_value *open_ephemeral(const char *type_name, const cty_value *config, const char *summary_part,
				 bool *errors, Tfplugin6__OpenEphemeralResource__Response **kept)
{
	Tfplugin6__OpenEphemeralResource__Request request = TFPLUGIN6__OPEN_EPHEMERAL_RESOURCE__REQUEST__INIT;
	request.type_name = (char *)type_name;
	request.config = config_of(config, type_name);
	Tfplugin6__OpenEphemeralResource__Response *response = (void *)call(
		"OpenEphemeralResource", &request.base, &tfplugin6__open_ephemeral_resource__response__descriptor);
	cty_value *result = NULL;
	char *error = NULL;
	dynamic_value_free(request.config);
	if (!response)
		return NULL;
	*errors = has_error(response->diagnostics, response->n_diagnostics, summary_part ? summary_part : "");
	if (response->result)
		result = cty_msgpack_decode(response->result->msgpack.data, response->result->msgpack.len,
					    resource_state_type(ephemeral_find(type_name)->shape), &error);
	free(error);
	if (kept)
		*kept = response;
	else
		protobuf_c_message_free_unpacked(&response->base, NULL);
	return result;
}

static cty_value *ephemeral_config(const char *type_name)
{
	return cty_object_new(resource_state_type(ephemeral_find(type_name)->shape));
}

static const Tfplugin6__Schema__Attribute *schema_attribute(const Tfplugin6__Schema *schema, const char *name)
{
	for (size_t i = 0; i < schema->block->n_attributes; i++)
		if (strcmp(schema->block->attributes[i]->name, name) == 0)
			return schema->block->attributes[i];
	return NULL;
}

TEST(ephemeral_schemas_and_metadata_served)
{
	static const struct {
		const char *type_name, *secret;
	} expected[] = {
		{"wagtail_random_password", "result"},
		{"wagtail_rds_auth_token", "token"},
		{"wagtail_ssm_parameter", "value"},
	};
	size_t n = sizeof expected / sizeof expected[0];
	Tfplugin6__GetProviderSchema__Request request = TFPLUGIN6__GET_PROVIDER_SCHEMA__REQUEST__INIT;
	Tfplugin6__GetProviderSchema__Response *schema = (void *)call(
		"GetProviderSchema", &request.base, &tfplugin6__get_provider_schema__response__descriptor);
	Tfplugin6__GetMetadata__Request meta_request = TFPLUGIN6__GET_METADATA__REQUEST__INIT;
	Tfplugin6__GetMetadata__Response *meta =
		(void *)call("GetMetadata", &meta_request.base, &tfplugin6__get_metadata__response__descriptor);

	CHECK(schema && schema->n_ephemeral_resource_schemas == n);
	CHECK(meta && meta->n_ephemeral_resources == n);
	for (size_t i = 0; schema && meta && i < n && i < schema->n_ephemeral_resource_schemas; i++) {
		CHECK_STR(schema->ephemeral_resource_schemas[i]->key, expected[i].type_name);
		CHECK_STR(meta->ephemeral_resources[i]->type_name, expected[i].type_name);
		const Tfplugin6__Schema__Attribute *secret =
			schema_attribute(schema->ephemeral_resource_schemas[i]->value, expected[i].secret);
		CHECK(secret && secret->sensitive && secret->computed && !secret->write_only);
	}
	protobuf_c_message_free_unpacked(&schema->base, NULL);
	protobuf_c_message_free_unpacked(&meta->base, NULL);
}

TEST(ephemeral_registry_names_unique_and_openable)
{
	for (const ephemeral_def *const *e = registry_ephemerals; *e; e++) {
		CHECK(strncmp((*e)->shape->type_name, "wagtail_", 8) == 0);
		CHECK((*e)->open != NULL);
		CHECK(ephemeral_find((*e)->shape->type_name) == *e);
	}
	CHECK(ephemeral_find("wagtail_nothing") == NULL);
}

TEST(ephemeral_validate_runs_the_schema_checks)
{
	Tfplugin6__ValidateEphemeralResourceConfig__Request request =
		TFPLUGIN6__VALIDATE_EPHEMERAL_RESOURCE_CONFIG__REQUEST__INIT;
	cty_value *config = ephemeral_config("wagtail_random_password");
	cty_object_set(config, "length", cty_number_from_int(4)); /* below 8 */
	request.type_name = "wagtail_random_password";
	request.config = config_of(config, request.type_name);
	Tfplugin6__ValidateEphemeralResourceConfig__Response *response =
		(void *)call("ValidateEphemeralResourceConfig", &request.base,
			     &tfplugin6__validate_ephemeral_resource_config__response__descriptor);
	CHECK(response && response->n_diagnostics == 1 && response->diagnostics[0]->attribute);
	protobuf_c_message_free_unpacked(&response->base, NULL);
	dynamic_value_free(request.config);

	request.type_name = "wagtail_nothing";
	request.config = NULL;
	response = (void *)call("ValidateEphemeralResourceConfig", &request.base,
				&tfplugin6__validate_ephemeral_resource_config__response__descriptor);
	CHECK(response && has_error(response->diagnostics, response->n_diagnostics, "Unknown ephemeral"));
	protobuf_c_message_free_unpacked(&response->base, NULL);
	cty_value_free(config);
}

static size_t count_in(const char *text, int (*is_class)(int))
{
	size_t n = 0;
	for (; *text; text++)
		n += is_class((unsigned char)*text) != 0;
	return n;
}

TEST(ephemeral_random_password_opens_with_defaults_and_holds_no_lease)
{
	bool errors = true;
	Tfplugin6__OpenEphemeralResource__Response *response = NULL;
	cty_value *config = ephemeral_config("wagtail_random_password");
	configure();

	cty_value *first = open_ephemeral("wagtail_random_password", config, NULL, &errors, &response);
	CHECK(!errors && first);
	CHECK(response && !response->renew_at && response->private_.len == 0);
	const char *password = cty_object_get_string(first, "result");
	CHECK(password && strlen(password) == 24); /* the resource's default length */
	CHECK(attr_long(first, "length", 0) == 24);
	protobuf_c_message_free_unpacked(&response->base, NULL);

	cty_object_set(config, "length", cty_number_from_int(40));
	cty_object_set(config, "special", cty_bool_new(false));
	cty_object_set(config, "min_numeric", cty_number_from_int(10));
	cty_value *second = open_ephemeral("wagtail_random_password", config, NULL, &errors, NULL);
	const char *other = cty_object_get_string(second, "result");
	CHECK(!errors && other && strlen(other) == 40);
	CHECK(other && count_in(other, isdigit) >= 10 && count_in(other, isalnum) == 40);
	cty_value_free(second);

	/* Each open is a new password. */
	cty_object_set(config, "special", cty_bool_new(true));
	cty_object_set(config, "min_numeric", cty_number_from_int(0));
	cty_object_set(config, "length", cty_number_from_int(24));
	second = open_ephemeral("wagtail_random_password", config, NULL, &errors, NULL);
	CHECK(second && strcmp(cty_object_get_string(second, "result"), password) != 0);
	cty_value_free(second);

	/* Minimums beyond the length: the resource's own check, no result. */
	cty_object_set(config, "length", cty_number_from_int(8));
	cty_object_set(config, "min_upper", cty_number_from_int(9));
	second = open_ephemeral("wagtail_random_password", config, "too short", &errors, NULL);
	CHECK(errors && !second);

	cty_value_free(first);
	cty_value_free(config);
}

TEST(ephemeral_rds_auth_token_is_a_signed_connect_url)
{
	bool errors = true;
	cty_value *config = ephemeral_config("wagtail_rds_auth_token");
	configure();
	cty_object_set(config, "hostname", cty_string_new("db.cluster-abc.eu-west-1.rds.amazonaws.com"));
	cty_object_set(config, "username", cty_string_new("app_user"));

	cty_value *result = open_ephemeral("wagtail_rds_auth_token", config, NULL, &errors, NULL);
	const char *token = cty_object_get_string(result, "token");
	CHECK(!errors && token);
	const char *start = "db.cluster-abc.eu-west-1.rds.amazonaws.com:5432/?Action=connect&DBUser=app_user&";
	CHECK(token && strncmp(token, start, strlen(start)) == 0);
	CHECK(token && strstr(token, "X-Amz-Signature=") && strstr(token, "eu-west-1%2Frds-db%2Faws4_request"));
	CHECK_STR(cty_object_get_string(result, "region"), "eu-west-1");
	cty_value_free(result);
	cty_value_free(config);
}

TEST(ephemeral_renew_and_close_of_a_lease_less_resource)
{
	configure();
	Tfplugin6__RenewEphemeralResource__Request renew = TFPLUGIN6__RENEW_EPHEMERAL_RESOURCE__REQUEST__INIT;
	renew.type_name = "wagtail_ssm_parameter";
	Tfplugin6__RenewEphemeralResource__Response *renewed = (void *)call(
		"RenewEphemeralResource", &renew.base, &tfplugin6__renew_ephemeral_resource__response__descriptor);
	CHECK(renewed && renewed->n_diagnostics == 0 && !renewed->renew_at && renewed->private_.len == 0);
	protobuf_c_message_free_unpacked(&renewed->base, NULL);

	Tfplugin6__CloseEphemeralResource__Request close = TFPLUGIN6__CLOSE_EPHEMERAL_RESOURCE__REQUEST__INIT;
	close.type_name = "wagtail_rds_auth_token";
	Tfplugin6__CloseEphemeralResource__Response *closed = (void *)call(
		"CloseEphemeralResource", &close.base, &tfplugin6__close_ephemeral_resource__response__descriptor);
	CHECK(closed && closed->n_diagnostics == 0);
	protobuf_c_message_free_unpacked(&closed->base, NULL);

	close.type_name = "wagtail_nothing";
	closed = (void *)call("CloseEphemeralResource", &close.base,
			      &tfplugin6__close_ephemeral_resource__response__descriptor);
	CHECK(closed && has_error(closed->diagnostics, closed->n_diagnostics, "Unknown ephemeral"));
	protobuf_c_message_free_unpacked(&closed->base, NULL);
}

TEST(ephemeral_lease_private_data_is_copied_and_cleared)
{
	ephemeral_lease lease = {.renew_at = 1700000000.5};
	char lease_id[] = "lease-1";
	ephemeral_lease_set_private(&lease, lease_id, sizeof lease_id);
	lease_id[0] = 'X';
	CHECK(lease.private_len == sizeof lease_id && memcmp(lease.private_data, "lease-1", 8) == 0);
	ephemeral_lease_set_private(&lease, "two", 3);
	CHECK(lease.private_len == 3 && memcmp(lease.private_data, "two", 3) == 0);
	ephemeral_lease_clear(&lease);
	CHECK(!lease.private_data && lease.private_len == 0 && lease.renew_at == 0);
}
