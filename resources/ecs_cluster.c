/* ecs_cluster.c: resource wagtail_ecs_cluster, the ECS cluster our
 * services run in, created outside the service module as the design asks. */
#include "attr.h"
#include "fields.h"
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

static const timeouts_def timeouts = {.create = 600, .read = 300, .update = 600, .delete = 1200};

/* ECS refuses to delete a cluster while it has services, or tasks of
 * deleted services still draining, or an update under way: all pass
 * (the AWS provider's cluster delete retries the same codes). */
static const aws_rules on_delete = {
	.gone = (const aws_match[]){{"ClusterNotFoundException"}, {NULL}},
	.retry = (const aws_match[]){{"ClusterContainsServicesException"}, {"ClusterContainsTasksException"},
				     {"ClusterContainsContainerInstancesException"}, {"UpdateInProgressException"},
				     {NULL}},
};

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

/* CreateCluster's members and DescribeClusters' cluster. Container
 * Insights is one of a list of named settings: by hand. */
static const field_def fields[] = {
	{"name", "clusterName", "clusterName"},
	{"arn", NULL, "clusterArn"},
	{"id", NULL, "clusterArn"},
	{NULL},
};

/* The state for a cluster as ECS describes it. */
static cty_value *cluster_state(call_ctx *ctx, const cty_value *prior, const cJSON *cluster)
{
	cty_value *state = cty_object_new(resource_state_type(&resource_ecs_cluster));
	const char *insights = insights_of(cluster);
	fields_json_read(fields, cluster, state);
	cty_object_set(state, "container_insights", insights ? cty_string_new(insights) : cty_null(&cty_string));
	tags_read(ctx, prior, state, tags_from_json(cJSON_GetObjectItemCaseSensitive(cluster, "tags"), "key", "value"));
	return state;
}

static cJSON *insights_settings(const cty_value *planned)
{
	cJSON *settings = cJSON_CreateArray(), *setting = cJSON_CreateObject();
	cJSON_AddStringToObject(setting, "name", "containerInsights");
	cJSON_AddStringToObject(setting, "value", attr_text(planned, "container_insights"));
	cJSON_AddItemToArray(settings, setting);
	return settings;
}

/* DescribeClusters of the state's cluster: the answer (the caller frees
 * it), or NULL on error (reported). */
static cJSON *describe_cluster(call_ctx *ctx, const cty_value *state)
{
	const char *id = attr_text(state, "id");
	cJSON *request = cJSON_CreateObject();
	cJSON_AddItemToObject(request, "clusters", cJSON_CreateStringArray(&id, 1));
	cJSON_AddItemToObject(request, "include",
			      cJSON_CreateStringArray((const char *[]){"SETTINGS", "TAGS"}, 2));
	cJSON *answer = ctx_json_call(ctx, &aws_ecs, "DescribeClusters", request, NULL);
	cJSON_Delete(request);
	return answer;
}

static const char *status_of(const cJSON *cluster)
{
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(cluster, "status");
	return cJSON_IsString(status) ? status->valuestring : NULL;
}

/* The cluster as ECS has it, or a null value when it is gone (deleted
 * clusters linger as INACTIVE, or are listed under failures). */
static cty_value *read_cluster(call_ctx *ctx, const cty_value *state)
{
	cJSON *answer = describe_cluster(ctx, state);
	if (!answer)
		return NULL;
	const cJSON *cluster = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(answer, "clusters"), 0);
	const char *status = status_of(cluster);
	cty_value *fresh = cluster && !(status && strcmp(status, "INACTIVE") == 0)
				   ? cluster_state(ctx, state, cluster)
				   : cty_null(resource_state_type(&resource_ecs_cluster));
	cJSON_Delete(answer);
	return fresh;
}

static bool cluster_status(call_ctx *ctx, const void *subject, wait_status *status)
{
	cJSON *answer = describe_cluster(ctx, subject);
	if (!answer)
		return false;
	const cJSON *cluster = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(answer, "clusters"), 0);
	wait_status_set(status, !cluster ? WAIT_GONE : status_of(cluster) ? status_of(cluster) : "unknown");
	cJSON_Delete(answer);
	return true;
}

/* Cluster states (ECS API reference, Cluster.status): PROVISIONING while
 * capacity providers are set up, DEPROVISIONING while they go. */
static const waiter_def cluster_active = {
	.what = "ECS cluster",
	.pending = STATES("PROVISIONING"),
	.target = STATES("ACTIVE"),
	.read = cluster_status,
};

static const waiter_def cluster_deleted = {
	.what = "ECS cluster",
	.pending = STATES("ACTIVE", "DEPROVISIONING"),
	.target = STATES("INACTIVE", WAIT_GONE),
	.read = cluster_status,
};

static cty_value *create_cluster(call_ctx *ctx, const cty_value *planned)
{
	cJSON *request = cJSON_CreateObject();
	fields_json_create(fields, planned, request);
	if (attr_text(planned, "container_insights"))
		cJSON_AddItemToObject(request, "settings", insights_settings(planned));
	if (cty_length(cty_object_get(planned, "tags_all")))
		cJSON_AddItemToObject(request, "tags", tags_to_json(cty_object_get(planned, "tags_all"), "key", "value"));
	aws_error err = {0};
	cJSON *answer = ctx_json_call(ctx, &aws_ecs, "CreateCluster", request, &err);
	cJSON_Delete(request);
	/* CreateCluster is idempotent, but when every answer was lost the
	 * cluster may exist all the same (ctx_create_outcome): read it by name. */
	if (!answer) {
		const char *name = attr_text(planned, "name");
		if (ctx_create_outcome(ctx, &resource_ecs_cluster, planned, name, &err, NULL) == CREATE_NONE)
			return NULL;
		return resource_created(ctx, &resource_ecs_cluster, planned, name);
	}
	cty_value *state = cluster_state(ctx, planned, cJSON_GetObjectItemCaseSensitive(answer, "cluster"));
	cJSON_Delete(answer);
	/* What was made stays in the state even if the wait fails (tainted). */
	ctx_wait_until(ctx, &cluster_active, state, attr_text(state, "name"));
	return state;
}

static cty_value *update_cluster(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	const char *arn = attr_text(prior, "arn");
	const cty_value *insights = cty_object_get(planned, "container_insights");
	bool ok = true;
	if (cty_is_known(insights) && !cty_value_equal(cty_object_get(prior, "container_insights"), insights)) {
		cJSON *request = cJSON_CreateObject();
		cJSON_AddStringToObject(request, "cluster", arn);
		cJSON_AddItemToObject(request, "settings", insights_settings(planned));
		/* UpdateCluster takes settings too, and moto implements it
		 * (not UpdateClusterSettings). */
		ok = ctx_json_send_take(ctx, &aws_ecs, "UpdateCluster", request, NULL) == AWS_DONE;
	}
	if (ok)
		ctx_json_update_tags_take(ctx, &aws_ecs, &ecs_tag_api, json_request("resourceArn", arn), prior, planned);
	/* Even after a failed step, what AWS now has is the state. */
	return read_cluster(ctx, planned);
}

/* Retried while services and their tasks drain (on_delete), then waits
 * until ECS reports the cluster INACTIVE. */
static bool delete_cluster(call_ctx *ctx, const cty_value *state)
{
	cJSON *request = json_request("cluster", attr_text(state, "arn"));
	aws_outcome outcome = ctx_json_send_take(ctx, &aws_ecs, "DeleteCluster", request, &on_delete);
	return outcome == AWS_GONE ||
	       (outcome == AWS_DONE && ctx_wait_until(ctx, &cluster_deleted, state, attr_text(state, "name")));
}

const resource_def resource_ecs_cluster = {
	.type_name = "wagtail_ecs_cluster",
	.schema = {.attributes = attributes, .description = "An ECS cluster for Fargate services."},
	.fields = fields,
	.timeouts = &timeouts,
	.create = create_cluster,
	.read = read_cluster,
	.update = update_cluster,
	.delete = delete_cluster,
};
