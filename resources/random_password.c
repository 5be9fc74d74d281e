/* random_password.c: resource wagtail_random_password, a password made
 * here, with no AWS call, for modules that must pick one themselves (an
 * Aurora master password left empty). It does what hashicorp/random's
 * random_password does, which cannot be installed where the registry is out
 * of reach.
 *
 * Characters come from OpenSSL's RAND_bytes, drawn without modulo bias.
 * Every argument replaces the password when it changes; `result` is
 * sensitive and never logged. The default special characters leave out
 * / " @ and space, which RDS refuses in a master password. */
#include "ephemeral.h"
#include "password.h"
#include "plan.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define MIN_LENGTH 8
#define MAX_LENGTH PASSWORD_MAX_LENGTH

static const attr_def attributes[] = {
	{"length", &cty_number, ATTR_OPTIONAL | ATTR_REPLACE, "Number of characters, 8 to 128.", .default_json = "24",
	 .check = {CHECK_RANGE, .min = MIN_LENGTH, .max = MAX_LENGTH}},
	{"special", &cty_bool, ATTR_OPTIONAL | ATTR_REPLACE, "Use the characters of override_special too.",
	 .default_json = "true"},
	{"override_special", &cty_string, ATTR_OPTIONAL | ATTR_REPLACE,
	 "The special characters to use (ASCII punctuation). The default leaves out / \" @ and space, which RDS "
	 "refuses.",
	 .default_json = "\"!#$%&*()-_=+[]{}<>:?\"",
	 .check = {CHECK_REGEX, .pattern = "^[[:punct:]]*$", .expected = "ASCII punctuation characters"}},
	{"min_upper", &cty_number, ATTR_OPTIONAL | ATTR_REPLACE, "At least this many upper-case letters.",
	 .default_json = "0", .check = {CHECK_RANGE, .min = 0, .max = MAX_LENGTH}},
	{"min_lower", &cty_number, ATTR_OPTIONAL | ATTR_REPLACE, "At least this many lower-case letters.",
	 .default_json = "0", .check = {CHECK_RANGE, .min = 0, .max = MAX_LENGTH}},
	{"min_numeric", &cty_number, ATTR_OPTIONAL | ATTR_REPLACE, "At least this many digits.", .default_json = "0",
	 .check = {CHECK_RANGE, .min = 0, .max = MAX_LENGTH}},
	{"min_special", &cty_number, ATTR_OPTIONAL | ATTR_REPLACE, "At least this many special characters.",
	 .default_json = "0", .check = {CHECK_RANGE, .min = 0, .max = MAX_LENGTH}},
	{"keepers", &cty_map_of_string, ATTR_OPTIONAL | ATTR_REPLACE,
	 "Arbitrary values; changing any of them makes a new password."},
	{"result", &cty_string, ATTR_COMPUTED | ATTR_SENSITIVE, "The password. Sensitive."},
	{"id", &cty_string, ATTR_COMPUTED, "Always \"none\": the id must not give the password away."},
	{NULL},
};

extern const resource_def resource_random_password;

/* ---- the rules a password follows ---- */

static const char *const minimum_names[PASSWORD_CLASS_COUNT] = {"min_upper", "min_lower", "min_numeric",
								   "min_special"};

/* The config as the planner will plan it: unset arguments at their defaults. */
static cty_value *as_planned(call_ctx *ctx, const cty_value *config)
{
	path_list replace = {0};
	cty_value *none = cty_null(resource_state_type(&resource_random_password));
	cty_value *planned = plan_resource(ctx, &resource_random_password, none, config, config, &replace);
	path_list_clear(&replace);
	cty_value_free(none);
	return planned;
}

/* A count from the object; false when unknown (checked again later),
 * outside 0..MAX_LENGTH (the schema's range checks report that) or
 * fractional (reported here). */
static bool count_of(const cty_value *o, const char *name, long *out, diag_list *diags)
{
	const cty_value *v = cty_object_get(o, name);
	if (!cty_is_known(v))
		return false;
	double n = strtod(v->u.str.text, NULL);
	if (n < 0 || n > MAX_LENGTH)
		return false;
	*out = (long)n;
	if (*out == n)
		return true;
	diag_attr_error(diags, name, "Not a whole number", "%s must be a whole number, not %s.", name, v->u.str.text);
	return false;
}

static bool rules_consistent(const password_rules *rules, diag_list *diags)
{
	long required = 0;
	for (int c = 0; c < PASSWORD_CLASS_COUNT; c++)
		required += rules->minimum[c];
	if (required > rules->length) {
		diag_attr_error(diags, "length", "Password too short for its minimums",
				"min_upper, min_lower, min_numeric and min_special ask for %ld characters; length is "
				"%ld.", required, rules->length);
		return false;
	}
	if (rules->minimum[PASSWORD_SPECIAL] > 0 && rules->alphabet[PASSWORD_SPECIAL][0] == '\0') {
		diag_attr_error(diags, "min_special", "No special characters to use",
				"min_special is %ld, but special is false or override_special is empty.",
				rules->minimum[PASSWORD_SPECIAL]);
		return false;
	}
	return true;
}

/* Reads the rules from a planned object. False when a value is unknown
 * (checked again at apply), out of range or fractional (see count_of), or
 * when the rules contradict each other (reported). */
static bool rules_read(const cty_value *planned, password_rules *rules, diag_list *diags)
{
	const cty_value *special = cty_object_get(planned, "special");
	const char *specials = cty_object_get_string(planned, "override_special");
	long length = 0, minimum[PASSWORD_CLASS_COUNT];
	bool counted = count_of(planned, "length", &length, diags);
	for (int c = 0; c < PASSWORD_CLASS_COUNT; c++)
		counted = count_of(planned, minimum_names[c], &minimum[c], diags) && counted;
	if (!counted || !cty_is_known(special) || !specials)
		return false;
	password_rules_init(rules, length, special->u.boolean ? specials : "");
	memcpy(rules->minimum, minimum, sizeof minimum);
	return rules_consistent(rules, diags);
}

/* ---- handlers ---- */

static void validate_password(call_ctx *ctx, const cty_value *config)
{
	password_rules rules;
	cty_value *planned = as_planned(ctx, config);
	rules_read(planned, &rules, ctx->diags);
	cty_value_free(planned);
}

static cty_value *create_password(call_ctx *ctx, const cty_value *planned)
{
	password_rules rules;
	char password[MAX_LENGTH + 1];
	if (!rules_read(planned, &rules, ctx->diags))
		return NULL;
	if (!password_generate(&rules, password)) {
		diag_add(ctx->diags, DIAG_ERROR, NULL, "No random bytes",
			 "OpenSSL's random generator (RAND_bytes) failed; no password was made.");
		OPENSSL_cleanse(password, sizeof password);
		return NULL;
	}
	cty_value *state = cty_value_clone(planned);
	cty_object_set(state, "result", cty_string_new(password));
	cty_object_set(state, "id", cty_string_new("none"));
	OPENSSL_cleanse(password, sizeof password);
	return state;
}

/* Nothing outside the state to compare with. */
static cty_value *read_password(call_ctx *ctx, const cty_value *state)
{
	(void)ctx;
	return cty_value_clone(state);
}

static size_t utf8_characters(const char *text)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		n += (*p & 0xC0) != 0x80;
	return n;
}

/* The import id is the password itself. The arguments take their defaults,
 * and length the password's: a configuration that asks for something else
 * plans a new password. */
static cty_value *import_password(call_ctx *ctx, const char *password)
{
	size_t length = utf8_characters(password);
	if (length < MIN_LENGTH || length > MAX_LENGTH) {
		diag_add(ctx->diags, DIAG_ERROR, NULL, "Cannot import this password",
			 "The import id is the password, and it must be %d to %d characters long, as length "
			 "allows; it has %zu.", MIN_LENGTH, MAX_LENGTH, length);
		return NULL;
	}
	cty_value *unset = cty_object_new(resource_state_type(&resource_random_password));
	cty_value *state = as_planned(ctx, unset);
	cty_object_set(state, "length", cty_number_from_int((int64_t)length));
	cty_object_set(state, "result", cty_string_new(password));
	cty_object_set(state, "id", cty_string_new("none"));
	cty_value_free(unset);
	return state;
}

const resource_def resource_random_password = {
	.type_name = "wagtail_random_password",
	.schema = {.attributes = attributes,
		   .description = "A random password, made with no AWS call. Replaced when any argument changes."},
	.validate = validate_password,
	.create = create_password,
	.read = read_password,
	.import = import_password,
};

/* ---- ephemeral resource wagtail_random_password ----
 *
 * A password made anew on every run and never stored, for a write-only
 * attribute (an Aurora master password sent once) or a provider
 * configuration. It is the resource above without the state: the same
 * arguments, defaults and checks, and the same generator (its create
 * handler). `keepers` has nothing to keep here: every open makes a new
 * password. */

/* The resource's create does exactly what opening asks: a password per
 * the planned arguments, as `result`. */
static cty_value *open_password(call_ctx *ctx, const cty_value *config, ephemeral_lease *lease)
{
	(void)lease; /* nothing to renew or close */
	return resource_random_password.create(ctx, config);
}

const ephemeral_def ephemeral_random_password = {
	.shape = &resource_random_password,
	.open = open_password,
};
