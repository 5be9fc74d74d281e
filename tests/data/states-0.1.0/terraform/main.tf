terraform {
  required_providers {
    wagtail = { source = "wagtail/wagtail" }
  }
}

variable "aws_endpoint" { type = string }
variable "aws_access_key" { type = string }
variable "aws_secret_key" {
  type      = string
  sensitive = true
}

provider "wagtail" {
  region      = "eu-west-1"
  access_key  = var.aws_access_key
  secret_key  = var.aws_secret_key
  max_retries = 2
  endpoints {
    ec2            = var.aws_endpoint
    ecr            = var.aws_endpoint
    ecs            = var.aws_endpoint
    iam            = var.aws_endpoint
    lambda         = var.aws_endpoint
    logs           = var.aws_endpoint
    rds            = var.aws_endpoint
    secretsmanager = var.aws_endpoint
    ssm            = var.aws_endpoint
    sts            = var.aws_endpoint
  }
  default_tags {
    tags = { ManagedBy = "wagtail-state-upgrade" }
  }
}

resource "wagtail_random_password" "db" {
  length           = 24
  special          = true
  override_special = "!#%+-"
  min_lower        = 2
  min_upper        = 2
  min_numeric      = 3
  min_special      = 1
  keepers          = { rotation = "2026-11" }
}

resource "wagtail_iam_policy" "read" {
  name        = "su-terraform-read"
  path        = "/wagtail/"
  description = "Read the media bucket"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:ListBucket"], Resource = "*" }]
  })
  tags = { Team = "cms" }
}

resource "wagtail_iam_policy" "prefixed" {
  name_prefix = "su-terraform-write-"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:PutObject", Resource = "arn:aws:s3:::media/*" }]
  })
}

resource "wagtail_iam_role" "task" {
  name                 = "su-terraform-task"
  path                 = "/wagtail/"
  description          = "The Wagtail containers"
  assume_role_services = ["ecs-tasks.amazonaws.com"]
  managed_policy_arns  = [wagtail_iam_policy.read.arn, wagtail_iam_policy.prefixed.arn]
  max_session_duration = 7200
  permissions_boundary = wagtail_iam_policy.read.arn
  inline_policies = {
    logs = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "*" }]
    })
  }
  tags = { Team = "cms" }
}

resource "wagtail_iam_role" "execution" {
  name_prefix = "su-terraform-exec-"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "wagtail_iam_role" "monitoring" {
  name                 = "su-terraform-monitoring"
  assume_role_services = ["monitoring.rds.amazonaws.com"]
}

resource "wagtail_iam_role" "lambda" {
  name                 = "su-terraform-aurora-lambda"
  assume_role_services = ["rds.amazonaws.com"]
}

resource "wagtail_log_group" "app" {
  name              = "/ecs/su-terraform-wagtail"
  retention_in_days = 14
  kms_key_id        = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  tags              = { Team = "cms" }
}

resource "wagtail_ssm_parameter" "password" {
  name        = "/su-terraform/database/password"
  description = "The database master password"
  type        = "SecureString"
  value       = wagtail_random_password.db.result
  key_id      = "alias/aws/ssm"
  tier        = "Standard"
  tags        = { Team = "cms" }
}

resource "wagtail_ssm_parameter" "host" {
  name        = "/su-terraform/database/host"
  description = "The writer endpoint"
  type        = "String"
  value       = wagtail_aurora_cluster.db.endpoint
  tier        = "Advanced"
}

resource "wagtail_ecr_repository" "wagtail" {
  name                 = "su-terraform/wagtail"
  image_tag_mutability = "IMMUTABLE"
  scan_on_push         = true
  encryption_type      = "AES256"
  force_delete         = true
  tags                 = { Team = "cms" }
}

resource "wagtail_ecs_cluster" "main" {
  name               = "su-terraform-cluster"
  container_insights = "enabled"
  tags               = { Team = "cms" }
}

resource "wagtail_ecs_service" "wagtail" {
  name    = "wagtail"
  cluster = wagtail_ecs_cluster.main.arn
  family  = "su-terraform-wagtail"
  container_definitions = jsonencode([{
    name              = "wagtail"
    image             = "${wagtail_ecr_repository.wagtail.repository_url}:1.0"
    memoryReservation = 256
    portMappings      = [{ containerPort = 8000 }]
    environment       = [{ name = "DJANGO_SETTINGS_MODULE", value = "wagtail.settings.production" }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = wagtail_log_group.app.name
        "awslogs-region"        = "eu-west-1"
        "awslogs-stream-prefix" = "wagtail"
      }
    }
  }])
  cpu                                = 512
  memory                             = 1024
  execution_role_arn                 = wagtail_iam_role.execution.arn
  task_role_arn                      = wagtail_iam_role.task.arn
  desired_count                      = 2
  subnets                            = ["subnet-6d9883772fe97f7c1", "subnet-bb009f8967c962543"]
  security_groups                    = ["sg-a9be0dfebfefbc31f"]
  assign_public_ip                   = false
  platform_version                   = "1.4.0"
  deployment_minimum_healthy_percent = 50
  deployment_maximum_percent         = 150
  health_check_grace_period_seconds  = 60
  enable_execute_command             = true
  propagate_tags                     = "SERVICE"
  wait_for_steady_state              = false
  force_new_deployment               = false
  tags                               = { App = "wagtail" }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  load_balancer {
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/su-terraform-wagtail/c6ba6d79cb8a0fa9"
    container_name   = "wagtail"
    container_port   = 8000
  }

  timeouts {
    create = "15m"
    update = "15m"
  }
}

resource "wagtail_aurora_cluster" "db" {
  name                                = "su-terraform-db"
  engine                              = "aurora-postgresql"
  engine_version                      = "15.4"
  instance_class                      = "db.r6g.large"
  reader_count                        = 1
  database_name                       = "wagtail"
  port                                = 5432
  master_username                     = "wagtail"
  master_password                     = wagtail_random_password.db.result
  iam_database_authentication_enabled = true
  vpc_id                              = "vpc-a811bb329d1cb1917"
  subnets                             = ["subnet-6d9883772fe97f7c1", "subnet-bb009f8967c962543"]
  allowed_security_groups             = ["sg-a9be0dfebfefbc31f"]
  allowed_cidr_blocks                 = ["10.20.0.0/16"]
  storage_encrypted                   = true
  monitoring_interval                 = 60
  monitoring_role_arn                 = wagtail_iam_role.monitoring.arn
  enabled_cloudwatch_logs_exports     = ["postgresql"]
  backup_retention_period             = 7
  preferred_backup_window             = "02:00-03:00"
  deletion_protection                 = false
  skip_final_snapshot                 = true
  apply_immediately                   = true
  tags                                = { Team = "cms" }

  iam_roles {
    role_arn     = wagtail_iam_role.lambda.arn
    feature_name = "Lambda"
  }

  timeouts {
    create = "30m"
    delete = "20m"
  }
}

resource "wagtail_iam_db_user" "editor" {
  name                = "su-terraform-editor"
  roles               = ["wagtail_app"]
  database_privileges = ["CONNECT", "CREATE"]
  connection_limit    = 5
  grant_rds_iam       = true
  cluster_resource_id = wagtail_aurora_cluster.db.cluster_resource_id
  region              = "eu-west-1"

  db_connection {
    host        = "localhost"
    port        = 38595
    database    = "wagtail"
    username    = "wagtail_admin"
    password    = "admin-Secret-4711"
    sslmode     = "verify-full"
    sslrootcert = "/tmp/wagtail-pg.L7K7zs/ca.crt"
  }

  timeouts {
    create = "5m"
  }
}

resource "wagtail_aurora_lambda_trigger" "purge" {
  name               = "su-terraform-purge"
  cluster_identifier = wagtail_aurora_cluster.db.name
  table              = "public.wagtailcore_page"
  events             = ["INSERT", "UPDATE", "DELETE"]
  function_arn       = "arn:aws:lambda:eu-west-1:123456789012:function:su-terraform-purge"
  invocation_type    = "RequestResponse"
  payload_columns    = ["id", "title", "url_path"]

  db_connection {
    host        = "localhost"
    port        = 38595
    database    = "wagtail"
    username    = "wagtail_admin"
    password    = "admin-Secret-4711"
    sslrootcert = "/tmp/wagtail-pg.L7K7zs/ca.crt"
  }

  timeouts {
    create = "10m"
  }
}
