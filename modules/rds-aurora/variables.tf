# Inputs of modules/rds-aurora. Names, types and defaults follow
# terraform-aws-modules/rds-aurora v2, so a `module` block written for v2
# keeps working with only its `source` (and `version`) line changed. Where
# this module reads an input differently from v2, the description says so;
# README.md lists every difference.

# ---- the cluster ----

variable "name" {
  description = "Cluster identifier; also the stem of the names of what the module makes."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[A-Za-z](-?[A-Za-z0-9])*$", var.name)) && length(var.name) <= 63
    error_message = "name must be an RDS cluster identifier: a letter, then letters, digits and single hyphens, at most 63 characters, not ending in a hyphen."
  }
}

variable "engine" {
  description = "aurora-postgresql or aurora-mysql. (v2's default \"aurora\", Aurora MySQL 5.6, is retired by AWS: the default here is aurora-postgresql.)"
  type        = string
  default     = "aurora-postgresql"

  validation {
    condition     = contains(["aurora-postgresql", "aurora-mysql"], var.engine)
    error_message = "engine must be \"aurora-postgresql\" or \"aurora-mysql\"."
  }
}

variable "engine_version" {
  description = "Engine version, e.g. \"15.4\". Empty: RDS's default for the engine."
  type        = string
  default     = ""
}

variable "instance_type" {
  description = "Instance class of the writer and of every reader, e.g. db.t3.medium."
  type        = string

  validation {
    condition     = can(regex("^db\\.[a-z0-9-]+(\\.[a-z0-9-]+)?$", var.instance_type))
    error_message = "instance_type must be an RDS instance class such as \"db.t3.medium\" or \"db.serverless\"."
  }
}

variable "replica_count" {
  description = "Readers besides the writer, 0 to 15. Unlike v2, which counted the writer among them (so that replica_count = 1 gave a writer and no reader to fail over to), 1 here means a writer and one reader."
  type        = number
  default     = 1

  validation {
    condition     = var.replica_count >= 0 && var.replica_count <= 15 && floor(var.replica_count) == var.replica_count
    error_message = "replica_count must be a whole number from 0 to 15: the readers besides the writer."
  }
}

variable "database_name" {
  description = "Database created with the cluster. Empty: none."
  type        = string
  default     = ""
}

variable "port" {
  description = "Port the cluster listens on. Empty: 5432 for aurora-postgresql, 3306 for aurora-mysql. A number is taken too."
  type        = string
  default     = ""

  validation {
    condition     = var.port == "" || try(tonumber(var.port) >= 1150 && tonumber(var.port) <= 65535, false)
    error_message = "port must be empty or a number from 1150 to 65535."
  }
}

variable "username" {
  description = "Master user name."
  type        = string
  default     = "root"
}

variable "password" {
  description = "Master password. Empty: a random one, kept in an SSM SecureString (see master_password_ssm_parameter_name)."
  type        = string
  default     = ""
  sensitive   = true

  validation {
    condition     = var.password == "" || (length(var.password) >= 8 && length(var.password) <= 128 && can(regex("^[!#-.0-?A-~]+$", var.password)))
    error_message = "password must be empty (a random one is made) or 8 to 128 printable ASCII characters without '/', '\"', '@' or spaces, as RDS requires."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the cluster. Turn it off (and apply) before a destroy."
  type        = bool
  default     = false
}

variable "skip_final_snapshot" {
  description = "Delete the cluster without a final snapshot."
  type        = bool
  default     = false
}

variable "final_snapshot_identifier_prefix" {
  description = "The final snapshot is named PREFIX-NAME."
  type        = string
  default     = "final"
}

variable "backup_retention_period" {
  description = "Days of automated backups, 1 to 35."
  type        = number
  default     = 7
}

variable "preferred_backup_window" {
  description = "Daily backup window, hh24:mi-hh24:mi in UTC."
  type        = string
  default     = "02:00-03:00"
}

variable "apply_immediately" {
  description = "Apply changes now rather than in the next maintenance window."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags of the cluster, its instances and everything else the module makes."
  type        = map(string)
  default     = {}
}

# ---- authentication and roles ----

variable "iam_database_authentication_enabled" {
  description = "Let IAM principals log in with authentication tokens (rds-db:connect)."
  type        = bool
  default     = false
}

variable "iam_roles" {
  description = "ARNs of IAM roles to associate with the cluster, each for iam_role_feature_name."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.iam_roles : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", arn))])
    error_message = "iam_roles must hold IAM role ARNs (arn:aws:iam::ACCOUNT:role/NAME)."
  }
}

variable "iam_role_feature_name" {
  description = "Not in v2. The feature the iam_roles serve: Aurora PostgreSQL needs one per role, e.g. Lambda (aws_lambda.invoke from SQL) or s3Import."
  type        = string
  default     = "Lambda"
}

# ---- network ----

variable "vpc_id" {
  description = "VPC of the security group made for allowed_security_groups and allowed_cidr_blocks."
  type        = string
  default     = ""
}

variable "subnets" {
  description = "Subnets, in two or more availability zones: a DB subnet group NAME-subnets is made of them, and the writer and readers are spread over their zones."
  type        = list(string)
  default     = []
}

variable "db_subnet_group_name" {
  description = "An existing DB subnet group to use instead of subnets."
  type        = string
  default     = ""
}

variable "create_security_group" {
  description = "Make a security group that lets allowed_security_groups and allowed_cidr_blocks in on port. (It is made only when one of them is non-empty.)"
  type        = bool
  default     = true
}

variable "allowed_security_groups" {
  description = "Security groups allowed in on port."
  type        = list(string)
  default     = []
}

variable "allowed_cidr_blocks" {
  description = "CIDR blocks allowed in on port."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.allowed_cidr_blocks : can(cidrhost(cidr, 0))])
    error_message = "allowed_cidr_blocks must hold CIDR blocks such as 10.0.0.0/16."
  }
}

variable "vpc_security_group_ids" {
  description = "More security groups for the cluster."
  type        = list(string)
  default     = []
}

# ---- storage, monitoring, parameters, logs ----

variable "storage_encrypted" {
  description = "Encrypt the storage."
  type        = bool
  default     = true
}

variable "kms_key_id" {
  description = "ARN of the KMS key for storage encryption. Empty: the account's RDS key."
  type        = string
  default     = ""
}

variable "monitoring_interval" {
  description = "Enhanced monitoring every 0 (off), 1, 5, 10, 15, 30 or 60 seconds."
  type        = number
  default     = 0

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval)
    error_message = "monitoring_interval must be 0, 1, 5, 10, 15, 30 or 60."
  }
}

variable "create_monitoring_role" {
  description = "With monitoring_interval > 0, make the enhanced monitoring role (trusting monitoring.rds.amazonaws.com, with AmazonRDSEnhancedMonitoringRole attached)."
  type        = bool
  default     = true
}

variable "monitoring_role_arn" {
  description = "The enhanced monitoring role to use when create_monitoring_role is false."
  type        = string
  default     = ""
}

variable "permissions_boundary" {
  description = "ARN of the permissions boundary of the monitoring role."
  type        = string
  default     = null
}

variable "db_parameter_group_name" {
  description = "Instance parameter group. Null, empty or \"default\": the engine's default group, which RDS picks."
  type        = string
  default     = null
}

variable "db_cluster_parameter_group_name" {
  description = "Cluster parameter group. Null, empty or \"default\": the engine's default group, which RDS picks."
  type        = string
  default     = null
}

variable "enabled_cloudwatch_logs_exports" {
  description = "Logs exported to CloudWatch: postgresql for aurora-postgresql; audit, error, general, slowquery for aurora-mysql."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for log in var.enabled_cloudwatch_logs_exports : contains(["postgresql", "audit", "error", "general", "slowquery"], log)])
    error_message = "enabled_cloudwatch_logs_exports may hold postgresql, audit, error, general and slowquery."
  }
}

# ---- the generated password (not in v2) ----

variable "master_password_ssm_parameter_name" {
  description = "Not in v2. Name of the SSM SecureString that keeps a generated master password. Empty: /rds/NAME/master_password."
  type        = string
  default     = ""
}

variable "master_password_kms_key_id" {
  description = "Not in v2. KMS key of that SecureString. Null: alias/aws/ssm."
  type        = string
  default     = null
}
