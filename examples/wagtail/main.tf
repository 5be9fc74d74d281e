# The Wagtail component: the ECS cluster outside the ECS module, two
# services on it (the existing cymph app and Wagtail), the
# Aurora PostgreSQL cluster through the rds-aurora module with the design's
# arguments, the database credentials as SSM SecureStrings the Wagtail task
# reads, ECR repositories, an IAM database user whose rds-db:connect policy
# the Wagtail task role gets, and a Lambda trigger on wagtailcore_page.
#
# The design's blocks are kept as it wrote them; only the module sources
# (local paths, which take no `version`) and the AWS provider's resource
# types (wagtail_* instead of aws_*, templatefile instead of the template
# provider) differ. README.md: how to run it locally and on AWS.

terraform {
  required_version = ">= 1.3"

  required_providers {
    wagtail = {
      source = "wagtail/wagtail"
    }
  }
}

provider "wagtail" {
  region = var.region

  default_tags {
    tags = {
      Service = "wagtail"
      Stage   = var.stage
    }
  }
}

data "wagtail_caller_identity" "current" {}

locals {
  wagtail_port = 5432
  cluster_name = "${var.region}-${var.stage}-ecs"
  label_id     = "${var.region}-${var.stage}-${var.project}"
  account_id   = data.wagtail_caller_identity.current.account_id
  partition    = split(":", data.wagtail_caller_identity.current.arn)[1]
}

# ---------------------------------------------------------------------------
# 1. The RDS instance
# ---------------------------------------------------------------------------

module "wagtail_rds_instance" {
  source = "../../modules/rds-aurora"

  name           = "${var.region}-${var.stage}-wagtail-rds"
  engine         = "aurora-postgresql"
  engine_version = "11.9"
  instance_type  = "db.t3.medium"

  database_name = "wagtail"
  port          = local.wagtail_port

  deletion_protection = true

  iam_database_authentication_enabled = true

  iam_roles = [var.wagtail_rds_iam_role]

  vpc_id  = var.private_subnet_id
  subnets = var.subnets

  replica_count           = 1
  allowed_security_groups = [var.wagtail_ecs_sg]
  allowed_cidr_blocks     = [var.wagtail_cidr_range]

  storage_encrypted   = true
  apply_immediately   = true
  monitoring_interval = 10

  db_parameter_group_name         = "default"
  db_cluster_parameter_group_name = "default"

  enabled_cloudwatch_logs_exports = ["postgresql"]

  tags = {
    Environment = "${var.stage}"
  }
}

# ---------------------------------------------------------------------------
# 2. Handling our connection
# ---------------------------------------------------------------------------

# Database connection settings: SecureStrings the Wagtail task reads into
# its environment at start (ECS `secrets`), from the RDS module's outputs.
# The password's SecureString is the module's own: the provider made the
# password there, and Terraform never holds it (no state or plan has it).
locals {
  database_settings = {
    DATABASE_HOST = module.wagtail_rds_instance.this_rds_cluster_endpoint
    DATABASE_PORT = tostring(module.wagtail_rds_instance.this_rds_cluster_port)
    DATABASE_NAME = module.wagtail_rds_instance.this_rds_cluster_database_name
    DATABASE_USER = module.wagtail_rds_instance.this_rds_cluster_master_username
  }
}

resource "wagtail_ssm_parameter" "database" {
  for_each = local.database_settings

  name        = "/${var.region}/${var.stage}/wagtail/${lower(each.key)}"
  type        = "SecureString"
  value       = each.value
  description = "Wagtail's ${each.key}"
}

locals {
  database_secrets = merge(
    { for name, parameter in wagtail_ssm_parameter.database : name => parameter.arn },
    { DATABASE_PASSWORD = module.wagtail_rds_instance.master_password_ssm_parameter_arn },
  )
}

# IAM authentication: the database user (CREATE USER ...; GRANT rds_iam ...)
# made over a database connection instead of a local-exec, and the
# rds-db:connect policy for it, which goes to the Wagtail task role below.
locals {
  local_database = var.database_connection != null
  database = {
    host        = local.local_database ? var.database_connection.host : module.wagtail_rds_instance.this_rds_cluster_endpoint
    port        = local.local_database ? var.database_connection.port : module.wagtail_rds_instance.this_rds_cluster_port
    database    = local.local_database ? var.database_connection.database : module.wagtail_rds_instance.this_rds_cluster_database_name
    username    = local.local_database ? var.database_connection.username : module.wagtail_rds_instance.this_rds_cluster_master_username
    sslmode     = local.local_database ? var.database_connection.sslmode : "verify-full"
    sslrootcert = local.local_database ? var.database_connection.sslrootcert : var.rds_ca_bundle
  }
  # The password's SecureString, read by the provider at each connection;
  # or, for a local database, a password given as it is.
  database_password_parameter = local.local_database ? var.database_password_parameter : module.wagtail_rds_instance.master_password_ssm_parameter_name
  database_password           = local.local_database ? var.database_password : null
}

resource "wagtail_iam_db_user" "wagtail" {
  name                = var.wagtail_db_user
  database_privileges = ["CONNECT", "CREATE", "TEMPORARY"]
  cluster_resource_id = module.wagtail_rds_instance.this_rds_cluster_resource_id

  db_connection {
    host        = local.database.host
    port        = local.database.port
    database    = local.database.database
    username    = local.database.username
    password           = local.database_password
    password_parameter = local.database_password_parameter
    sslmode     = local.database.sslmode
    sslrootcert = local.database.sslrootcert
  }
}

# Entries created or updated in Wagtail invoke a Lambda, from the database.
resource "wagtail_aurora_lambda_trigger" "page_changed" {
  count = var.page_changed_lambda_arn == null ? 0 : 1

  name               = "wagtail_page_changed"
  cluster_identifier = module.wagtail_rds_instance.this_rds_cluster_id
  table              = "public.wagtailcore_page"
  events             = ["INSERT", "UPDATE", "DELETE"]
  function_arn       = var.page_changed_lambda_arn
  payload_columns    = ["id", "url_path", "live"]

  db_connection {
    host        = local.database.host
    port        = local.database.port
    database    = local.database.database
    username    = local.database.username
    password           = local.database_password
    password_parameter = local.database_password_parameter
    sslmode     = local.database.sslmode
    sslrootcert = local.database.sslrootcert
  }

  # The user's grants and the trigger's function are changed one after the
  # other, not at once.
  depends_on = [wagtail_iam_db_user.wagtail]
}

# ---------------------------------------------------------------------------
# 3. The ECS tasks
# ---------------------------------------------------------------------------

resource "wagtail_ecr_repository" "cymph" {
  name         = "${var.stage}-${var.project}"
  scan_on_push = true
}

resource "wagtail_ecr_repository" "wagtail" {
  name         = "${var.stage}-wagtail"
  scan_on_push = true
}

# What each task alone may do, kept out of the shared module.
resource "wagtail_iam_policy" "cymph_fargate" {
  name        = "${local.label_id}-fargate"
  description = "What the ${var.project} task needs besides the shared ECS policies: its DynamoDB table"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query"]
      Resource = "arn:${local.partition}:dynamodb:${var.region}:${local.account_id}:table/${var.stage}-${var.project}"
    }]
  })
}

resource "wagtail_iam_policy" "wagtail_fargate" {
  name        = "${local.label_id}-wagtail-fargate"
  description = "What the Wagtail task needs besides the shared ECS policies: log in to the database as ${var.wagtail_db_user} with IAM"
  policy      = wagtail_iam_db_user.wagtail.policy_json
}

resource "wagtail_ecs_cluster" "main" {
  name = local.cluster_name
}

locals {
  cluster_config = {
    cluster         = wagtail_ecs_cluster.main
    subnets         = var.subnets
    security_groups = [var.wagtail_ecs_sg]
  }
  task_config = {
    cpu                 = 256
    memory              = 512
    desired_count       = 1
    ecr_repository_arns = [wagtail_ecr_repository.cymph.arn]
    log_group_name      = "/ecs/${local.label_id}"
  }

  cluster_config_wagtail = local.cluster_config
  task_config_wagtail = {
    cpu                 = 512
    memory              = 1024
    desired_count       = 2
    secrets             = local.database_secrets
    ecr_repository_arns = [wagtail_ecr_repository.wagtail.arn]
    log_group_name      = "/ecs/${local.label_id}-wagtail"
  }
}

locals {
  cymph_rendered_template = templatefile("${path.module}/templates/cymph_app.json.tpl", {
    name      = var.project
    image     = "${wagtail_ecr_repository.cymph.repository_url}:${var.cymph_image_tag}"
    region    = var.region
    log_group = local.task_config.log_group_name
    table     = "${var.stage}-${var.project}"
  })
  wagtail_rendered_template = templatefile("${path.module}/templates/wagtail_app.json.tpl", {
    image     = "${wagtail_ecr_repository.wagtail.repository_url}:${var.wagtail_image_tag}"
    region    = var.region
    log_group = local.task_config_wagtail.log_group_name
    secrets   = local.task_config_wagtail.secrets
    db_user   = var.wagtail_db_user
    stage     = var.stage
  })
}

module "ecs_cymph" {
  source                      = "../../modules/ecs"
  label_id                    = local.label_id
  cluster_config              = local.cluster_config
  task_config                 = local.task_config
  additional_policy_arn       = wagtail_iam_policy.cymph_fargate.arn
  task_rendered_template_file = local.cymph_rendered_template
}

module "ecs_wagtail" {
  source                      = "../../modules/ecs"
  label_id                    = "${local.label_id}-wagtail"
  cluster_config              = local.cluster_config_wagtail
  task_config                 = local.task_config_wagtail
  additional_policy_arn       = wagtail_iam_policy.wagtail_fargate.arn
  task_rendered_template_file = local.wagtail_rendered_template
}
