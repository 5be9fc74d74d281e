/* ecs_task_definition.h: the Fargate task definition behind a
 * wagtail_ecs_service. Its settings are attributes of the service (family,
 * container_definitions, cpu, memory, execution_role_arn, task_role_arn);
 * here they are checked, compared by meaning, registered as revisions,
 * read back and deregistered. */
#ifndef WAGTAIL_ECS_TASK_DEFINITION_H
#define WAGTAIL_ECS_TASK_DEFINITION_H

#include "aws_calls.h"

/* json_normalizer for container definitions (json_equiv.h): removes what
 * ECS adds for what a container leaves out (empty lists and objects,
 * essential true, cpu 0, port protocol tcp, host port equal to the
 * container port under awsvpc, health check intervals) and sorts
 * containers, environment variables and secrets by name. */
void container_definitions_normalize(cJSON *doc);

/* Parses container definitions text: a non-empty JSON array of objects,
 * each with a non-empty "name" and "image". Returns the document (the
 * caller deletes it), or NULL with an error about container_definitions
 * in diags. */
cJSON *container_definitions_parse(const char *text, diag_list *diags);

/* The name of the first container that sets neither memory nor
 * memoryReservation (it points into containers), or NULL. */
const char *container_without_memory(const cJSON *containers);

/* Whether any task setting differs: a new revision is then needed. */
bool task_settings_differ(const cty_value *prior, const cty_value *planned);

/* RegisterTaskDefinition from a service's planned settings. Returns the
 * new revision's ARN (malloc'd), or NULL with an error in ctx->diags. */
char *task_definition_register(call_ctx *ctx, const cty_value *planned);

/* DescribeTaskDefinition: the task definition (the caller deletes it), or
 * NULL with an error in ctx->diags. */
cJSON *task_definition_describe(call_ctx *ctx, const char *arn);

/* Sets state's task settings and task_definition_arn / _revision from a
 * described task definition; container_definitions keeps prior's text
 * while it means the same. */
void task_definition_into(cty_value *state, const cty_value *prior, const cJSON *task);

/* DeregisterTaskDefinition; false with an error in ctx->diags. */
bool task_definition_deregister(call_ctx *ctx, const char *arn);

#endif
