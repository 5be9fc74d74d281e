/* ecs_cluster.c: resource wagtail_ecs_cluster, the ECS cluster our
 * services run in, created outside the service module as the design asks. */
#include "aws_calls.h"
#include "tags.h"

#include <string.h>

static const char *const insights_modes[] = {"enabled", "disabled", "enhanced", NULL};

static const attr_def attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "Cluster name.",
	 .check = {CHECK_REGEX, .pattern = "^[A-Za-z0-9_-]+$", .max_length = 255,
		   .expected = "a cluster name of 1 to 255 letters, digits, hyphens and underscores"}},
	{"container_insights", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED,
	 "CloudWatch Container Insights: enabled, disabled or enhanced. Unset: the account default.",
	 .check = {CHECK_ENUM, .choices = insights_modes}},
	{"arn", &cty_string, ATTR_COMPUTED, "Cluster ARN."},
	{"id", &cty_string, ATTR_COMPUTED, "Cluster ARN."},
	TAG_ATTRIBUTES,
	{NULL},
};

extern const resource_def resource_ecs_cluster;

static const char *insights_of(const cJSON *cluster)
{
	const cJSON *setting;
	cJSON_ArrayForEach(setting, cJSON_GetObjectItemCaseSensitive(cluster, "settings")) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(setting, "name");
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(setting, "value");
		if (cJSON_IsString(name) && strcmp(name->valuestring, "containerInsights") == 0 && cJSON_IsString(value))
			return value->valuestring;
	}
	return NULL;
}

/* The state for a cluster as ECS describes it. */
static cty_value *cluster_state(call_ctx *ctx, const cty_value *prior, const cJSON *cluster)
{
	cty_value *state = cty_object_new(resource_state_type(&resource_ecs_cluster));
	const char *insights = insights_of(cluster);
	cty_object_set(state, "name", json_string_value(cluster, "clusterName"));
	cty_object_set(state, "arn", json_string_value(cluster, "clusterArn"));
	cty_object_set(state, "id", json_string_value(cluster, "clusterArn"));
	cty_object_set(state, "container_insights", insights ? cty_string_new(insights) : cty_null(&cty_string));
	tags_read(ctx, prior, state, tags_from_json(cJSON_GetObjectItemCaseSensitive(cluster, "tags"), "key", "value"));
	return state;
}

static cJSON *insights_settings(const cty_value *planned)
{
	cJSON *settings = cJSON_CreateArray(), *setting = cJSON_CreateObject();
	cJSON_AddStringToObject(setting, "name", "containerInsights");
	cJSON_AddStringToObject(setting, "value", cty_object_get_string(planned, "container_insights"));
	cJSON_AddItemToArray(settings, setting);
	return settings;
}

static cty_value *create_cluster(call_ctx *ctx, const cty_value *planned)
{
	cJSON *request = cJSON_CreateObject();
	cJSON_AddStringToObject(request, "clusterName", cty_object_get_string(planned, "name"));
	if (cty_object_get_string(planned, "container_insights"))
		cJSON_AddItemToObject(request, "settings", insights_settings(planned));
	if (cty_length(cty_object_get(planned, "tags_all")))
		cJSON_AddItemToObject(request, "tags", tags_to_json(cty_object_get(planned, "tags_all"), "key", "value"));
	aws_error err = {0};
	cJSON *answer = ctx_json_call(ctx, &aws_ecs, "CreateCluster", request, &err);
	cJSON_Delete(request);
	/* CreateCluster is idempotent, but when every answer was lost the
	 * cluster may exist all the same (ctx_create_outcome): read it by name. */
	if (!answer) {
		const char *name = cty_object_get_string(planned, "name");
		if (ctx_create_outcome(ctx, &resource_ecs_cluster, planned, name, &err, NULL) == CREATE_NONE)
			return NULL;
		return resource_created(ctx, &resource_ecs_cluster, planned, name);
	}
	cty_value *state = cluster_state(ctx, planned, cJSON_GetObjectItemCaseSensitive(answer, "cluster"));
	cJSON_Delete(answer);
	return state;
}

/* The cluster as ECS has it, or a null value when it is gone (deleted
 * clusters linger as INACTIVE). */
static cty_value *read_cluster(call_ctx *ctx, const cty_value *state)
{
	const char *id = cty_object_get_string(state, "id");
	cJSON *request = cJSON_CreateObject();
	cJSON_AddItemToObject(request, "clusters", cJSON_CreateStringArray(&id, 1));
	cJSON_AddItemToObject(request, "include",
			      cJSON_CreateStringArray((const char *[]){"SETTINGS", "TAGS"}, 2));
	cJSON *answer = ctx_json_call(ctx, &aws_ecs, "DescribeClusters", request, NULL);
	cJSON_Delete(request);
	if (!answer)
		return NULL;
	const cJSON *cluster = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(answer, "clusters"), 0);
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(cluster, "status");
	cty_value *fresh = cluster && !(cJSON_IsString(status) && strcmp(status->valuestring, "INACTIVE") == 0)
				   ? cluster_state(ctx, state, cluster)
				   : cty_null(resource_state_type(&resource_ecs_cluster));
	cJSON_Delete(answer);
	return fresh;
}

static const json_tag_api ecs_tags = {"TagResource", "UntagResource", "tags", "tagKeys", "key", "value"};

static cty_value *update_cluster(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	const char *arn = cty_object_get_string(prior, "arn");
	const cty_value *insights = cty_object_get(planned, "container_insights");
	bool ok = true;
	if (cty_is_known(insights) && !cty_value_equal(cty_object_get(prior, "container_insights"), insights)) {
		cJSON *request = cJSON_CreateObject();
		cJSON_AddStringToObject(request, "cluster", arn);
		cJSON_AddItemToObject(request, "settings", insights_settings(planned));
		/* UpdateCluster takes settings too, and moto implements it
		 * (not UpdateClusterSettings). */
		ok = ctx_json_send(ctx, &aws_ecs, "UpdateCluster", request);
	}
	if (ok) {
		cJSON *target = cJSON_CreateObject();
		cJSON_AddStringToObject(target, "resourceArn", arn);
		ctx_json_update_tags(ctx, &aws_ecs, &ecs_tags, target, cty_object_get(prior, "tags_all"),
				     cty_object_get(planned, "tags_all"));
		cJSON_Delete(target);
	}
	/* Even after a failed step, what AWS now has is the state. */
	return read_cluster(ctx, planned);
}

static bool delete_cluster(call_ctx *ctx, const cty_value *state)
{
	cJSON *request = cJSON_CreateObject();
	cJSON_AddStringToObject(request, "cluster", cty_object_get_string(state, "arn"));
	return ctx_json_delete(ctx, &aws_ecs, "DeleteCluster", request, "ClusterNotFoundException");
}

const resource_def resource_ecs_cluster = {
	.type_name = "wagtail_ecs_cluster",
	.schema = {.attributes = attributes, .description = "An ECS cluster for Fargate services."},
	.create = create_cluster,
	.read = read_cluster,
	.update = update_cluster,
	.delete = delete_cluster,
};
