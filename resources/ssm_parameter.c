/* ssm_parameter.c: resource wagtail_ssm_parameter, SSM parameters such as
 * the SecureString credentials an ECS task reads at start.
 *
 * The value is sensitive: Terraform redacts it, and nothing here logs it. */
#include "attr.h"
#include "ephemeral.h"
#include "fields.h"
#include "password.h"
#include "ssm_secret.h"
#include "tags.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const types[] = {"String", "SecureString", "StringList", NULL};
static const char *const tiers[] = {"Standard", "Advanced", "Intelligent-Tiering", NULL};

/* Intelligent-Tiering is a request, not a tier: each PutParameter with it
 * stores the parameter as Standard, or as Advanced when its content needs
 * that, and DescribeParameters reports the tier stored. */
#define INTELLIGENT_TIERING "Intelligent-Tiering"

/* DescribeParameters pages followed before giving up: AWS may answer a
 * page with no items and a NextToken, however narrow the filter. */
#define MAX_DESCRIBE_PAGES 50

static const attr_def attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "Parameter name, e.g. /wagtail/prod/db_password.",
	 .check = {CHECK_REGEX, .pattern = "^[A-Za-z0-9_./-]+$", .max_length = 1011,
		   .expected = "a parameter name of 1 to 1011 letters, digits and _ . - / (a hierarchy "
			       "starts with /)"}},
	{"type", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "String, SecureString or StringList.",
	 .check = {CHECK_ENUM, .choices = types}},
	{"value_wo", &cty_string, ATTR_OPTIONAL | ATTR_SENSITIVE | ATTR_WRITE_ONLY,
	 "The value, write-only (Terraform 1.11, OpenTofu 1.11 or later): sent to SSM and never kept in the "
	 "state or the plan. Give it with value_wo_version, and raise that to send a new one."},
	{"value_wo_version", &cty_number, ATTR_OPTIONAL,
	 "Any number, raised to send value_wo again, or to make a new random value (a new parameter version)."},
	{"random_value_length", &cty_number, ATTR_OPTIONAL,
	 "Let the provider make the value: this many random letters, digits and -_.~!#%^*+= (at least one of "
	 "each kind; all valid in an RDS master password), made at create and again when value_wo_version "
	 "changes, never in the state, the plan or a log, on every CLI.",
	 .check = {CHECK_RANGE, .min = 8, .max = PASSWORD_MAX_LENGTH}},
	{"value", &cty_string, ATTR_OPTIONAL | ATTR_SENSITIVE,
	 "The value, kept in the state (marked sensitive); prefer value_wo or random_value_length for a secret. "
	 "One of value, value_wo and random_value_length. Never logged."},
	{"description", &cty_string, ATTR_OPTIONAL, "What the parameter is for."},
	{"key_id", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED,
	 "KMS key for a SecureString; default the account's alias/aws/ssm."},
	{"tier", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED,
	 "Standard, Advanced or Intelligent-Tiering (kept as set while AWS stores Standard or Advanced). Advanced "
	 "to Standard replaces the parameter: AWS cannot move it down.",
	 .check = {CHECK_ENUM, .choices = tiers}},
	{"stored_tier", &cty_string, ATTR_COMPUTED,
	 "The tier AWS stores the parameter in (Standard or Advanced), which Intelligent-Tiering chooses."},
	{"arn", &cty_string, ATTR_COMPUTED, "Parameter ARN."},
	{"version", &cty_number, ATTR_COMPUTED,
	 "Version, raised by every PutParameter: a new value, description, key or tier."},
	{"value_version", &cty_number, ATTR_COMPUTED,
	 "The version that brought the value held: raised by a new value only (or by any change made outside "
	 "Terraform, which cannot be told apart). Give this, not version, to a *_wo_version that resends the "
	 "value, so that a new description does not send the same secret again."},
	{"id", &cty_string, ATTR_COMPUTED, "The parameter name."},
	TAG_ATTRIBUTES,
	{NULL},
};

extern const resource_def resource_ssm_parameter;

static const aws_rules on_parameter = {.gone = (const aws_match[]){{"ParameterNotFound"}, {NULL}}};
static const aws_rules on_create = {.exists = (const aws_match[]){{"ParameterAlreadyExists"}, {NULL}}};

/* PutParameter's members, and where the two reads answer: GetParameter's
 * Parameter, and the DescribeParameters item (Description), which alone
 * has the description, the key and the tier stored. The tier as the user
 * set it is read by hand (tier_value), the key sent by hand (only a
 * SecureString has one). */
static const field_def fields[] = {
	{"name", "Name", "Parameter/Name"},
	{"id", NULL, "Parameter/Name"},
	{"type", "Type", "Parameter/Type"},
	{"value", "Value", "Parameter/Value"},
	{"value_wo", "Value"},
	{"arn", NULL, "Parameter/ARN"},
	{"version", NULL, "Parameter/Version"},
	{"description", "Description", "Description/Description"},
	{"key_id", NULL, "Description/KeyId"},
	{"tier", "Tier", NULL},
	{"stored_tier", NULL, "Description/Tier"},
	{NULL},
};

/* What a change of makes a new value, and what else PutParameter sends
 * (a change of either makes a new version). */
static const char *const value_attributes[] = {"value", "value_wo_version", "random_value_length", NULL};
static const char *const stored_attributes[] = {"description", "key_id", "tier", NULL};

/* Whether prior is a state an import of a SecureString made: every create
 * here keeps one of value, value_wo_version and random_value_length in the
 * state, such an import none (parameter_state). */
static bool imported(const cty_value *prior)
{
	return !attr_is_set(prior, "value") && !attr_is_set(prior, "value_wo_version") &&
	       !attr_is_set(prior, "random_value_length");
}

/* random_value_length set over an imported state adopts the value AWS
 * holds, which the provider cannot tell from one it made: setting it (and
 * value_wo_version) there sends nothing, where a new value would change a
 * secret that others (a database) already use. Raising value_wo_version
 * later makes a new one. */
static bool adopts_value(const cty_value *prior, const cty_value *planned)
{
	return imported(prior) && attr_is_set(planned, "random_value_length");
}

static bool any_differs(const cty_value *prior, const cty_value *planned, const char *const *names)
{
	for (; *names; names++)
		if (attr_differs(prior, planned, *names))
			return true;
	return false;
}

/* Adopting, only a new value given as value counts: setting
 * random_value_length and value_wo_version keeps the value SSM holds. */
static bool value_changes(const cty_value *prior, const cty_value *planned)
{
	if (adopts_value(prior, planned))
		return attr_differs(prior, planned, "value");
	return any_differs(prior, planned, value_attributes);
}

static bool content_changes(const cty_value *prior, const cty_value *planned)
{
	return value_changes(prior, planned) || any_differs(prior, planned, stored_attributes);
}

static bool text_is(const char *text, const char *want)
{
	return text && strcmp(text, want) == 0;
}

/* AWS refuses to move a parameter from Advanced down to Standard
 * (PutParameter answers ValidationException); it must be deleted and made
 * again, so that change is a replacement. AWS holds the parameter as
 * Advanced when the state's tier says so, or when Intelligent-Tiering chose
 * Advanced, which stored_tier (read from DescribeParameters at the refresh
 * before the plan) says. */
static bool moves_down_from_advanced(const cty_value *prior, const cty_value *planned)
{
	const char *was = attr_text(prior, "tier");
	if (!text_is(attr_text(planned, "tier"), "Standard"))
		return false;
	return text_is(was, "Advanced") ||
	       (text_is(was, INTELLIGENT_TIERING) && text_is(attr_text(prior, "stored_tier"), "Advanced"));
}

/* The tier AWS stores after a PutParameter: the tier asked for when it is
 * Standard or Advanced; unknown when Intelligent-Tiering chooses anew, as
 * it does at each write. */
static cty_value *stored_tier_after_put(const cty_value *planned)
{
	const char *tier = attr_text(planned, "tier");
	if (text_is(tier, "Standard") || text_is(tier, "Advanced"))
		return cty_string_new(tier);
	return cty_unknown(&cty_string);
}

/* The ways to give the value, of which exactly one is set. */
static const char *const value_sources[] = {"value_wo", "random_value_length", "value", NULL};

/* At validate and again at plan: a value_wo from an ephemeral resource, or
 * a module's input, is unknown at validate and known at plan. */
static void check_value_sources(call_ctx *ctx, const cty_value *config)
{
	validate_exactly_one(config, value_sources, diag_root(), "Conflicting values", "Missing value",
			     "Set value_wo (write-only: kept out of the state), random_value_length (a value the "
			     "provider makes, kept out of the state) or value.",
			     ctx->diags);
}

static void validate_parameter(call_ctx *ctx, const cty_value *config)
{
	check_value_sources(ctx, config);
	if (!cty_is_null(cty_object_get(config, "value_wo")) &&
	    cty_is_null(cty_object_get(config, "value_wo_version")))
		diag_attr_error(ctx->diags, "value_wo_version", "Missing value version",
				"value_wo needs value_wo_version (any number, e.g. 1): raise it to send a new value.");
}

/* A new version (and perhaps a new stored tier) comes only with new
 * content, not with new tags. */
static void plan_parameter(call_ctx *ctx, const cty_value *prior, const cty_value *config, cty_value *planned,
                           path_list *replace)
{
	check_value_sources(ctx, config);
	if (cty_is_null(prior))
		return;
	if (content_changes(prior, planned)) {
		cty_object_set(planned, "version", cty_unknown(&cty_number));
		cty_object_set(planned, "stored_tier", stored_tier_after_put(planned));
	}
	/* A state from before value_version that was not refreshed learns it
	 * at its next refresh, or at an apply that changes anything. */
	if (value_changes(prior, planned) ||
	    (cty_is_null(cty_object_get(prior, "value_version")) && !cty_value_equal(prior, planned)))
		cty_object_set(planned, "value_version", cty_unknown(&cty_number));
	if (moves_down_from_advanced(prior, planned))
		plan_require_replace(replace, "tier");
}

/* PutParameter; value: the value the provider made or read back (for
 * random_value_length), or NULL for the one the fields table sends. */
static cJSON *put_request(const cty_value *planned, bool overwrite, const char *value)
{
	cJSON *request = cJSON_CreateObject();
	fields_json_create(fields, planned, request);
	if (value)
		cJSON_AddStringToObject(request, "Value", value);
	if (strcmp(attr_text(planned, "type"), "SecureString") == 0)
		json_add_attribute(request, "KeyId", planned, "key_id");
	if (overwrite)
		cJSON_AddBoolToObject(request, "Overwrite", 1);
	else if (cty_length(cty_object_get(planned, "tags_all")))
		cJSON_AddItemToObject(request, "Tags", tags_to_json(cty_object_get(planned, "tags_all"), "Key", "Value"));
	return request;
}

static cJSON *by_name(const char *name)
{
	return json_request("Name", name);
}

/* The item of a DescribeParameters page that describes parameter name,
 * detached from the page; NULL when the page has none. */
static cJSON *take_parameter(cJSON *page, const char *name)
{
	cJSON *items = cJSON_GetObjectItemCaseSensitive(page, "Parameters"), *item;
	cJSON_ArrayForEach(item, items) {
		const cJSON *item_name = cJSON_GetObjectItemCaseSensitive(item, "Name");
		if (cJSON_IsString(item_name) && strcmp(item_name->valuestring, name) == 0)
			return cJSON_DetachItemViaPointer(items, item);
	}
	return NULL;
}

/* DescribeParameters: description, key id and tier, which GetParameter
 * lacks. A page may hold fewer items than asked for, none at all, with a
 * NextToken for the next: the pages are followed, each with the same
 * filter, until one lists the parameter or no token comes (bounded).
 * Returns false when a call failed or the pages did not end (reported);
 * otherwise *found is the parameter's item, or NULL when none lists it. */
static bool describe_parameter(call_ctx *ctx, const char *name, cJSON **found)
{
	cJSON *request = cJSON_CreateObject(), *filter = cJSON_CreateObject();
	bool ok = false, answered = true;
	*found = NULL;
	cJSON_AddItemToArray(cJSON_AddArrayToObject(request, "ParameterFilters"), filter);
	cJSON_AddStringToObject(filter, "Key", "Name");
	cJSON_AddStringToObject(filter, "Option", "Equals");
	cJSON_AddItemToObject(filter, "Values", cJSON_CreateStringArray(&name, 1));
	cJSON_AddNumberToObject(request, "MaxResults", 50);
	for (int page = 0; page < MAX_DESCRIBE_PAGES; page++) {
		cJSON *answer = ctx_json_call(ctx, &aws_ssm, "DescribeParameters", request, NULL);
		if (!(answered = answer != NULL))
			break; /* reported */
		*found = take_parameter(answer, name);
		cJSON *token = cJSON_DetachItemFromObjectCaseSensitive(answer, "NextToken");
		cJSON_Delete(answer);
		if (*found || !cJSON_IsString(token) || !*token->valuestring) {
			cJSON_Delete(token);
			ok = true;
			break;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(request, "NextToken");
		cJSON_AddItemToObject(request, "NextToken", token);
	}
	if (!ok && answered)
		diag_add(ctx->diags, DIAG_ERROR, NULL, "Cannot describe SSM parameter",
			 "DescribeParameters did not list parameter %s within %d pages: every page came with a "
			 "NextToken for another.",
			 name, MAX_DESCRIBE_PAGES);
	cJSON_Delete(request);
	return ok;
}

static cty_value *list_tags(call_ctx *ctx, const char *name)
{
	cJSON *request = json_request("ResourceType", "Parameter");
	cJSON_AddStringToObject(request, "ResourceId", name);
	cJSON *answer = ctx_json_call(ctx, &aws_ssm, "ListTagsForResource", request, NULL);
	cJSON_Delete(request);
	cty_value *tags = answer ? tags_from_json(cJSON_GetObjectItemCaseSensitive(answer, "TagList"), "Key", "Value")
				 : NULL;
	cJSON_Delete(answer);
	return tags;
}

/* The tier AWS stores, but Intelligent-Tiering where the state has it and
 * AWS stores what it may have chosen (Standard or Advanced): that is the
 * user's setting, and reading it back otherwise would plan a change after
 * every apply. */
static cty_value *tier_value(const cty_value *prior, const cJSON *description)
{
	const cJSON *tier = cJSON_GetObjectItemCaseSensitive(description, "Tier");
	const char *stored = cJSON_IsString(tier) ? tier->valuestring : NULL;
	if (text_is(attr_text(prior, "tier"), INTELLIGENT_TIERING) &&
	    (text_is(stored, "Standard") || text_is(stored, "Advanced")))
		return cty_string_new(INTELLIGENT_TIERING);
	return json_string_value(description, "Tier");
}

/* value_version as read into state (whose version is AWS's): the prior one
 * while AWS's version is the one the prior state knew, or one that the
 * apply now ending wrote without a new value (prior's version unknown, its
 * value_version known); otherwise AWS's version: a new value written here,
 * a first read (create, import, a state from before value_version), or a
 * change made outside Terraform, new value or not. */
static cty_value *value_version_read(const cty_value *prior, const cty_value *state)
{
	const cty_value *held = cty_object_get(prior, "value_version");
	const cty_value *known = cty_object_get(prior, "version");
	if (cty_is_known(held) &&
	    (cty_is_unknown(known) || cty_value_equal(known, cty_object_get(state, "version"))))
		return cty_value_clone(held);
	return cty_value_clone(cty_object_get(state, "version"));
}

/* parameter: GetParameter's Parameter; description: the DescribeParameters
 * item, or NULL when none listed it. */
static cty_value *parameter_state(call_ctx *ctx, const cty_value *prior, cJSON *parameter, cJSON *description,
				  cty_value *tags)
{
	cty_value *state = cty_object_new(resource_state_type(&resource_ssm_parameter));
	cJSON *described = cJSON_CreateObject(); /* borrows both, as fields names them */
	if (parameter)
		cJSON_AddItemReferenceToObject(described, "Parameter", parameter);
	if (description)
		cJSON_AddItemReferenceToObject(described, "Description", description);
	fields_json_read(fields, described, state);
	cJSON_Delete(described);
	/* The value read back stays in the state where it was given as value,
	 * and in an imported String or StringList. One given write-only or
	 * made here never does, nor an imported SecureString (imported), which
	 * may be such a secret. */
	cty_object_set(state, "value_wo_version", cty_value_clone(cty_object_get(prior, "value_wo_version")));
	cty_object_set(state, "random_value_length", cty_value_clone(cty_object_get(prior, "random_value_length")));
	if (!attr_is_set(prior, "value") &&
	    (attr_is_set(prior, "value_wo_version") || attr_is_set(prior, "random_value_length") ||
	     text_is(attr_text(state, "type"), "SecureString")))
		cty_object_set(state, "value", cty_null(&cty_string));
	cty_object_set(state, "tier", tier_value(prior, description));
	cty_object_set(state, "value_version", value_version_read(prior, state));
	tags_read(ctx, prior, state, tags);
	return state;
}

static cty_value *read_parameter(call_ctx *ctx, const cty_value *state)
{
	const char *name = attr_text(state, "id");
	cJSON *got = NULL, *description = NULL;
	cty_value *tags = NULL, *fresh = NULL;
	aws_outcome found = ssm_get_decrypted(ctx, name, &on_parameter, &got, NULL);

	if (found == AWS_GONE)
		return cty_null(resource_state_type(&resource_ssm_parameter));
	if (found == AWS_DONE && describe_parameter(ctx, name, &description))
		tags = list_tags(ctx, name);
	if (tags)
		fresh = parameter_state(ctx, state, cJSON_GetObjectItemCaseSensitive(got, "Parameter"), description, tags);
	ssm_answer_free(got);
	cJSON_Delete(description);
	return fresh;
}

/* A value made for random_value_length into made (PASSWORD_MAX_LENGTH + 1
 * bytes); false, reported, when the random generator failed. */
static bool make_value(call_ctx *ctx, const cty_value *planned, char *made)
{
	password_rules rules;
	password_rules_init(&rules, attr_long(planned, "random_value_length", 0), PASSWORD_RDS_SPECIALS);
	for (int c = 0; c < PASSWORD_CLASS_COUNT; c++)
		rules.minimum[c] = 1;
	if (password_generate(&rules, made))
		return true;
	diag_attr_error(ctx->diags, "random_value_length", "No random bytes",
			"OpenSSL's random generator (RAND_bytes) failed; no value was made.");
	return false;
}

/* The value PutParameter is to send for random_value_length, malloc'd (free
 * with ssm_secret_free): a new one when there is none yet (prior NULL) or
 * when random_value_length or value_wo_version changed, otherwise (or over
 * an imported state: adopts_value) the current one read back, since
 * PutParameter always takes a value and a new description must not change
 * the secret. NULL, reported, on failure. */
static char *random_value(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	char made[PASSWORD_MAX_LENGTH + 1];
	char *value = NULL;
	if (prior && (adopts_value(prior, planned) || (!attr_differs(prior, planned, "random_value_length") &&
						       !attr_differs(prior, planned, "value_wo_version")))) {
		diag_path at = diag_path_attr(diag_root(), "random_value_length");
		return ssm_secret_get(ctx, attr_text(prior, "id"), &at);
	}
	if (make_value(ctx, planned, made))
		value = strdup(made);
	explicit_bzero(made, sizeof made);
	return value;
}

/* A PutParameter whose answer was lost may have made the parameter; its
 * retry then meets ParameterAlreadyExists (ctx_create_outcome). */
static cty_value *create_parameter(call_ctx *ctx, const cty_value *planned)
{
	const char *name = attr_text(planned, "name");
	aws_error err = {0};
	char *value = NULL;
	if (attr_is_set(planned, "random_value_length") && !(value = random_value(ctx, NULL, planned)))
		return NULL;
	cJSON *request = put_request(planned, false, value);
	ssm_secret_free(value);
	cJSON *answer = ctx_json_call(ctx, &aws_ssm, "PutParameter", request, &err);
	cJSON_Delete(request);
	cJSON_Delete(answer);
	if (!answer && ctx_create_outcome(ctx, &resource_ssm_parameter, planned, name, &err, &on_create) ==
			       CREATE_NONE)
		return NULL;
	return resource_created(ctx, &resource_ssm_parameter, planned, name);
}

/* Every change here is one AWS makes in place: PutParameter with
 * Overwrite. A move down from Advanced never comes here, since the plan
 * replaces the parameter (moves_down_from_advanced). */
static cty_value *update_parameter(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	const char *name = attr_text(prior, "id");
	bool ok = true;
	if (content_changes(prior, planned)) {
		char *value = NULL;
		if (attr_is_set(planned, "random_value_length") && !(value = random_value(ctx, prior, planned)))
			return NULL;
		ok = ctx_json_send_take(ctx, &aws_ssm, "PutParameter", put_request(planned, true, value), NULL) ==
		     AWS_DONE;
		ssm_secret_free(value);
	}
	if (ok) {
		cJSON *target = json_request("ResourceType", "Parameter");
		cJSON_AddStringToObject(target, "ResourceId", name);
		ctx_json_update_tags_take(ctx, &aws_ssm, &ssm_tag_api, target, prior, planned);
	}
	return read_parameter(ctx, planned);
}

static bool delete_parameter(call_ctx *ctx, const cty_value *state)
{
	return ctx_json_send_take(ctx, &aws_ssm, "DeleteParameter", by_name(attr_text(state, "id")), &on_parameter) !=
	       AWS_FAILED;
}

const resource_def resource_ssm_parameter = {
	.type_name = "wagtail_ssm_parameter",
	.schema = {.attributes = attributes, .description = "An SSM parameter, e.g. a SecureString credential."},
	.fields = fields,
	.validate = validate_parameter,
	.plan = plan_parameter,
	.create = create_parameter,
	.read = read_parameter,
	.update = update_parameter,
	.delete = delete_parameter,
};

/* ---- ephemeral resource wagtail_ssm_parameter ----
 *
 * The value of one SSM parameter read for one run, decrypted (a SecureString's
 * plain text), and never stored: for a write-only attribute or a provider
 * configuration. The resource of the same name manages a parameter; this
 * only reads one, made by anyone.
 *
 * One GetParameter with WithDecryption, which SSM ignores for String and
 * StringList parameters. A name of another account's parameter shared
 * with this one is its ARN; a name:version or name:label selector reads
 * that version. A parameter that does not exist is an error, not an empty
 * value: a secret silently missing would be sent on as "". */

static const attr_def ephemeral_attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED,
	 "The parameter's name (/app/db/password), its ARN, or either with :version or :label.",
	 .check = {CHECK_REGEX, .pattern = "^[^[:space:]]+$", .max_length = 2048,
		   .expected = "a parameter name or ARN, without spaces"}},
	{"value", &cty_string, ATTR_COMPUTED | ATTR_SENSITIVE, "The value, decrypted. Sensitive."},
	{"type", &cty_string, ATTR_COMPUTED, "String, StringList or SecureString."},
	{"version", &cty_number, ATTR_COMPUTED, "The version read."},
	{"arn", &cty_string, ATTR_COMPUTED, "The parameter's ARN."},
	{NULL},
};

static const resource_def ephemeral_shape = {
	.type_name = "wagtail_ssm_parameter",
	.schema = {.attributes = ephemeral_attributes,
		   .description = "The decrypted value of an SSM parameter, read for one run and never stored."},
};

static cty_value *open_parameter(call_ctx *ctx, const cty_value *config, ephemeral_lease *lease)
{
	cJSON *answer = NULL;
	cty_value *result = NULL;
	(void)lease; /* SSM gives no lease: nothing to renew or close */

	/* No rules: not found, access denied and a KMS refusal are all errors to report as they are. */
	if (ssm_get_decrypted(ctx, attr_text(config, "name"), NULL, &answer, NULL) == AWS_DONE) {
		const cJSON *parameter = cJSON_GetObjectItemCaseSensitive(answer, "Parameter");
		const cJSON *version = cJSON_GetObjectItemCaseSensitive(parameter, "Version");
		result = cty_value_clone(config);
		cty_object_set(result, "value", json_string_value(parameter, "Value"));
		cty_object_set(result, "type", json_string_value(parameter, "Type"));
		cty_object_set(result, "arn", json_string_value(parameter, "ARN"));
		if (cJSON_IsNumber(version))
			cty_object_set(result, "version", cty_number_from_int((int64_t)version->valuedouble));
	}
	ssm_answer_free(answer);
	return result;
}

const ephemeral_def ephemeral_ssm_parameter = {
	.shape = &ephemeral_shape,
	.open = open_parameter,
};
