# modules/ecs: one Fargate service in a cluster made outside the module, as
# the design decouples it: the execution and task roles with the policies
# every task shares (trust for ecs-tasks, ECR pull, logs, and reading exactly
# the task's own secrets), the task's own policy attached to the task role,
# the log group, and the service with its task definition. See README.md.

locals {
  family         = coalesce(var.task_config.family, var.label_id)
  log_group_name = coalesce(var.task_config.log_group_name, "/ecs/${var.label_id}")
  containers     = jsondecode(var.task_rendered_template_file)

  # ---- what the execution role may do ----

  secret_arns = sort(distinct(values(var.task_config.secrets)))
  # arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME, split once per parameter.
  secret_arn_parts = [for arn in local.secret_arns : split(":", arn)]
  secret_regions   = distinct([for p in local.secret_arn_parts : p[3]])
  # SSM decrypts a SecureString with kms:Decrypt on the caller's behalf, with
  # the parameter's ARN as encryption context: the conditions below admit
  # exactly those decryptions, whichever key (aws/ssm or a customer key).
  secret_kms_keys = (var.task_config.secrets_kms_key_arn != null ? [var.task_config.secrets_kms_key_arn]
  : distinct([for p in local.secret_arn_parts : "arn:${p[1]}:kms:${p[3]}:${p[4]}:key/*"]))

  ecr_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "EcrAuthorization"
        Effect   = "Allow"
        Action   = ["ecr:GetAuthorizationToken"]
        Resource = "*"
      },
      {
        Sid      = "EcrPull"
        Effect   = "Allow"
        Action   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
        Resource = length(var.task_config.ecr_repository_arns) > 0 ? var.task_config.ecr_repository_arns : ["*"]
      },
    ]
  })

  logs_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "WriteTaskLogs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${wagtail_log_group.this.arn}:*"
    }]
  })

  secrets_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadTaskSecrets"
        Effect   = "Allow"
        Action   = ["ssm:GetParameters"]
        Resource = local.secret_arns
      },
      {
        Sid      = "DecryptTaskSecrets"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = local.secret_kms_keys
        Condition = {
          StringEquals = {
            "kms:ViaService"                      = [for region in local.secret_regions : "ssm.${region}.amazonaws.com"]
            "kms:EncryptionContext:PARAMETER_ARN" = local.secret_arns
          }
        }
      },
    ]
  })

  # The secrets policy only when the task has secrets: IAM refuses a
  # statement without resources.
  execution_policies = {
    for name, document in {
      "ecr-pull" = local.ecr_policy
      "logs"     = local.logs_policy
      "secrets"  = local.secrets_policy
    } : name => document if name != "secrets" || length(local.secret_arns) > 0
  }

  # ---- what the containers ask for, checked against what the roles allow ----

  container_secret_arns = flatten([for c in local.containers : [for s in try(c.secrets, []) : s.valueFrom]])
  container_log_groups = distinct([
    for c in local.containers : c.logConfiguration.options["awslogs-group"]
    if try(c.logConfiguration.logDriver, "") == "awslogs" && can(c.logConfiguration.options["awslogs-group"])
  ])
}

resource "wagtail_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.task_config.log_retention_in_days
  kms_key_id        = var.task_config.log_kms_key_id
  tags              = var.task_config.tags
}

# The role ECS itself uses to start the tasks: pull the image, create the log
# streams, read the secrets into the containers' environment.
resource "wagtail_iam_role" "execution" {
  name                 = "${var.label_id}-execution"
  description          = "ECS starts the ${var.label_id} tasks with it: image pull, logs, the task's secrets"
  assume_role_services = ["ecs-tasks.amazonaws.com"]
  inline_policies      = local.execution_policies
  managed_policy_arns  = []
  tags                 = var.task_config.tags
}

# The role the containers run as: only what additional_policy_arn grants.
resource "wagtail_iam_role" "task" {
  name                 = "${var.label_id}-task"
  description          = "The ${var.label_id} containers run as it"
  assume_role_services = ["ecs-tasks.amazonaws.com"]
  managed_policy_arns  = var.additional_policy_arn == null ? [] : [var.additional_policy_arn]
  inline_policies      = {}
  tags                 = var.task_config.tags
}

resource "wagtail_ecs_service" "wagtail_ecs_service" {
  name                  = var.label_id
  cluster               = var.cluster_config.cluster.name
  family                = local.family
  container_definitions = var.task_rendered_template_file
  cpu                   = var.task_config.cpu
  memory                = var.task_config.memory
  execution_role_arn    = wagtail_iam_role.execution.arn
  task_role_arn         = wagtail_iam_role.task.arn

  desired_count    = var.task_config.desired_count
  subnets          = var.cluster_config.subnets
  security_groups  = length(var.cluster_config.security_groups) > 0 ? var.cluster_config.security_groups : null
  assign_public_ip = var.cluster_config.assign_public_ip

  deployment_minimum_healthy_percent = var.task_config.deployment_minimum_healthy_percent
  deployment_maximum_percent         = var.task_config.deployment_maximum_percent
  dynamic "deployment_circuit_breaker" {
    for_each = var.task_config.deployment_circuit_breaker ? [true] : []
    content {
      enable   = true
      rollback = true
    }
  }

  dynamic "load_balancer" {
    for_each = var.task_config.load_balancer == null ? [] : [var.task_config.load_balancer]
    content {
      target_group_arn = load_balancer.value.target_group_arn
      container_name   = load_balancer.value.container_name
      container_port   = load_balancer.value.container_port
    }
  }
  health_check_grace_period_seconds = var.task_config.health_check_grace_period_seconds

  enable_execute_command = var.task_config.enable_execute_command
  wait_for_steady_state  = var.task_config.wait_for_steady_state
  tags                   = var.task_config.tags

  # The tasks write their first lines as they start.
  depends_on = [wagtail_log_group.this]

  lifecycle {
    precondition {
      condition     = alltrue([for arn in local.container_secret_arns : contains(local.secret_arns, arn)])
      error_message = "A container reads a secret that task_config.secrets does not list, so the execution role could not read it and the task would not start: list every secrets[].valueFrom of the containers in task_config.secrets (by ARN)."
    }
    precondition {
      condition     = alltrue([for group in local.container_log_groups : group == local.log_group_name])
      error_message = "A container logs (awslogs) to a group other than the module's log group ${local.log_group_name}, which the execution role may not write to: set task_config.log_group_name to the group the template uses, or render the template with it."
    }
  }
}
