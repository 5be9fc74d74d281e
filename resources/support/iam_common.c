/* iam_common.c: see iam_common.h. */
#include "iam_common.h"

#include "attr.h"
#include "json_equiv.h"
#include "tags.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- normalizing ---- */

static int by_text(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->valuestring, (*(cJSON *const *)b)->valuestring);
}

/* Sorts a list of strings in place; a list holding anything else keeps its
 * order (IAM would refuse it anyway). */
static void sort_strings(cJSON *list)
{
	size_t n = (size_t)cJSON_GetArraySize(list), i = 0;
	cJSON **items = calloc(n ? n : 1, sizeof *items), *item;
	if (!items)
		abort();
	cJSON_ArrayForEach(item, list) {
		if (!cJSON_IsString(item)) {
			free(items);
			return;
		}
		items[i++] = item;
	}
	qsort(items, n, sizeof *items, by_text);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(list, cJSON_DetachItemViaPointer(list, items[i]));
	free(items);
}

/* A lone string becomes a one-element list; lists of strings are sorted. */
static void as_set(cJSON *parent, cJSON *value)
{
	if (cJSON_IsString(value)) {
		cJSON *list = cJSON_CreateArray();
		cJSON_AddItemToArray(list, cJSON_CreateString(value->valuestring));
		cJSON_ReplaceItemInObjectCaseSensitive(parent, value->string, list);
	} else if (cJSON_IsArray(value)) {
		sort_strings(value);
	}
}

/* Each member's value as a set: {"Service": "x"} and {"Service": ["x"]}
 * alike, and {"StringEquals": {"k": "v"}} one level further down. */
static void members_as_sets(cJSON *object, int depth)
{
	cJSON *member = object ? object->child : NULL;
	while (cJSON_IsObject(object) && member) {
		cJSON *next = member->next; /* as_set may replace member */
		if (depth > 1)
			members_as_sets(member, depth - 1);
		else
			as_set(object, member);
		member = next;
	}
}

static void normalize_statement(cJSON *statement)
{
	static const char *const listed[] = {"Action", "NotAction", "Resource", "NotResource", NULL};
	for (const char *const *key = listed; *key; key++) {
		cJSON *value = cJSON_GetObjectItemCaseSensitive(statement, *key);
		if (value)
			as_set(statement, value);
	}
	/* "Principal": "*" stays as it is: it is not {"AWS": "*"} to IAM. */
	members_as_sets(cJSON_GetObjectItemCaseSensitive(statement, "Principal"), 1);
	members_as_sets(cJSON_GetObjectItemCaseSensitive(statement, "NotPrincipal"), 1);
	members_as_sets(cJSON_GetObjectItemCaseSensitive(statement, "Condition"), 2);
}

void iam_policy_normalize(cJSON *doc)
{
	cJSON *statements = cJSON_GetObjectItemCaseSensitive(doc, "Statement"), *statement;
	if (cJSON_IsObject(statements)) {
		cJSON *list = cJSON_CreateArray();
		cJSON_AddItemToArray(list, cJSON_Duplicate(statements, true));
		cJSON_ReplaceItemInObjectCaseSensitive(doc, "Statement", list);
		statements = list;
	}
	cJSON_ArrayForEach(statement, statements)
		normalize_statement(statement);
}

/* ---- shape ---- */

static bool has(const cJSON *object, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(object, key) != NULL;
}

/* What is wrong with one statement, or NULL. */
static const char *statement_problem(const cJSON *statement, iam_policy_kind kind)
{
	const cJSON *effect = cJSON_GetObjectItemCaseSensitive(statement, "Effect");
	bool names_principal = has(statement, "Principal") || has(statement, "NotPrincipal");
	if (!cJSON_IsObject(statement))
		return "is not a JSON object";
	if (!cJSON_IsString(effect) || (strcmp(effect->valuestring, "Allow") != 0 &&
					strcmp(effect->valuestring, "Deny") != 0))
		return "needs Effect \"Allow\" or \"Deny\"";
	if (!has(statement, "Action") && !has(statement, "NotAction"))
		return "needs Action or NotAction";
	if (kind == IAM_TRUST_POLICY && !names_principal)
		return "needs a Principal: who may assume the role";
	if (kind == IAM_IDENTITY_POLICY && names_principal)
		return "names a Principal, which only trust and resource policies do";
	if (kind == IAM_IDENTITY_POLICY && !has(statement, "Resource") && !has(statement, "NotResource"))
		return "needs Resource or NotResource";
	return NULL;
}

static bool document_ok(const cJSON *doc, iam_policy_kind kind, char *why, size_t size)
{
	const cJSON *statements = cJSON_GetObjectItemCaseSensitive(doc, "Statement"), *statement;
	int index = 0;
	if (!cJSON_IsObject(doc)) {
		snprintf(why, size, "is not a JSON object");
		return false;
	}
	if (!cJSON_IsObject(statements) && !(cJSON_IsArray(statements) && cJSON_GetArraySize(statements) > 0)) {
		snprintf(why, size, "needs a Statement: one statement object or a non-empty list of them");
		return false;
	}
	if (cJSON_IsObject(statements)) {
		const char *problem = statement_problem(statements, kind);
		if (problem)
			snprintf(why, size, "has a Statement that %s", problem);
		return problem == NULL;
	}
	cJSON_ArrayForEach(statement, statements) {
		const char *problem = statement_problem(statement, kind);
		index++;
		if (problem) {
			snprintf(why, size, "has a statement %d that %s", index, problem);
			return false;
		}
	}
	return true;
}

bool iam_policy_shape_ok(const char *text, iam_policy_kind kind, char *why, size_t why_size)
{
	cJSON *doc = cJSON_Parse(text);
	bool ok = !doc || document_ok(doc, kind, why, why_size);
	cJSON_Delete(doc);
	return ok;
}

void iam_validate_policy(diag_list *diags, const cty_value *policy, const char *attribute, const char *key,
			 iam_policy_kind kind)
{
	diag_path path = diag_path_attr(diag_root(), attribute);
	const char *what = kind == IAM_TRUST_POLICY ? "trust policy" : "policy";
	char why[160];
	if (!cty_is_known(policy) || iam_policy_shape_ok(policy->u.str.text, kind, why, sizeof why))
		return;
	if (key) {
		path = diag_path_key(path, key);
		diag_add(diags, DIAG_ERROR, &path, "Invalid IAM policy document",
			 "Attribute \"%s\", policy \"%s\": the %s %s.", attribute, key, what, why);
	} else {
		diag_add(diags, DIAG_ERROR, &path, "Invalid IAM policy document", "Attribute \"%s\": the %s %s.",
			 attribute, what, why);
	}
}

/* ---- IAM's answers ---- */

static int hex_digit(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

char *iam_policy_decode(const char *answered)
{
	char *text = strdup(answered), *out = text;
	if (!text)
		abort();
	/* Encoded, the document starts with %7B; plain, with its brace. */
	if (answered[strspn(answered, " \t\r\n")] == '{')
		return text;
	for (const char *in = answered; *in; out++) {
		bool escape = in[0] == '%' && isxdigit((unsigned char)in[1]) && isxdigit((unsigned char)in[2]);
		*out = escape ? (char)(hex_digit(in[1]) * 16 + hex_digit(in[2])) : *in;
		in += escape ? 3 : 1;
	}
	*out = '\0';
	return text;
}

cty_value *iam_policy_value(const char *answered, const cty_value *prior)
{
	char *text = iam_policy_decode(answered);
	bool same = cty_is_known(prior) && json_equivalent(prior->u.str.text, text, iam_policy_normalize);
	cty_value *value = same ? cty_value_clone(prior) : cty_string_new(text);
	free(text);
	return value;
}

/* ---- names ---- */

void iam_validate_name(diag_list *diags, const cty_value *config)
{
	/* Only values known now conflict: a module's input is unknown at validate. */
	if (cty_is_known(cty_object_get(config, "name")) && cty_is_known(cty_object_get(config, "name_prefix")))
		diag_attr_error(diags, "name_prefix", "Conflicting names",
				"Set name, or name_prefix for a generated unique name, not both.");
}

char *iam_name_for(const cty_value *planned)
{
	static atomic_uint counter;
	const char *name = attr_text(planned, "name");
	const char *prefix = attr_text(planned, "name_prefix");
	struct timespec now;
	struct tm utc;
	char stamp[16], *generated = NULL;

	if (name) {
		generated = strdup(name);
		if (!generated)
			abort();
		return generated;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &utc);
	strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &utc);
	/* 14 + 6 + 6 characters: time to the microsecond, then a counter mixed
	 * with the process id, for two names made in the same microsecond. */
	unsigned tail = (atomic_fetch_add(&counter, 1) + (unsigned)getpid() * 4099u) & 0xffffffu;
	if (asprintf(&generated, "%s%s%06ld%06x", prefix ? prefix : "terraform-", stamp, now.tv_nsec / 1000,
		     tail) < 0)
		abort();
	return generated;
}

/* ---- calls ---- */

xmlDoc *iam_create(call_ctx *ctx, const char *action, const char *name_param, const char *name,
		   const field_def *fields, const cty_value *planned, aws_error *err)
{
	query_params q = {0};

	query_add(&q, name_param, name);
	fields_query_create(fields, planned, &q);
	iam_add_tags(&q, cty_object_get(planned, "tags_all"));
	xmlDoc *answer = ctx_query(ctx, &aws_iam, action, &q, err);
	query_free(&q);
	return answer;
}

/* ---- tags ---- */

void iam_add_tags(query_params *q, const cty_value *tags)
{
	for (size_t i = 0; i < cty_length(tags); i++) {
		query_addf(q, tags->u.coll.keys[i], "Tags.member.%zu.Key", i + 1);
		query_addf(q, tags->u.coll.items[i]->u.str.text, "Tags.member.%zu.Value", i + 1);
	}
}

bool iam_update_tags(call_ctx *ctx, const char *entity, const char *param, const char *value,
		     const cty_value *before, const cty_value *after)
{
	cty_value *removed, *changed;
	char action[32];
	bool ok = true;
	tags_diff(before, after, &removed, &changed);
	if (cty_length(removed)) {
		query_params q = {0};
		query_add(&q, param, value);
		for (size_t i = 0; i < cty_length(removed); i++)
			query_addf(&q, removed->u.coll.keys[i], "TagKeys.member.%zu", i + 1);
		snprintf(action, sizeof action, "Untag%s", entity);
		ok = ctx_query_send_take(ctx, &aws_iam, action, &q, NULL) == AWS_DONE;
	}
	if (ok && cty_length(changed)) {
		query_params q = {0};
		query_add(&q, param, value);
		iam_add_tags(&q, changed);
		snprintf(action, sizeof action, "Tag%s", entity);
		ok = ctx_query_send_take(ctx, &aws_iam, action, &q, NULL) == AWS_DONE;
	}
	cty_value_free(removed);
	cty_value_free(changed);
	return ok;
}
