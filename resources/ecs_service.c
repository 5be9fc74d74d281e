/* ecs_service.c: resource wagtail_ecs_service, a Fargate service and the
 * task definition it runs, as modules/ecs makes them: one per app
 * (cymph, wagtail) in a cluster made outside, with container definitions
 * rendered by templatefile and passed in.
 *
 * A change to any task setting registers a new revision and rolls the
 * service onto it (a rolling deployment within the min/max percents); the
 * revision the service no longer runs is then deregistered
 * (support/ecs_task_definition.c has that plumbing).
 *
 * ECS always reports a service's deployment configuration, execute-command
 * flag and propagate-tags mode. A peer that leaves one out (moto after
 * CreateService) has not changed it: the state keeps what it held. */
#include "attr.h"
#include "cty_codec.h"
#include "ecs_task_definition.h"
#include "fields.h"
#include "json_equiv.h"
#include "tags.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const propagate_modes[] = {"SERVICE", "TASK_DEFINITION", "NONE", NULL};

#define NAME_CHECK(what)                                                                                  \
	{CHECK_REGEX, .pattern = "^[A-Za-z0-9_-]+$", .max_length = 255,                                     \
	 .expected = "a " what " of 1 to 255 letters, digits, hyphens and underscores"}

static const attr_def circuit_breaker_attributes[] = {
	{"enable", &cty_bool, ATTR_REQUIRED, "Fail a deployment whose tasks keep failing to start."},
	{"rollback", &cty_bool, ATTR_REQUIRED, "Roll a failed deployment back to the last one that completed."},
	{NULL},
};

static const attr_def load_balancer_attributes[] = {
	{"target_group_arn", &cty_string, ATTR_REQUIRED, "Target group the tasks register in.", .check = {CHECK_ARN}},
	{"container_name", &cty_string, ATTR_REQUIRED, "Container (of container_definitions) that takes the traffic."},
	{"container_port", &cty_number, ATTR_REQUIRED, "Its port.", .check = {CHECK_RANGE, .min = 1, .max = 65535}},
	{NULL},
};

static const attr_def attributes[] = {
	{"name", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "Service name.", .check = NAME_CHECK("service name")},
	{"cluster", &cty_string, ATTR_REQUIRED | ATTR_REPLACE, "Cluster name or ARN."},
	{"family", &cty_string, ATTR_REQUIRED, "Task definition family; the service's revisions are registered in it.",
	 .check = NAME_CHECK("family")},
	{"container_definitions", &cty_string, ATTR_REQUIRED,
	 "Container definitions, a JSON array (e.g. from templatefile). Compared by meaning."},
	{"cpu", &cty_number, ATTR_OPTIONAL, "Task CPU units (256 is a quarter vCPU)."},
	{"memory", &cty_number, ATTR_OPTIONAL, "Task memory in MiB."},
	{"execution_role_arn", &cty_string, ATTR_OPTIONAL, "Role ECS uses to pull images, read secrets and write logs.",
	 .check = {CHECK_ARN}},
	{"task_role_arn", &cty_string, ATTR_OPTIONAL, "Role the containers run as.", .check = {CHECK_ARN}},
	{"desired_count", &cty_number, ATTR_OPTIONAL, "Tasks to run.", .default_json = "1",
	 .check = {CHECK_RANGE, .min = 0, .max = 5000}},
	{"subnets", &cty_set_of_string, ATTR_REQUIRED, "Subnets of the tasks; subnets in several zones spread them."},
	{"security_groups", &cty_set_of_string, ATTR_OPTIONAL | ATTR_COMPUTED,
	 "Security groups of the tasks. Unset: the VPC's default group."},
	{"assign_public_ip", &cty_bool, ATTR_OPTIONAL, "Give each task a public IP.", .default_json = "false"},
	{"platform_version", &cty_string, ATTR_OPTIONAL | ATTR_COMPUTED, "Fargate platform version; unset: LATEST."},
	{"deployment_minimum_healthy_percent", &cty_number, ATTR_OPTIONAL,
	 "Tasks kept running during a deployment, in percent of desired_count.", .default_json = "100",
	 .check = {CHECK_RANGE, .min = 0, .max = 100}},
	{"deployment_maximum_percent", &cty_number, ATTR_OPTIONAL,
	 "Tasks allowed during a deployment, in percent of desired_count.", .default_json = "200"},
	{"health_check_grace_period_seconds", &cty_number, ATTR_OPTIONAL,
	 "Seconds load balancer health checks are ignored after a task starts.",
	 .check = {CHECK_RANGE, .min = 0, .max = 2147483647}},
	{"enable_execute_command", &cty_bool, ATTR_OPTIONAL, "Allow ECS Exec into the tasks.", .default_json = "false"},
	{"propagate_tags", &cty_string, ATTR_OPTIONAL, "Copy tags to tasks from SERVICE, TASK_DEFINITION or NONE.",
	 .default_json = "\"NONE\"", .check = {CHECK_ENUM, .choices = propagate_modes}},
	{"force_new_deployment", &cty_bool, ATTR_OPTIONAL,
	 "Start a new deployment with every update, e.g. to pull a moved image tag.", .default_json = "false"},
	{"wait_for_steady_state", &cty_bool, ATTR_OPTIONAL,
	 "Wait, within the timeouts, until a deployment has completed.", .default_json = "false"},
	{"arn", &cty_string, ATTR_COMPUTED, "Service ARN."},
	{"id", &cty_string, ATTR_COMPUTED, "Service ARN."},
	{"task_definition_arn", &cty_string, ATTR_COMPUTED, "ARN of the revision the service runs."},
	{"task_definition_revision", &cty_number, ATTR_COMPUTED, "Its revision number."},
	TAG_ATTRIBUTES,
	{NULL},
};

static const nested_def blocks[] = {
	{"deployment_circuit_breaker", NEST_SINGLE, &(const block_def){.attributes = circuit_breaker_attributes}},
	{"load_balancer", NEST_LIST, &(const block_def){.attributes = load_balancer_attributes}},
	{NULL},
};

static const timeouts_def timeouts = {.create = 1200, .read = 1200, .update = 1200, .delete = 1200};

extern const resource_def resource_ecs_service;

/* What ECS's answers about a service mean. A deleted service drains
 * (DRAINING), stays INACTIVE for a while, then is purged: ECS then lists
 * it under DescribeServices' failures (MISSING) and answers
 * ServiceNotFoundException to calls naming it; a deleted cluster takes
 * its services with it. */
static const aws_match service_gone[] = {
	{"ServiceNotFoundException"}, {"ServiceNotActiveException"}, {"ClusterNotFoundException"}, {NULL}};
static const aws_rules on_service = {.gone = service_gone};

/* CreateService refusals that pass, as the AWS provider retries them: a
 * cluster made moments ago not yet found, the service-linked role ECS
 * makes on first use, a role or a target group IAM and ELB have not yet
 * propagated. Each for two minutes, after which it is a real error. */
static const aws_rules on_create = {
	.retry = (const aws_match[]){
		{"ClusterNotFoundException", NULL, 120},
		{"InvalidParameterException", "Unable to assume the service linked role", 120},
		{"InvalidParameterException", "Unable to assume role", 120},
		{"InvalidParameterException", "verify that the ECS service role being passed has the proper permissions",
		 120},
		{"InvalidParameterException", "does not have an associated load balancer", 120},
		/* A service of the same name deleted moments ago still drains:
		 * ECS takes the name again once it is INACTIVE. */
		{"InvalidParameterException", "still Draining"},
		{NULL}},
};

/* ---- small readers of ECS's answers ---- */

static const cJSON *member(const cJSON *object, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(object, name);
}

static bool member_is(const cJSON *object, const char *name, const char *want)
{
	const cJSON *item = member(object, name);
	return cJSON_IsString(item) && strcmp(item->valuestring, want) == 0;
}

/* ---- validation: what ECS would refuse, refused before any call ---- */

static void validate_load_balancers(call_ctx *ctx, const cty_value *config, const cJSON *containers)
{
	const cty_value *balancers = cty_object_get(config, "load_balancer");
	for (size_t i = 0; i < cty_length(balancers); i++) {
		const char *name = attr_text(cty_index(balancers, i), "container_name");
		const cJSON *container;
		bool found = false;
		cJSON_ArrayForEach(container, containers)
			found = found || member_is(container, "name", name ? name : "");
		if (name && !found) {
			diag_path at = diag_path_attr(diag_path_index(diag_path_attr(diag_root(), "load_balancer"), (long)i),
						      "container_name");
			diag_add(ctx->diags, DIAG_ERROR, &at, "Unknown container",
				 "load_balancer names container \"%s\", which container_definitions does not define.", name);
		}
	}
}

static void validate_containers(call_ctx *ctx, const cty_value *config)
{
	const cty_value *definitions = cty_object_get(config, "container_definitions");
	cJSON *containers = cty_is_known(definitions) ? container_definitions_parse(definitions->u.str.text, ctx->diags)
						      : NULL;
	if (!containers)
		return;
	const char *lacking = container_without_memory(containers);
	if (lacking && cty_is_null(cty_object_get(config, "memory")))
		diag_attr_error(ctx->diags, "memory", "Missing memory setting",
				"Container \"%s\" sets neither memory nor memoryReservation, and the task sets no memory. "
				"Set memory (MiB) for the task; Fargate needs it.", lacking);
	if (!cty_contains_unknown(cty_object_get(config, "load_balancer")))
		validate_load_balancers(ctx, config, containers);
	cJSON_Delete(containers);
}

static void validate_service(call_ctx *ctx, const cty_value *config)
{
	validate_containers(ctx, config);
	if (!cty_is_null(cty_object_get(config, "health_check_grace_period_seconds")) &&
	    cty_is_known(cty_object_get(config, "load_balancer")) && !cty_length(cty_object_get(config, "load_balancer")))
		diag_attr_error(ctx->diags, "health_check_grace_period_seconds", "Grace period without a load balancer",
				"ECS accepts health_check_grace_period_seconds only for a service with a load_balancer "
				"block.");
}

/* ---- tasks spread over availability zones ---- */

/* Warns when every subnet lies in one zone. Checked at apply (create, and
 * updates that change subnets), not at plan, so that plans make no EC2
 * call; being advice, a failed look-up is a warning too. */
static void warn_single_zone(call_ctx *ctx, const cty_value *planned)
{
	const cty_value *subnets = cty_object_get(planned, "subnets");
	diag_path at = diag_path_attr(diag_root(), "subnets");
	query_params q = {0};
	aws_error err = {0};
	for (size_t i = 0; i < cty_length(subnets); i++)
		query_addf(&q, cty_index(subnets, i)->u.str.text, "SubnetId.%zu", i + 1);
	xmlDoc *answer = ctx_query(ctx, &aws_ec2, "DescribeSubnets", &q, &err);
	query_free(&q);
	if (!answer) {
		diag_add(ctx->diags, DIAG_WARNING, &at, "Could not check the subnets' availability zones",
			 "AWS %s failed: %s: %s", err.operation, err.code ? err.code : "no answer",
			 err.message ? err.message : "no message");
		aws_error_clear(&err);
		return;
	}
	xmlNode *set = aws_xml_find(xmlDocGetRootElement(answer), "subnetSet");
	char *first = NULL;
	bool spread = false;
	for (xmlNode *item = set ? set->children : NULL; item && !spread; item = item->next) {
		char *zone = item->type == XML_ELEMENT_NODE ? aws_xml_text(item, "availabilityZone") : NULL;
		spread = zone && first && strcmp(zone, first) != 0;
		if (zone && !first)
			first = zone;
		else
			free(zone);
	}
	if (first && !spread)
		diag_add(ctx->diags, DIAG_WARNING, &at, "All subnets are in one availability zone",
			 "Every subnet of service %s is in %s, so an outage of that zone stops all its tasks. Add a "
			 "subnet in another zone: ECS spreads tasks over the zones of the subnets.",
			 attr_text(planned, "name"), first);
	free(first);
	xmlFreeDoc(answer);
}

/* ---- requests ---- */

static cJSON *string_array(const cty_value *list)
{
	cJSON *array = cJSON_CreateArray();
	for (size_t i = 0; i < cty_length(list); i++)
		if (cty_is_known(cty_index(list, i)))
			cJSON_AddItemToArray(array, cJSON_CreateString(cty_index(list, i)->u.str.text));
	return array;
}

/* Builders of one request member from the planned state: NULL when there
 * is nothing to send. */
typedef cJSON *(*member_builder)(const cty_value *planned, const char *name);

static cJSON *network_member(const cty_value *planned, const char *name)
{
	cJSON *network = cJSON_CreateObject(), *vpc = cJSON_AddObjectToObject(network, "awsvpcConfiguration");
	const cty_value *groups = cty_object_get(planned, "security_groups");
	(void)name;
	cJSON_AddItemToObject(vpc, "subnets", string_array(cty_object_get(planned, "subnets")));
	if (cty_length(groups)) /* none: ECS uses the VPC's default group */
		cJSON_AddItemToObject(vpc, "securityGroups", string_array(groups));
	cJSON_AddStringToObject(vpc, "assignPublicIp", attr_flag(planned, "assign_public_ip") ? "ENABLED" : "DISABLED");
	return network;
}

/* The circuit breaker goes along even when off, so that removing the
 * block turns it off. */
static cJSON *deployment_member(const cty_value *planned, const char *name)
{
	const cty_value *breaker = cty_object_get(planned, "deployment_circuit_breaker");
	cJSON *deployment = cJSON_CreateObject(), *circuit = cJSON_AddObjectToObject(deployment, "deploymentCircuitBreaker");
	(void)name;
	cJSON_AddNumberToObject(deployment, "minimumHealthyPercent",
				attr_number(planned, "deployment_minimum_healthy_percent", 0));
	cJSON_AddNumberToObject(deployment, "maximumPercent", attr_number(planned, "deployment_maximum_percent", 0));
	cJSON_AddBoolToObject(circuit, "enable", attr_flag(breaker, "enable"));
	cJSON_AddBoolToObject(circuit, "rollback", attr_flag(breaker, "rollback"));
	return deployment;
}

/* Always a list: UpdateService removes load balancers given an empty one. */
static cJSON *load_balancers_member(const cty_value *planned, const char *name)
{
	const cty_value *balancers = cty_object_get(planned, name);
	cJSON *list = cJSON_CreateArray();
	for (size_t i = 0; i < cty_length(balancers); i++) {
		const cty_value *balancer = cty_index(balancers, i);
		cJSON *item = cJSON_CreateObject();
		cJSON_AddStringToObject(item, "targetGroupArn", attr_text(balancer, "target_group_arn"));
		cJSON_AddStringToObject(item, "containerName", attr_text(balancer, "container_name"));
		cJSON_AddNumberToObject(item, "containerPort", attr_number(balancer, "container_port", 0));
		cJSON_AddItemToArray(list, item);
	}
	return list;
}

#define ATTRIBUTES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* CreateService's and UpdateService's members, and DescribeServices'
 * service. ECS leaves some settings out of its answers (set_reported
 * keeps ours then), and the cluster is read by hand (cluster_value). */
static const field_def fields[] = {
	{"cluster", "cluster", NULL},
	{"name", "serviceName", "serviceName"},
	{"arn", NULL, "serviceArn"},
	{"id", NULL, "serviceArn"},
	{"desired_count", "desiredCount", "desiredCount", "desiredCount"},
	{"platform_version", "platformVersion", "platformVersion", "platformVersion"},
	{"health_check_grace_period_seconds", "healthCheckGracePeriodSeconds", NULL, "healthCheckGracePeriodSeconds"},
	{"enable_execute_command", "enableExecuteCommand", NULL, "enableExecuteCommand"},
	{"propagate_tags", "propagateTags", NULL, "propagateTags"},
	{NULL},
};

/* The settings CreateService and UpdateService share that are made of
 * several attributes: the request member, how to build it and the
 * attributes it is made of. */
static const struct {
	const char *member;
	member_builder build;
	const char *const *attributes;
} service_settings[] = {
	{"loadBalancers", load_balancers_member, ATTRIBUTES("load_balancer")},
	{"networkConfiguration", network_member, ATTRIBUTES("subnets", "security_groups", "assign_public_ip")},
	{"deploymentConfiguration", deployment_member,
	 ATTRIBUTES("deployment_minimum_healthy_percent", "deployment_maximum_percent", "deployment_circuit_breaker")},
};

/* Adds each setting, or with a prior state only those that changed.
 * Returns how many were added. */
static int add_settings(cJSON *request, const cty_value *prior, const cty_value *planned)
{
	int added = prior ? (int)fields_json_update(fields, prior, planned, request) : 0;
	for (size_t i = 0; i < sizeof service_settings / sizeof *service_settings; i++) {
		bool changed = !prior;
		for (const char *const *name = service_settings[i].attributes; *name && !changed; name++)
			changed = attr_differs(prior, planned, *name);
		cJSON *value = changed ? service_settings[i].build(planned, service_settings[i].attributes[0]) : NULL;
		if (value) {
			cJSON_AddItemToObject(request, service_settings[i].member, value);
			added++;
		}
	}
	return added;
}

/* {"cluster": ..., "service": ...}: how most ECS service calls start. */
static cJSON *service_request(const cty_value *state)
{
	cJSON *request = cJSON_CreateObject();
	cJSON_AddStringToObject(request, "cluster", attr_text(state, "cluster"));
	cJSON_AddStringToObject(request, "service", attr_text(state, "name"));
	return request;
}

/* ---- reading ---- */

/* DescribeServices for the state's service: AWS_DONE with the service in
 * *service (the caller deletes it); AWS_GONE when ECS knows no such
 * service or cluster (on_service), or lists the service under failures
 * (reason MISSING); AWS_FAILED reported. Deleted services are still
 * described, as DRAINING or INACTIVE, until ECS purges them. */
static aws_outcome describe_service(call_ctx *ctx, const cty_value *state, cJSON **service)
{
	const char *name = attr_text(state, "name");
	cJSON *request = cJSON_CreateObject(), *answer = NULL;
	cJSON_AddStringToObject(request, "cluster", attr_text(state, "cluster"));
	cJSON_AddItemToObject(request, "services", cJSON_CreateStringArray(&name, 1));
	cJSON_AddItemToObject(request, "include", cJSON_CreateStringArray((const char *[]){"TAGS"}, 1));
	aws_outcome found = ctx_json_as(ctx, &aws_ecs, "DescribeServices", request, &on_service, &answer, NULL);
	cJSON_Delete(request);
	*service = cJSON_DetachItemFromArray(cJSON_GetObjectItemCaseSensitive(answer, "services"), 0);
	if (found == AWS_DONE && !*service)
		found = AWS_GONE;
	cJSON_Delete(answer);
	return found;
}

static cty_value *number_value(const cJSON *object, const char *name)
{
	const cJSON *item = member(object, name);
	return cJSON_IsNumber(item) ? cty_number_from_int((int64_t)item->valuedouble) : cty_null(&cty_number);
}

static cty_value *flag_value(const cJSON *object, const char *name)
{
	const cJSON *item = member(object, name);
	return cJSON_IsBool(item) ? cty_bool_new(cJSON_IsTrue(item)) : cty_null(&cty_bool);
}

/* Sets an attribute ECS reported; one it left out keeps its value. */
static void set_reported(cty_value *state, const char *name, cty_value *reported)
{
	if (cty_is_null(reported))
		cty_value_free(reported);
	else
		cty_object_set(state, name, reported);
}

/* Users name the cluster or give its ARN; keep their spelling while it
 * denotes the cluster ECS reports. */
static cty_value *cluster_value(const cty_value *prior, const cJSON *service)
{
	const char *mine = attr_text(prior, "cluster");
	const cJSON *arn = member(service, "clusterArn");
	const char *slash = cJSON_IsString(arn) ? strrchr(arn->valuestring, '/') : NULL;
	if (!slash || (mine && (strcmp(mine, arn->valuestring) == 0 || strcmp(mine, slash + 1) == 0)))
		return mine ? cty_string_new(mine) : cty_null(&cty_string);
	return cty_string_new(arn->valuestring);
}

static void network_into(cty_value *state, const cJSON *service)
{
	const cJSON *vpc = member(member(service, "networkConfiguration"), "awsvpcConfiguration");
	if (!vpc)
		return;
	cty_object_set(state, "subnets", json_string_set(member(vpc, "subnets")));
	cty_object_set(state, "security_groups", json_string_set(member(vpc, "securityGroups")));
	cty_object_set(state, "assign_public_ip", cty_bool_new(member_is(vpc, "assignPublicIp", "ENABLED")));
}

/* A circuit breaker that is off reads as no block unless the user wrote
 * one. */
static void deployment_into(cty_value *state, const cty_value *prior, const cJSON *service)
{
	const cJSON *deployment = member(service, "deploymentConfiguration");
	const cJSON *breaker = member(deployment, "deploymentCircuitBreaker");
	const cty_type *block = cty_object_get(state, "deployment_circuit_breaker")->type;
	if (!deployment)
		return;
	set_reported(state, "deployment_minimum_healthy_percent", number_value(deployment, "minimumHealthyPercent"));
	set_reported(state, "deployment_maximum_percent", number_value(deployment, "maximumPercent"));
	bool enable = cJSON_IsTrue(member(breaker, "enable")), rollback = cJSON_IsTrue(member(breaker, "rollback"));
	if (!enable && !rollback && cty_is_null(cty_object_get(prior, "deployment_circuit_breaker"))) {
		cty_object_set(state, "deployment_circuit_breaker", cty_null(block));
		return;
	}
	cty_value *value = cty_object_new(block);
	cty_object_set(value, "enable", cty_bool_new(enable));
	cty_object_set(value, "rollback", cty_bool_new(rollback));
	cty_object_set(state, "deployment_circuit_breaker", value);
}

/* Never null: the configuration has an empty list when it has no blocks. */
static void load_balancers_into(cty_value *state, const cJSON *service)
{
	const cty_type *list_type = cty_object_get(state, "load_balancer")->type;
	cty_value *list = cty_collection_new(list_type);
	const cJSON *balancer;
	cJSON_ArrayForEach(balancer, member(service, "loadBalancers")) {
		cty_value *item = cty_object_new(list_type->elem);
		cty_object_set(item, "target_group_arn", json_string_value(balancer, "targetGroupArn"));
		cty_object_set(item, "container_name", json_string_value(balancer, "containerName"));
		cty_object_set(item, "container_port", number_value(balancer, "containerPort"));
		cty_append(list, item);
	}
	cty_object_set(state, "load_balancer", list);
}

/* After an import the state holds only what ECS reported; what it left
 * out and what only the configuration knows take the schema's defaults,
 * as an unset argument does. */
static void fill_defaults(cty_value *state)
{
	for (const attr_def *a = attributes; a->name; a++) {
		if (!a->default_json || !cty_is_null(cty_object_get(state, a->name)))
			continue;
		char *error = NULL;
		cty_value *v = cty_json_decode(a->default_json, strlen(a->default_json), a->type, &error);
		free(error); /* our own constants */
		if (v)
			cty_object_set(state, a->name, v);
	}
}

static cty_value *service_state(call_ctx *ctx, const cty_value *prior, const cJSON *service, const cJSON *task)
{
	cty_value *state = cty_value_clone(prior);
	fields_json_read(fields, service, state);
	cty_object_set(state, "cluster", cluster_value(prior, service));
	network_into(state, service);
	deployment_into(state, prior, service);
	load_balancers_into(state, service);
	set_reported(state, "health_check_grace_period_seconds", number_value(service, "healthCheckGracePeriodSeconds"));
	set_reported(state, "enable_execute_command", flag_value(service, "enableExecuteCommand"));
	set_reported(state, "propagate_tags", json_string_value(service, "propagateTags"));
	task_definition_into(state, prior, task);
	fill_defaults(state);
	tags_read(ctx, prior, state, tags_from_json(member(service, "tags"), "key", "value"));
	return state;
}

/* The service as ECS has it; a null value when it is gone (deleted
 * services linger as DRAINING, then INACTIVE); NULL on error. */
static cty_value *read_service(call_ctx *ctx, const cty_value *state)
{
	cJSON *service = NULL, *task = NULL;
	cty_value *fresh = NULL;
	aws_outcome found = describe_service(ctx, state, &service);
	if (found == AWS_GONE || member_is(service, "status", "INACTIVE") || member_is(service, "status", "DRAINING")) {
		cJSON_Delete(service);
		return cty_null(resource_state_type(&resource_ecs_service));
	}
	const cJSON *arn = member(service, "taskDefinition");
	if (cJSON_IsString(arn))
		task = task_definition_describe(ctx, arn->valuestring);
	if (task)
		fresh = service_state(ctx, state, service, task);
	cJSON_Delete(service);
	cJSON_Delete(task);
	return fresh;
}

/* ---- waiting ---- */

static const cJSON *primary_deployment(const cJSON *service)
{
	const cJSON *deployment;
	cJSON_ArrayForEach(deployment, member(service, "deployments"))
		if (member_is(deployment, "status", "PRIMARY"))
			return deployment;
	return NULL;
}

/* What a steady-state wait follows: the service, and the revision the
 * deployment rolls out (NULL: whichever the service runs). */
typedef struct {
	const cty_value *state;
	const char *task;
} rollout_subject;

/* Why the last FAILED deployment failed, from deployments ECS still lists. */
static void failure_reason(const cJSON *service, wait_status *status)
{
	const cJSON *deployment;
	cJSON_ArrayForEach(deployment, member(service, "deployments")) {
		const cJSON *reason = member(deployment, "rolloutStateReason");
		if (member_is(deployment, "rolloutState", "FAILED") && cJSON_IsString(reason))
			snprintf(status->reason, sizeof status->reason, "%s", reason->valuestring);
	}
}

/* The rollout of the PRIMARY deployment: IN_PROGRESS, COMPLETED, or FAILED
 * when the circuit breaker stopped it (rolloutStateReason says why). With
 * rollback on, ECS answers a failure with a new PRIMARY deployment of the
 * last revision that completed, which then completes: a deployment of a
 * revision other than the one rolled out reads as "ROLLED_BACK", a
 * failure. ECS without rollout states reads as "steady" once the primary
 * deployment alone runs the desired count, else "rolling". */
static bool rollout_status(call_ctx *ctx, const void *subject, wait_status *status)
{
	const rollout_subject *r = subject;
	cJSON *service = NULL;
	aws_outcome found = describe_service(ctx, r->state, &service);
	const cJSON *primary = primary_deployment(service);
	const cJSON *rollout = member(primary, "rolloutState"), *reason = member(primary, "rolloutStateReason");
	const cJSON *task = member(primary, "taskDefinition");
	if (found == AWS_FAILED)
		return false;
	if (cJSON_IsString(reason))
		snprintf(status->reason, sizeof status->reason, "%s", reason->valuestring);
	if (found == AWS_GONE)
		wait_status_set(status, WAIT_GONE);
	else if (r->task && cJSON_IsString(task) && strcmp(task->valuestring, r->task) != 0) {
		wait_status_set(status, "ROLLED_BACK");
		snprintf(status->reason, sizeof status->reason, "ECS rolled back to %s", task->valuestring);
		failure_reason(service, status);
	} else if (cJSON_IsString(rollout))
		wait_status_set(status, rollout->valuestring);
	else
		wait_status_set(status, primary && cJSON_GetArraySize(member(service, "deployments")) == 1 &&
						cJSON_Compare(member(primary, "runningCount"),
							      member(primary, "desiredCount"), true)
					    ? "steady"
					    : "rolling");
	cJSON_Delete(service);
	return true;
}

/* ECS rollout states (ECS API reference, Deployment.rolloutState). */
static const waiter_def steady_state = {
	.what = "ECS service",
	.pending = STATES("IN_PROGRESS", "rolling"),
	.target = STATES("COMPLETED", "steady"),
	.failed = STATES("FAILED", "ROLLED_BACK"),
	.max_delay = 15,
	.read = rollout_status,
};

/* Waits for the rollout of `task` (NULL: whichever) on the service. */
static bool wait_steady(call_ctx *ctx, const cty_value *state, const char *task)
{
	const rollout_subject subject = {state, task};
	return ctx_wait_until(ctx, &steady_state, &subject, attr_text(state, "name"));
}

static bool service_status(call_ctx *ctx, const void *subject, wait_status *status)
{
	cJSON *service = NULL;
	aws_outcome found = describe_service(ctx, subject, &service);
	const cJSON *state = member(service, "status");
	if (found == AWS_FAILED)
		return false;
	wait_status_set(status, found == AWS_GONE ? WAIT_GONE : cJSON_IsString(state) ? state->valuestring : "unknown");
	cJSON_Delete(service);
	return true;
}

/* A deleted service drains its tasks, then turns INACTIVE (AWS provider's
 * ECS service delete waiter: pending DRAINING, target INACTIVE). */
static const waiter_def service_deleted = {
	.what = "ECS service",
	.pending = STATES("ACTIVE", "DRAINING"),
	.target = STATES("INACTIVE", WAIT_GONE),
	.max_delay = 15,
	.read = service_status,
};

/* ---- create ---- */

/* The state of what CreateService made, for when reading it back fails. */
static cty_value *made_state(const cty_value *planned, const cJSON *service, const char *task)
{
	cty_value *made = cty_value_clone(planned);
	const char *colon = strrchr(task, ':');
	cty_value *revision = colon ? cty_number_from_text(colon + 1) : NULL;
	cty_object_set(made, "arn", json_string_value(service, "serviceArn"));
	cty_object_set(made, "id", json_string_value(service, "serviceArn"));
	cty_object_set(made, "task_definition_arn", cty_string_new(task));
	cty_object_set(made, "task_definition_revision", revision ? revision : cty_null(&cty_number));
	if (cty_is_unknown(cty_object_get(made, "platform_version")))
		cty_object_set(made, "platform_version", json_string_value(service, "platformVersion"));
	if (cty_is_unknown(cty_object_get(made, "security_groups")))
		cty_object_set(made, "security_groups", cty_null(&cty_set_of_string));
	return made;
}

/* CreateService's clientToken: the same in every retry of one create, so
 * that ECS answers a retry whose first attempt's answer was lost with the
 * service that attempt made, not "Creation of service was not idempotent". */
static void add_client_token(cJSON *request)
{
	unsigned char bytes[16];
	char token[2 * sizeof bytes + 1];
	if (RAND_bytes(bytes, sizeof bytes) != 1)
		return; /* no token: ECS does without */
	for (size_t i = 0; i < sizeof bytes; i++)
		snprintf(token + 2 * i, 3, "%02x", bytes[i]);
	cJSON_AddStringToObject(request, "clientToken", token);
}

static cty_value *create_service(call_ctx *ctx, const cty_value *planned)
{
	warn_single_zone(ctx, planned);
	char *task = task_definition_register(ctx, planned);
	if (!task)
		return NULL;
	cJSON *request = cJSON_CreateObject();
	fields_json_create(fields, planned, request);
	cJSON_AddStringToObject(request, "taskDefinition", task);
	cJSON_AddStringToObject(request, "launchType", "FARGATE");
	add_settings(request, NULL, planned);
	if (cty_length(cty_object_get(planned, "tags_all")))
		cJSON_AddItemToObject(request, "tags", tags_to_json(cty_object_get(planned, "tags_all"), "key", "value"));
	add_client_token(request);
	aws_error err = {0};
	cJSON *answer = NULL;
	ctx_json_as(ctx, &aws_ecs, "CreateService", request, &on_create, &answer, &err);
	cJSON_Delete(request);
	cty_value *made = made_state(planned, member(answer, "service"), task);
	/* An attempt whose answer was lost may have made the service
	 * (ctx_create_outcome reads it by cluster and name). */
	create_outcome outcome = answer ? CREATE_MADE
					: ctx_create_outcome(ctx, &resource_ecs_service, made, NULL, &err, NULL);
	cJSON_Delete(answer);
	if (outcome == CREATE_NONE) { /* nothing would track a revision without its service */
		task_definition_deregister(ctx, task);
		free(task);
		cty_value_free(made);
		return NULL;
	}
	free(task);
	if (outcome == CREATE_PARTIAL) {
		cty_value *fresh = read_service(ctx, made);
		if (cty_is_known(fresh) && !cty_is_null(fresh)) {
			cty_value_free(made);
			return fresh;
		}
		cty_value_free(fresh);
		return made;
	}
	/* A failed wait keeps the service in the state (tainted), so that
	 * destroy removes it. */
	if (attr_flag(planned, "wait_for_steady_state"))
		wait_steady(ctx, made, attr_text(made, "task_definition_arn"));
	cty_value *fresh = read_service(ctx, made);
	if (cty_is_known(fresh)) {
		cty_value_free(made);
		return fresh;
	}
	cty_value_free(fresh); /* read failed, or ECS does not list it yet */
	return made;
}

/* ---- update ---- */

/* UpdateService with what changed, onto `task` when one was registered.
 * *sent says whether a call was made (none when only tags or arguments
 * of ours changed). */
static bool send_update(call_ctx *ctx, const cty_value *prior, const cty_value *planned, const char *task,
			bool *sent)
{
	cJSON *request = service_request(prior);
	int changes = add_settings(request, prior, planned);
	if (task)
		cJSON_AddStringToObject(request, "taskDefinition", task);
	if (attr_flag(planned, "force_new_deployment"))
		cJSON_AddBoolToObject(request, "forceNewDeployment", 1);
	*sent = task || changes || attr_flag(planned, "force_new_deployment");
	if (!*sent) {
		cJSON_Delete(request);
		return true;
	}
	aws_outcome outcome = ctx_json_as(ctx, &aws_ecs, "UpdateService", request, &on_create, NULL, NULL);
	cJSON_Delete(request);
	return outcome == AWS_DONE;
}

/* Of the revision the service ran and the one registered for this
 * update, deregisters the one it no longer runs: normally the old one; the
 * new one when UpdateService failed or the circuit breaker rolled back.
 * Unknown (the read failed): both stay. */
static void retire_revision(call_ctx *ctx, const cty_value *fresh, const char *before, const char *registered)
{
	const char *running = attr_text(fresh, "task_definition_arn");
	if (!registered || !running)
		return;
	const char *unused = strcmp(running, registered) == 0 ? before : registered;
	if (unused && strcmp(unused, running) != 0)
		task_definition_deregister(ctx, unused);
}

static cty_value *update_service(call_ctx *ctx, const cty_value *prior, const cty_value *planned)
{
	char *task = NULL;
	bool ok = true, sent = false;
	if (attr_differs(prior, planned, "subnets"))
		warn_single_zone(ctx, planned);
	if (task_settings_differ(prior, planned))
		ok = (task = task_definition_register(ctx, planned)) != NULL;
	ok = ok && send_update(ctx, prior, planned, task, &sent);
	if (ok && sent && attr_flag(planned, "wait_for_steady_state"))
		ok = wait_steady(ctx, planned, task);
	if (ok)
		ctx_json_update_tags_take(ctx, &aws_ecs, &ecs_tag_api, json_request("resourceArn", attr_text(prior, "arn")),
					  prior, planned);
	/* Success or not, what ECS now has is the state. */
	cty_value *fresh = read_service(ctx, planned);
	retire_revision(ctx, fresh, attr_text(prior, "task_definition_arn"), task);
	free(task);
	if (cty_is_known(fresh))
		return fresh;
	cty_value_free(fresh);
	return cty_value_clone(prior);
}

/* Equivalent container definitions keep the state's text; any other task
 * setting that changes means a new revision. */
static void plan_service(call_ctx *ctx, const cty_value *prior, const cty_value *config, cty_value *planned,
                         path_list *replace)
{
	(void)replace;
	(void)ctx, (void)config;
	if (cty_is_null(prior))
		return;
	json_keep_prior(planned, prior, "container_definitions", container_definitions_normalize);
	if (task_settings_differ(prior, planned)) {
		cty_object_set(planned, "task_definition_arn", cty_unknown(&cty_string));
		cty_object_set(planned, "task_definition_revision", cty_unknown(&cty_number));
	}
}

/* ---- delete ---- */

/* Scales to zero (ECS refuses to delete a service that runs tasks), deletes,
 * waits until the service has drained and is INACTIVE, then deregisters
 * its revision. */
static bool delete_service(call_ctx *ctx, const cty_value *state)
{
	const char *task = attr_text(state, "task_definition_arn");
	cJSON *scale = service_request(state);
	cJSON_AddNumberToObject(scale, "desiredCount", 0);
	aws_outcome outcome = ctx_json_send_take(ctx, &aws_ecs, "UpdateService", scale, &on_service);
	if (outcome == AWS_DONE)
		outcome = ctx_json_send_take(ctx, &aws_ecs, "DeleteService", service_request(state), &on_service);
	bool ok = outcome != AWS_FAILED;
	if (outcome == AWS_DONE)
		ok = ctx_wait_until(ctx, &service_deleted, state, attr_text(state, "name"));
	if (ok && task)
		ok = task_definition_deregister(ctx, task);
	return ok;
}

/* ---- import ---- */

/* "cluster/service", the cluster by name or ARN (split at the last '/'). */
static cty_value *import_service(call_ctx *ctx, const char *id)
{
	const char *slash = strrchr(id, '/');
	if (!slash || slash == id || !slash[1]) {
		diag_add(ctx->diags, DIAG_ERROR, NULL, "Invalid import id",
			 "Import wagtail_ecs_service as CLUSTER/SERVICE (the cluster by name or ARN), not \"%s\".", id);
		return NULL;
	}
	cty_value *state = cty_object_new(resource_state_type(&resource_ecs_service));
	cty_object_set(state, "cluster", cty_string_from(id, (size_t)(slash - id)));
	cty_object_set(state, "name", cty_string_new(slash + 1));
	return state;
}

const resource_def resource_ecs_service = {
	.type_name = "wagtail_ecs_service",
	.fields = fields,
	.schema = {.attributes = attributes,
		   .blocks = blocks,
		   .description = "An ECS Fargate service and the task definition it runs."},
	.timeouts = &timeouts,
	.validate = validate_service,
	.plan = plan_service,
	.create = create_service,
	.read = read_service,
	.update = update_service,
	.delete = delete_service,
	.import = import_service,
};
