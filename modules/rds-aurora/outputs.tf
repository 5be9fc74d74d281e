# Outputs of modules/rds-aurora: v2's names first, so references such as
# module.wagtail_rds_instance.this_rds_cluster_endpoint keep working, then
# what this module adds.

output "this_rds_cluster_arn" {
  description = "ARN of the cluster."
  value       = wagtail_aurora_cluster.this.arn
}

output "this_rds_cluster_id" {
  description = "Identifier of the cluster (its name)."
  value       = wagtail_aurora_cluster.this.id
}

output "this_rds_cluster_resource_id" {
  description = "Resource id of the cluster (cluster-...), the one rds-db:connect policies name."
  value       = wagtail_aurora_cluster.this.cluster_resource_id
}

output "this_rds_cluster_endpoint" {
  description = "Writer endpoint."
  value       = wagtail_aurora_cluster.this.endpoint
}

output "this_rds_cluster_reader_endpoint" {
  description = "Reader endpoint."
  value       = wagtail_aurora_cluster.this.reader_endpoint
}

output "this_rds_cluster_engine_version" {
  description = "Engine version the cluster runs."
  value       = wagtail_aurora_cluster.this.engine_version
}

output "this_rds_cluster_database_name" {
  description = "Database created with the cluster."
  value       = var.database_name
}

output "this_rds_cluster_port" {
  description = "Port the cluster listens on."
  value       = wagtail_aurora_cluster.this.port
}

output "this_rds_cluster_master_username" {
  description = "Master user name."
  value       = wagtail_aurora_cluster.this.master_username
}

output "this_rds_cluster_master_password" {
  description = "Master password when one was given; null when it was generated, since Terraform never sees that one: read it from the SecureString master_password_ssm_parameter_name names."
  value       = local.generate_password ? null : var.password
  sensitive   = true
}

output "this_rds_cluster_hosted_zone_id" {
  description = "Route 53 hosted zone of the endpoints."
  value       = wagtail_aurora_cluster.this.hosted_zone_id
}

output "this_rds_cluster_instance_ids" {
  description = "Instance identifiers, the writer first."
  value       = wagtail_aurora_cluster.this.instance_ids
}

output "this_rds_cluster_instance_endpoints" {
  description = "Instance endpoints, in the order of this_rds_cluster_instance_ids."
  value       = wagtail_aurora_cluster.this.instance_endpoints
}

output "this_security_group_id" {
  description = "The security group made for allowed_security_groups and allowed_cidr_blocks, or \"\" if none was made."
  value       = coalesce(wagtail_aurora_cluster.this.security_group_id, "")
}

# ---- not in v2 ----

output "this_rds_cluster_instance_availability_zones" {
  description = "Availability zone of each instance, in the order of this_rds_cluster_instance_ids."
  value       = wagtail_aurora_cluster.this.instance_availability_zones
}

output "this_rds_cluster_reader_count" {
  description = "Readers besides the writer."
  value       = wagtail_aurora_cluster.this.reader_count
}

output "master_password_ssm_parameter_name" {
  description = "Name of the SSM SecureString holding the generated master password, or null when a password was given."
  value       = local.generate_password ? wagtail_ssm_parameter.master_password[0].name : null
}

output "master_password_ssm_parameter_arn" {
  description = "ARN of that SecureString, or null."
  value       = local.generate_password ? wagtail_ssm_parameter.master_password[0].arn : null
}

output "enhanced_monitoring_iam_role_arn" {
  description = "ARN of the enhanced monitoring role the module made, or null."
  value       = local.create_monitoring_role ? wagtail_iam_role.enhanced_monitoring[0].arn : null
}

output "enhanced_monitoring_iam_role_name" {
  description = "Name of that role, or null."
  value       = local.create_monitoring_role ? wagtail_iam_role.enhanced_monitoring[0].name : null
}
