/* iam_role.c: resource wagtail_iam_role, the roles ECS tasks, Lambda and
 * Aurora assume. Besides the role it owns the role's trust policy and,
 * when they are set, its managed policy attachments and inline policies:
 * exclusively, so that whatever else is attached or put in AWS shows as
 * drift and is removed. Left unset, they are read but not managed. */
#include "attr.h"
#include "iam_common.h"
#include "json_equiv.h"
#include "tags.h"

#include <stdlib.h>
#include <string.h>

static const attr_def attributes[] = {
	IAM_NAMING_ATTRIBUTES("Role", "role", 64, 38),
	{"description", &cty_string, ATTR_OPTIONAL, "What the role is for."},
	{"assume_role_policy", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED,
	 "Trust policy (JSON): who may assume the role. Or assume_role_services.", .check = {CHECK_JSON}},
	{"assume_role_services", &cty_set_of_string, ATTR_OPTIONAL | ATTR_COMPUTED,
	 "Service principals that may assume the role, e.g. [\"ecs-tasks.amazonaws.com\"]: a shortcut that "
	 "builds assume_role_policy.",
	 .check = {CHECK_REGEX, .pattern = "^[a-z0-9-]+(\\.[a-z0-9-]+)+$",
		   .expected = "a service principal such as ecs-tasks.amazonaws.com"}},
	{"managed_policy_arns", &cty_set_of_string, ATTR_OPTIONAL | ATTR_COMPUTED,
	 "Managed policies attached to the role, exclusively. Unset: attachments are not managed.",
	 .check = {CHECK_ARN}},
	{"inline_policies", &cty_map_of_string, ATTR_OPTIONAL | ATTR_COMPUTED,
	 "Inline policies by name (JSON documents), exclusively. Unset: inline policies are not managed.",
	 .check = {CHECK_JSON}},
	{"max_session_duration", &cty_number, ATTR_OPTIONAL, "Longest session, in seconds.",
	 .default_json = "3600", .check = {CHECK_RANGE, .min = 3600, .max = 43200}},
	{"permissions_boundary", &cty_string, ATTR_OPTIONAL, "ARN of the policy that bounds the role's permissions.",
	 .check = {CHECK_ARN}},
	{"arn", &cty_string, ATTR_COMPUTED, "Role ARN."},
	{"unique_id", &cty_string, ATTR_COMPUTED, "The role's stable id (AROA...)."},
	{"id", &cty_string, ATTR_COMPUTED, "The role name."},
	TAG_ATTRIBUTES,
	{NULL},
};

extern const resource_def resource_iam_role;

/* ---- what IAM's answers mean ---- */

/* NoSuchEntity: the role, or the policy or attachment named, does not
 * exist (any more). */
static const aws_rules on_role = {.gone = (const aws_match[]){{"NoSuchEntity"}, {NULL}}};
static const aws_rules on_create = {.exists = (const aws_match[]){{"EntityAlreadyExists"}, {NULL}}};
/* Just after a create, NoSuchEntity means not yet seen everywhere: IAM is
 * eventually consistent, and the AWS provider retries NoSuchEntity for two
 * minutes (its IAM propagation time) after making something. The same
 * holds for a policy attached now that this apply made moments ago. */
static const aws_rules on_new_role = {.retry = (const aws_match[]){{"NoSuchEntity", NULL, 120}, {NULL}}};

/* CreateRole's members and GetRole's Role. The trust policy and the
 * description are read by hand (IAM URL-encodes the one and reports an
 * empty other), and each setting changes through a call of its own. */
static const field_def fields[] = {
	{"name", NULL, "RoleName"},
	{"id", NULL, "RoleName"},
	{"arn", NULL, "Arn"},
	{"unique_id", NULL, "RoleId"},
	{"path", "Path", "Path"},
	{"assume_role_policy", "AssumeRolePolicyDocument", NULL},
	{"description", "Description", NULL},
	{"max_session_duration", "MaxSessionDuration", "MaxSessionDuration"},
	{"permissions_boundary", "PermissionsBoundary", "PermissionsBoundary/PermissionsBoundaryArn"},
	{NULL},
};

static const cty_value *map_value(const cty_value *map, const char *key)
{
	for (size_t i = 0; i < cty_length(map); i++)
		if (strcmp(map->u.coll.keys[i], key) == 0)
			return map->u.coll.items[i];
	return NULL;
}

/* ---- the trust policy and assume_role_services ---- */

static cty_value *trust_policy_for(const cty_value *services)
{
	cJSON *policy = cJSON_CreateObject(), *statement = cJSON_CreateObject(), *names;
	cJSON_AddStringToObject(policy, "Version", "2012-10-17");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(policy, "Statement"), statement);
	cJSON_AddStringToObject(statement, "Effect", "Allow");
	names = cJSON_AddArrayToObject(cJSON_AddObjectToObject(statement, "Principal"), "Service");
	for (size_t i = 0; i < cty_length(services); i++)
		cJSON_AddItemToArray(names, cJSON_CreateString(cty_index(services, i)->u.str.text));
	cJSON_AddStringToObject(statement, "Action", "sts:AssumeRole");
	char *text = cJSON_PrintUnformatted(policy);
	cty_value *value = cty_string_new(text);
	free(text);
	cJSON_Delete(policy);
	return value;
}

static bool text_is(const cJSON *item, const char *want)
{
	return cJSON_IsString(item) && strcmp(item->valuestring, want) == 0;
}

/* The services a trust policy lets assume the role, when it is exactly
 * what assume_role_services builds; else null. This way a role imported or
 * read back shows the shortcut its configuration uses. */
static cty_value *services_trusted_by(const char *policy)
{
	cJSON *doc = policy ? cJSON_Parse(policy) : NULL, *name;
	iam_policy_normalize(doc);
	const cJSON *statements = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
	const cJSON *statement = cJSON_GetArrayItem(statements, 0);
	const cJSON *principal = cJSON_GetObjectItemCaseSensitive(statement, "Principal");
	const cJSON *action = cJSON_GetObjectItemCaseSensitive(statement, "Action");
	const cJSON *services = cJSON_GetObjectItemCaseSensitive(principal, "Service");
	bool shortcut = cJSON_GetArraySize(statements) == 1 && cJSON_GetArraySize(statement) == 3 &&
			text_is(cJSON_GetObjectItemCaseSensitive(statement, "Effect"), "Allow") &&
			cJSON_GetArraySize(action) == 1 && text_is(cJSON_GetArrayItem(action, 0), "sts:AssumeRole") &&
			cJSON_GetArraySize(principal) == 1 && cJSON_IsArray(services);
	cty_value *set = shortcut ? cty_collection_new(&cty_set_of_string) : cty_null(&cty_set_of_string);
	if (shortcut)
		cJSON_ArrayForEach(name, services)
			if (cJSON_IsString(name))
				cty_append(set, cty_string_new(name->valuestring));
	cJSON_Delete(doc);
	return set;
}

/* One of the two is configured; the other follows from it. */
static void plan_trust(const cty_value *config, cty_value *planned)
{
	const cty_value *services = cty_object_get(config, "assume_role_services");
	const cty_value *policy = cty_object_get(config, "assume_role_policy");
	if (!cty_is_null(services)) {
		bool known = cty_is_known(services) && !cty_contains_unknown(services);
		cty_object_set(planned, "assume_role_policy",
			       known ? trust_policy_for(services) : cty_unknown(&cty_string));
	} else {
		cty_object_set(planned, "assume_role_services",
			       cty_is_unknown(policy) ? cty_unknown(&cty_set_of_string)
						      : services_trusted_by(policy->u.str.text));
	}
}

/* ---- validation ---- */

static void validate_inline_policies(diag_list *diags, const cty_value *policies)
{
	for (size_t i = 0; cty_is_known(policies) && i < cty_length(policies); i++)
		iam_validate_policy(diags, policies->u.coll.items[i], "inline_policies", policies->u.coll.keys[i],
				    IAM_IDENTITY_POLICY);
}

static void validate_role(call_ctx *ctx, const cty_value *config)
{
	const cty_value *policy = cty_object_get(config, "assume_role_policy");
	const cty_value *services = cty_object_get(config, "assume_role_services");

	iam_validate_name(ctx->diags, config);
	if (!cty_is_null(policy) && !cty_is_null(services))
		diag_attr_error(ctx->diags, "assume_role_services", "Conflicting trust policies",
				"Set assume_role_policy or assume_role_services, not both.");
	else if (cty_is_null(policy) && cty_is_null(services))
		diag_attr_error(ctx->diags, "assume_role_policy", "Missing trust policy",
				"Set assume_role_policy (JSON), or assume_role_services such as "
				"[\"ecs-tasks.amazonaws.com\"].");
	else if (cty_is_known(services) && cty_length(services) == 0)
		diag_attr_error(ctx->diags, "assume_role_services", "No services",
				"assume_role_services needs at least one service principal.");
	iam_validate_policy(ctx->diags, policy, "assume_role_policy", NULL, IAM_TRUST_POLICY);
	validate_inline_policies(ctx->diags, cty_object_get(config, "inline_policies"));
}

/* ---- planning ---- */

/* Terraform accepts a planned map only equal to the configuration's or to
 * the prior one as a whole, so prior's map is kept when every policy in it
 * means what the configuration says. */
static void keep_prior_inline_policies(cty_value *planned, const cty_value *prior)
{
	const cty_value *before = cty_object_get(prior, "inline_policies");
	const cty_value *after = cty_object_get(planned, "inline_policies");
	if (!cty_is_known(before) || !cty_is_known(after) || cty_length(before) != cty_length(after))
		return;
	for (size_t i = 0; i < cty_length(after); i++) {
		const cty_value *was = map_value(before, after->u.coll.keys[i]), *now = after->u.coll.items[i];
		if (!cty_is_known(was) || !cty_is_known(now) ||
		    !json_equivalent(was->u.str.text, now->u.str.text, iam_policy_normalize))
			return;
	}
	cty_object_set(planned, "inline_policies", cty_value_clone(before));
}

static void plan_role(call_ctx *ctx, const cty_value *prior, const cty_value *config, cty_value *planned,
                      path_list *replace)
{
	(void)replace;
	(void)ctx;
	plan_trust(config, planned);
	json_keep_prior(planned, prior, "assume_role_policy", iam_policy_normalize);
	keep_prior_inline_policies(planned, prior);
}

/* ---- reading ---- */

/* A List action over a role's policies, read across all its pages. */
typedef struct {
	const char *action;    /* "ListAttachedRolePolicies" */
	const char *container; /* "AttachedPolicies": the element holding the members */
	const char *field;     /* "PolicyArn": what of each member; NULL: its own text */
} role_listing;

static const role_listing attached_policies = {"ListAttachedRolePolicies", "AttachedPolicies", "PolicyArn"};
static const role_listing inline_policy_names = {"ListRolePolicies", "PolicyNames", NULL};

static void add_members(cty_value *found, xmlNode *container, const char *field)
{
	for (xmlNode *member = container ? container->children : NULL; member; member = member->next) {
		if (member->type != XML_ELEMENT_NODE)
			continue;
		char *text = field ? aws_xml_text(member, field) : (char *)xmlNodeGetContent(member);
		if (text)
			cty_append(found, cty_string_new(text));
		if (field)
			free(text);
		else
			xmlFree(text);
	}
}

/* A list or set of what the listing names, in *found when AWS_DONE. */
static aws_outcome list_for_role(call_ctx *ctx, const role_listing *listing, const char *role, const cty_type *type,
				 cty_value **found)
{
	query_params q = {0};
	xmlDoc *listed = NULL;
	query_add(&q, "RoleName", role);
	aws_outcome outcome = ctx_query_all(ctx, &aws_iam, listing->action, &q, &on_role, listing->container, &listed);
	query_free(&q);
	if (outcome == AWS_DONE) {
		*found = cty_collection_new(type);
		add_members(*found, aws_xml_find(xmlDocGetRootElement(listed), listing->container), listing->field);
	}
	xmlFreeDoc(listed);
	return outcome;
}

/* The document of one inline policy, in *document when AWS_DONE; AWS_GONE
 * when it was deleted since it was listed. */
static aws_outcome inline_policy_document(call_ctx *ctx, const char *role, const char *name, char **document)
{
	query_params q = {0};
	xmlDoc *answer = NULL;
	query_add(&q, "RoleName", role);
	query_add(&q, "PolicyName", name);
	aws_outcome outcome = ctx_query_as(ctx, &aws_iam, "GetRolePolicy", &q, &on_role, &answer, NULL);
	query_free(&q);
	*document = answer ? aws_xml_text(xmlDocGetRootElement(answer), "PolicyDocument") : NULL;
	xmlFreeDoc(answer);
	return outcome;
}

/* The role's inline policies by name, keeping prior's texts that mean the
 * same, in *policies when AWS_DONE; AWS_GONE when the role is gone. */
static aws_outcome inline_policies_of(call_ctx *ctx, const char *role, const cty_value *prior, cty_value **policies)
{
	cty_value *names = NULL;
	aws_outcome outcome = list_for_role(ctx, &inline_policy_names, role, &cty_list_of_string, &names);
	*policies = outcome == AWS_DONE ? cty_collection_new(&cty_map_of_string) : NULL;
	for (size_t i = 0; outcome == AWS_DONE && i < cty_length(names); i++) {
		const char *name = cty_index(names, i)->u.str.text;
		char *document = NULL;
		aws_outcome got = inline_policy_document(ctx, role, name, &document);
		if (got == AWS_DONE && document)
			cty_map_put(*policies, name, iam_policy_value(document, map_value(prior, name)));
		else if (got != AWS_GONE) /* failed (reported), or answered without a document */
			outcome = AWS_FAILED;
		free(document);
	}
	if (outcome != AWS_DONE) {
		cty_value_free(*policies);
		*policies = NULL;
	}
	cty_value_free(names);
	return outcome;
}

/* An empty description is none: UpdateRole can only clear one by setting "". */
static cty_value *description_of(xmlNode *role)
{
	char *text = aws_xml_text(role, "Description");
	cty_value *description = text && *text ? cty_string_new(text) : cty_null(&cty_string);
	free(text);
	return description;
}

/* The state for a GetRole answer and the role's policies (adopted). */
static cty_value *role_state(call_ctx *ctx, const cty_value *prior, xmlNode *role, cty_value *managed,
			     cty_value *inline_policies)
{
	cty_value *state = cty_object_new(resource_state_type(&resource_iam_role));
	char *trust = aws_xml_text(role, "AssumeRolePolicyDocument");

	fields_xml_read(fields, role, state);
	cty_object_set(state, "description", description_of(role));
	cty_object_set(state, "name_prefix", cty_value_clone(cty_object_get(prior, "name_prefix")));
	const cty_value *prior_trust = cty_object_get(prior, "assume_role_policy");
	cty_object_set(state, "assume_role_policy", trust ? iam_policy_value(trust, prior_trust) : cty_null(&cty_string));
	cty_object_set(state, "assume_role_services",
		       services_trusted_by(attr_text(state, "assume_role_policy")));
	cty_object_set(state, "managed_policy_arns", managed);
	cty_object_set(state, "inline_policies", inline_policies);
	tags_read(ctx, prior, state, xml_tags(role, "Tags"));
	free(trust);
	return state;
}

/* The role as IAM has it; a null value when it is gone; NULL on error. */
static cty_value *read_role(call_ctx *ctx, const cty_value *state)
{
	const char *name = attr_text(state, "id");
	query_params q = {0};
	xmlDoc *got = NULL;
	cty_value *managed = NULL, *inline_policies = NULL, *fresh = NULL;

	query_add(&q, "RoleName", name);
	aws_outcome found = ctx_query_as(ctx, &aws_iam, "GetRole", &q, &on_role, &got, NULL);
	query_free(&q);
	if (found == AWS_DONE)
		found = list_for_role(ctx, &attached_policies, name, &cty_set_of_string, &managed);
	if (found == AWS_DONE)
		found = inline_policies_of(ctx, name, cty_object_get(state, "inline_policies"), &inline_policies);
	if (found == AWS_DONE) {
		xmlNode *role = aws_xml_find(xmlDocGetRootElement(got), "Role");
		fresh = role_state(ctx, state, role, managed, inline_policies);
	} else {
		cty_value_free(managed);
		if (found == AWS_GONE)
			fresh = cty_null(resource_state_type(&resource_iam_role));
	}
	xmlFreeDoc(got);
	return fresh;
}

/* ---- changing the role's policies ---- */

static bool put_inline_policy(call_ctx *ctx, const char *role, const char *name, const char *document,
			      const aws_rules *rules)
{
	query_params q = {0};
	query_add(&q, "RoleName", role);
	query_add(&q, "PolicyName", name);
	query_add(&q, "PolicyDocument", document);
	return ctx_query_send_take(ctx, &aws_iam, "PutRolePolicy", &q, rules) != AWS_FAILED;
}

static bool delete_inline_policy(call_ctx *ctx, const char *role, const char *name)
{
	query_params q = {0};
	query_add(&q, "RoleName", role);
	query_add(&q, "PolicyName", name);
	return ctx_query_send_take(ctx, &aws_iam, "DeleteRolePolicy", &q, &on_role) != AWS_FAILED;
}

static bool attach_or_detach(call_ctx *ctx, const char *action, const char *role, const char *arn,
			     const aws_rules *rules)
{
	query_params q = {0};
	query_add(&q, "RoleName", role);
	query_add(&q, "PolicyArn", arn);
	return ctx_query_send_take(ctx, &aws_iam, action, &q, rules) != AWS_FAILED;
}

/* Puts the policies of `after` that are new or mean something new, then
 * deletes those it lacks. An unknown `after` (unset on create) is left.
 * rules say what NoSuchEntity means to the puts: on_new_role just after
 * the role was made, else an error (NULL). */
static bool sync_inline_policies(call_ctx *ctx, const char *role, const cty_value *before, const cty_value *after,
				 const aws_rules *rules)
{
	bool ok = true;
	if (!cty_is_known(after))
		return true;
	for (size_t i = 0; ok && i < cty_length(after); i++) {
		const char *name = after->u.coll.keys[i], *document = after->u.coll.items[i]->u.str.text;
		const cty_value *was = map_value(before, name);
		if (!cty_is_known(was) || !json_equivalent(was->u.str.text, document, iam_policy_normalize))
			ok = put_inline_policy(ctx, role, name, document, rules);
	}
	for (size_t i = 0; ok && i < cty_length(before); i++)
		if (!map_value(after, before->u.coll.keys[i]))
			ok = delete_inline_policy(ctx, role, before->u.coll.keys[i]);
	return ok;
}

/* Attaches first, then detaches, so the role never lacks both. rules say
 * what NoSuchEntity means to an attach (see sync_inline_policies); a
 * detach of what is gone already is done. */
static bool sync_attachments(call_ctx *ctx, const char *role, const cty_value *before, const cty_value *after,
			     const aws_rules *rules)
{
	bool ok = true;
	if (!cty_is_known(after))
		return true;
	for (size_t i = 0; ok && i < cty_length(after); i++) {
		const char *arn = cty_index(after, i)->u.str.text;
		if (!attr_strings_contain(before, arn))
			ok = attach_or_detach(ctx, "AttachRolePolicy", role, arn, rules);
	}
	for (size_t i = 0; ok && i < cty_length(before); i++) {
		const char *arn = cty_index(before, i)->u.str.text;
		if (!attr_strings_contain(after, arn))
			ok = attach_or_detach(ctx, "DetachRolePolicy", role, arn, &on_role);
	}
	return ok;
}

/* ---- create, update, delete ---- */

static cty_value *create_role(call_ctx *ctx, const cty_value *planned)
{
	char *name = iam_name_for(planned);
	cty_value *state = NULL;
	aws_error err = {0};
	xmlDoc *answer = iam_create(ctx, "CreateRole", "RoleName", name, fields, planned, &err);
	xmlFreeDoc(answer);
	/* An attempt whose answer was lost may have made it (ctx_create_outcome). */
	create_outcome made = answer ? CREATE_MADE
				     : ctx_create_outcome(ctx, &resource_iam_role, planned, name, &err, &on_create);
	if (made == CREATE_PARTIAL)
		state = resource_created(ctx, &resource_iam_role, planned, name);
	if (made == CREATE_MADE) {
		/* IAM may not know the new role everywhere yet: on_new_role. */
		const cty_value *inline_policies = cty_object_get(planned, "inline_policies");
		const cty_value *managed = cty_object_get(planned, "managed_policy_arns");
		if (sync_inline_policies(ctx, name, NULL, inline_policies, &on_new_role))
			sync_attachments(ctx, name, NULL, managed, &on_new_role);
		/* Even when a policy failed, the role exists: it goes into state. */
		state = resource_created(ctx, &resource_iam_role, planned, name);
	}
	free(name);
	return state;
}

static bool update_trust(call_ctx *ctx, const char *role, const cty_value *prior, const cty_value *planned)
{
	query_params q = {0};
	if (!attr_differs(prior, planned, "assume_role_policy"))
		return true;
	query_add(&q, "RoleName", role);
	query_add_attribute(&q, "PolicyDocument", planned, "assume_role_policy");
	return ctx_query_send_take(ctx, &aws_iam, "UpdateAssumeRolePolicy", &q, NULL) == AWS_DONE;
}

/* UpdateRole gets both settings every time: moto clears a Description
 * that is left out. */
static bool update_settings(call_ctx *ctx, const char *role, const cty_value *prior, const cty_value *planned)
{
	query_params q = {0};
	const char *description = attr_text(planned, "description");
	if (!attr_differs(prior, planned, "description") && !attr_differs(prior, planned, "max_session_duration"))
		return true;
	query_add(&q, "RoleName", role);
	query_add(&q, "Description", description ? description : "");
	query_add_attribute(&q, "MaxSessionDuration", planned, "max_session_duration");
	return ctx_query_send_take(ctx, &aws_iam, "UpdateRole", &q, NULL) == AWS_DONE;
}

static bool update_boundary(call_ctx *ctx, const char *role, const cty_value *prior, const cty_value *planned)
{
	query_params q = {0};
	const char *boundary = attr_text(planned, "permissions_boundary");
	if (!attr_differs(prior, planned, "permissions_boundary"))
		return true;
	query_add(&q, "RoleName", role);
	if (!boundary)
		return ctx_query_send_take(ctx, &aws_iam, "DeleteRolePermissionsBoundary", &q, &on_role) != AWS_FAILED;
	query_add(&q, "PermissionsBoundary", boundary);
	return ctx_query_send_take(ctx, &aws_iam, "PutRolePermissionsBoundary", &q, NULL) == AWS_DONE;
}

static cty_value *update_role(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	const char *role = attr_text(prior, "id");
	if (update_trust(ctx, role, prior, planned) && update_settings(ctx, role, prior, planned) &&
	    update_boundary(ctx, role, prior, planned) &&
	    sync_inline_policies(ctx, role, cty_object_get(prior, "inline_policies"),
				 cty_object_get(planned, "inline_policies"), NULL) &&
	    /* A policy attached now may have been made in this same apply, and
	     * IAM answers NoSuchEntity until it has propagated. */
	    sync_attachments(ctx, role, cty_object_get(prior, "managed_policy_arns"),
			     cty_object_get(planned, "managed_policy_arns"), &on_new_role))
		iam_update_tags(ctx, "Role", "RoleName", role, cty_object_get(prior, "tags_all"),
				cty_object_get(planned, "tags_all"));
	/* Success or not, IAM now holds the truth. */
	cty_value *fresh = read_role(ctx, planned);
	return fresh ? fresh : cty_value_clone(prior);
}

/* IAM deletes only a role without policies: detach and delete whatever it
 * has, managed or not, then the role. */
static bool delete_role(call_ctx *ctx, const cty_value *state)
{
	const char *role = attr_text(state, "id");
	cty_value *attached = NULL, *names = NULL, *none = cty_collection_new(&cty_set_of_string);
	aws_outcome listed = list_for_role(ctx, &attached_policies, role, &cty_set_of_string, &attached);
	if (listed == AWS_DONE)
		listed = list_for_role(ctx, &inline_policy_names, role, &cty_list_of_string, &names);

	bool ok = listed == AWS_DONE && sync_attachments(ctx, role, attached, none, &on_role);
	for (size_t i = 0; ok && i < cty_length(names); i++)
		ok = delete_inline_policy(ctx, role, cty_index(names, i)->u.str.text);
	if (ok) {
		query_params q = {0};
		query_add(&q, "RoleName", role);
		ok = ctx_query_send_take(ctx, &aws_iam, "DeleteRole", &q, &on_role) != AWS_FAILED;
	}
	cty_value_free(attached);
	cty_value_free(names);
	cty_value_free(none);
	return ok || listed == AWS_GONE;
}

const resource_def resource_iam_role = {
	.type_name = "wagtail_iam_role",
	.fields = fields,
	.schema = {.attributes = attributes,
		   .description = "An IAM role with its trust policy, managed policy attachments and inline policies."},
	.validate = validate_role,
	.plan = plan_role,
	.create = create_role,
	.read = read_role,
	.update = update_role,
	.delete = delete_role,
};
