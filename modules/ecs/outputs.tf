# Outputs of modules/ecs.

output "service_name" {
  description = "Name of the ECS service (label_id)."
  value       = wagtail_ecs_service.wagtail_ecs_service.name
}

output "service_arn" {
  description = "ARN of the ECS service."
  value       = wagtail_ecs_service.wagtail_ecs_service.arn
}

output "task_definition_arn" {
  description = "The task definition revision the service runs."
  value       = wagtail_ecs_service.wagtail_ecs_service.task_definition_arn
}

output "task_definition_family" {
  description = "Family of the task definition."
  value       = local.family
}

output "task_definition_revision" {
  description = "Revision number the service runs."
  value       = wagtail_ecs_service.wagtail_ecs_service.task_definition_revision
}

output "execution_role_arn" {
  description = "ARN of the execution role (image pull, logs, the task's secrets)."
  value       = wagtail_iam_role.execution.arn
}

output "execution_role_name" {
  description = "Name of the execution role."
  value       = wagtail_iam_role.execution.name
}

output "task_role_arn" {
  description = "ARN of the task role the containers run as."
  value       = wagtail_iam_role.task.arn
}

output "task_role_name" {
  description = "Name of the task role."
  value       = wagtail_iam_role.task.name
}

output "log_group_name" {
  description = "CloudWatch log group of the containers."
  value       = wagtail_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of that log group."
  value       = wagtail_log_group.this.arn
}
