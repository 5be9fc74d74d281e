# The benchmark's stack on this provider: the pieces of examples/wagtail that
# the HashiCorp AWS provider can also make, written flat (no modules) so that
# bench/stacks/aws/main.tf can say the same thing resource for resource.
#
# ECS cluster; two ECR repositories; the master password and five database
# settings as SSM SecureStrings; an enhanced-monitoring role; an Aurora
# PostgreSQL cluster with a writer and a reader, IAM authentication, a Lambda
# role, its subnet group and a security group letting the tasks and a CIDR in;
# two IAM policies; and for each of two ECS services (cymph, wagtail) a log
# group, an execution role with its inline policies, a task role with its
# managed policy, a task definition and the service.
#
# Left out, because the AWS provider has nothing like them: the IAM database
# user and the Lambda trigger (they talk to PostgreSQL), the random password
# (the hashicorp/random provider cannot be installed here), so the master
# password is an input.
#
# bench/compare.sh writes the inputs (bench.auto.tfvars.json) and points the
# provider at moto.

terraform {
  required_providers {
    wagtail = {
      source  = "wagtail/wagtail"
      version = "0.1.0"
    }
  }
}

variable "endpoint" { type = string }
variable "access_key" { type = string }
variable "secret_key" {
  type      = string
  sensitive = true
}
variable "region" { type = string }
variable "stage" { type = string }
variable "vpc_id" { type = string }
variable "subnets" { type = list(string) }
variable "tasks_security_group" { type = string }
variable "cidr_range" { type = string }
variable "lambda_role_arn" { type = string }
variable "master_password" {
  type      = string
  sensitive = true
}

provider "wagtail" {
  region     = var.region
  access_key = var.access_key
  secret_key = var.secret_key

  endpoints {
    ec2  = var.endpoint
    ecr  = var.endpoint
    ecs  = var.endpoint
    iam  = var.endpoint
    logs = var.endpoint
    rds  = var.endpoint
    ssm  = var.endpoint
    sts  = var.endpoint
  }

  default_tags {
    tags = {
      Service = "wagtail"
      Stage   = var.stage
    }
  }
}

data "wagtail_caller_identity" "current" {}

locals {
  name       = "${var.region}-${var.stage}"
  account_id = data.wagtail_caller_identity.current.account_id
  partition  = split(":", data.wagtail_caller_identity.current.arn)[1]
  db_name    = "${local.name}-wagtail-rds"
}

# ---------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------

resource "wagtail_ssm_parameter" "master_password" {
  name        = "/rds/${local.db_name}/master_password"
  type        = "SecureString"
  value       = var.master_password
  description = "Master password of the Aurora cluster ${local.db_name}"
}

resource "wagtail_iam_role" "monitoring" {
  name                 = "rds-enhanced-monitoring-${local.db_name}"
  description          = "Enhanced monitoring of the Aurora cluster ${local.db_name}"
  assume_role_services = ["monitoring.rds.amazonaws.com"]
  managed_policy_arns  = ["arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"]
}

resource "wagtail_aurora_cluster" "main" {
  name           = local.db_name
  engine         = "aurora-postgresql"
  engine_version = "11.9"
  instance_class = "db.t3.medium"
  reader_count   = 1

  database_name   = "wagtail"
  port            = 5432
  master_username = "root"
  master_password = var.master_password

  iam_database_authentication_enabled = true
  iam_roles {
    role_arn     = var.lambda_role_arn
    feature_name = "Lambda"
  }

  vpc_id                  = var.vpc_id
  subnets                 = var.subnets
  allowed_security_groups = [var.tasks_security_group]
  allowed_cidr_blocks     = [var.cidr_range]

  storage_encrypted   = true
  apply_immediately   = true
  monitoring_interval = 10
  monitoring_role_arn = wagtail_iam_role.monitoring.arn

  enabled_cloudwatch_logs_exports = ["postgresql"]
  deletion_protection             = false
  skip_final_snapshot             = true

  tags = { Environment = var.stage }
}

locals {
  database_credentials = {
    DATABASE_HOST     = wagtail_aurora_cluster.main.endpoint
    DATABASE_PORT     = tostring(wagtail_aurora_cluster.main.port)
    DATABASE_NAME     = "wagtail"
    DATABASE_USER     = "root"
    DATABASE_PASSWORD = var.master_password
  }
}

resource "wagtail_ssm_parameter" "database" {
  for_each = toset(["DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME", "DATABASE_USER", "DATABASE_PASSWORD"])

  name        = "/${var.region}/${var.stage}/wagtail/${lower(each.key)}"
  type        = "SecureString"
  value       = local.database_credentials[each.key]
  description = "Wagtail's ${each.key}"
}

# ---------------------------------------------------------------------------
# The ECS side
# ---------------------------------------------------------------------------

resource "wagtail_ecr_repository" "app" {
  for_each     = toset(["cymph", "wagtail"])
  name         = "${var.stage}-${each.key}"
  scan_on_push = true
}

resource "wagtail_ecs_cluster" "main" {
  name = "${local.name}-ecs"
}

resource "wagtail_iam_policy" "cymph_fargate" {
  name        = "${local.name}-cymph-fargate"
  description = "The cymph task's DynamoDB table"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"]
      Resource = "arn:${local.partition}:dynamodb:${var.region}:${local.account_id}:table/${var.stage}-cymph"
    }]
  })
}

resource "wagtail_iam_policy" "wagtail_fargate" {
  name        = "${local.name}-wagtail-fargate"
  description = "Log in to the database as wagtail with IAM"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["rds-db:connect"]
      Resource = "arn:${local.partition}:rds-db:${var.region}:${local.account_id}:dbuser:${wagtail_aurora_cluster.main.cluster_resource_id}/wagtail"
    }]
  })
}

locals {
  secrets = { for name, parameter in wagtail_ssm_parameter.database : name => parameter.arn }
  services = {
    cymph = {
      cpu           = 256
      memory        = 512
      desired_count = 1
      policy_arn    = wagtail_iam_policy.cymph_fargate.arn
      repository    = wagtail_ecr_repository.app["cymph"]
      secrets       = {}
      containers = templatefile("${path.module}/../templates/cymph_app.json.tpl", {
        name      = "cymph"
        image     = "${wagtail_ecr_repository.app["cymph"].repository_url}:latest"
        region    = var.region
        log_group = "/ecs/${local.name}-cymph"
        table     = "${var.stage}-cymph"
      })
    }
    wagtail = {
      cpu           = 512
      memory        = 1024
      desired_count = 2
      policy_arn    = wagtail_iam_policy.wagtail_fargate.arn
      repository    = wagtail_ecr_repository.app["wagtail"]
      secrets       = local.secrets
      containers = templatefile("${path.module}/../templates/wagtail_app.json.tpl", {
        image     = "${wagtail_ecr_repository.app["wagtail"].repository_url}:latest"
        region    = var.region
        log_group = "/ecs/${local.name}-wagtail"
        secrets   = local.secrets
        db_user   = "wagtail"
        stage     = var.stage
      })
    }
  }
}

resource "wagtail_log_group" "service" {
  for_each          = local.services
  name              = "/ecs/${local.name}-${each.key}"
  retention_in_days = 30
}

resource "wagtail_iam_role" "execution" {
  for_each             = local.services
  name                 = "${local.name}-${each.key}-execution"
  description          = "ECS starts the ${each.key} tasks with it"
  assume_role_services = ["ecs-tasks.amazonaws.com"]
  managed_policy_arns  = []
  inline_policies = merge({
    ecr-pull = jsonencode({
      Version = "2012-10-17"
      Statement = [
        { Effect = "Allow", Action = ["ecr:GetAuthorizationToken"], Resource = "*" },
        { Effect = "Allow", Action = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource = [each.value.repository.arn] },
      ]
    })
    logs = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "${wagtail_log_group.service[each.key].arn}:*" }]
    })
    }, length(each.value.secrets) == 0 ? {} : {
    secrets = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["ssm:GetParameters"], Resource = sort(values(each.value.secrets)) }]
    })
  })
}

resource "wagtail_iam_role" "task" {
  for_each             = local.services
  name                 = "${local.name}-${each.key}-task"
  description          = "The ${each.key} containers run as it"
  assume_role_services = ["ecs-tasks.amazonaws.com"]
  managed_policy_arns  = [each.value.policy_arn]
  inline_policies      = {}
}

resource "wagtail_ecs_service" "service" {
  for_each              = local.services
  name                  = "${local.name}-${each.key}"
  cluster               = wagtail_ecs_cluster.main.name
  family                = "${local.name}-${each.key}"
  container_definitions = each.value.containers
  cpu                   = each.value.cpu
  memory                = each.value.memory
  execution_role_arn    = wagtail_iam_role.execution[each.key].arn
  task_role_arn         = wagtail_iam_role.task[each.key].arn

  desired_count   = each.value.desired_count
  subnets         = var.subnets
  security_groups = [var.tasks_security_group]

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  depends_on = [wagtail_log_group.service]
}

output "database_endpoint" {
  value = wagtail_aurora_cluster.main.endpoint
}

output "services" {
  value = { for name, service in wagtail_ecs_service.service : name => service.task_definition_arn }
}
