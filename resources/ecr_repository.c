/* ecr_repository.c: resource wagtail_ecr_repository, where the Wagtail
 * image is pushed. */
#include "attr.h"
#include "fields.h"
#include "tags.h"

#include <string.h>

static const char *const mutability[] = {"MUTABLE", "IMMUTABLE", NULL};
static const char *const encryption[] = {"AES256", "KMS", NULL};

static const attr_def attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "Repository name, e.g. wagtail or team/wagtail.",
	 .check = {CHECK_REGEX, .pattern = "^([a-z0-9]+([._-][a-z0-9]+)*/)*[a-z0-9]+([._-][a-z0-9]+)*$",
		   .expected = "a repository name: lower-case letters and digits, separated by . _ - or /"}},
	{"image_tag_mutability", &cty_string, ATTR_OPTIONAL, "MUTABLE or IMMUTABLE.", .default_json = "\"MUTABLE\"",
	 .check = {CHECK_ENUM, .choices = mutability}},
	{"scan_on_push", &cty_bool, ATTR_OPTIONAL, "Scan each image when it is pushed.", .default_json = "false"},
	{"encryption_type", &cty_string, ATTR_OPTIONAL | ATTR_REPLACE, "AES256 or KMS.", .default_json = "\"AES256\"",
	 .check = {CHECK_ENUM, .choices = encryption}},
	{"kms_key", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED | ATTR_REPLACE, "KMS key ARN when encryption_type is KMS."},
	{"force_delete", &cty_bool, ATTR_OPTIONAL, "Delete the repository even if it holds images.",
	 .default_json = "false"},
	{"arn", &cty_string, ATTR_COMPUTED, "Repository ARN."},
	{"registry_id", &cty_string, ATTR_COMPUTED, "Account id of the registry."},
	{"repository_url", &cty_string, ATTR_COMPUTED, "URL to push to: ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME."},
	{"id", &cty_string, ATTR_COMPUTED, "The repository name."},
	TAG_ATTRIBUTES,
	{NULL},
};

extern const resource_def resource_ecr_repository;

static const aws_rules on_repository = {.gone = (const aws_match[]){{"RepositoryNotFoundException"}, {NULL}}};
static const aws_rules on_create = {.exists = (const aws_match[]){{"RepositoryAlreadyExistsException"}, {NULL}}};

/* Image tag mutability and scanning change through calls of their own
 * (PutImageTagMutability, PutImageScanningConfiguration): see update. */
static const field_def fields[] = {
	{"name", "repositoryName", "repositoryName"},
	{"id", NULL, "repositoryName"},
	{"image_tag_mutability", "imageTagMutability", "imageTagMutability"},
	{"scan_on_push", "imageScanningConfiguration/scanOnPush", "imageScanningConfiguration/scanOnPush"},
	{"encryption_type", "encryptionConfiguration/encryptionType", "encryptionConfiguration/encryptionType"},
	{"kms_key", "encryptionConfiguration/kmsKey", "encryptionConfiguration/kmsKey"},
	{"arn", NULL, "repositoryArn"},
	{"registry_id", NULL, "registryId"},
	{"repository_url", NULL, "repositoryUri"},
	{NULL},
};

static cJSON *by_name(const char *name)
{
	return json_request("repositoryName", name);
}

static cty_value *create_repository(call_ctx *ctx, const cty_value *planned)
{
	const char *name = attr_text(planned, "name");
	cJSON *request = cJSON_CreateObject();
	fields_json_create(fields, planned, request);
	if (cty_length(cty_object_get(planned, "tags_all")))
		cJSON_AddItemToObject(request, "tags", tags_to_json(cty_object_get(planned, "tags_all"), "Key", "Value"));
	aws_error err = {0};
	cJSON *answer = ctx_json_call(ctx, &aws_ecr, "CreateRepository", request, &err);
	cJSON_Delete(request);
	cJSON_Delete(answer);
	/* An attempt whose answer was lost may have made it (ctx_create_outcome). */
	if (!answer && ctx_create_outcome(ctx, &resource_ecr_repository, planned, name, &err, &on_create) ==
			       CREATE_NONE)
		return NULL;
	return resource_created(ctx, &resource_ecr_repository, planned, name);
}

static cty_value *list_tags(call_ctx *ctx, const char *arn)
{
	cJSON *request = json_request("resourceArn", arn);
	cJSON *answer = ctx_json_call(ctx, &aws_ecr, "ListTagsForResource", request, NULL);
	cJSON_Delete(request);
	cty_value *tags = answer ? tags_from_json(cJSON_GetObjectItemCaseSensitive(answer, "tags"), "Key", "Value")
				 : NULL;
	cJSON_Delete(answer);
	return tags;
}

static cty_value *repository_state(call_ctx *ctx, const cty_value *prior, const cJSON *repo, cty_value *tags)
{
	cty_value *state = cty_value_clone(prior); /* keeps force_delete and timeouts, which AWS does not hold */
	fields_json_read(fields, repo, state);
	if (cty_is_null(cty_object_get(state, "force_delete")))
		cty_object_set(state, "force_delete", cty_bool_new(false)); /* after import */
	tags_read(ctx, prior, state, tags);
	return state;
}

static cty_value *read_repository(call_ctx *ctx, const cty_value *state)
{
	const char *name = attr_text(state, "id");
	cJSON *request = cJSON_CreateObject(), *answer = NULL;
	cty_value *tags = NULL, *fresh = NULL;

	cJSON_AddItemToObject(request, "repositoryNames", cJSON_CreateStringArray(&name, 1));
	aws_outcome found =
		ctx_json_all(ctx, &aws_ecr, "DescribeRepositories", request, &on_repository, "repositories", "nextToken", &answer);
	cJSON_Delete(request);
	if (found != AWS_DONE)
		return found == AWS_GONE ? cty_null(resource_state_type(&resource_ecr_repository)) : NULL;
	const cJSON *repo = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(answer, "repositories"), 0);
	const cJSON *arn = cJSON_GetObjectItemCaseSensitive(repo, "repositoryArn");
	if (cJSON_IsString(arn) && (tags = list_tags(ctx, arn->valuestring)))
		fresh = repository_state(ctx, state, repo, tags);
	cJSON_Delete(answer);
	return fresh;
}

static cty_value *update_repository(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	const char *name = attr_text(prior, "id");
	bool ok = true;
	if (attr_differs(prior, planned, "image_tag_mutability")) {
		cJSON *request = by_name(name);
		json_add_attribute(request, "imageTagMutability", planned, "image_tag_mutability");
		ok = ctx_json_send_take(ctx, &aws_ecr, "PutImageTagMutability", request, NULL) == AWS_DONE;
	}
	if (ok && attr_differs(prior, planned, "scan_on_push")) {
		cJSON *request = by_name(name), *scanning = cJSON_AddObjectToObject(request, "imageScanningConfiguration");
		json_add_attribute(scanning, "scanOnPush", planned, "scan_on_push");
		ok = ctx_json_send_take(ctx, &aws_ecr, "PutImageScanningConfiguration", request, NULL) == AWS_DONE;
	}
	if (ok)
		ctx_json_update_tags_take(ctx, &aws_ecr, &ecr_tag_api, json_request("resourceArn", attr_text(prior, "arn")),
					  prior, planned);
	return read_repository(ctx, planned);
}

static bool delete_repository(call_ctx *ctx, const cty_value *state)
{
	cJSON *request = by_name(attr_text(state, "id"));
	cJSON_AddBoolToObject(request, "force", attr_flag(state, "force_delete"));
	return ctx_json_send_take(ctx, &aws_ecr, "DeleteRepository", request, &on_repository) != AWS_FAILED;
}

const resource_def resource_ecr_repository = {
	.type_name = "wagtail_ecr_repository",
	.schema = {.attributes = attributes, .description = "An ECR repository for the Wagtail image."},
	.fields = fields,
	.create = create_repository,
	.read = read_repository,
	.update = update_repository,
	.delete = delete_repository,
};
