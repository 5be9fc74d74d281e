/* iam_common.h: what wagtail_iam_role and wagtail_iam_policy share: policy
 * documents (their shape, their meaning, IAM's URL-encoded answers), names
 * from name or name_prefix, IAM tags, and the create call. What IAM's
 * NoSuchEntity means (gone, or not yet seen everywhere) each resource
 * declares with its calls. */
#ifndef WAGTAIL_IAM_COMMON_H
#define WAGTAIL_IAM_COMMON_H

#include "fields.h"

/* ---- policy documents ---- */

typedef enum {
	IAM_IDENTITY_POLICY, /* what a role or user may do: Resource, no Principal */
	IAM_TRUST_POLICY,    /* who may assume a role: Principal */
} iam_policy_kind;

/* json_normalizer for policy documents. IAM gives a single string the
 * meaning of a one-element list and reads those lists as sets, so: a lone
 * Statement object becomes a list; Action, NotAction, Resource,
 * NotResource, each principal's values and each condition's values become
 * sorted lists. */
void iam_policy_normalize(cJSON *doc);

/* False, with a sentence in why ("statement 2 needs Action or NotAction"),
 * when a document is not a policy of that kind as IAM would accept it. Text
 * that is not JSON passes: the schema's CHECK_JSON reports it. */
bool iam_policy_shape_ok(const char *text, iam_policy_kind kind, char *why, size_t why_size);

/* Validate-time check of the policy in attribute `attribute` or, with key
 * given, in that entry of the map there. An error names and points at it;
 * null and unknown values pass. */
void iam_validate_policy(diag_list *diags, const cty_value *policy, const char *attribute, const char *key,
			 iam_policy_kind kind);

/* A policy document as IAM answered it (URL-encoded, except moto's
 * GetPolicyVersion, which sends it plain) as a state value: prior's text
 * when that means the same, so reformatting never shows as a diff. */
cty_value *iam_policy_value(const char *answered, const cty_value *prior);

/* The document text IAM's answers hold, decoded; malloc'd. */
char *iam_policy_decode(const char *answered);

/* ---- names ---- */

/* Refuses name together with name_prefix. */
void iam_validate_name(diag_list *diags, const cty_value *config);

/* The name to create: `name`, else name_prefix (default "terraform-")
 * followed by a 26-character unique suffix, as the AWS provider does.
 * malloc'd. */
char *iam_name_for(const cty_value *planned);

#define IAM_UNIQUE_SUFFIX_LENGTH 26

/* The name, name_prefix and path attributes of an IAM role or policy, for
 * its schema table: Title and what name it ("Role", "role"), max is IAM's
 * longest name and prefix_max that less the unique suffix (26, spelled
 * out in the message). */
/* The lengths go in max_length, not in the pattern: a bracket of ranges
 * repeated {1,128} costs musl's regcomp (the static release binary's) up to
 * 14 MiB, which would be most of the provider's memory. */
#define IAM_NAME_CHARS "[A-Za-z0-9_+=,.@-]"
#define IAM_NAMING_ATTRIBUTES(Title, what, max, prefix_max)                                                  \
	{"name", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED | ATTR_REPLACE,                                   \
	 Title " name. Unset: name_prefix (default \"terraform-\") and a unique suffix.",                      \
	 .check = {CHECK_REGEX, .pattern = "^" IAM_NAME_CHARS "+$", .max_length = max,                          \
		   .expected = "a " what " name of 1 to " #max " letters, digits and + = , . @ _ -"}},           \
	{"name_prefix", &cty_string, ATTR_OPTIONAL | ATTR_REPLACE, "Prefix of a generated unique name.",         \
	 .check = {CHECK_REGEX, .pattern = "^" IAM_NAME_CHARS "+$", .max_length = prefix_max,                   \
		   .expected = "a name prefix of 1 to " #prefix_max " letters, digits and + = , . @ _ - (the "   \
			       "unique suffix takes 26 more)"}},                                              \
	{"path", &cty_string, ATTR_OPTIONAL | ATTR_REPLACE, "Path of the " what ", e.g. /service/.",              \
	 .default_json = "\"/\"",                                                                             \
	 .check = {CHECK_REGEX, .pattern = "^/([!-~]+/)?$", .max_length = 512,                                  \
		   .expected = "a path that starts and ends with / such as /service/"}}

/* ---- calls ---- */

/* Sends a create call (CreateRole, CreatePolicy) with name_param = name,
 * the create members of the resource's field table that the plan sets,
 * and tags_all. Returns
 * the answer (the caller frees it), or NULL with err filled and not yet
 * reported: whether it is an error depends on what ctx_create_outcome
 * finds. */
xmlDoc *iam_create(call_ctx *ctx, const char *action, const char *name_param, const char *name,
		   const field_def *fields, const cty_value *planned, aws_error *err);

/* ---- tags ---- */

/* Tags.member.N.Key / .Value for each entry of a map(string). */
void iam_add_tags(query_params *q, const cty_value *tags);

/* Brings the tags of an entity ("Role" or "Policy": TagRole, UntagPolicy,
 * ...), named by param = value, from before to after. False on failure. */
bool iam_update_tags(call_ctx *ctx, const char *entity, const char *param, const char *value,
		     const cty_value *before, const cty_value *after);

#endif
