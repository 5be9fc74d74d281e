/* iam_policy.c: resource wagtail_iam_policy, a customer managed IAM policy
 * to attach to roles (wagtail_iam_role.managed_policy_arns).
 *
 * IAM keeps up to five versions of a policy's document. A change of the
 * document is a new default version, made after the oldest non-default
 * one is pruned when five exist; name, path and description cannot change
 * in IAM, so changing them replaces the policy. */
#include "attr.h"
#include "iam_common.h"
#include "partition.h"
#include "json_equiv.h"
#include "tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IAM_MAX_POLICY_VERSIONS 5

static const attr_def attributes[] = {
	IAM_NAMING_ATTRIBUTES("Policy", "policy", 128, 102),
	{"description", &cty_string, ATTR_OPTIONAL | ATTR_REPLACE, "What the policy is for."},
	{"policy", &cty_string, ATTR_REQUIRED, "The policy document (JSON).", .check = {CHECK_JSON}},
	{"arn", &cty_string, ATTR_COMPUTED, "Policy ARN."},
	{"policy_id", &cty_string, ATTR_COMPUTED, "The policy's stable id (ANPA...)."},
	{"default_version_id", &cty_string, ATTR_COMPUTED, "The version IAM uses, e.g. v3."},
	{"id", &cty_string, ATTR_COMPUTED, "Policy ARN."},
	TAG_ATTRIBUTES,
	{NULL},
};

extern const resource_def resource_iam_policy;

/* NoSuchEntity: the policy, or the version named, does not exist (any
 * more). */
static const aws_rules on_policy = {.gone = (const aws_match[]){{"NoSuchEntity"}, {NULL}}};
static const aws_rules on_create = {.exists = (const aws_match[]){{"EntityAlreadyExists"}, {NULL}}};

/* CreatePolicy's members and GetPolicy's Policy; the document is read by
 * hand from its default version (GetPolicyVersion, URL-encoded). */
static const field_def fields[] = {
	{"name", NULL, "PolicyName"},
	{"arn", NULL, "Arn"},
	{"id", NULL, "Arn"},
	{"policy_id", NULL, "PolicyId"},
	{"path", "Path", "Path"},
	{"description", "Description", "Description"},
	{"policy", "PolicyDocument", NULL},
	{"default_version_id", NULL, "DefaultVersionId"},
	{NULL},
};

static void validate_policy(call_ctx *ctx, const cty_value *config)
{
	iam_validate_name(ctx->diags, config);
	iam_validate_policy(ctx->diags, cty_object_get(config, "policy"), "policy", NULL, IAM_IDENTITY_POLICY);
}

/* A document that means what IAM has keeps its text; a new one is a new
 * default version. */
static void plan_policy(call_ctx *ctx, const cty_value *prior, const cty_value *config, cty_value *planned,
                        path_list *replace)
{
	(void)replace;
	(void)ctx, (void)config;
	json_keep_prior(planned, prior, "policy", iam_policy_normalize);
	if (!cty_is_null(prior) && attr_differs(prior, planned, "policy"))
		cty_object_set(planned, "default_version_id", cty_unknown(&cty_string));
}

static query_params by_arn(const char *arn)
{
	query_params q = {0};
	query_add(&q, "PolicyArn", arn);
	return q;
}

/* ---- reading ---- */

static char *default_document(call_ctx *ctx, const char *arn, const char *version)
{
	query_params q = by_arn(arn);
	xmlDoc *answer = NULL;
	query_add(&q, "VersionId", version);
	aws_outcome found = ctx_query_as(ctx, &aws_iam, "GetPolicyVersion", &q, &on_policy, &answer, NULL);
	query_free(&q);
	char *document = answer ? aws_xml_text(xmlDocGetRootElement(answer), "Document") : NULL;
	xmlFreeDoc(answer);
	if (found == AWS_GONE) /* the default version cannot be deleted: the policy went away meanwhile */
		diag_attr_error(ctx->diags, "policy", "Policy went away while it was read",
				"IAM no longer has version %s of %s; plan again.", version, arn);
	return document;
}

static cty_value *policy_state(call_ctx *ctx, const cty_value *prior, xmlNode *policy, const char *document)
{
	cty_value *state = cty_object_new(resource_state_type(&resource_iam_policy));
	fields_xml_read(fields, policy, state);
	cty_object_set(state, "name_prefix", cty_value_clone(cty_object_get(prior, "name_prefix")));
	cty_object_set(state, "policy", iam_policy_value(document, cty_object_get(prior, "policy")));
	tags_read(ctx, prior, state, xml_tags(policy, "Tags"));
	return state;
}

/* The policy as IAM has it; a null value when it is gone; NULL on error. */
static cty_value *read_policy(call_ctx *ctx, const cty_value *state)
{
	const char *arn = attr_text(state, "id");
	query_params q = by_arn(arn);
	xmlDoc *got = NULL;
	aws_outcome found = ctx_query_as(ctx, &aws_iam, "GetPolicy", &q, &on_policy, &got, NULL);
	query_free(&q);
	xmlNode *policy = got ? aws_xml_find(xmlDocGetRootElement(got), "Policy") : NULL;
	char *version = policy ? aws_xml_text(policy, "DefaultVersionId") : NULL;
	char *document = version ? default_document(ctx, arn, version) : NULL;
	cty_value *fresh = NULL;

	if (document)
		fresh = policy_state(ctx, state, policy, document);
	else if (found == AWS_GONE)
		fresh = cty_null(resource_state_type(&resource_iam_policy));
	free(document);
	free(version);
	xmlFreeDoc(got);
	return fresh;
}

/* ---- versions ---- */

/* The policy's versions other than the default in *others, and how many
 * there are in all, when AWS_DONE. */
static aws_outcome other_versions(call_ctx *ctx, const char *arn, size_t *total, cty_value **others)
{
	query_params q = by_arn(arn);
	xmlDoc *listed = NULL;
	aws_outcome outcome = ctx_query_all(ctx, &aws_iam, "ListPolicyVersions", &q, &on_policy, "Versions", &listed);
	query_free(&q);
	xmlNode *versions = listed ? aws_xml_find(xmlDocGetRootElement(listed), "Versions") : NULL;
	*others = listed ? cty_collection_new(&cty_list_of_string) : NULL;

	*total = 0;
	for (xmlNode *v = versions ? versions->children : NULL; v; v = v->next) {
		if (v->type != XML_ELEMENT_NODE)
			continue;
		char *id = aws_xml_text(v, "VersionId"), *is_default = aws_xml_text(v, "IsDefaultVersion");
		(*total)++;
		if (id && !(is_default && strcmp(is_default, "true") == 0))
			cty_append(*others, cty_string_new(id));
		free(id);
		free(is_default);
	}
	xmlFreeDoc(listed);
	return outcome;
}

static bool delete_version(call_ctx *ctx, const char *arn, const char *version)
{
	query_params q = by_arn(arn);
	query_add(&q, "VersionId", version);
	return ctx_query_send_take(ctx, &aws_iam, "DeletePolicyVersion", &q, &on_policy) != AWS_FAILED;
}

/* IAM numbers versions v1, v2, ... in the order they were made. */
static const char *oldest(const cty_value *versions)
{
	const char *found = NULL;
	for (size_t i = 0; i < cty_length(versions); i++) {
		const char *id = cty_index(versions, i)->u.str.text;
		if (!found || strtol(id + 1, NULL, 10) < strtol(found + 1, NULL, 10))
			found = id;
	}
	return found;
}

/* Makes room for one more version: IAM refuses a sixth. */
static bool prune_versions(call_ctx *ctx, const char *arn)
{
	size_t total = 0;
	cty_value *others = NULL;
	bool ok = other_versions(ctx, arn, &total, &others) == AWS_DONE &&
		  (total < IAM_MAX_POLICY_VERSIONS || !oldest(others) || delete_version(ctx, arn, oldest(others)));
	cty_value_free(others);
	return ok;
}

/* ---- create, update, delete ---- */

/* The ARN a customer policy of that name and path gets; NULL when the
 * account is not known (skip_requesting_account_id). */
static char *policy_arn(call_ctx *ctx, const cty_value *planned, const char *name)
{
	const char *account = ctx_account_id(ctx), *path = attr_text(planned, "path");
	const char *partition = aws_partition_of(ctx_region(ctx))->name;
	char *arn = NULL;
	if (account && asprintf(&arn, "arn:%s:iam::%s:policy%s%s", partition, account, path ? path : "/", name) < 0)
		abort();
	return arn;
}

static cty_value *create_policy(call_ctx *ctx, const cty_value *planned)
{
	char *name = iam_name_for(planned);
	cty_value *state = NULL;
	aws_error err = {0};
	xmlDoc *answer = iam_create(ctx, "CreatePolicy", "PolicyName", name, fields, planned, &err);
	char *arn = answer ? aws_xml_text(xmlDocGetRootElement(answer), "Arn") : NULL;
	if (!answer) {
		/* An attempt whose answer was lost may have made it: look for it
		 * by the ARN it would have (ctx_create_outcome). */
		arn = policy_arn(ctx, planned, name);
		if (!arn) {
			aws_error_report(&err, ctx->diags, NULL);
			aws_error_clear(&err);
		} else if (ctx_create_outcome(ctx, &resource_iam_policy, planned, arn, &err, &on_create) ==
			   CREATE_NONE) {
			free(arn);
			arn = NULL;
		}
	}
	if (arn)
		state = resource_created(ctx, &resource_iam_policy, planned, arn);
	free(arn);
	free(name);
	xmlFreeDoc(answer);
	return state;
}

static bool new_default_version(call_ctx *ctx, const char *arn, const cty_value *planned)
{
	query_params q = by_arn(arn);
	query_add_attribute(&q, "PolicyDocument", planned, "policy");
	query_add(&q, "SetAsDefault", "true");
	return ctx_query_send_take(ctx, &aws_iam, "CreatePolicyVersion", &q, NULL) == AWS_DONE;
}

static cty_value *update_policy(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	const char *arn = attr_text(prior, "id");
	bool new_document = attr_differs(prior, planned, "policy");
	if (!new_document || (prune_versions(ctx, arn) && new_default_version(ctx, arn, planned)))
		iam_update_tags(ctx, "Policy", "PolicyArn", arn, cty_object_get(prior, "tags_all"),
				cty_object_get(planned, "tags_all"));
	/* Success or not, IAM now holds the truth. */
	cty_value *fresh = read_policy(ctx, planned);
	return fresh ? fresh : cty_value_clone(prior);
}

/* IAM deletes only a policy without versions besides the default. */
static bool delete_policy(call_ctx *ctx, const cty_value *state)
{
	const char *arn = attr_text(state, "id");
	size_t total = 0;
	cty_value *others = NULL;
	aws_outcome listed = other_versions(ctx, arn, &total, &others);
	bool ok = listed == AWS_DONE;
	for (size_t i = 0; ok && i < cty_length(others); i++)
		ok = delete_version(ctx, arn, cty_index(others, i)->u.str.text);
	if (ok) {
		query_params q = by_arn(arn);
		ok = ctx_query_send_take(ctx, &aws_iam, "DeletePolicy", &q, &on_policy) != AWS_FAILED;
	}
	cty_value_free(others);
	return ok || listed == AWS_GONE;
}

const resource_def resource_iam_policy = {
	.type_name = "wagtail_iam_policy",
	.fields = fields,
	.schema = {.attributes = attributes, .description = "A customer managed IAM policy, versioned on change."},
	.validate = validate_policy,
	.plan = plan_policy,
	.create = create_policy,
	.read = read_policy,
	.update = update_policy,
	.delete = delete_policy,
};
