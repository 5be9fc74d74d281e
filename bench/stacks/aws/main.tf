# The benchmark's stack on the HashiCorp AWS provider: bench/stacks/wagtail/
# main.tf said with aws_* resources, piece for piece (no registry modules: the
# Terraform registry cannot be reached here). Where one wagtail_* resource
# makes several AWS objects, this side needs several resources:
#
#   wagtail_aurora_cluster  aws_db_subnet_group, aws_security_group (ingress
#                           from the tasks' group and the CIDR, EC2's default
#                           egress kept), aws_rds_cluster, two
#                           aws_rds_cluster_instance (writer, reader)
#   wagtail_iam_role        aws_iam_role + one aws_iam_role_policy per inline
#                           policy + aws_iam_role_policy_attachment
#   wagtail_ecs_service     aws_ecs_task_definition + aws_ecs_service
#
# Differences moto forces: the Lambda role goes in aws_rds_cluster's
# iam_roles (AddRoleToDBCluster without a FeatureName), because
# aws_rds_cluster_role_association's destroy calls RemoveRoleFromDBCluster,
# which moto 5.2.1 does not implement; and two ignore_changes below, for
# attributes moto answers wrongly (the plan after apply must be empty).

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "6.48.0-dev"
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

provider "aws" {
  region     = var.region
  access_key = var.access_key
  secret_key = var.secret_key

  # Never ask the instance metadata service (there is none here).
  skip_metadata_api_check = true

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

data "aws_caller_identity" "current" {}

locals {
  name       = "${var.region}-${var.stage}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = split(":", data.aws_caller_identity.current.arn)[1]
  db_name    = "${local.name}-wagtail-rds"
}

# ---------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------

resource "aws_ssm_parameter" "master_password" {
  name        = "/rds/${local.db_name}/master_password"
  type        = "SecureString"
  value       = var.master_password
  description = "Master password of the Aurora cluster ${local.db_name}"
}

resource "aws_iam_role" "monitoring" {
  name        = "rds-enhanced-monitoring-${local.db_name}"
  description = "Enhanced monitoring of the Aurora cluster ${local.db_name}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "monitoring.rds.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  role       = aws_iam_role.monitoring.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_subnet_group" "main" {
  name       = "${local.db_name}-subnets"
  subnet_ids = var.subnets
}

resource "aws_security_group" "database" {
  name        = "${local.db_name}-sg"
  description = "Who may reach the Aurora cluster ${local.db_name}"
  vpc_id      = var.vpc_id

  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [var.tasks_security_group]
    cidr_blocks     = [var.cidr_range]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_rds_cluster" "main" {
  cluster_identifier = local.db_name
  engine             = "aurora-postgresql"
  engine_version     = "11.9"

  database_name   = "wagtail"
  port            = 5432
  master_username = "root"
  master_password = var.master_password

  iam_database_authentication_enabled = true
  iam_roles                           = [var.lambda_role_arn]

  db_subnet_group_name   = aws_db_subnet_group.main.name
  vpc_security_group_ids = [aws_security_group.database.id]

  storage_encrypted               = true
  apply_immediately               = true
  enabled_cloudwatch_logs_exports = ["postgresql"]
  deletion_protection             = false
  skip_final_snapshot             = true

  tags = { Environment = var.stage }

  # moto answers DescribeDBClusters of a provisioned cluster with a
  # ScalingConfigurationInfo (Serverless v1's), which the provider then wants
  # to remove: drift that only moto makes.
  lifecycle {
    ignore_changes = [scaling_configuration]
  }
}

resource "aws_rds_cluster_instance" "main" {
  count              = 2 # the writer and one reader
  identifier         = "${local.db_name}-${count.index + 1}"
  cluster_identifier = aws_rds_cluster.main.id
  engine             = aws_rds_cluster.main.engine
  engine_version     = aws_rds_cluster.main.engine_version
  instance_class     = "db.t3.medium"
  promotion_tier     = count.index == 0 ? 0 : 1

  apply_immediately   = true
  monitoring_interval = 10
  monitoring_role_arn = aws_iam_role.monitoring.arn

  tags = { Environment = var.stage }

  # moto keeps no MonitoringInterval for Aurora instances (DescribeDBInstances
  # leaves it out), so the provider reads 0 and would set it again on every
  # plan: drift that only moto makes.
  lifecycle {
    ignore_changes = [monitoring_interval, monitoring_role_arn]
  }
}

locals {
  database_credentials = {
    DATABASE_HOST     = aws_rds_cluster.main.endpoint
    DATABASE_PORT     = tostring(aws_rds_cluster.main.port)
    DATABASE_NAME     = "wagtail"
    DATABASE_USER     = "root"
    DATABASE_PASSWORD = var.master_password
  }
}

resource "aws_ssm_parameter" "database" {
  for_each = toset(["DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME", "DATABASE_USER", "DATABASE_PASSWORD"])

  name        = "/${var.region}/${var.stage}/wagtail/${lower(each.key)}"
  type        = "SecureString"
  value       = local.database_credentials[each.key]
  description = "Wagtail's ${each.key}"
}

# ---------------------------------------------------------------------------
# The ECS side
# ---------------------------------------------------------------------------

resource "aws_ecr_repository" "app" {
  for_each = toset(["cymph", "wagtail"])
  name     = "${var.stage}-${each.key}"
  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecs_cluster" "main" {
  name = "${local.name}-ecs"
}

resource "aws_iam_policy" "cymph_fargate" {
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

resource "aws_iam_policy" "wagtail_fargate" {
  name        = "${local.name}-wagtail-fargate"
  description = "Log in to the database as wagtail with IAM"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["rds-db:connect"]
      Resource = "arn:${local.partition}:rds-db:${var.region}:${local.account_id}:dbuser:${aws_rds_cluster.main.cluster_resource_id}/wagtail"
    }]
  })
}

locals {
  secrets = { for name, parameter in aws_ssm_parameter.database : name => parameter.arn }
  services = {
    cymph = {
      cpu           = 256
      memory        = 512
      desired_count = 1
      policy_arn    = aws_iam_policy.cymph_fargate.arn
      repository    = aws_ecr_repository.app["cymph"]
      secrets       = {}
      containers = templatefile("${path.module}/../templates/cymph_app.json.tpl", {
        name      = "cymph"
        image     = "${aws_ecr_repository.app["cymph"].repository_url}:latest"
        region    = var.region
        log_group = "/ecs/${local.name}-cymph"
        table     = "${var.stage}-cymph"
      })
    }
    wagtail = {
      cpu           = 512
      memory        = 1024
      desired_count = 2
      policy_arn    = aws_iam_policy.wagtail_fargate.arn
      repository    = aws_ecr_repository.app["wagtail"]
      secrets       = local.secrets
      containers = templatefile("${path.module}/../templates/wagtail_app.json.tpl", {
        image     = "${aws_ecr_repository.app["wagtail"].repository_url}:latest"
        region    = var.region
        log_group = "/ecs/${local.name}-wagtail"
        secrets   = local.secrets
        db_user   = "wagtail"
        stage     = var.stage
      })
    }
  }

  # Every inline policy of every execution role, keyed "service/policy".
  execution_policies = merge([for service, config in local.services : merge({
    "${service}/ecr-pull" = {
      service = service
      name    = "ecr-pull"
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [
          { Effect = "Allow", Action = ["ecr:GetAuthorizationToken"], Resource = "*" },
          { Effect = "Allow", Action = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource = [config.repository.arn] },
        ]
      })
    }
    "${service}/logs" = {
      service = service
      name    = "logs"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "${aws_cloudwatch_log_group.service[service].arn}:*" }]
      })
    }
    }, length(config.secrets) == 0 ? {} : {
    "${service}/secrets" = {
      service = service
      name    = "secrets"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = ["ssm:GetParameters"], Resource = sort(values(config.secrets)) }]
      })
    }
  })]...)

  ecs_tasks_trust = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }]
  })
}

resource "aws_cloudwatch_log_group" "service" {
  for_each          = local.services
  name              = "/ecs/${local.name}-${each.key}"
  retention_in_days = 30
}

resource "aws_iam_role" "execution" {
  for_each           = local.services
  name               = "${local.name}-${each.key}-execution"
  description        = "ECS starts the ${each.key} tasks with it"
  assume_role_policy = local.ecs_tasks_trust
}

resource "aws_iam_role_policy" "execution" {
  for_each = local.execution_policies
  role     = aws_iam_role.execution[each.value.service].name
  name     = each.value.name
  policy   = each.value.policy
}

resource "aws_iam_role" "task" {
  for_each           = local.services
  name               = "${local.name}-${each.key}-task"
  description        = "The ${each.key} containers run as it"
  assume_role_policy = local.ecs_tasks_trust
}

resource "aws_iam_role_policy_attachment" "task" {
  for_each   = local.services
  role       = aws_iam_role.task[each.key].name
  policy_arn = each.value.policy_arn
}

resource "aws_ecs_task_definition" "service" {
  for_each                 = local.services
  family                   = "${local.name}-${each.key}"
  container_definitions    = each.value.containers
  cpu                      = tostring(each.value.cpu)
  memory                   = tostring(each.value.memory)
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  execution_role_arn       = aws_iam_role.execution[each.key].arn
  task_role_arn            = aws_iam_role.task[each.key].arn
}

resource "aws_ecs_service" "service" {
  for_each        = local.services
  name            = "${local.name}-${each.key}"
  cluster         = aws_ecs_cluster.main.arn
  task_definition = aws_ecs_task_definition.service[each.key].arn
  desired_count   = each.value.desired_count
  launch_type     = "FARGATE"

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnets
    security_groups  = [var.tasks_security_group]
    assign_public_ip = false
  }

  depends_on = [aws_cloudwatch_log_group.service, aws_iam_role_policy.execution]
}

output "database_endpoint" {
  value = aws_rds_cluster.main.endpoint
}

output "services" {
  value = { for name, service in aws_ecs_task_definition.service : name => service.arn }
}
