/* ecs_task_definition.c: see ecs_task_definition.h. */
#include "ecs_task_definition.h"

#include "attr.h"
#include "json_equiv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- container definitions compared by meaning ---- */

static bool is_empty(const cJSON *item)
{
	return cJSON_IsNull(item) || ((cJSON_IsArray(item) || cJSON_IsObject(item)) && !item->child);
}

/* Drops nulls and empty lists and objects at every depth: ECS answers
 * "mountPoints": [], "volumesFrom": [], "environment": [] and the like for
 * whatever a container left out, and an empty list means none either way. */
static void drop_empty(cJSON *node)
{
	cJSON *child = node->child;
	while (child) {
		cJSON *next = child->next;
		drop_empty(child);
		if (is_empty(child))
			cJSON_Delete(cJSON_DetachItemViaPointer(node, child));
		child = next;
	}
}

static void drop_number(cJSON *object, const char *member, double fallback)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, member);
	if (cJSON_IsNumber(item) && item->valuedouble == fallback)
		cJSON_DeleteItemFromObjectCaseSensitive(object, member);
}

static void drop_string(cJSON *object, const char *member, const char *fallback)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, member);
	if (cJSON_IsString(item) && strcmp(item->valuestring, fallback) == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(object, member);
}

static const char *name_of(const cJSON *item)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");
	return cJSON_IsString(name) ? name->valuestring : "";
}

static int by_name(const void *a, const void *b)
{
	return strcmp(name_of(*(cJSON *const *)a), name_of(*(cJSON *const *)b));
}

/* Containers, environment variables and secrets are found by name; their
 * order means nothing. */
static void sort_by_name(cJSON *list)
{
	int count = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
	if (count < 2)
		return;
	cJSON **items = malloc((size_t)count * sizeof *items);
	if (!items)
		abort();
	for (int i = 0; i < count; i++)
		items[i] = cJSON_DetachItemFromArray(list, 0);
	qsort(items, (size_t)count, sizeof *items, by_name);
	for (int i = 0; i < count; i++)
		cJSON_AddItemToArray(list, items[i]);
	free(items);
}

/* Under awsvpc a mapping's host port is its container port; ECS fills it
 * in, and the protocol tcp. */
static void normalize_port_mapping(cJSON *mapping)
{
	const cJSON *container_port = cJSON_GetObjectItemCaseSensitive(mapping, "containerPort");
	drop_string(mapping, "protocol", "tcp");
	if (cJSON_IsNumber(container_port))
		drop_number(mapping, "hostPort", container_port->valuedouble);
}

static void normalize_container(cJSON *container)
{
	cJSON *mapping, *health = cJSON_GetObjectItemCaseSensitive(container, "healthCheck");
	const cJSON *essential = cJSON_GetObjectItemCaseSensitive(container, "essential");
	if (cJSON_IsTrue(essential))
		cJSON_DeleteItemFromObjectCaseSensitive(container, "essential");
	drop_number(container, "cpu", 0);
	cJSON_ArrayForEach(mapping, cJSON_GetObjectItemCaseSensitive(container, "portMappings"))
		normalize_port_mapping(mapping);
	sort_by_name(cJSON_GetObjectItemCaseSensitive(container, "environment"));
	sort_by_name(cJSON_GetObjectItemCaseSensitive(container, "secrets"));
	if (cJSON_IsObject(health)) { /* ECS's health check defaults */
		drop_number(health, "interval", 30);
		drop_number(health, "timeout", 5);
		drop_number(health, "retries", 3);
		drop_number(health, "startPeriod", 0);
	}
}

void container_definitions_normalize(cJSON *doc)
{
	cJSON *container;
	cJSON_ArrayForEach(container, doc)
		if (cJSON_IsObject(container))
			normalize_container(container);
	sort_by_name(doc);
	drop_empty(doc);
}

/* ---- checks ---- */

static bool has_text(const cJSON *object, const char *member)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, member);
	return cJSON_IsString(item) && item->valuestring[0];
}

/* Fills why for the first container that cannot be registered. */
static bool containers_complete(const cJSON *doc, char *why, size_t size)
{
	const cJSON *container;
	int index = 0;
	cJSON_ArrayForEach(container, doc) {
		index++;
		if (!cJSON_IsObject(container))
			snprintf(why, size, "item %d is not a container definition (a JSON object)", index);
		else if (!has_text(container, "name"))
			snprintf(why, size, "container %d has no \"name\"", index);
		else if (!has_text(container, "image"))
			snprintf(why, size, "container %d (\"%s\") has no \"image\"", index, name_of(container));
		else
			continue;
		return false;
	}
	return true;
}

cJSON *container_definitions_parse(const char *text, diag_list *diags)
{
	const char *error_at = NULL;
	char why[256];
	cJSON *doc = cJSON_ParseWithOpts(text ? text : "", &error_at, 1);
	if (!doc)
		snprintf(why, sizeof why, "not valid JSON (error near byte %ld)",
			 text && error_at ? (long)(error_at - text) : 0L);
	else if (!cJSON_IsArray(doc) || !doc->child)
		snprintf(why, sizeof why, "not a JSON array of one or more container definitions, such as "
					  "[{\"name\": \"web\", \"image\": \"nginx\"}]");
	else if (containers_complete(doc, why, sizeof why))
		return doc;
	diag_attr_error(diags, "container_definitions", "Invalid container definitions", "container_definitions: %s.",
			why);
	cJSON_Delete(doc);
	return NULL;
}

const char *container_without_memory(const cJSON *containers)
{
	const cJSON *container;
	cJSON_ArrayForEach(container, containers)
		if (!cJSON_GetObjectItemCaseSensitive(container, "memory") &&
		    !cJSON_GetObjectItemCaseSensitive(container, "memoryReservation"))
			return name_of(container);
	return NULL;
}

static const char *const task_settings[] = {"family", "container_definitions", "cpu", "memory",
					    "execution_role_arn", "task_role_arn", NULL};

bool task_settings_differ(const cty_value *prior, const cty_value *planned)
{
	for (const char *const *name = task_settings; *name; name++)
		if (attr_differs(prior, planned, *name))
			return true;
	return false;
}

/* ---- calls ---- */

char *task_definition_register(call_ctx *ctx, const cty_value *planned)
{
	/* Checked again: unknown at validate time, known now. */
	cJSON *containers = container_definitions_parse(attr_text(planned, "container_definitions"),
							ctx->diags);
	if (!containers)
		return NULL;
	cJSON *request = cJSON_CreateObject();
	json_add_attribute(request, "family", planned, "family");
	cJSON_AddItemToObject(request, "containerDefinitions", containers);
	cJSON_AddStringToObject(request, "networkMode", "awsvpc");
	cJSON_AddItemToObject(request, "requiresCompatibilities", cJSON_CreateStringArray((const char *[]){"FARGATE"}, 1));
	/* ECS takes task cpu and memory as strings ("256", or "0.25 vCPU"). */
	json_add_attribute(request, "cpu", planned, "cpu");
	json_add_attribute(request, "memory", planned, "memory");
	json_add_attribute(request, "executionRoleArn", planned, "execution_role_arn");
	json_add_attribute(request, "taskRoleArn", planned, "task_role_arn");
	cJSON *answer = ctx_json_call(ctx, &aws_ecs, "RegisterTaskDefinition", request, NULL);
	cJSON_Delete(request);
	const cJSON *arn = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(answer, "taskDefinition"),
							    "taskDefinitionArn");
	char *registered = cJSON_IsString(arn) ? strdup(arn->valuestring) : NULL;
	if (answer && !registered)
		diag_add(ctx->diags, DIAG_ERROR, NULL, "AWS ecs:RegisterTaskDefinition answered without an ARN",
			 "The answer names no taskDefinition.taskDefinitionArn.");
	cJSON_Delete(answer);
	return registered;
}

cJSON *task_definition_describe(call_ctx *ctx, const char *arn)
{
	cJSON *request = json_request("taskDefinition", arn);
	cJSON *answer = ctx_json_call(ctx, &aws_ecs, "DescribeTaskDefinition", request, NULL);
	cJSON_Delete(request);
	cJSON *task = cJSON_DetachItemFromObjectCaseSensitive(answer, "taskDefinition");
	if (answer && !task)
		diag_add(ctx->diags, DIAG_ERROR, NULL, "AWS ecs:DescribeTaskDefinition answered without a task definition",
			 "Task definition %s was not in the answer.", arn);
	cJSON_Delete(answer);
	return task;
}

/* "256" → 256; a null value when absent. */
static cty_value *number_from_text(const cJSON *object, const char *member)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, member);
	cty_value *n = cJSON_IsString(item) ? cty_number_from_text(item->valuestring) : NULL;
	return n ? n : cty_null(&cty_number);
}

void task_definition_into(cty_value *state, const cty_value *prior, const cJSON *task)
{
	const cJSON *revision = cJSON_GetObjectItemCaseSensitive(task, "revision");
	char *containers = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(task, "containerDefinitions"));
	cty_object_set(state, "container_definitions", containers ? cty_string_new(containers) : cty_null(&cty_string));
	free(containers);
	json_keep_prior(state, prior, "container_definitions", container_definitions_normalize);
	cty_object_set(state, "family", json_string_value(task, "family"));
	cty_object_set(state, "cpu", number_from_text(task, "cpu"));
	cty_object_set(state, "memory", number_from_text(task, "memory"));
	cty_object_set(state, "execution_role_arn", json_string_value(task, "executionRoleArn"));
	cty_object_set(state, "task_role_arn", json_string_value(task, "taskRoleArn"));
	cty_object_set(state, "task_definition_arn", json_string_value(task, "taskDefinitionArn"));
	cty_object_set(state, "task_definition_revision", cJSON_IsNumber(revision)
								  ? cty_number_from_int((int64_t)revision->valuedouble)
								  : cty_null(&cty_number));
}

bool task_definition_deregister(call_ctx *ctx, const char *arn)
{
	return ctx_json_send_take(ctx, &aws_ecs, "DeregisterTaskDefinition", json_request("taskDefinition", arn), NULL) ==
	       AWS_DONE;
}
