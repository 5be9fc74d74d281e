/* test_engine.c: the planning engine, the attribute checks, the schema's
 * derived types and the first data source, without any RPC. */
#include "unit.h"

#include "plan.h"
#include "schema.h"
#include "validate.h"

#include <stdlib.h>

static const attr_def widget_attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "name"},
	{"size", &cty_number, ATTR_OPTIONAL, "size", .default_json = "3",
	 .check = {CHECK_RANGE, .min = 1, .max = 10}},
	{"arn", &cty_string, ATTR_COMPUTED, "arn"},
	{"etag", &cty_string, ATTR_COMPUTED | ATTR_VOLATILE, "etag"},
	{"mode", &cty_string, ATTR_OPTIONAL, "mode",
	 .check = {CHECK_ENUM, .choices = (const char *const[]){"a", "b", NULL}}},
	{"cidrs", CTY_LIST_OF(&cty_string), ATTR_OPTIONAL, "cidrs", .check = {CHECK_CIDR}},
	{NULL},
};

static const resource_def widget = {
	.type_name = "test_widget",
	.schema = {.attributes = widget_attributes},
	.timeouts = &(const timeouts_def){.create = 60},
};

static cty_value *widget_config(const char *name, const char *size)
{
	cty_value *v = cty_object_new(resource_state_type(&widget));
	cty_object_set(v, "name", cty_string_new(name));
	if (size)
		cty_object_set(v, "size", cty_number_from_text(size));
	return v;
}

static cty_value *plan(const cty_value *prior, const cty_value *config, path_list *replace)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	/* Terraform proposes config values, and prior values for unset computed ones. */
	cty_value *proposed = cty_value_clone(config);
	if (!cty_is_null(prior)) {
		cty_object_set(proposed, "arn", cty_value_clone(cty_object_get(prior, "arn")));
		cty_object_set(proposed, "etag", cty_value_clone(cty_object_get(prior, "etag")));
	}
	cty_value *planned = plan_resource(&ctx, &widget, prior, proposed, config, replace);
	cty_value_free(proposed);
	CHECK(diags.count == 0);
	diag_list_clear(&diags);
	return planned;
}

TEST(schema_type_is_sorted_object_with_timeouts_block)
{
	const cty_type *t = resource_state_type(&widget);
	char *json = cty_type_to_json(t);
	CHECK_STR(json, "[\"object\",{\"arn\":\"string\",\"cidrs\":[\"list\",\"string\"],\"etag\":\"string\","
			"\"mode\":\"string\",\"name\":\"string\",\"size\":\"number\",\"timeouts\":[\"object\","
			"{\"create\":\"string\",\"delete\":\"string\",\"read\":\"string\",\"update\":\"string\"}]}]");
	free(json);
}

TEST(plan_create_defaults_and_unknown_computed)
{
	path_list replace = {0};
	cty_value *prior = cty_null(resource_state_type(&widget));
	cty_value *config = widget_config("w", NULL);
	cty_value *planned = plan(prior, config, &replace);

	CHECK_STR(cty_object_get(planned, "size")->u.str.text, "3");
	CHECK(cty_is_unknown(cty_object_get(planned, "arn")));
	CHECK(cty_is_unknown(cty_object_get(planned, "etag")));
	CHECK(cty_is_null(cty_object_get(planned, "mode")));
	CHECK(replace.count == 0);
	path_list_clear(&replace);
	cty_value_free(prior);
	cty_value_free(config);
	cty_value_free(planned);
}

static cty_value *applied_widget(const char *name, const char *size)
{
	cty_value *state = widget_config(name, size);
	cty_object_set(state, "arn", cty_string_new("arn:aws:test:::w"));
	cty_object_set(state, "etag", cty_string_new("e1"));
	return state;
}

TEST(plan_update_keeps_computed_and_unknowns_volatile)
{
	path_list replace = {0};
	cty_value *prior = applied_widget("w", "3");
	cty_value *config = widget_config("w", "5");
	cty_value *planned = plan(prior, config, &replace);

	CHECK_STR(cty_object_get_string(planned, "arn"), "arn:aws:test:::w");
	CHECK(cty_is_unknown(cty_object_get(planned, "etag")));
	CHECK(replace.count == 0);
	path_list_clear(&replace);
	cty_value_free(config);
	cty_value_free(planned);

	/* no change at all: volatile stays as it was */
	config = widget_config("w", "3");
	planned = plan(prior, config, &replace);
	CHECK_STR(cty_object_get_string(planned, "etag"), "e1");
	CHECK(cty_value_equal(planned, prior));
	path_list_clear(&replace);
	cty_value_free(prior);
	cty_value_free(config);
	cty_value_free(planned);
}

TEST(plan_reports_replace_paths)
{
	path_list replace = {0};
	cty_value *prior = applied_widget("w", "3");
	cty_value *config = widget_config("renamed", "3");
	cty_value *planned = plan(prior, config, &replace);

	CHECK(replace.count == 1);
	CHECK(replace.count == 1 && replace.paths[0].depth == 1 && strcmp(replace.paths[0].steps[0].name, "name") == 0);
	path_list_clear(&replace);
	cty_value_free(prior);
	cty_value_free(config);
	cty_value_free(planned);
}

TEST(plan_destroy_returns_null)
{
	path_list replace = {0};
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *prior = applied_widget("w", "3");
	cty_value *gone = cty_null(resource_state_type(&widget));
	cty_value *planned = plan_resource(&ctx, &widget, prior, gone, gone, &replace);
	CHECK(cty_is_null(planned));
	cty_value_free(prior);
	cty_value_free(gone);
	cty_value_free(planned);
}

/* Validates config and returns the first diagnostic's top attribute name. */
static char *first_error_attribute(const cty_value *config, size_t *count)
{
	diag_list diags = {0};
	char *name = NULL;
	validate_config(&widget, config, &diags);
	*count = diags.count;
	if (diags.count && diags.items[0].has_path)
		name = strdup(diags.items[0].path.steps[0].name);
	diag_list_clear(&diags);
	return name;
}

TEST(validate_checks_name_the_attribute)
{
	size_t count;
	cty_value *config = widget_config("w", "11");
	char *attr = first_error_attribute(config, &count);
	CHECK(count == 1);
	CHECK_STR(attr, "size");
	free(attr);

	cty_object_set(config, "size", cty_unknown(&cty_number)); /* unknown: skipped */
	cty_object_set(config, "mode", cty_string_new("c"));
	attr = first_error_attribute(config, &count);
	CHECK(count == 1);
	CHECK_STR(attr, "mode");
	free(attr);

	cty_object_set(config, "mode", cty_string_new("a"));
	cty_value *cidrs = cty_collection_new(&cty_list_of_string);
	cty_append(cidrs, cty_string_new("10.0.0.0/16"));
	cty_append(cidrs, cty_string_new("10.0.0.0/33"));
	cty_object_set(config, "cidrs", cidrs);
	diag_list diags = {0};
	validate_config(&widget, config, &diags);
	CHECK(diags.count == 1);
	CHECK(diags.count == 1 && diags.items[0].path.depth == 2 && diags.items[0].path.steps[1].kind == PATH_INDEX &&
	      diags.items[0].path.steps[1].index == 1);
	diag_list_clear(&diags);

	cty_object_set(config, "cidrs", cty_null(&cty_list_of_string));
	cty_value *timeouts = cty_object_new(&(const cty_type){.kind = CTY_OBJECT});
	cty_value_free(timeouts);
	attr = first_error_attribute(config, &count);
	CHECK(count == 0);
	free(attr);
	cty_value_free(config);
}

TEST(validate_timeouts_durations)
{
	double s;
	CHECK(validate_duration("1h30m", &s) && s == 5400);
	CHECK(validate_duration("45s", &s) && s == 45);
	CHECK(validate_duration("1.5h", &s) && s == 5400);
	CHECK(!validate_duration("10 minutes", &s));
	CHECK(!validate_duration("", &s));
	CHECK(!validate_duration("5", &s));

	cty_value *config = widget_config("w", NULL);
	const cty_type *tt = resource_state_type(&widget)->fields[cty_type_field_index(resource_state_type(&widget), "timeouts")].type;
	cty_value *timeouts = cty_object_new(tt);
	cty_object_set(timeouts, "create", cty_string_new("ten minutes"));
	cty_object_set(config, "timeouts", timeouts);
	diag_list diags = {0};
	validate_config(&widget, config, &diags);
	CHECK(diags.count == 1);
	CHECK(diags.count == 1 && diags.items[0].path.depth == 2 &&
	      strcmp(diags.items[0].path.steps[0].name, "timeouts") == 0 &&
	      strcmp(diags.items[0].path.steps[1].name, "create") == 0);
	diag_list_clear(&diags);
	cty_value_free(config);
}

TEST(validate_string_checks)
{
	char why[256];
	const attr_check arn = {CHECK_ARN}, json = {CHECK_JSON}, cidr = {CHECK_CIDR};
	CHECK(validate_string(&arn, "arn:aws:iam::123456789012:policy/x", why, sizeof why));
	CHECK(!validate_string(&arn, "arn:aws::x", why, sizeof why));
	CHECK(!validate_string(&arn, "not-an-arn", why, sizeof why));
	CHECK(validate_string(&json, "{\"a\":[1]}", why, sizeof why));
	CHECK(!validate_string(&json, "{\"a\":", why, sizeof why));
	CHECK(validate_string(&cidr, "2001:db8::/32", why, sizeof why));
	CHECK(!validate_string(&cidr, "10.0.0.0", why, sizeof why));
	CHECK(!validate_string(&cidr, "300.0.0.0/8", why, sizeof why));
}

static const attr_def port_attributes[] = {
	{"port", &cty_number, ATTR_REQUIRED, "port", .check = {CHECK_RANGE, .min = 1, .max = 65535}},
	{NULL},
};
static const block_def port_block = {.attributes = port_attributes};

static const resource_def nested = {
	.type_name = "test_nested",
	.schema = {.attributes = (const attr_def[]){{"id", &cty_string, ATTR_COMPUTED, "id"}, {NULL}},
		   .blocks = (const nested_def[]){
			   {"g", NEST_GROUP, &port_block},
			   {"l", NEST_LIST, &port_block, .max_items = 2},
			   {"m", NEST_MAP, &port_block},
			   {"s", NEST_SET, &port_block},
			   {"single", NEST_SINGLE, &port_block},
			   {NULL},
		   }},
};

TEST(schema_types_cover_every_nesting_mode)
{
	char *json = cty_type_to_json(resource_state_type(&nested));
	CHECK_STR(json, "[\"object\",{\"g\":[\"object\",{\"port\":\"number\"}],"
			"\"id\":\"string\","
			"\"l\":[\"list\",[\"object\",{\"port\":\"number\"}]],"
			"\"m\":[\"map\",[\"object\",{\"port\":\"number\"}]],"
			"\"s\":[\"set\",[\"object\",{\"port\":\"number\"}]],"
			"\"single\":[\"object\",{\"port\":\"number\"}]}]");
	free(json);
}

TEST(validate_reaches_into_list_blocks)
{
	const cty_type *t = resource_state_type(&nested);
	const cty_type *list_type = t->fields[cty_type_field_index(t, "l")].type;
	cty_value *config = cty_object_new(t);
	cty_value *list = cty_collection_new(list_type);
	cty_value *ok = cty_object_new(list_type->elem), *bad = cty_object_new(list_type->elem);
	cty_object_set(ok, "port", cty_number_from_int(5432));
	cty_object_set(bad, "port", cty_number_from_int(70000));
	cty_append(list, ok);
	cty_append(list, bad);
	cty_object_set(config, "l", list);

	diag_list diags = {0};
	validate_config(&nested, config, &diags);
	CHECK(diags.count == 1);
	/* l[1].port */
	CHECK(diags.count == 1 && diags.items[0].path.depth == 3 && diags.items[0].path.steps[1].index == 1 &&
	      strcmp(diags.items[0].path.steps[2].name, "port") == 0);
	diag_list_clear(&diags);
	cty_value_free(config);
}
