/* validate.c: attribute checks and the walk that applies them. */
#include "validate.h"

#include "schema.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool check_enum(const attr_check *check, const char *value, char *why, size_t size)
{
	size_t used = 0;
	for (const char *const *c = check->choices; *c; c++)
		if (strcmp(*c, value) == 0)
			return true;
	used += (size_t)snprintf(why, size, "expected one of");
	for (const char *const *c = check->choices; *c && used < size; c++)
		used += (size_t)snprintf(why + used, size - used, "%s \"%s\"", c == check->choices ? "" : ",", *c);
	if (used < size)
		snprintf(why + used, size - used, "; got \"%s\"", value);
	return false;
}

/* Patterns are compiled once and kept: the set is the static schema
 * tables', and a compiled regex_t serves concurrent regexec calls. */
#define PATTERN_CACHE_SIZE 128

static struct {
	pthread_mutex_t lock;
	size_t count;
	const char *pattern[PATTERN_CACHE_SIZE]; /* borrowed from the schema tables */
	regex_t compiled[PATTERN_CACHE_SIZE];
} patterns = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The compiled pattern, or NULL when it does not compile (a bug in a table). */
static const regex_t *compiled_pattern(const char *pattern)
{
	const regex_t *found = NULL;
	pthread_mutex_lock(&patterns.lock);
	for (size_t i = 0; i < patterns.count && !found; i++)
		if (patterns.pattern[i] == pattern || strcmp(patterns.pattern[i], pattern) == 0)
			found = &patterns.compiled[i];
	if (!found && patterns.count < PATTERN_CACHE_SIZE &&
	    regcomp(&patterns.compiled[patterns.count], pattern, REG_EXTENDED | REG_NOSUB) == 0) {
		patterns.pattern[patterns.count] = pattern;
		found = &patterns.compiled[patterns.count++];
	}
	pthread_mutex_unlock(&patterns.lock);
	return found;
}

static bool check_regex(const attr_check *check, const char *value, char *why, size_t size)
{
	const regex_t *re = compiled_pattern(check->pattern);
	if (!re) {
		snprintf(why, size, "internal error: bad pattern %s", check->pattern);
		return false;
	}
	bool ok = (!check->max_length || strlen(value) <= check->max_length) && regexec(re, value, 0, NULL, 0) == 0;
	if (!ok)
		snprintf(why, size, "\"%s\" is not %s", value, check->expected ? check->expected : check->pattern);
	return ok;
}

static bool check_cidr(const char *value, char *why, size_t size)
{
	char address[64];
	const char *slash = strchr(value, '/');
	unsigned char bytes[16];
	char *end;

	if (slash && (size_t)(slash - value) < sizeof address) {
		memcpy(address, value, (size_t)(slash - value));
		address[slash - value] = '\0';
		long prefix = strtol(slash + 1, &end, 10);
		bool v6 = strchr(address, ':') != NULL;
		if (*end == '\0' && end != slash + 1 && prefix >= 0 && prefix <= (v6 ? 128 : 32) &&
		    inet_pton(v6 ? AF_INET6 : AF_INET, address, bytes) == 1)
			return true;
	}
	snprintf(why, size, "\"%s\" is not a CIDR block such as 10.0.0.0/16", value);
	return false;
}

/* arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE; partition, service and
 * resource non-empty (IAM ARNs have no region). */
static bool check_arn(const char *value, char *why, size_t size)
{
	const char *p = value;
	int colons = 0;
	bool ok = strncmp(value, "arn:", 4) == 0;
	for (; ok && *p; p++) {
		if (*p != ':')
			continue;
		colons++;
		if (colons <= 2 && (p[1] == ':' || p[1] == '\0'))
			ok = false;
		if (colons == 5)
			break;
	}
	ok = ok && colons == 5 && p[1] != '\0';
	if (!ok)
		snprintf(why, size, "\"%s\" is not an ARN (arn:partition:service:region:account:resource)", value);
	return ok;
}

static bool check_json(const char *value, char *why, size_t size)
{
	const char *error_at = NULL;
	cJSON *doc = cJSON_ParseWithOpts(value, &error_at, 1);
	bool ok = doc != NULL;
	cJSON_Delete(doc);
	if (!ok)
		snprintf(why, size, "not a valid JSON document (error near byte %ld)",
			 error_at ? (long)(error_at - value) : 0L);
	return ok;
}

bool validate_string(const attr_check *check, const char *value, char *why, size_t why_size)
{
	switch (check->kind) {
	case CHECK_ENUM:
		return check_enum(check, value, why, why_size);
	case CHECK_REGEX:
		return check_regex(check, value, why, why_size);
	case CHECK_CIDR:
		return check_cidr(value, why, why_size);
	case CHECK_ARN:
		return check_arn(value, why, why_size);
	case CHECK_JSON:
		return check_json(value, why, why_size);
	case CHECK_RANGE:
	case CHECK_NONE:
		break;
	}
	return true;
}

static void check_value(const attr_def *a, const cty_value *v, diag_path path, diag_list *diags)
{
	char why[512] = "";
	bool ok = true;

	if (!cty_is_known(v))
		return;
	if (v->type->kind == CTY_STRING) {
		ok = validate_string(&a->check, v->u.str.text, why, sizeof why);
	} else if (v->type->kind == CTY_NUMBER && a->check.kind == CHECK_RANGE) {
		double n = strtod(v->u.str.text, NULL);
		ok = n >= a->check.min && n <= a->check.max;
		if (!ok)
			snprintf(why, sizeof why, "must be between %g and %g, got %s", a->check.min, a->check.max,
				 v->u.str.text);
	} else if (cty_type_is_collection(v->type)) {
		for (size_t i = 0; i < v->u.coll.count; i++) {
			diag_path item = v->type->kind == CTY_MAP ? diag_path_key(path, v->u.coll.keys[i])
				       : v->type->kind == CTY_LIST ? diag_path_index(path, (long)i)
								   : path;
			check_value(a, v->u.coll.items[i], item, diags);
		}
	}
	if (!ok)
		diag_add(diags, DIAG_ERROR, &path, "Invalid attribute value", "Attribute \"%s\": %s.", a->name, why);
}

static void check_timeouts(const cty_value *timeouts, diag_path path, diag_list *diags)
{
	for (const attr_def *a = schema_timeouts_block.attributes; a->name; a++) {
		const char *text = cty_object_get_string(timeouts, a->name);
		double seconds;
		if (text && !validate_duration(text, &seconds)) {
			diag_path at = diag_path_attr(path, a->name);
			diag_add(diags, DIAG_ERROR, &at, "Invalid timeout",
				 "\"%s\" is not a duration such as \"30s\", \"10m\" or \"1h30m\".", text);
		}
	}
}

static void validate_block(const resource_def *r, const block_def *b, const cty_value *config, diag_path path,
			   diag_list *diags);

static void validate_nested(const resource_def *r, const nested_def *n, const cty_value *v, diag_path path,
			    diag_list *diags)
{
	if (!cty_is_known(v))
		return;
	if (n->block == &schema_timeouts_block) {
		check_timeouts(v, path, diags);
	} else if (NEST_IS_OBJECT(n->nesting)) {
		validate_block(r, n->block, v, path, diags);
	} else {
		for (size_t i = 0; i < v->u.coll.count; i++) {
			diag_path item = n->nesting == NEST_LIST  ? diag_path_index(path, (long)i)
				       : n->nesting == NEST_MAP ? diag_path_key(path, v->u.coll.keys[i])
								: path;
			validate_block(r, n->block, v->u.coll.items[i], item, diags);
		}
	}
}

static void validate_block(const resource_def *r, const block_def *b, const cty_value *config, diag_path path,
			   diag_list *diags)
{
	if (!cty_is_known(config))
		return;
	for (size_t i = 0; i < config->type->field_count; i++) {
		const char *name = config->type->fields[i].name;
		const attr_def *a = schema_find_attribute(b, name);
		diag_path at = diag_path_attr(path, name);
		if (a && a->check.kind != CHECK_NONE)
			check_value(a, config->u.coll.items[i], at, diags);
		else if (!a)
			validate_nested(r, schema_find_block(r, b, name), config->u.coll.items[i], at, diags);
	}
}

void validate_config(const resource_def *r, const cty_value *config, diag_list *diags)
{
	validate_block(r, &r->schema, config, diag_root(), diags);
}

bool validate_duration(const char *text, double *seconds)
{
	double total = 0;
	const char *p = text;
	if (!*p)
		return false;
	while (*p) {
		char *end;
		double n = strtod(p, &end);
		if (end == p || n < 0)
			return false;
		switch (*end) {
		case 'h': total += n * 3600; break;
		case 'm': total += n * 60; break;
		case 's': total += n; break;
		default: return false;
		}
		p = end + 1;
	}
	*seconds = total;
	return true;
}

/* Set, for validate_exactly_one: known and not null, and true for a bool. */
static bool choice_set(const cty_value *v)
{
	return cty_is_known(v) && (v->type != &cty_bool || v->u.boolean);
}

void validate_exactly_one(const cty_value *o, const char *const *names, diag_path base, const char *conflict_summary,
			  const char *missing_summary, const char *missing_detail, diag_list *diags)
{
	const char *first = NULL;
	bool undecided = false;
	for (const char *const *name = names; *name; name++) {
		const cty_value *v = cty_object_get(o, *name);
		undecided |= cty_is_unknown(v);
		if (!choice_set(v))
			continue;
		if (!first) {
			first = *name;
			continue;
		}
		/* "Set one of a, b and c = true; a and c are both set." */
		char choices[512] = "";
		size_t used = 0;
		for (const char *const *c = names; *c && used < sizeof choices; c++)
			used += (size_t)snprintf(choices + used, sizeof choices - used, "%s%s%s",
						 c == names ? "" : c[1] ? ", " : " and ", *c,
						 cty_object_get(o, *c) && cty_object_get(o, *c)->type == &cty_bool ? " = true" : "");
		diag_path at = diag_path_attr(base, *name);
		diag_add(diags, DIAG_ERROR, &at, conflict_summary, "Set one of %s; %s and %s are both set.", choices,
			 first, *name);
		return;
	}
	if (!first && !undecided) {
		diag_path at = diag_path_attr(base, names[0]);
		diag_add(diags, DIAG_ERROR, &at, missing_summary, "%s", missing_detail);
	}
}
