/* test_random_password.c: wagtail_random_password through its resource
 * handlers, as the provider calls them: the rules a password follows (length,
 * minimums, character sets, none of RDS's forbidden characters by default),
 * the spread of its characters, its checks and its import. */
#include "unit.h"

#include "cty_codec.h"
#include "plan.h"
#include "schema.h"
#include "validate.h"

#include <ctype.h>
#include <stdlib.h>

static const resource_def *password_resource(void)
{
	return schema_find_resource("wagtail_random_password");
}

/* A configuration written as JSON; attributes left out are null. */
static cty_value *config_of(const char *json)
{
	char *error = NULL;
	cty_value *config = cty_json_decode(json, strlen(json), resource_state_type(password_resource()), &error);
	CHECK(config != NULL);
	free(error);
	return config;
}

/* Plans and creates a password as Terraform would; NULL on error. */
static cty_value *create(const char *config_json)
{
	const resource_def *r = password_resource();
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	path_list replace = {0};
	cty_value *config = config_of(config_json), *none = cty_null(resource_state_type(r));
	cty_value *planned = plan_resource(&ctx, r, none, config, config, &replace);
	cty_value *state = r->create(&ctx, planned);
	CHECK(diags.count == 0);
	diag_list_clear(&diags);
	path_list_clear(&replace);
	cty_value_free(planned);
	cty_value_free(none);
	cty_value_free(config);
	return state;
}

typedef struct {
	size_t upper, lower, digits, special, length;
	bool forbidden_for_rds; /* / " @ or space */
} char_counts;

static char_counts classes_in(const char *password)
{
	char_counts n = {.length = strlen(password)};
	for (const char *p = password; *p; p++) {
		n.upper += isupper((unsigned char)*p) != 0;
		n.lower += islower((unsigned char)*p) != 0;
		n.digits += isdigit((unsigned char)*p) != 0;
		n.special += ispunct((unsigned char)*p) != 0;
		n.forbidden_for_rds |= strchr("/\"@ ", *p) != NULL;
	}
	return n;
}

/* The password of a new state, copied; the state is freed. */
static char *result_of(cty_value *state)
{
	const char *result = cty_object_get_string(state, "result");
	char *copy = strdup(result ? result : "");
	CHECK(result != NULL);
	CHECK_STR(cty_object_get_string(state, "id"), "none");
	cty_value_free(state);
	return copy;
}

TEST(random_password_default_is_24_characters_safe_for_rds)
{
	for (int i = 0; i < 300; i++) {
		char *password = result_of(create("{}"));
		char_counts n = classes_in(password);
		CHECK(n.length == 24);
		CHECK(n.upper + n.lower + n.digits + n.special == 24);
		CHECK(!n.forbidden_for_rds);
		for (const char *p = password; *p; p++)
			CHECK(isalnum((unsigned char)*p) || strchr("!#$%&*()-_=+[]{}<>:?", *p));
		free(password);
	}
}

TEST(random_password_meets_every_minimum)
{
	const char *config = "{\"length\": 8, \"min_upper\": 2, \"min_lower\": 2, \"min_numeric\": 2, \"min_special\": 2}";
	for (int i = 0; i < 500; i++) {
		char *password = result_of(create(config));
		char_counts n = classes_in(password);
		CHECK(n.length == 8 && n.upper >= 2 && n.lower >= 2 && n.digits >= 2 && n.special >= 2);
		free(password);
	}
}

TEST(random_password_minimums_land_anywhere)
{
	/* Without the shuffle, the one required digit would always lead. */
	bool digit_seen_last = false;
	for (int i = 0; i < 400 && !digit_seen_last; i++) {
		char *password = result_of(create("{\"length\": 8, \"min_numeric\": 1, \"special\": false}"));
		digit_seen_last = isdigit((unsigned char)password[7]);
		free(password);
	}
	CHECK(digit_seen_last);
}

TEST(random_password_without_special_is_alphanumeric)
{
	for (int i = 0; i < 200; i++) {
		char *password = result_of(create("{\"length\": 128, \"special\": false, \"min_upper\": 1}"));
		char_counts n = classes_in(password);
		CHECK(n.length == 128 && n.special == 0 && n.upper >= 1);
		free(password);
	}
}

TEST(random_password_override_special_limits_the_specials)
{
	for (int i = 0; i < 200; i++) {
		char *password = result_of(create("{\"length\": 40, \"override_special\": \"-_-\", \"min_special\": 10}"));
		char_counts n = classes_in(password);
		CHECK(n.length == 40 && n.special >= 10);
		for (const char *p = password; *p; p++)
			CHECK(isalnum((unsigned char)*p) || *p == '-' || *p == '_');
		free(password);
	}
}

/* 25,600 characters from the 82 of the default alphabet: each should come
 * up about 312 times (standard deviation about 17). A character never drawn,
 * or drawn far too often or too rarely, means a skewed draw. */
TEST(random_password_draws_every_character_evenly)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&*()-_=+[]{}<>:?";
	size_t seen[128] = {0}, draws = 0;
	for (int i = 0; i < 200; i++) {
		char *password = result_of(create("{\"length\": 128}"));
		for (const char *p = password; *p; p++, draws++)
			seen[(unsigned char)*p]++;
		free(password);
	}
	double expected = (double)draws / (double)(sizeof alphabet - 1);
	for (const char *c = alphabet; *c; c++)
		CHECK(seen[(unsigned char)*c] > expected * 0.7 && seen[(unsigned char)*c] < expected * 1.3);
}

TEST(random_password_differs_each_time)
{
	char *first = result_of(create("{\"length\": 16}")), *second = result_of(create("{\"length\": 16}"));
	CHECK(strcmp(first, second) != 0);
	free(first);
	free(second);
}

/* The summary of the first error validate reports for a config, or "". */
static char *first_error(const char *config_json)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *config = config_of(config_json);
	validate_config(password_resource(), config, &diags);
	password_resource()->validate(&ctx, config);
	char *summary = strdup(diags.count ? diags.items[0].summary : "");
	diag_list_clear(&diags);
	cty_value_free(config);
	return summary;
}

TEST(random_password_checks_its_arguments)
{
	static const struct {
		const char *config, *error;
	} cases[] = {
		{"{}", ""},
		{"{\"length\": 128, \"min_upper\": 32, \"min_lower\": 32, \"min_numeric\": 32, \"min_special\": 32}", ""},
		{"{\"override_special\": \"/@\\\"\"}", ""}, /* the user's choice, though RDS refuses them */
		{"{\"length\": 7}", "Invalid attribute value"},
		{"{\"length\": 129}", "Invalid attribute value"},
		{"{\"min_upper\": -1}", "Invalid attribute value"},
		{"{\"min_upper\": 1e30, \"min_lower\": 1e30}", "Invalid attribute value"},
		{"{\"length\": 8.5}", "Not a whole number"},
		{"{\"length\": 8, \"min_upper\": 3, \"min_lower\": 3, \"min_numeric\": 3}", "Password too short for its minimums"},
		{"{\"min_special\": 30}", "Password too short for its minimums"},
		{"{\"special\": false, \"min_special\": 1}", "No special characters to use"},
		{"{\"override_special\": \"\", \"min_special\": 1}", "No special characters to use"},
		{"{\"override_special\": \"a!\"}", "Invalid attribute value"},
		{"{\"override_special\": \"! \"}", "Invalid attribute value"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *got = first_error(cases[i].config);
		if (strcmp(got, cases[i].error) != 0)
			unit_fail(__FILE__, __LINE__, cases[i].config);
		free(got);
	}
}

TEST(random_password_unknown_arguments_wait_for_apply)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *config = config_of("{\"min_upper\": 30}");
	cty_object_set(config, "length", cty_unknown(&cty_number));
	password_resource()->validate(&ctx, config);
	CHECK(diags.count == 0);
	cty_value_free(config);
}

TEST(random_password_import_takes_the_password_as_id)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *state = password_resource()->import(&ctx, "correct-horse-battery");
	CHECK(diags.count == 0);
	CHECK_STR(cty_object_get_string(state, "result"), "correct-horse-battery");
	CHECK_STR(cty_object_get_string(state, "id"), "none");
	CHECK_STR(cty_object_get(state, "length")->u.str.text, "21");
	CHECK(cty_object_get(state, "special")->u.boolean);
	CHECK_STR(cty_object_get_string(state, "override_special"), "!#$%&*()-_=+[]{}<>:?");

	/* Reading it back changes nothing: there is nothing outside the state. */
	cty_value *read = password_resource()->read(&ctx, state);
	CHECK(cty_value_equal(read, state));
	cty_value_free(read);
	cty_value_free(state);

	CHECK(password_resource()->import(&ctx, "short") == NULL);
	CHECK(diag_has_error(&diags));
	diag_list_clear(&diags);
}
