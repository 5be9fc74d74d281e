# What the stack made, and what to look at.

output "database_endpoint" {
  description = "Writer endpoint of the Aurora cluster."
  value       = module.wagtail_rds_instance.this_rds_cluster_endpoint
}

output "database_reader_endpoint" {
  description = "Reader endpoint."
  value       = module.wagtail_rds_instance.this_rds_cluster_reader_endpoint
}

output "database_cluster_id" {
  description = "The Aurora cluster's identifier."
  value       = module.wagtail_rds_instance.this_rds_cluster_id
}

output "database_resource_id" {
  description = "The cluster's resource id, which rds-db:connect ARNs name."
  value       = module.wagtail_rds_instance.this_rds_cluster_resource_id
}

output "database_instances" {
  description = "Instance identifiers, the writer first."
  value       = module.wagtail_rds_instance.this_rds_cluster_instance_ids
}

output "master_password_parameter" {
  description = "SSM SecureString holding the generated master password."
  value       = module.wagtail_rds_instance.master_password_ssm_parameter_name
}

output "database_credential_parameters" {
  description = "SSM SecureStrings the Wagtail task reads into its environment."
  value = merge({ for name, parameter in wagtail_ssm_parameter.database : name => parameter.name },
  { DATABASE_PASSWORD = module.wagtail_rds_instance.master_password_ssm_parameter_name })
}

output "wagtail_db_user_connect_arn" {
  description = "The rds-db:connect ARN of the IAM database user."
  value       = wagtail_iam_db_user.wagtail.connect_arn
}

output "page_changed_trigger" {
  description = "The Lambda trigger on wagtailcore_page (schema.table/name), or null."
  value       = one(wagtail_aurora_lambda_trigger.page_changed[*].id)
}

output "ecs_cluster" {
  description = "The ECS cluster both services run in."
  value       = wagtail_ecs_cluster.main.name
}

output "services" {
  description = "The ECS services, each with its task definition, roles and log group."
  value = {
    cymph = {
      service         = module.ecs_cymph.service_name
      task_definition = module.ecs_cymph.task_definition_arn
      execution_role  = module.ecs_cymph.execution_role_name
      task_role       = module.ecs_cymph.task_role_name
      log_group       = module.ecs_cymph.log_group_name
    }
    wagtail = {
      service         = module.ecs_wagtail.service_name
      task_definition = module.ecs_wagtail.task_definition_arn
      execution_role  = module.ecs_wagtail.execution_role_name
      task_role       = module.ecs_wagtail.task_role_name
      log_group       = module.ecs_wagtail.log_group_name
    }
  }
}

output "repositories" {
  description = "Where to push the images."
  value = {
    cymph   = wagtail_ecr_repository.cymph.repository_url
    wagtail = wagtail_ecr_repository.wagtail.repository_url
  }
}
