# modules/rds-aurora: an Aurora cluster, its writer and readers, its subnet
# group and security group (all in wagtail_aurora_cluster), the enhanced
# monitoring role, and a generated master password kept in an SSM
# SecureString, made by the provider and read by it from there: no state or
# plan holds it. See README.md.

locals {
  port = var.port == "" ? (var.engine == "aurora-postgresql" ? 5432 : 3306) : tonumber(var.port)

  # Whether to generate the password decides how many resources exist, so it
  # must not be sensitive itself (the password is).
  generate_password = nonsensitive(var.password == "")
  password_parameter = (var.master_password_ssm_parameter_name != ""
    ? var.master_password_ssm_parameter_name
  : "/rds/${var.name}/master_password")

  create_monitoring_role = var.create_monitoring_role && var.monitoring_interval > 0
  monitoring_role_name   = "rds-enhanced-monitoring-${var.name}"
  monitoring_role_arn = (var.monitoring_interval == 0 ? null
    : local.create_monitoring_role ? wagtail_iam_role.enhanced_monitoring[0].arn
    : var.monitoring_role_arn != "" ? var.monitoring_role_arn
  : null)

  # "default" names no group in RDS; v2 users write it to mean the engine's
  # default group, which RDS picks when none is given.
  parameter_group         = contains(["", "default"], coalesce(var.db_parameter_group_name, "default")) ? null : var.db_parameter_group_name
  cluster_parameter_group = contains(["", "default"], coalesce(var.db_cluster_parameter_group_name, "default")) ? null : var.db_cluster_parameter_group_name

  allowed_security_groups = var.create_security_group ? var.allowed_security_groups : []
  allowed_cidr_blocks     = var.create_security_group ? var.allowed_cidr_blocks : []
}

# The partition (aws, aws-cn, aws-us-gov) for the ARN of the AWS managed
# monitoring policy, from whoever the provider runs as.
data "wagtail_caller_identity" "current" {
  count = local.create_monitoring_role ? 1 : 0
}

resource "wagtail_ssm_parameter" "master_password" {
  count = local.generate_password ? 1 : 0

  name = local.password_parameter
  type = "SecureString"
  # The provider makes the password and puts it here itself: 32 characters
  # of letters, digits and punctuation RDS takes (no / " @ or space).
  random_value_length = 32
  key_id              = var.master_password_kms_key_id
  description         = "Master password of the Aurora cluster ${var.name}"
  tags                = var.tags
}

resource "wagtail_iam_role" "enhanced_monitoring" {
  count = local.create_monitoring_role ? 1 : 0

  # v2's name, cut to IAM's 64 characters.
  name                 = substr(local.monitoring_role_name, 0, 64)
  description          = "Enhanced monitoring of the Aurora cluster ${var.name}"
  assume_role_services = ["monitoring.rds.amazonaws.com"]
  managed_policy_arns = [
    "arn:${split(":", data.wagtail_caller_identity.current[0].arn)[1]}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
  ]
  permissions_boundary = var.permissions_boundary
  tags                 = merge(var.tags, { Name = "aurora-${var.name}" })
}

resource "wagtail_aurora_cluster" "this" {
  name           = var.name
  engine         = var.engine
  engine_version = var.engine_version == "" ? null : var.engine_version
  instance_class = var.instance_type
  reader_count   = var.replica_count

  database_name   = var.database_name == "" ? null : var.database_name
  port            = local.port
  master_username = var.username
  master_password = local.generate_password ? null : var.password
  # A generated password is read from its SecureString by the provider, and
  # read again whenever the parameter gets a new value (value_version: a new
  # description or key makes a new version of the same value, which is not
  # sent again). A state of the parameter from before value_version, not
  # refreshed, has none: its version then.
  master_password_parameter = local.generate_password ? wagtail_ssm_parameter.master_password[0].name : null
  master_password_wo_version = local.generate_password ? coalesce(
    wagtail_ssm_parameter.master_password[0].value_version,
    wagtail_ssm_parameter.master_password[0].version,
  ) : null

  iam_database_authentication_enabled = var.iam_database_authentication_enabled

  dynamic "iam_roles" {
    for_each = var.iam_roles
    content {
      role_arn     = iam_roles.value
      feature_name = var.iam_role_feature_name
    }
  }

  vpc_id                  = var.vpc_id == "" ? null : var.vpc_id
  subnets                 = var.db_subnet_group_name == "" && length(var.subnets) > 0 ? var.subnets : null
  db_subnet_group_name    = var.db_subnet_group_name == "" ? null : var.db_subnet_group_name
  allowed_security_groups = length(local.allowed_security_groups) > 0 ? local.allowed_security_groups : null
  allowed_cidr_blocks     = length(local.allowed_cidr_blocks) > 0 ? local.allowed_cidr_blocks : null
  vpc_security_group_ids  = length(var.vpc_security_group_ids) > 0 ? var.vpc_security_group_ids : null

  storage_encrypted   = var.storage_encrypted
  kms_key_id          = var.kms_key_id == "" ? null : var.kms_key_id
  apply_immediately   = var.apply_immediately
  monitoring_interval = var.monitoring_interval
  monitoring_role_arn = local.monitoring_role_arn

  db_parameter_group_name         = local.parameter_group
  db_cluster_parameter_group_name = local.cluster_parameter_group
  enabled_cloudwatch_logs_exports = length(var.enabled_cloudwatch_logs_exports) > 0 ? var.enabled_cloudwatch_logs_exports : null

  backup_retention_period   = var.backup_retention_period
  preferred_backup_window   = var.preferred_backup_window
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = var.skip_final_snapshot
  final_snapshot_identifier = "${var.final_snapshot_identifier_prefix}-${var.name}"

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.monitoring_interval == 0 || local.create_monitoring_role || var.monitoring_role_arn != ""
      error_message = "monitoring_interval > 0 with create_monitoring_role = false needs monitoring_role_arn."
    }
    precondition {
      condition     = length(local.allowed_security_groups) + length(local.allowed_cidr_blocks) == 0 || var.vpc_id != ""
      error_message = "allowed_security_groups and allowed_cidr_blocks make a security group, which needs vpc_id."
    }
  }
}
