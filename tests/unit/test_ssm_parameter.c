/* test_ssm_parameter.c: wagtail_ssm_parameter's handlers against the real
 * moto server tests/unit/run.sh starts (MOTO_ENDPOINT, through the strict
 * AWS layer, which pages DescribeParameters as AWS may: small pages, and
 * every other listing an empty first page with a NextToken), and its plan
 * of tier changes, which needs no AWS at all.
 *
 * Parameters are made with the resource's own create handler, planned by
 * the provider's engine (plan_resource), with a provider configured as a
 * user would: the ssm endpoint, the keys of moto's IAM user, a region. */
#include "unit.h"

#include "moto_provider.h"

#include "attr.h"
#include "aws_calls.h"
#include "http.h"
#include "password.h"
#include "plan.h"
#include "provider_config.h"
#include "schema.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define PARAMETER_VALUE "s3cret"
static const resource_def *parameter(void)
{
	return schema_find_resource("wagtail_ssm_parameter");
}

/* ---- the provider and moto ---- */

/* Fails the test with every error in diags. */
static void check_no_errors(int line, const diag_list *diags)
{
	for (size_t i = 0; i < diags->count; i++)
		if (diags->items[i].severity == DIAG_ERROR) {
			char message[1024];
			snprintf(message, sizeof message, "%s: %s", diags->items[i].summary,
				 diags->items[i].detail ? diags->items[i].detail : "");
			unit_fail(__FILE__, line, message);
		}
}

/* How many follow-up pages the strict AWS layer has served (its
 * /_strict/stats "paged"), or -1 when it is off (STRICT_AWS=0 leaves
 * STRICT_AWS_STATS_URL empty) or did not answer. */
static long strict_pages_served(void)
{
	const char *url = getenv("STRICT_AWS_STATS_URL");
	http_response answer = {0};
	long served = -1;
	if (!url || !*url)
		return -1;
	http_request request = {.method = "GET", .url = url};
	if (http_send(&request, &answer) == 0 && answer.status == 200) {
		cJSON *stats = cJSON_Parse(answer.body);
		const cJSON *paged = cJSON_GetObjectItemCaseSensitive(stats, "paged");
		served = cJSON_IsNumber(paged) ? (long)paged->valuedouble : 0;
		cJSON_Delete(stats);
	}
	http_response_free(&answer);
	return served;
}
/* ---- values ---- */
/* The config of a SecureString parameter; tier NULL when not set. */
static cty_value *parameter_config(const char *name, const char *tier)
{
	cty_value *v = cty_object_new(resource_state_type(parameter()));
	cty_object_set(v, "name", cty_string_new(name));
	cty_object_set(v, "type", cty_string_new("SecureString"));
	cty_object_set(v, "value", cty_string_new(PARAMETER_VALUE));
	cty_object_set(v, "description", cty_string_new("db password"));
	if (tier)
		cty_object_set(v, "tier", cty_string_new(tier));
	return v;
}

/* The config's plan over prior (a null prior: a create), with the engine
 * Terraform's PlanResourceChange goes through; Terraform proposes the
 * config with computed attributes it leaves unset taken from prior. */
static cty_value *plan_of(call_ctx *ctx, const cty_value *prior, const cty_value *config, path_list *replace)
{
	cty_value *proposed = cty_value_clone(config);
	static const char *const computed[] = {"id",	 "arn",		"version",  "value_version",
					       "key_id", "stored_tier", "tags_all", NULL};
	if (!cty_is_null(prior)) {
		for (const char *const *name = computed; *name; name++)
			cty_object_set(proposed, *name, cty_value_clone(cty_object_get(prior, *name)));
		if (cty_is_null(cty_object_get(config, "tier")))
			cty_object_set(proposed, "tier", cty_value_clone(cty_object_get(prior, "tier")));
	}
	cty_value *planned = plan_resource(ctx, parameter(), prior, proposed, config, replace);
	cty_value_free(proposed);
	return planned;
}

/* Makes parameter `name` in moto with the create handler; its state, or
 * NULL (and the test fails). */
static cty_value *create(call_ctx *ctx, const char *name, const char *tier)
{
	cty_value *config = parameter_config(name, tier);
	cty_value *none = cty_null(resource_state_type(parameter()));
	path_list replace = {0};
	cty_value *planned = plan_of(ctx, none, config, &replace);
	cty_value *state = parameter()->create(ctx, planned);
	check_no_errors(__LINE__, ctx->diags);
	CHECK(state && cty_is_known(cty_object_get(state, "arn")));
	path_list_clear(&replace);
	cty_value_free(planned);
	cty_value_free(none);
	cty_value_free(config);
	return state;
}

static void delete_all(call_ctx *ctx, cty_value **states, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (states[i])
			CHECK(parameter()->delete(ctx, states[i]));
		cty_value_free(states[i]);
	}
	check_no_errors(__LINE__, ctx->diags);
}

static bool replaces_tier(const path_list *replace)
{
	for (size_t i = 0; i < replace->count; i++)
		if (replace->paths[i].depth == 1 && strcmp(replace->paths[i].steps[0].name, "tier") == 0)
			return true;
	return false;
}

/* ---- DescribeParameters pages ---- */

/* The read follows DescribeParameters' NextToken: the strict AWS layer
 * answers every other listing with an empty first page and a token, as
 * AWS may however narrow the filter, so of two reads in a row one meets
 * such a page and must follow it to find the tier, the description and
 * the key. Around the parameter are others sharing its prefix. */
TEST(ssm_read_follows_next_token_past_an_empty_first_page)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = unit_moto_provider("ssm", "MOTO_ENDPOINT"), .diags = &diags};
	if (!ctx.client)
		return;
	cty_value *states[6] = {0};
	char name[64];
	for (size_t i = 0; i < 6; i++) {
		snprintf(name, sizeof name, "/wagtail/unit/paged/p%zu", i);
		states[i] = create(&ctx, name, i == 3 ? "Advanced" : "Standard");
	}
	long before = strict_pages_served();
	for (int read = 0; read < 2 && states[3]; read++) {
		cty_value *state = parameter()->read(&ctx, states[3]);
		check_no_errors(__LINE__, &diags);
		CHECK(state && cty_is_known(state) && !cty_is_null(state));
		CHECK_STR(cty_object_get_string(state, "name"), "/wagtail/unit/paged/p3");
		CHECK_STR(cty_object_get_string(state, "value"), PARAMETER_VALUE);
		CHECK_STR(cty_object_get_string(state, "tier"), "Advanced");
		CHECK_STR(cty_object_get_string(state, "stored_tier"), "Advanced");
		CHECK_STR(cty_object_get_string(state, "description"), "db password");
		CHECK(cty_object_get_string(state, "key_id") != NULL);
		cty_value_free(state);
	}
	long after = strict_pages_served();
	if (before < 0 || after < 0)
		fprintf(stderr, "  note: the strict AWS layer is off (STRICT_AWS=0): no page was empty, so the "
				"NextToken loop went untested\n");
	else
		CHECK(after - before == 1); /* one read met an empty first page and asked for the next */
	delete_all(&ctx, states, 6);
	provider_client_free(ctx.client);
	diag_list_clear(&diags);
}
/* ---- tiers ---- */
/* AWS stores an Intelligent-Tiering parameter as Standard or Advanced;
 * the user's choice stays in the state, so the next plan is empty, and
 * stored_tier says what AWS holds. Read here: parameters AWS holds as
 * Standard and as Advanced, with states that say each of the tiers. */
TEST(ssm_intelligent_tiering_stays_in_state)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = unit_moto_provider("ssm", "MOTO_ENDPOINT"), .diags = &diags};
	if (!ctx.client)
		return;
	cty_value *held[2] = {create(&ctx, "/wagtail/unit/tiers/standard", "Standard"),
			      create(&ctx, "/wagtail/unit/tiers/advanced", "Advanced")};
	static const struct {
		int aws; /* held[]: 0 Standard, 1 Advanced */
		const char *prior, *tier, *stored;
	} cases[] = {
		{0, "Intelligent-Tiering", "Intelligent-Tiering", "Standard"},
		{1, "Intelligent-Tiering", "Intelligent-Tiering", "Advanced"},
		{1, "Standard", "Advanced", "Advanced"}, /* a change made outside Terraform shows */
		{0, NULL, "Standard", "Standard"},       /* import: the state has only the id */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases && held[0] && held[1]; i++) {
		cty_value *prior = cty_value_clone(held[cases[i].aws]);
		if (!cases[i].prior) {
			cty_value_free(prior);
			prior = cty_object_new(resource_state_type(parameter()));
			cty_object_set(prior, "id", cty_value_clone(cty_object_get(held[cases[i].aws], "id")));
		} else {
			cty_object_set(prior, "tier", cty_string_new(cases[i].prior));
		}
		cty_value *state = parameter()->read(&ctx, prior);
		check_no_errors(__LINE__, &diags);
		CHECK_STR(cty_object_get_string(state, "tier"), cases[i].tier);
		CHECK_STR(cty_object_get_string(state, "stored_tier"), cases[i].stored);
		cty_value_free(state);
		cty_value_free(prior);
	}
	delete_all(&ctx, held, 2);
	provider_client_free(ctx.client);
	diag_list_clear(&diags);
}
/* A state as a refresh leaves it: tier as the state keeps it, stored_tier
 * as AWS reported it (NULL: a state written before stored_tier existed,
 * planned with -refresh=false). */
static cty_value *refreshed_state(const char *tier, const char *stored)
{
	cty_value *v = parameter_config("/wagtail/prod/db_password", tier);
	cty_object_set(v, "id", cty_string_new("/wagtail/prod/db_password"));
	cty_object_set(v, "arn", cty_string_new("arn:aws:ssm:eu-west-1:123456789012:parameter/wagtail/prod/db_password"));
	cty_object_set(v, "key_id", cty_string_new("alias/aws/ssm"));
	cty_object_set(v, "version", cty_number_from_int(3));
	cty_object_set(v, "tags_all", cty_collection_new(&cty_map_of_string));
	if (stored)
		cty_object_set(v, "stored_tier", cty_string_new(stored));
	return v;
}
/* AWS cannot move a parameter from Advanced down to Standard (it must be
 * deleted and made again): the plan replaces it. Upward moves, and a move
 * to Standard of a parameter AWS holds as Standard, go in place. */
TEST(ssm_tier_plan_replaces_only_a_move_down_from_advanced)
{
	static const struct {
		const char *tier, *stored, *to;
		bool replace;
		const char *planned_stored; /* NULL: unknown until the apply */
	} cases[] = {
		{"Advanced", "Advanced", "Standard", true, "Standard"},
		{"Intelligent-Tiering", "Advanced", "Standard", true, "Standard"},
		{"Intelligent-Tiering", "Standard", "Standard", false, "Standard"},
		{"Standard", "Standard", "Advanced", false, "Advanced"},
		{"Standard", "Standard", "Intelligent-Tiering", false, NULL},
		{"Advanced", "Advanced", "Intelligent-Tiering", false, NULL},
		/* A state from before stored_tier, not refreshed: what AWS holds
		 * is unknown here; if Advanced, the apply's PutParameter fails
		 * with AWS's own ValidationException, and the next refresh
		 * fills stored_tier so that the plan replaces it. */
		{"Intelligent-Tiering", NULL, "Standard", false, "Standard"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		diag_list diags = {0};
		call_ctx ctx = {.diags = &diags};
		path_list replace = {0};
		cty_value *prior = refreshed_state(cases[i].tier, cases[i].stored);
		cty_value *config = parameter_config("/wagtail/prod/db_password", cases[i].to);
		cty_value *planned = plan_of(&ctx, prior, config, &replace);
		CHECK(diags.count == 0);
		if (replaces_tier(&replace) != cases[i].replace || replace.count != (cases[i].replace ? 1u : 0u)) {
			char message[160];
			snprintf(message, sizeof message, "%s (AWS: %s) -> %s: replace %s, want %s", cases[i].tier,
				 cases[i].stored ? cases[i].stored : "?", cases[i].to, replace.count ? "yes" : "no",
				 cases[i].replace ? "yes" : "no");
			unit_fail(__FILE__, __LINE__, message);
		}
		CHECK(cty_is_unknown(cty_object_get(planned, "version")));
		if (!cases[i].replace) {
			if (cases[i].planned_stored)
				CHECK_STR(cty_object_get_string(planned, "stored_tier"), cases[i].planned_stored);
			else
				CHECK(cty_is_unknown(cty_object_get(planned, "stored_tier")));
		}
		path_list_clear(&replace);
		cty_value_free(planned);
		cty_value_free(config);
		cty_value_free(prior);
		diag_list_clear(&diags);
	}
}
/* Intelligent-Tiering kept in state while AWS holds Advanced plans no
 * change at all, stored_tier included. */
TEST(ssm_tier_plan_is_empty_after_intelligent_tiering_chose_advanced)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	path_list replace = {0};
	cty_value *prior = refreshed_state("Intelligent-Tiering", "Advanced");
	cty_value *config = parameter_config("/wagtail/prod/db_password", "Intelligent-Tiering");
	cty_value *planned = plan_of(&ctx, prior, config, &replace);
	CHECK(diags.count == 0 && replace.count == 0);
	CHECK(cty_value_equal(planned, prior));
	path_list_clear(&replace);
	cty_value_free(planned);
	cty_value_free(config);
	cty_value_free(prior);
	diag_list_clear(&diags);
}

/* Plans and applies config over prior in place as Terraform would,
 * checking that the new state is what the plan promised; the new state. */
static cty_value *apply_in_place(call_ctx *ctx, const cty_value *prior, const char *tier)
{
	path_list replace = {0};
	cty_value *config = parameter_config(cty_object_get_string(prior, "name"), tier);
	cty_value *planned = plan_of(ctx, prior, config, &replace);
	CHECK(replace.count == 0);
	cty_value *state = parameter()->update(ctx, prior, planned);
	check_no_errors(__LINE__, ctx->diags);
	CHECK(state && cty_is_known(state) && !cty_is_null(state));
	CHECK_STR(cty_object_get_string(state, "tier"), cty_object_get_string(planned, "tier"));
	if (cty_is_known(cty_object_get(planned, "stored_tier")))
		CHECK(cty_value_equal(cty_object_get(state, "stored_tier"), cty_object_get(planned, "stored_tier")));
	path_list_clear(&replace);
	cty_value_free(planned);
	cty_value_free(config);
	return state;
}

static int version_of(const cty_value *state)
{
	const cty_value *v = cty_object_get(state, "version");
	return cty_is_known(v) && !cty_is_null(v) ? atoi(v->u.str.text) : -1;
}

/* Intelligent-Tiering that AWS keeps as Standard becomes Standard in place,
 * and Standard goes up to Advanced in place: the parameter keeps its
 * history (its version goes on from 1; a parameter made anew starts at 1
 * again). */
TEST(ssm_tier_changes_in_place_keep_the_parameter)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = unit_moto_provider("ssm", "MOTO_ENDPOINT"), .diags = &diags};
	if (!ctx.client)
		return;
	cty_value *made = create(&ctx, "/wagtail/unit/in-place", "Standard");
	if (!made)
		goto done;
	CHECK(version_of(made) == 1);
	/* The state of a parameter asked for as Intelligent-Tiering, which AWS
	 * stores as Standard, as a refresh reads it. */
	cty_object_set(made, "tier", cty_string_new("Intelligent-Tiering"));
	cty_value *prior = parameter()->read(&ctx, made);
	check_no_errors(__LINE__, &diags);
	CHECK_STR(cty_object_get_string(prior, "tier"), "Intelligent-Tiering");
	CHECK_STR(cty_object_get_string(prior, "stored_tier"), "Standard");

	cty_value *standard = apply_in_place(&ctx, prior, "Standard");
	CHECK(version_of(standard) == 2);
	CHECK_STR(cty_object_get_string(standard, "stored_tier"), "Standard");
	cty_value *advanced = apply_in_place(&ctx, standard, "Advanced");
	CHECK(version_of(advanced) == 3);
	CHECK_STR(cty_object_get_string(advanced, "stored_tier"), "Advanced");
	cty_value *states[] = {advanced};
	delete_all(&ctx, states, 1);
	cty_value_free(standard);
	cty_value_free(prior);
	cty_value_free(made);
done:
	provider_client_free(ctx.client);
	diag_list_clear(&diags);
}

/* Advanced to Standard as Terraform applies a replacement: the delete
 * handler, then a plan from nothing and the create handler. The parameter
 * is a new one, Standard, at version 1. */
TEST(ssm_advanced_to_standard_is_replaced)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = unit_moto_provider("ssm", "MOTO_ENDPOINT"), .diags = &diags};
	if (!ctx.client)
		return;
	cty_value *prior = create(&ctx, "/wagtail/unit/replaced", "Advanced");
	path_list replace = {0};
	cty_value *config = parameter_config("/wagtail/unit/replaced", "Standard");
	cty_value *planned = prior ? plan_of(&ctx, prior, config, &replace) : NULL;
	CHECK(replaces_tier(&replace));
	if (prior && replaces_tier(&replace)) {
		CHECK(parameter()->delete(&ctx, prior));
		cty_value *state = create(&ctx, "/wagtail/unit/replaced", "Standard");
		CHECK_STR(cty_object_get_string(state, "tier"), "Standard");
		CHECK_STR(cty_object_get_string(state, "stored_tier"), "Standard");
		CHECK(version_of(state) == 1);
		cty_value *states[] = {state};
		delete_all(&ctx, states, 1);
	}
	path_list_clear(&replace);
	cty_value_free(planned);
	cty_value_free(config);
	cty_value_free(prior);
	provider_client_free(ctx.client);
	diag_list_clear(&diags);
}
/* ---- what error answers mean: the call kit's rules, on real answers ---- */
/* A second PutParameter of one name without Overwrite meets
 * ParameterAlreadyExists: AWS_EXISTS under a rule that declares it, with
 * the error left for the caller (who may ask whether a lost attempt made
 * it), and a plain failure, reported, under rules that do not. A missing
 * parameter is AWS_GONE under its gone rule. */
TEST(ssm_call_rules_exists_and_gone)
{
	const aws_rules exists = {.exists = (const aws_match[]){{"ParameterAlreadyExists"}, {NULL}}};
	const aws_rules gone = {.gone = (const aws_match[]){{"ParameterNotFound"}, {NULL}}};
	diag_list diags = {0};
	call_ctx ctx = {.client = unit_moto_provider("ssm", "MOTO_ENDPOINT"), .diags = &diags};
	if (!ctx.client)
		return;
	cJSON *put = json_request("Name", "/wagtail/unit/rules/p");
	cJSON_AddStringToObject(put, "Type", "String");
	cJSON_AddStringToObject(put, "Value", "v");
	aws_error err = {0};
	CHECK(ctx_json_as(&ctx, &aws_ssm, "PutParameter", put, &exists, NULL, &err) == AWS_DONE);
	CHECK(ctx_json_as(&ctx, &aws_ssm, "PutParameter", put, &exists, NULL, &err) == AWS_EXISTS);
	CHECK_STR(err.code, "ParameterAlreadyExists");
	CHECK(!err.maybe_applied);
	aws_error_clear(&err);
	CHECK(diags.count == 0);
	CHECK(ctx_json_as(&ctx, &aws_ssm, "PutParameter", put, &gone, NULL, NULL) == AWS_FAILED);
	CHECK(diags.count == 1); /* reported, naming the call */
	diag_list_clear(&diags);
	cJSON *name = json_request("Name", "/wagtail/unit/rules/p");
	CHECK(ctx_json_send_take(&ctx, &aws_ssm, "DeleteParameter", cJSON_Duplicate(name, 1), &gone) == AWS_DONE);
	CHECK(ctx_json_as(&ctx, &aws_ssm, "GetParameter", name, &gone, NULL, NULL) == AWS_GONE);
	CHECK(diags.count == 0);
	cJSON_Delete(name);
	cJSON_Delete(put);
	provider_client_free(ctx.client);
	diag_list_clear(&diags);
}

/* ---- write-only values ---- */

/* The value in AWS, through GetParameter; malloc'd, or NULL. */
static char *value_in_aws(call_ctx *ctx, const char *name)
{
	cJSON *request = json_request("Name", name), *answer = NULL;
	cJSON_AddBoolToObject(request, "WithDecryption", 1);
	ctx_json_as(ctx, &aws_ssm, "GetParameter", request, NULL, &answer, NULL);
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(answer, "Parameter"), "Value");
	char *text = cJSON_IsString(value) ? strdup(value->valuestring) : NULL;
	cJSON_Delete(answer);
	cJSON_Delete(request);
	return text;
}

/* value_wo reaches SSM at create, and again when value_wo_version is
 * raised; neither the state after create, nor after a refresh, nor after
 * the update holds it (or the value, read back). */
TEST(ssm_value_wo_reaches_aws_and_never_the_state)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = unit_moto_provider("ssm", "MOTO_ENDPOINT"), .diags = &diags};
	if (!ctx.client)
		return;
	const char *name = "/wagtail/unit/write-only/p";
	cty_value *config = parameter_config(name, NULL);
	cty_object_set(config, "value", cty_null(&cty_string));
	cty_object_set(config, "value_wo", cty_string_new("first-secret"));
	cty_object_set(config, "value_wo_version", cty_number_from_int(1));
	cty_value *none = cty_null(resource_state_type(parameter()));
	path_list replace = {0};
	cty_value *planned = plan_of(&ctx, none, config, &replace);
	cty_value *state = parameter()->create(&ctx, planned);
	check_no_errors(__LINE__, &diags);
	char *in_aws = value_in_aws(&ctx, name);
	CHECK_STR(in_aws, "first-secret");
	free(in_aws);
	CHECK(state && cty_is_null(cty_object_get(state, "value")));
	CHECK(state && attr_long(state, "value_wo_version", 0) == 1);

	cty_value *refreshed = state ? parameter()->read(&ctx, state) : NULL;
	CHECK(refreshed && cty_is_null(cty_object_get(refreshed, "value")));

	/* A new value with a new version: sent, a new parameter version. */
	cty_object_set(config, "value_wo", cty_string_new("second-secret"));
	cty_object_set(config, "value_wo_version", cty_number_from_int(2));
	cty_value *next = refreshed ? plan_of(&ctx, refreshed, config, &replace) : NULL;
	cty_value *updated = next ? parameter()->update(&ctx, refreshed, next) : NULL;
	check_no_errors(__LINE__, &diags);
	in_aws = value_in_aws(&ctx, name);
	CHECK_STR(in_aws, "second-secret");
	free(in_aws);
	CHECK(updated && cty_is_null(cty_object_get(updated, "value")));
	CHECK(updated && attr_long(updated, "version", 0) == attr_long(refreshed, "version", 0) + 1);

	cty_value *states[1] = {updated};
	delete_all(&ctx, states, 1);
	path_list_clear(&replace);
	cty_value_free(next);
	cty_value_free(refreshed);
	cty_value_free(state);
	cty_value_free(planned);
	cty_value_free(none);
	cty_value_free(config);
	provider_client_free(ctx.client);
	diag_list_clear(&diags);
}

/* Whether text is length characters with a letter of each case, a digit
 * and one of the RDS-safe punctuation characters, and nothing else. */
static bool made_for_rds(const char *text, size_t length)
{
	bool upper = false, lower = false, digit = false, special = false;
	if (!text || strlen(text) != length)
		return false;
	for (const char *p = text; *p; p++) {
		if (isupper((unsigned char)*p))
			upper = true;
		else if (islower((unsigned char)*p))
			lower = true;
		else if (isdigit((unsigned char)*p))
			digit = true;
		else if (strchr(PASSWORD_RDS_SPECIALS, *p))
			special = true;
		else
			return false;
	}
	return upper && lower && digit && special;
}

/* A SecureString whose value the provider makes (32 characters): its
 * config into *config, and the parameter made from it with the create
 * handler (its state, or NULL). */
static cty_value *create_random(call_ctx *ctx, const char *name, cty_value **config)
{
	*config = parameter_config(name, NULL);
	cty_object_set(*config, "value", cty_null(&cty_string));
	cty_object_set(*config, "random_value_length", cty_number_from_int(32));
	cty_value *none = cty_null(resource_state_type(parameter()));
	path_list replace = {0};
	cty_value *planned = plan_of(ctx, none, *config, &replace);
	cty_value *state = parameter()->create(ctx, planned);
	check_no_errors(__LINE__, ctx->diags);
	path_list_clear(&replace);
	cty_value_free(planned);
	cty_value_free(none);
	return state;
}

/* random_value_length: the provider makes the value and sends it to SSM at
 * create; the state never holds it; a new description resends the same
 * value (PutParameter always takes one); a raised value_wo_version makes
 * a new one. */
TEST(ssm_random_value_is_made_here_and_never_the_state)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = unit_moto_provider("ssm", "MOTO_ENDPOINT"), .diags = &diags};
	if (!ctx.client)
		return;
	const char *name = "/wagtail/unit/random/p";
	cty_value *config = NULL;
	cty_value *state = create_random(&ctx, name, &config);
	path_list replace = {0};
	char *first = value_in_aws(&ctx, name);
	CHECK(made_for_rds(first, 32));
	CHECK(state && cty_is_null(cty_object_get(state, "value")));
	CHECK(state && attr_long(state, "random_value_length", 0) == 32);

	/* A new description: the same value again, in a new version. */
	cty_object_set(config, "description", cty_string_new("described"));
	cty_value *next = state ? plan_of(&ctx, state, config, &replace) : NULL;
	cty_value *described = next ? parameter()->update(&ctx, state, next) : NULL;
	check_no_errors(__LINE__, &diags);
	char *kept = value_in_aws(&ctx, name);
	CHECK(first && kept && strcmp(first, kept) == 0);
	CHECK(described && cty_is_null(cty_object_get(described, "value")));

	/* A raised version: a new value. */
	cty_object_set(config, "value_wo_version", cty_number_from_int(2));
	cty_value *rotate = described ? plan_of(&ctx, described, config, &replace) : NULL;
	cty_value *rotated = rotate ? parameter()->update(&ctx, described, rotate) : NULL;
	check_no_errors(__LINE__, &diags);
	char *second = value_in_aws(&ctx, name);
	CHECK(made_for_rds(second, 32));
	CHECK(first && second && strcmp(first, second) != 0);

	cty_value *states[1] = {rotated};
	delete_all(&ctx, states, 1);
	free(first);
	free(kept);
	free(second);
	path_list_clear(&replace);
	cty_value_free(rotate);
	cty_value_free(described);
	cty_value_free(next);
	cty_value_free(state);
	cty_value_free(config);
	provider_client_free(ctx.client);
	diag_list_clear(&diags);
}

/* An imported parameter (a state with only the id): the read keeps its
 * value out of the state; random_value_length then set adopts the value AWS
 * holds (nothing sent: the same version), a new description resends it, and
 * a raised value_wo_version makes a new one. */
TEST(ssm_import_adopts_the_value_for_random_value_length)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = unit_moto_provider("ssm", "MOTO_ENDPOINT"), .diags = &diags};
	if (!ctx.client)
		return;
	const char *name = "/wagtail/unit/import/p";
	cty_value *made = create(&ctx, name, NULL);
	cty_value *id_only = cty_object_new(resource_state_type(parameter()));
	cty_object_set(id_only, "id", cty_string_new(name));
	cty_value *imported = parameter()->read(&ctx, id_only);
	check_no_errors(__LINE__, &diags);
	CHECK(imported && cty_is_null(cty_object_get(imported, "value")));
	CHECK(imported && attr_long(imported, "version", 0) == 1);

	cty_value *config = parameter_config(name, NULL);
	cty_object_set(config, "value", cty_null(&cty_string));
	cty_object_set(config, "random_value_length", cty_number_from_int(32));
	path_list replace = {0};
	cty_value *planned = imported ? plan_of(&ctx, imported, config, &replace) : NULL;
	CHECK(planned && cty_is_known(cty_object_get(planned, "version")));
	cty_value *adopted = planned ? parameter()->update(&ctx, imported, planned) : NULL;
	check_no_errors(__LINE__, &diags);
	char *in_aws = value_in_aws(&ctx, name);
	CHECK_STR(in_aws, PARAMETER_VALUE);
	free(in_aws);
	CHECK(adopted && attr_long(adopted, "version", 0) == 1);
	CHECK(adopted && attr_long(adopted, "random_value_length", 0) == 32);
	CHECK(adopted && cty_is_null(cty_object_get(adopted, "value")));

	/* A new description: the adopted value again, in a new version. */
	cty_object_set(config, "description", cty_string_new("described"));
	cty_value *next = adopted ? plan_of(&ctx, adopted, config, &replace) : NULL;
	cty_value *described = next ? parameter()->update(&ctx, adopted, next) : NULL;
	check_no_errors(__LINE__, &diags);
	in_aws = value_in_aws(&ctx, name);
	CHECK_STR(in_aws, PARAMETER_VALUE);
	free(in_aws);
	CHECK(described && attr_long(described, "version", 0) == 2);

	/* A raised version: a new value, made here. */
	cty_object_set(config, "value_wo_version", cty_number_from_int(1));
	cty_value *rotate = described ? plan_of(&ctx, described, config, &replace) : NULL;
	cty_value *rotated = rotate ? parameter()->update(&ctx, described, rotate) : NULL;
	check_no_errors(__LINE__, &diags);
	in_aws = value_in_aws(&ctx, name);
	CHECK(made_for_rds(in_aws, 32));
	free(in_aws);

	cty_value *states[1] = {rotated};
	delete_all(&ctx, states, 1);
	path_list_clear(&replace);
	cty_value_free(rotate);
	cty_value_free(described);
	cty_value_free(next);
	cty_value_free(adopted);
	cty_value_free(planned);
	cty_value_free(config);
	cty_value_free(imported);
	cty_value_free(id_only);
	cty_value_free(made);
	provider_client_free(ctx.client);
	diag_list_clear(&diags);
}

/* value_version, which the rds-aurora module gives its cluster as
 * master_password_wo_version: raised by a new value only. A new description
 * makes a new version of the same value and keeps it; a raised
 * value_wo_version makes a new value and takes the new version; a change
 * made outside Terraform raises it at the next refresh; a state from before
 * value_version plans nothing and learns it at its refresh. */
TEST(ssm_value_version_moves_with_the_value_only)
{
	diag_list diags = {0};
	call_ctx ctx = {.client = unit_moto_provider("ssm", "MOTO_ENDPOINT"), .diags = &diags};
	if (!ctx.client)
		return;
	const char *name = "/wagtail/unit/value-version/p";
	cty_value *config = NULL;
	cty_value *made = create_random(&ctx, name, &config);
	path_list replace = {0};
	CHECK(made && attr_long(made, "value_version", 0) == 1);

	/* A new description: a new version, the value's kept. */
	cty_object_set(config, "description", cty_string_new("described"));
	cty_value *next = made ? plan_of(&ctx, made, config, &replace) : NULL;
	CHECK(next && cty_is_unknown(cty_object_get(next, "version")));
	CHECK(next && attr_long(next, "value_version", 0) == 1);
	cty_value *described = next ? parameter()->update(&ctx, made, next) : NULL;
	check_no_errors(__LINE__, &diags);
	CHECK(described && attr_long(described, "version", 0) == 2 && attr_long(described, "value_version", 0) == 1);
	cty_value *refreshed = described ? parameter()->read(&ctx, described) : NULL;
	CHECK(refreshed && attr_long(refreshed, "value_version", 0) == 1);

	/* A raised value_wo_version: a new value, and its version. */
	cty_object_set(config, "value_wo_version", cty_number_from_int(2));
	cty_value *rotate = refreshed ? plan_of(&ctx, refreshed, config, &replace) : NULL;
	CHECK(rotate && cty_is_unknown(cty_object_get(rotate, "value_version")));
	cty_value *rotated = rotate ? parameter()->update(&ctx, refreshed, rotate) : NULL;
	check_no_errors(__LINE__, &diags);
	CHECK(rotated && attr_long(rotated, "version", 0) == 3 && attr_long(rotated, "value_version", 0) == 3);

	/* Outside Terraform, a new description only: whether the value changed
	 * cannot be told from the version, so it counts as new. */
	char *value = value_in_aws(&ctx, name);
	cJSON *put = json_request("Name", name);
	cJSON_AddStringToObject(put, "Type", "SecureString");
	cJSON_AddStringToObject(put, "Value", value ? value : "");
	cJSON_AddStringToObject(put, "Description", "changed outside");
	cJSON_AddBoolToObject(put, "Overwrite", 1);
	CHECK(ctx_json_send_take(&ctx, &aws_ssm, "PutParameter", put, NULL) == AWS_DONE);
	free(value);
	cty_value *outside = rotated ? parameter()->read(&ctx, rotated) : NULL;
	check_no_errors(__LINE__, &diags);
	CHECK(outside && attr_long(outside, "version", 0) == 4 && attr_long(outside, "value_version", 0) == 4);

	/* A state from before value_version: no change planned; a refresh sets
	 * it to the version. */
	cty_value *old = outside ? cty_value_clone(outside) : NULL;
	if (old)
		cty_object_set(old, "value_version", cty_null(&cty_number));
	cty_object_set(config, "description", cty_string_new("changed outside"));
	cty_value *unchanged = old ? plan_of(&ctx, old, config, &replace) : NULL;
	CHECK(unchanged && cty_value_equal(unchanged, old));
	cty_value *learned = old ? parameter()->read(&ctx, old) : NULL;
	CHECK(learned && attr_long(learned, "value_version", 0) == 4);

	cty_value *states[1] = {learned};
	delete_all(&ctx, states, 1);
	path_list_clear(&replace);
	cty_value_free(unchanged);
	cty_value_free(old);
	cty_value_free(outside);
	cty_value_free(rotated);
	cty_value_free(rotate);
	cty_value_free(refreshed);
	cty_value_free(described);
	cty_value_free(next);
	cty_value_free(made);
	cty_value_free(config);
	provider_client_free(ctx.client);
	diag_list_clear(&diags);
}

/* Exactly one of value_wo, random_value_length and value, the error on the
 * second one set, or on value_wo when none is. */
TEST(ssm_value_is_given_one_way)
{
	struct {
		bool value, write_only, random;
		const char *error_at, *summary;
	} cases[] = {
		{true, false, false, NULL, NULL},
		{false, true, false, NULL, NULL},
		{false, false, true, NULL, NULL},
		{true, false, true, "value", "Conflicting values"},
		{false, true, true, "random_value_length", "Conflicting values"},
		{false, false, false, "value_wo", "Missing value"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		diag_list diags = {0};
		call_ctx ctx = {.diags = &diags};
		cty_value *config = parameter_config("/wagtail/unit/one-way", NULL);
		cty_object_set(config, "value", cases[i].value ? cty_string_new("v") : cty_null(&cty_string));
		if (cases[i].write_only) {
			cty_object_set(config, "value_wo", cty_string_new("w"));
			cty_object_set(config, "value_wo_version", cty_number_from_int(1));
		}
		if (cases[i].random)
			cty_object_set(config, "random_value_length", cty_number_from_int(16));
		parameter()->validate(&ctx, config);
		if (cases[i].error_at)
			CHECK(diags.count == 1 && strcmp(diags.items[0].summary, cases[i].summary) == 0 &&
			      diags.items[0].has_path &&
			      strcmp(diags.items[0].path.steps[0].name, cases[i].error_at) == 0);
		else
			CHECK(diags.count == 0);
		diag_list_clear(&diags);
		cty_value_free(config);
	}
}

/* A value_wo from an ephemeral resource is unknown at validate, so a value
 * beside it passes validate; the plan, where it is known, refuses it. */
TEST(ssm_value_wo_unknown_at_validate_is_judged_at_plan)
{
	diag_list diags = {0};
	call_ctx ctx = {.diags = &diags};
	path_list replace = {0};
	cty_value *config = parameter_config("/wagtail/unit/later", NULL);
	cty_object_set(config, "value_wo", cty_unknown(&cty_string));
	cty_object_set(config, "value_wo_version", cty_number_from_int(1));
	parameter()->validate(&ctx, config);
	CHECK(diags.count == 0);
	cty_object_set(config, "value_wo", cty_string_new("w"));
	cty_value *none = cty_null(resource_state_type(parameter()));
	cty_value *planned = plan_of(&ctx, none, config, &replace);
	CHECK(diags.count == 1 && strcmp(diags.items[0].summary, "Conflicting values") == 0 &&
	      diags.items[0].has_path && strcmp(diags.items[0].path.steps[0].name, "value") == 0);
	cty_value_free(planned);
	cty_value_free(none);
	path_list_clear(&replace);
	diag_list_clear(&diags);
	cty_value_free(config);
}
