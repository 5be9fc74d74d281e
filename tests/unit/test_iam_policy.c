/* test_iam_policy.c: IAM policy documents compared by meaning, decoded from
 * IAM's answers and checked for shape; the plan and validate handlers of
 * wagtail_iam_role and wagtail_iam_policy, which need no AWS call. */
#include "unit.h"

#include "iam_common.h"
#include "json_equiv.h"
#include "schema.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool same(const char *a, const char *b)
{
	return json_equivalent(a, b, iam_policy_normalize);
}

TEST(iam_policy_key_order_and_spacing_do_not_matter)
{
	CHECK(same("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
		   "{\n  \"Statement\": [ { \"Resource\": \"*\", \"Action\": \"s3:*\", \"Effect\": \"Allow\" } ],\n"
		   "  \"Version\": \"2012-10-17\"\n}"));
}

TEST(iam_policy_lone_string_means_one_element_list)
{
	static const char *const keys[] = {"Action", "NotAction", "Resource", "NotResource"};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		char a[200], b[200];
		snprintf(a, sizeof a, "{\"Statement\":[{\"Effect\":\"Allow\",\"%s\":\"x:y\"}]}", keys[i]);
		snprintf(b, sizeof b, "{\"Statement\":[{\"Effect\":\"Allow\",\"%s\":[\"x:y\"]}]}", keys[i]);
		CHECK(same(a, b));
	}
}

TEST(iam_policy_lone_statement_means_one_element_list)
{
	CHECK(same("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}",
		   "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\"],\"Resource\":[\"*\"]}]}"));
}

TEST(iam_policy_principal_and_condition_values_are_sets)
{
	CHECK(same("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"},"
		   "\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":\"1\"}}}]}",
		   "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":[\"ecs-tasks.amazonaws.com\"]},"
		   "\"Action\":[\"sts:AssumeRole\"],\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":[\"1\"]}}}]}"));
	CHECK(same("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"b\",\"a\"]},\"Action\":\"sts:*\"}]}",
		   "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"a\",\"b\"]},\"Action\":\"sts:*\"}]}"));
	CHECK(same("{\"Statement\":[{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"a\"},\"Action\":\"*\"}]}",
		   "{\"Statement\":[{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":[\"a\"]},\"Action\":\"*\"}]}"));
}

TEST(iam_policy_action_order_does_not_matter)
{
	CHECK(same("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:PutObject\",\"s3:GetObject\"],\"Resource\":\"*\"}]}",
		   "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"*\"}]}"));
}

TEST(iam_policy_different_meanings_differ)
{
	const char *allow = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";
	CHECK(!same(allow, "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"));
	CHECK(!same(allow, "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\"}]}"));
	CHECK(!same(allow, "{\"Statement\":[{\"Effect\":\"Allow\",\"NotAction\":\"s3:GetObject\",\"Resource\":\"*\"}]}"));
	CHECK(!same(allow, "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],"
			   "\"Resource\":\"*\"}]}"));
	/* "*" is everyone; {"AWS": "*"} is every AWS principal. */
	CHECK(!same("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\"}]}",
		    "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\"}]}"));
}

TEST(iam_policy_decodes_url_encoded_answers)
{
	char *decoded = iam_policy_decode("%7B%22Version%22%3A%20%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D");
	CHECK_STR(decoded, "{\"Version\": \"2012-10-17\",\"Statement\":[]}");
	free(decoded);
	/* RFC 3986: a plus is a plus, not a space. */
	decoded = iam_policy_decode("%7B%22a%22%3A%22x+y%2Bz%22%7D");
	CHECK_STR(decoded, "{\"a\":\"x+y+z\"}");
	free(decoded);
	/* moto's GetPolicyVersion answers plain JSON, percent signs and all. */
	decoded = iam_policy_decode(" {\"a\":\"100%25\"}");
	CHECK_STR(decoded, " {\"a\":\"100%25\"}");
	free(decoded);
}

TEST(iam_policy_value_keeps_prior_text_of_same_meaning)
{
	cty_value *prior = cty_string_new("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}");
	cty_value *kept = iam_policy_value("%7B%22Statement%22%3A%5B%7B%22Resource%22%3A%5B%22%2A%22%5D%2C%22Effect%22%3A"
					   "%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%7D%5D%7D", prior);
	cty_value *changed = iam_policy_value("{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
					      prior);
	CHECK(cty_value_equal(kept, prior));
	CHECK_STR(changed->u.str.text, "{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}");
	cty_value_free(prior);
	cty_value_free(kept);
	cty_value_free(changed);
}

static bool shape(const char *text, iam_policy_kind kind, const char *want_in_why)
{
	char why[160] = "";
	bool ok = iam_policy_shape_ok(text, kind, why, sizeof why);
	if (want_in_why && !strstr(why, want_in_why))
		unit_fail(__FILE__, __LINE__, why);
	return ok;
}

TEST(iam_policy_shape_checks)
{
	CHECK(shape("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}", IAM_IDENTITY_POLICY, NULL));
	CHECK(shape("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"x.amazonaws.com\"},"
		    "\"Action\":\"sts:AssumeRole\"}]}", IAM_TRUST_POLICY, NULL));
	CHECK(!shape("[]", IAM_IDENTITY_POLICY, "not a JSON object"));
	CHECK(!shape("{\"Version\":\"2012-10-17\"}", IAM_IDENTITY_POLICY, "needs a Statement"));
	CHECK(!shape("{\"Statement\":[]}", IAM_IDENTITY_POLICY, "needs a Statement"));
	CHECK(!shape("{\"Statement\":[{\"Action\":\"s3:*\",\"Resource\":\"*\"}]}", IAM_IDENTITY_POLICY, "Effect"));
	CHECK(!shape("{\"Statement\":[{\"Effect\":\"Maybe\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}", IAM_IDENTITY_POLICY,
		     "Effect"));
	CHECK(!shape("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"},"
		     "{\"Effect\":\"Allow\",\"Resource\":\"*\"}]}", IAM_IDENTITY_POLICY, "statement 2 that needs Action"));
	CHECK(!shape("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\"}]}", IAM_IDENTITY_POLICY, "Resource"));
	CHECK(!shape("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}",
		     IAM_IDENTITY_POLICY, "Principal"));
	CHECK(!shape("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}]}", IAM_TRUST_POLICY,
		     "Principal"));
	/* Malformed JSON is the schema's CHECK_JSON to report, not this. */
	CHECK(shape("{oops", IAM_IDENTITY_POLICY, NULL));
}

TEST(iam_names_from_prefix_are_unique)
{
	cty_value *planned = cty_object_new(resource_state_type(schema_find_resource("wagtail_iam_role")));
	char *a = iam_name_for(planned), *b = iam_name_for(planned), *c;
	CHECK(strncmp(a, "terraform-", 10) == 0 && strlen(a) == 10 + IAM_UNIQUE_SUFFIX_LENGTH);
	CHECK(strcmp(a, b) != 0);
	cty_object_set(planned, "name_prefix", cty_string_new("app-"));
	c = iam_name_for(planned);
	CHECK(strncmp(c, "app-", 4) == 0 && strlen(c) == 4 + IAM_UNIQUE_SUFFIX_LENGTH);
	free(a);
	free(b);
	free(c);
	cty_object_set(planned, "name", cty_string_new("given"));
	a = iam_name_for(planned);
	CHECK_STR(a, "given");
	free(a);
	cty_value_free(planned);
}

/* ---- the handlers ---- */

static const resource_def *role(void)
{
	return schema_find_resource("wagtail_iam_role");
}

static const resource_def *policy(void)
{
	return schema_find_resource("wagtail_iam_policy");
}

static cty_value *services(const char *one, const char *two)
{
	cty_value *set = cty_collection_new(&cty_set_of_string);
	cty_append(set, cty_string_new(one));
	if (two)
		cty_append(set, cty_string_new(two));
	return set;
}

static bool diag_at(const diag_list *diags, const char *attribute, const char *key)
{
	for (size_t i = 0; i < diags->count; i++) {
		const diag_path *p = &diags->items[i].path;
		if (diags->items[i].has_path && strcmp(p->steps[0].name, attribute) == 0 &&
		    (!key || (p->depth == 2 && strcmp(p->steps[1].name, key) == 0)))
			return true;
	}
	return false;
}

TEST(iam_role_validate_names_the_attribute)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *config = cty_object_new(resource_state_type(role()));
	cty_value *inline_policies = cty_collection_new(&cty_map_of_string);
	cty_map_put(inline_policies, "fine", cty_string_new("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
							    "\"Resource\":\"*\"}}"));
	cty_map_put(inline_policies, "broken", cty_string_new("{\"Statement\":[{\"Effect\":\"Allow\",\"Resource\":\"*\"}]}"));
	cty_object_set(config, "assume_role_policy", cty_string_new("{\"Statement\":[{\"Effect\":\"Allow\","
								    "\"Action\":\"sts:AssumeRole\"}]}"));
	cty_object_set(config, "inline_policies", inline_policies);
	role()->validate(&ctx, config);
	CHECK(diags.count == 2);
	CHECK(diag_at(&diags, "assume_role_policy", NULL));
	CHECK(diag_at(&diags, "inline_policies", "broken"));
	diag_list_clear(&diags);

	cty_object_set(config, "assume_role_services", services("ecs-tasks.amazonaws.com", NULL));
	cty_object_set(config, "inline_policies", cty_null(&cty_map_of_string));
	role()->validate(&ctx, config);
	CHECK(diag_at(&diags, "assume_role_services", NULL)); /* both set */
	diag_list_clear(&diags);
	cty_value_free(config);
}

/* IAM's name lengths, now in max_length rather than the pattern: a role
 * name of 64 characters and a prefix of 38 pass, one more fails, and so
 * does a character IAM refuses. */
TEST(iam_role_name_lengths_and_characters)
{
	char text[80];
	const struct {
		const char *attribute;
		int length;
		char fill;
		bool ok;
	} cases[] = {
		{"name", 64, 'r', true},  {"name", 65, 'r', false},        {"name_prefix", 38, 'p', true},
		{"name_prefix", 39, 'p', false}, {"name", 5, '/', false}, {"name", 1, '@', true},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		diag_list diags = {0};
		cty_value *config = cty_object_new(resource_state_type(role()));
		memset(text, cases[i].fill, (size_t)cases[i].length);
		text[cases[i].length] = '\0';
		cty_object_set(config, cases[i].attribute, cty_string_new(text));
		validate_config(role(), config, &diags);
		CHECK(cases[i].ok ? diags.count == 0 : diag_at(&diags, cases[i].attribute, NULL));
		diag_list_clear(&diags);
		cty_value_free(config);
	}
}

static cty_value *plan_with(const resource_def *r, const cty_value *prior, const cty_value *config)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *planned = cty_value_clone(config);
	r->plan(&ctx, prior, config, planned, NULL);
	CHECK(diags.count == 0);
	diag_list_clear(&diags);
	return planned;
}

TEST(iam_role_plan_builds_the_trust_policy_from_services)
{
	cty_value *config = cty_object_new(resource_state_type(role()));
	cty_object_set(config, "assume_role_services", services("lambda.amazonaws.com", "ecs-tasks.amazonaws.com"));
	cty_value *planned = plan_with(role(), NULL, config);
	CHECK_STR(cty_object_get_string(planned, "assume_role_policy"),
		  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":"
		  "[\"lambda.amazonaws.com\",\"ecs-tasks.amazonaws.com\"]},\"Action\":\"sts:AssumeRole\"}]}");

	/* The same trust written out by hand reads back as the shortcut. */
	cty_value *explicit = cty_object_new(resource_state_type(role()));
	cty_object_set(explicit, "assume_role_policy",
		       cty_string_new("{\"Statement\":{\"Action\":\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":"
				      "{\"Service\":[\"ecs-tasks.amazonaws.com\",\"lambda.amazonaws.com\"]}}}"));
	cty_value *derived = plan_with(role(), NULL, explicit);
	CHECK(cty_value_equal(cty_object_get(derived, "assume_role_services"),
			      cty_object_get(planned, "assume_role_services")));

	/* Anything more is not the shortcut. */
	cty_object_set(explicit, "assume_role_policy",
		       cty_string_new("{\"Statement\":{\"Action\":\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":"
				      "{\"AWS\":\"arn:aws:iam::123456789012:root\"}}}"));
	cty_value *other = plan_with(role(), NULL, explicit);
	CHECK(cty_is_null(cty_object_get(other, "assume_role_services")));
	cty_value_free(config);
	cty_value_free(planned);
	cty_value_free(explicit);
	cty_value_free(derived);
	cty_value_free(other);
}

static cty_value *inline_map(const char *s3_policy)
{
	cty_value *map = cty_collection_new(&cty_map_of_string);
	cty_map_put(map, "logs", cty_string_new("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"logs:PutLogEvents\"],"
						"\"Resource\":[\"*\"]}]}"));
	cty_map_put(map, "s3", cty_string_new(s3_policy));
	return map;
}

TEST(iam_role_plan_keeps_prior_texts_that_mean_the_same)
{
	cty_value *prior = cty_object_new(resource_state_type(role()));
	cty_value *config = cty_object_new(resource_state_type(role()));
	cty_object_set(prior, "assume_role_policy",
		       cty_string_new("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"a\"]},"
				      "\"Action\":[\"sts:AssumeRole\"]}]}"));
	cty_object_set(config, "assume_role_policy",
		       cty_string_new("{\"Statement\":{\"Action\":\"sts:AssumeRole\",\"Principal\":{\"AWS\":\"a\"},"
				      "\"Effect\":\"Allow\"}}"));
	cty_object_set(prior, "inline_policies", inline_map("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:*\"],"
							    "\"Resource\":[\"*\"]}]}"));
	cty_object_set(config, "inline_policies", inline_map("{\"Statement\":{\"Resource\":\"*\",\"Action\":\"s3:*\","
							     "\"Effect\":\"Allow\"}}"));
	cty_value *planned = plan_with(role(), prior, config);
	CHECK(cty_value_equal(cty_object_get(planned, "assume_role_policy"), cty_object_get(prior, "assume_role_policy")));
	CHECK(cty_value_equal(cty_object_get(planned, "inline_policies"), cty_object_get(prior, "inline_policies")));

	/* One policy changed: the configuration's map, as a whole. */
	cty_object_set(config, "inline_policies", inline_map("{\"Statement\":{\"Resource\":\"*\",\"Action\":\"s3:Get*\","
							     "\"Effect\":\"Allow\"}}"));
	cty_value *changed = plan_with(role(), prior, config);
	CHECK(cty_value_equal(cty_object_get(changed, "inline_policies"), cty_object_get(config, "inline_policies")));
	cty_value_free(prior);
	cty_value_free(config);
	cty_value_free(planned);
	cty_value_free(changed);
}

TEST(iam_policy_plan_versions_only_new_meanings)
{
	cty_value *prior = cty_object_new(resource_state_type(policy()));
	cty_object_set(prior, "policy", cty_string_new("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:*\"],"
						       "\"Resource\":[\"*\"]}]}"));
	cty_object_set(prior, "default_version_id", cty_string_new("v2"));
	cty_value *config = cty_value_clone(prior);
	cty_object_set(config, "policy", cty_string_new("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", "
							"\"Resource\": \"*\"}}"));
	cty_value *same_meaning = plan_with(policy(), prior, config);
	CHECK(cty_value_equal(same_meaning, prior));

	cty_object_set(config, "policy", cty_string_new("{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"s3:*\","
							"\"Resource\":\"*\"}}"));
	cty_value *new_meaning = plan_with(policy(), prior, config);
	CHECK(cty_is_unknown(cty_object_get(new_meaning, "default_version_id")));
	CHECK(cty_value_equal(cty_object_get(new_meaning, "policy"), cty_object_get(config, "policy")));
	cty_value_free(prior);
	cty_value_free(config);
	cty_value_free(same_meaning);
	cty_value_free(new_meaning);
}

TEST(iam_policy_validate_names_the_attribute)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	cty_value *config = cty_object_new(resource_state_type(policy()));
	cty_object_set(config, "policy", cty_string_new("{\"Version\":\"2012-10-17\"}"));
	cty_object_set(config, "name", cty_string_new("a"));
	cty_object_set(config, "name_prefix", cty_string_new("b"));
	policy()->validate(&ctx, config);
	CHECK(diags.count == 2);
	CHECK(diag_at(&diags, "policy", NULL));
	CHECK(diag_at(&diags, "name_prefix", NULL));
	diag_list_clear(&diags);
	cty_value_free(config);
}
