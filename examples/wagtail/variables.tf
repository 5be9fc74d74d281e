# Inputs of the example stack. The first group are the ones the design's
# blocks refer to, under the design's names; the rest are what a runnable
# stack needs besides. README.md says what to give for real AWS and what
# `make demo` gives for the local one.

# ---- named by the design ----

variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "eu-west-1"
}

variable "stage" {
  description = "Stage (dev, staging, prod): part of every name and the Environment tag."
  type        = string
  default     = "dev"
}

variable "private_subnet_id" {
  # The design passes it as the cluster's vpc_id: it holds the VPC's id.
  description = "The VPC of the stack (the design's module block passes it as vpc_id): the database's security group is made in it."
  type        = string
}

variable "subnets" {
  description = "Private subnets, in two or more availability zones: the database instances and the tasks are spread over them."
  type        = list(string)
}

variable "wagtail_rds_iam_role" {
  description = "ARN of the role Aurora assumes to invoke Lambda (it trusts rds.amazonaws.com and may lambda:InvokeFunction the page_changed function)."
  type        = string
}

variable "wagtail_ecs_sg" {
  description = "Security group of the ECS tasks; the database lets it in."
  type        = string
}

variable "wagtail_cidr_range" {
  description = "CIDR block also let into the database (e.g. a VPN's, for migrations and psql)."
  type        = string
}

# ---- the rest of the stack ----

variable "project" {
  description = "The existing app that shares the ECS cluster with Wagtail; names its service, role and table."
  type        = string
  default     = "cymph"
}

variable "cymph_image_tag" {
  description = "Tag of the cymph image in its ECR repository."
  type        = string
  default     = "latest"
}

variable "wagtail_image_tag" {
  description = "Tag of the Wagtail image in its ECR repository."
  type        = string
  default     = "latest"
}

variable "wagtail_db_user" {
  description = "The IAM database user Wagtail logs in as with an IAM token (the design's db_userx)."
  type        = string
  default     = "wagtail"
}

variable "page_changed_lambda_arn" {
  description = "Lambda function invoked when a Wagtail page is created, changed or deleted. Null: no trigger. The trigger needs the table wagtailcore_page, which Wagtail's migrations create: on a new cluster, deploy and migrate first, then set this."
  type        = string
  default     = null
}

variable "rds_ca_bundle" {
  description = "PEM file of the RDS certificate authorities, for verifying the cluster when Terraform connects to it (https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem). Null: libpq's default, ~/.postgresql/root.crt."
  type        = string
  default     = null
}

variable "database_connection" {
  description = "Where the database resources (the IAM database user and the Lambda trigger) connect. Null (the default): the cluster's writer endpoint, as its master user, TLS verified against rds_ca_bundle. The local quick start points them at a local PostgreSQL instead."
  type = object({
    host        = string
    port        = optional(number, 5432)
    database    = string
    username    = string
    sslmode     = optional(string, "verify-full")
    sslrootcert = optional(string)
  })
  default = null
}

variable "database_password_parameter" {
  description = "Name of an SSM SecureString holding the password of database_connection.username; only with database_connection. The provider reads it whenever it connects, so the password is in no state or plan."
  type        = string
  default     = null
}

variable "database_password" {
  description = "The password of database_connection.username itself, if it is in no SecureString (it is then kept in the state); only with database_connection. Prefer database_password_parameter."
  type        = string
  default     = null
  sensitive   = true
}
