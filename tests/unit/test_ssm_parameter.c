/* test_ssm_parameter.c: wagtail_ssm_parameter's read, plan and update
 * against a fake SSM endpoint (fake_http.c) whose answers are canned:
 * DescribeParameters pages that hold fewer items than asked for, down to
 * none, with a NextToken (as AWS documents it may answer), and the tiers
 * AWS stores (Standard or Advanced, never Intelligent-Tiering). */
#include "unit.h"

#include "fake_http.h"
#include "plan.h"
#include "provider_config.h"
#include "schema.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#define NAME "/wagtail/prod/db_password"
#define MAX_DESCRIBE_PAGES 50

typedef struct {
	char tier[32];        /* the tier AWS holds */
	int empty_pages;      /* DescribeParameters pages before the one listing it */
	bool endless;         /* every page empty, with a token */
	int describe_calls;
	bool bad_page_request; /* a page asked without the filter or the last token */
	char actions[512];    /* "GetParameter,DescribeParameters,..." */
	bool overwrite;       /* the last PutParameter had Overwrite */
	char put_tier[32];    /* and this Tier */
} ssm_fake;

static const char *action_of(const char *request)
{
	const char *target = strstr(request, "X-Amz-Target: AmazonSSM.");
	static __thread char action[64];
	if (!target)
		return "";
	target += strlen("X-Amz-Target: AmazonSSM.");
	snprintf(action, sizeof action, "%.*s", (int)strcspn(target, "\r\n"), target);
	return action;
}

static bool filters_by_name(const cJSON *request)
{
	const cJSON *filter = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(request, "ParameterFilters"), 0);
	const cJSON *key = cJSON_GetObjectItemCaseSensitive(filter, "Key");
	const cJSON *value = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(filter, "Values"), 0);
	return cJSON_IsString(key) && strcmp(key->valuestring, "Name") == 0 && cJSON_IsString(value) &&
	       strcmp(value->valuestring, NAME) == 0;
}

static void describe(ssm_fake *fake, const cJSON *request, char *body, size_t size)
{
	const cJSON *token = cJSON_GetObjectItemCaseSensitive(request, "NextToken");
	char want[32];
	int page = fake->describe_calls++;
	snprintf(want, sizeof want, "token-%d", page);
	if (!filters_by_name(request) || (page == 0 ? token != NULL
						    : !cJSON_IsString(token) || strcmp(token->valuestring, want) != 0))
		fake->bad_page_request = true;
	if (fake->endless || page < fake->empty_pages) {
		snprintf(body, size, "{\"Parameters\": [], \"NextToken\": \"token-%d\"}", page + 1);
		return;
	}
	snprintf(body, size,
		 "{\"Parameters\": [{\"Name\": \"%s\", \"Type\": \"SecureString\", \"KeyId\": \"alias/aws/ssm\", "
		 "\"Description\": \"db password\", \"Tier\": \"%s\", \"Version\": 3}]}",
		 NAME, fake->tier);
}

static int ssm_handler(void *arg, const char *request, char *body, size_t size)
{
	ssm_fake *fake = arg;
	const char *action = action_of(request);
	cJSON *json = cJSON_Parse(fake_http_body(request));
	snprintf(fake->actions + strlen(fake->actions), sizeof fake->actions - strlen(fake->actions), "%s%s",
		 *fake->actions ? "," : "", action);
	snprintf(body, size, "{}");
	if (strcmp(action, "GetParameter") == 0) {
		snprintf(body, size,
			 "{\"Parameter\": {\"Name\": \"%s\", \"Type\": \"SecureString\", \"Value\": \"secret\", "
			 "\"Version\": 3, \"ARN\": \"arn:aws:ssm:eu-west-1:123456789012:parameter%s\"}}",
			 NAME, NAME);
	} else if (strcmp(action, "DescribeParameters") == 0) {
		describe(fake, json, body, size);
	} else if (strcmp(action, "ListTagsForResource") == 0) {
		snprintf(body, size, "{\"TagList\": []}");
	} else if (strcmp(action, "PutParameter") == 0) {
		const cJSON *tier = cJSON_GetObjectItemCaseSensitive(json, "Tier");
		fake->overwrite = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "Overwrite"));
		snprintf(fake->put_tier, sizeof fake->put_tier, "%s", cJSON_IsString(tier) ? tier->valuestring : "");
		/* AWS stores Standard or Advanced, and never moves down from Advanced. */
		if (strcmp(fake->put_tier, "Advanced") == 0 ||
		    (strcmp(fake->put_tier, "Standard") == 0 && strcmp(fake->tier, "Advanced") != 0))
			snprintf(fake->tier, sizeof fake->tier, "%s", fake->put_tier);
		else if (strcmp(fake->put_tier, "Standard") == 0 && fake->overwrite) {
			cJSON_Delete(json);
			snprintf(body, size, "{\"__type\": \"ValidationException\", \"message\": \"cannot downgrade\"}");
			return 400;
		}
		snprintf(body, size, "{\"Version\": 1, \"Tier\": \"%s\"}", fake->tier);
	} else if (strcmp(action, "DeleteParameter") == 0) {
		snprintf(fake->tier, sizeof fake->tier, "Standard"); /* a new parameter starts afresh */
	}
	cJSON_Delete(json);
	return 200;
}

/* A configured provider for eu-west-1 whose SSM endpoint is the fake. */
static provider_client *provider_for(const fake_http *server)
{
	const cty_type *t = resource_state_type(&provider_config_def);
	const cty_type *list_type = t->fields[cty_type_field_index(t, "endpoints")].type;
	cty_value *config = cty_object_new(t);
	cty_value *blocks = cty_collection_new(list_type), *block = cty_object_new(list_type->elem);
	diag_list diags = {0};
	cty_object_set(block, "ssm", cty_string_new(fake_http_url(server)));
	cty_append(blocks, block);
	cty_object_set(config, "endpoints", blocks);
	cty_object_set(config, "region", cty_string_new("eu-west-1"));
	cty_object_set(config, "access_key", cty_string_new("AKIDEXAMPLE"));
	cty_object_set(config, "secret_key", cty_string_new("secret"));
	cty_object_set(config, "max_retries", cty_number_from_int(0));
	cty_object_set(config, "skip_credentials_validation", cty_bool_new(true));
	cty_object_set(config, "skip_requesting_account_id", cty_bool_new(true));
	provider_client *client = provider_client_new(config, &diags);
	cty_value_free(config);
	diag_list_clear(&diags);
	return client;
}

static const resource_def *parameter(void)
{
	return schema_find_resource("wagtail_ssm_parameter");
}

/* A state, or a config when arn is NULL. */
static cty_value *parameter_value(const char *tier, const char *arn)
{
	cty_value *v = cty_object_new(resource_state_type(parameter()));
	cty_object_set(v, "name", cty_string_new(NAME));
	cty_object_set(v, "type", cty_string_new("SecureString"));
	cty_object_set(v, "value", cty_string_new("secret"));
	cty_object_set(v, "description", cty_string_new("db password"));
	if (tier)
		cty_object_set(v, "tier", cty_string_new(tier));
	if (arn) {
		cty_object_set(v, "id", cty_string_new(NAME));
		cty_object_set(v, "arn", cty_string_new(arn));
		cty_object_set(v, "key_id", cty_string_new("alias/aws/ssm"));
		cty_object_set(v, "version", cty_number_from_int(3));
		cty_object_set(v, "tags_all", cty_collection_new(&cty_map_of_string));
	}
	return v;
}

#define ARN "arn:aws:ssm:eu-west-1:123456789012:parameter" NAME

/* What a read of a parameter whose state says prior_tier gives, AWS
 * holding fake's tier; NULL when the read failed (errors in diags). */
static cty_value *read_with(ssm_fake *fake, const char *prior_tier, diag_list *diags)
{
	fake_http *server = fake_http_start(ssm_handler, fake);
	call_ctx ctx = {.client = provider_for(server), .diags = diags};
	cty_value *prior = parameter_value(prior_tier, ARN);
	cty_value *state = parameter()->read(&ctx, prior);
	cty_value_free(prior);
	provider_client_free(ctx.client);
	fake_http_stop(server);
	return state;
}

TEST(ssm_read_follows_next_token_past_empty_pages)
{
	ssm_fake fake = {.tier = "Advanced", .empty_pages = 2};
	diag_list diags = {0};
	cty_value *state = read_with(&fake, "Advanced", &diags);
	CHECK(!diag_has_error(&diags));
	CHECK(fake.describe_calls == 3);
	CHECK(!fake.bad_page_request);
	CHECK_STR(cty_object_get_string(state, "tier"), "Advanced");
	CHECK_STR(cty_object_get_string(state, "description"), "db password");
	CHECK_STR(cty_object_get_string(state, "key_id"), "alias/aws/ssm");
	cty_value_free(state);
	diag_list_clear(&diags);
}

/* A service that never stops answering with a token is not followed forever. */
TEST(ssm_read_pages_are_bounded)
{
	ssm_fake fake = {.tier = "Standard", .endless = true};
	diag_list diags = {0};
	cty_value *state = read_with(&fake, "Standard", &diags);
	CHECK(fake.describe_calls == MAX_DESCRIBE_PAGES);
	CHECK(!fake.bad_page_request);
	CHECK(state == NULL && diag_has_error(&diags));
	cty_value_free(state);
	diag_list_clear(&diags);
}

/* AWS stores an Intelligent-Tiering parameter as Standard or Advanced; the
 * user's choice stays in the state, so the next plan is empty. */
TEST(ssm_intelligent_tiering_stays_in_state)
{
	static const struct {
		const char *prior, *aws, *want;
	} cases[] = {
		{"Intelligent-Tiering", "Standard", "Intelligent-Tiering"},
		{"Intelligent-Tiering", "Advanced", "Intelligent-Tiering"},
		{"Standard", "Advanced", "Advanced"}, /* a change made outside Terraform still shows */
		{NULL, "Standard", "Standard"},       /* import */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		ssm_fake fake = {0};
		diag_list diags = {0};
		snprintf(fake.tier, sizeof fake.tier, "%s", cases[i].aws);
		cty_value *state = read_with(&fake, cases[i].prior, &diags);
		CHECK(!diag_has_error(&diags));
		CHECK_STR(cty_object_get_string(state, "tier"), cases[i].want);
		cty_value_free(state);
		diag_list_clear(&diags);
	}
}

/* The plan of prior -> config, with its diagnostics. */
static cty_value *plan_change(const char *prior_tier, const char *config_tier, diag_list *diags)
{
	call_ctx ctx = {.diags = diags};
	cty_value *prior = parameter_value(prior_tier, ARN);
	cty_value *config = parameter_value(config_tier, NULL);
	cty_value *proposed = cty_value_clone(prior);
	path_list replace = {0};
	cty_object_set(proposed, "tier", cty_string_new(config_tier));
	cty_value *planned = plan_resource(&ctx, parameter(), prior, proposed, config, &replace);
	path_list_clear(&replace);
	cty_value_free(proposed);
	cty_value_free(config);
	cty_value_free(prior);
	return planned;
}

static bool has_warning(const diag_list *diags, const char *text)
{
	for (size_t i = 0; i < diags->count; i++)
		if (diags->items[i].severity == DIAG_WARNING &&
		    (strstr(diags->items[i].summary, text) || (diags->items[i].detail && strstr(diags->items[i].detail, text))))
			return true;
	return false;
}

/* AWS cannot move a parameter from Advanced down to Standard: the plan
 * says that the apply deletes and creates it again. */
TEST(ssm_advanced_to_standard_plan_says_it_recreates)
{
	diag_list diags = {0};
	cty_value *planned = plan_change("Advanced", "Standard", &diags);
	CHECK(!diag_has_error(&diags));
	CHECK(has_warning(&diags, "deleted and created again"));
	CHECK(cty_is_unknown(cty_object_get(planned, "version")));
	cty_value_free(planned);
	diag_list_clear(&diags);

	planned = plan_change("Standard", "Advanced", &diags);
	CHECK(diags.count == 0);
	cty_value_free(planned);
	diag_list_clear(&diags);
}

/* What an update from prior_tier to Standard does, AWS holding aws_tier. */
static void update_to_standard(ssm_fake *fake, const char *prior_tier, diag_list *diags, cty_value **state)
{
	fake_http *server = fake_http_start(ssm_handler, fake);
	call_ctx ctx = {.client = provider_for(server), .diags = diags};
	cty_value *prior = parameter_value(prior_tier, ARN);
	cty_value *planned = parameter_value("Standard", ARN);
	cty_object_set(planned, "version", cty_unknown(&cty_number));
	*state = parameter()->update(&ctx, prior, planned);
	cty_value_free(planned);
	cty_value_free(prior);
	provider_client_free(ctx.client);
	fake_http_stop(server);
}

TEST(ssm_advanced_to_standard_deletes_and_creates)
{
	static const char *const priors[] = {"Advanced", "Intelligent-Tiering"};
	for (size_t i = 0; i < 2; i++) {
		ssm_fake fake = {.tier = "Advanced"};
		diag_list diags = {0};
		cty_value *state = NULL;
		update_to_standard(&fake, priors[i], &diags, &state);
		CHECK(!diag_has_error(&diags));
		CHECK(strstr(fake.actions, "DeleteParameter,PutParameter") != NULL);
		CHECK(!fake.overwrite);
		CHECK_STR(fake.put_tier, "Standard");
		CHECK_STR(cty_object_get_string(state, "tier"), "Standard");
		cty_value_free(state);
		diag_list_clear(&diags);
	}
}

/* Intelligent-Tiering that AWS kept Standard becomes Standard in place. */
TEST(ssm_intelligent_tiering_to_standard_in_place)
{
	ssm_fake fake = {.tier = "Standard"};
	diag_list diags = {0};
	cty_value *state = NULL;
	update_to_standard(&fake, "Intelligent-Tiering", &diags, &state);
	CHECK(!diag_has_error(&diags));
	CHECK(strstr(fake.actions, "DeleteParameter") == NULL);
	CHECK(fake.overwrite);
	CHECK_STR(cty_object_get_string(state, "tier"), "Standard");
	cty_value_free(state);
	diag_list_clear(&diags);
}
