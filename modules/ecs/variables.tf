# Inputs of modules/ecs: the interface the design gives the decoupled ECS
# module (label_id, cluster_config, task_config, additional_policy_arn,
# task_rendered_template_file), with the shapes of the two config objects
# written out as types. README.md shows them with an example.

variable "label_id" {
  description = "Names what the module makes: the service and task family LABEL_ID, the roles LABEL_ID-execution and LABEL_ID-task, the log group /ecs/LABEL_ID."
  type        = string

  validation {
    # 54 leaves room for "-execution" within IAM's 64 characters.
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]*$", var.label_id)) && length(var.label_id) <= 54
    error_message = "label_id must be 1 to 54 letters, digits, '-' and '_', starting with a letter or digit."
  }
}

variable "cluster_config" {
  description = <<-EOT
    Where the service runs:
      cluster          the ECS cluster made outside the module: the wagtail_ecs_cluster itself, or any object with its name
      subnets          subnets of the tasks; give subnets in two or more availability zones
      security_groups  security groups of the tasks (empty: the VPC's default group)
      assign_public_ip give each task a public IP (for public subnets without a NAT gateway); default false
  EOT
  type = object({
    cluster = object({
      name = string
    })
    subnets          = list(string)
    security_groups  = optional(list(string), [])
    assign_public_ip = optional(bool, false)
  })

  validation {
    condition     = length(var.cluster_config.subnets) > 0
    error_message = "cluster_config.subnets must name at least one subnet (two or more zones keep the service up when a zone fails)."
  }
  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.cluster_config.cluster.name))
    error_message = "cluster_config.cluster.name must be an ECS cluster name: 1 to 255 letters, digits, '-' and '_'."
  }
  validation {
    condition     = alltrue([for id in var.cluster_config.subnets : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "cluster_config.subnets must hold subnet ids (subnet-...)."
  }
  validation {
    condition     = alltrue([for id in var.cluster_config.security_groups : can(regex("^sg-[0-9a-f]+$", id))])
    error_message = "cluster_config.security_groups must hold security group ids (sg-...)."
  }
}

variable "task_config" {
  description = <<-EOT
    The task and the service (see README.md for every field):
      cpu, memory        Fargate task size: cpu units (256 = 1/4 vCPU) and MiB, a combination Fargate offers
      desired_count      tasks to run (default 1)
      family             task definition family (default label_id)
      secrets            map of environment variable => ARN of the SSM parameter a container reads as a secret;
                         the execution role may read exactly these (default none)
      secrets_kms_key_arn the customer managed KMS key of those parameters (default: the aws/ssm key)
      ecr_repository_arns repositories the execution role may pull from (default: any)
      log_group_name     CloudWatch log group the containers write to (default /ecs/LABEL_ID)
      log_retention_in_days, log_kms_key_id   of that group (default 30 days, no key)
      deployment_minimum_healthy_percent, deployment_maximum_percent   (default 100, 200)
      deployment_circuit_breaker  fail and roll back a deployment whose tasks keep failing (default true)
      load_balancer      { target_group_arn, container_name, container_port } (default none)
      health_check_grace_period_seconds   with a load_balancer
      enable_execute_command, wait_for_steady_state, tags
  EOT
  type = object({
    cpu                                = number
    memory                             = number
    desired_count                      = optional(number, 1)
    family                             = optional(string)
    secrets                            = optional(map(string), {})
    secrets_kms_key_arn                = optional(string)
    ecr_repository_arns                = optional(list(string), [])
    log_group_name                     = optional(string)
    log_retention_in_days              = optional(number, 30)
    log_kms_key_id                     = optional(string)
    deployment_minimum_healthy_percent = optional(number, 100)
    deployment_maximum_percent         = optional(number, 200)
    deployment_circuit_breaker         = optional(bool, true)
    load_balancer = optional(object({
      target_group_arn = string
      container_name   = string
      container_port   = number
    }))
    health_check_grace_period_seconds = optional(number)
    enable_execute_command            = optional(bool, false)
    wait_for_steady_state             = optional(bool, false)
    tags                              = optional(map(string), {})
  })

  validation {
    # Fargate's task sizes: the memory each cpu may have.
    condition = contains(try({
      "256"   = [512, 1024, 2048]
      "512"   = range(1024, 4097, 1024)
      "1024"  = range(2048, 8193, 1024)
      "2048"  = range(4096, 16385, 1024)
      "4096"  = range(8192, 30721, 1024)
      "8192"  = range(16384, 61441, 4096)
      "16384" = range(32768, 122881, 8192)
    }[tostring(var.task_config.cpu)], []), var.task_config.memory)
    error_message = "task_config.cpu and task_config.memory must be a Fargate task size: cpu 256 with memory 512, 1024 or 2048; 512 with 1024-4096; 1024 with 2048-8192; 2048 with 4096-16384 (steps of 1024); 4096 with 8192-30720 (1024); 8192 with 16384-61440 (4096); 16384 with 32768-122880 (8192)."
  }
  validation {
    condition     = var.task_config.desired_count >= 0 && floor(var.task_config.desired_count) == var.task_config.desired_count
    error_message = "task_config.desired_count must be a whole number, 0 or more."
  }
  validation {
    condition     = alltrue([for name in keys(var.task_config.secrets) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name))])
    error_message = "task_config.secrets keys must be environment variable names (letters, digits and '_', not starting with a digit)."
  }
  validation {
    # ARNs, not names: the execution role's policy names exactly these.
    condition     = alltrue([for arn in values(var.task_config.secrets) : can(regex("^arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter/.+$", arn))])
    error_message = "task_config.secrets values must be SSM parameter ARNs (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME), e.g. wagtail_ssm_parameter.x.arn."
  }
  validation {
    condition     = var.task_config.secrets_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.task_config.secrets_kms_key_arn))
    error_message = "task_config.secrets_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID); aliases do not work in IAM policies."
  }
  validation {
    condition     = alltrue([for arn in var.task_config.ecr_repository_arns : can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/.+$", arn))])
    error_message = "task_config.ecr_repository_arns must hold ECR repository ARNs, e.g. wagtail_ecr_repository.x.arn."
  }
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.task_config.log_retention_in_days)
    error_message = "task_config.log_retention_in_days must be one CloudWatch Logs offers: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
  validation {
    condition = (var.task_config.deployment_minimum_healthy_percent >= 0 && var.task_config.deployment_minimum_healthy_percent <= 100 &&
    var.task_config.deployment_maximum_percent >= 100 && var.task_config.deployment_maximum_percent <= 200)
    error_message = "task_config.deployment_minimum_healthy_percent must be 0 to 100 and deployment_maximum_percent 100 to 200."
  }
  validation {
    condition     = var.task_config.health_check_grace_period_seconds == null || var.task_config.load_balancer != null
    error_message = "task_config.health_check_grace_period_seconds needs a task_config.load_balancer."
  }
}

variable "additional_policy_arn" {
  description = "ARN of a policy made outside the module with what this task alone needs (tables, buckets, rds-db:connect); attached to the task role. Null: none."
  type        = string

  validation {
    condition     = var.additional_policy_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.additional_policy_arn))
    error_message = "additional_policy_arn must be an IAM policy ARN (arn:aws:iam::ACCOUNT:policy/NAME) or null."
  }
}

variable "task_rendered_template_file" {
  description = "The container definitions, a JSON array, rendered outside the module (templatefile or jsonencode)."
  type        = string

  validation {
    condition     = can(jsondecode(var.task_rendered_template_file)[0]) && alltrue([for c in try(jsondecode(var.task_rendered_template_file), []) : can(tostring(c.name)) && can(tostring(c.image))])
    error_message = "task_rendered_template_file must be a JSON array of container definitions, each with a name and an image."
  }
}
