#!/usr/bin/env bash
# capture.sh: writes the states of release 0.1.0 that the state-upgrade stage
# (tests/acceptance/state_upgrade.sh) plans with today's provider.
#
# Release 0.1.0 is commit 38fcd17, the last one before resources had schema
# versions and upgraders. This script builds it in a temporary git worktree
# (its own build dir), starts moto (moto alone, see STRICT_AWS below) and a
# PostgreSQL server as the acceptance stages do (tests/aws/moto.sh,
# tests/db/postgres.sh), and, with each CLI, applies one configuration that
# holds every managed resource 0.1.0 had, with its optional attributes,
# nested blocks, tags and timeouts set. It applies until the 0.1.0 provider
# plans no changes, with and without a refresh, and then saves, for each
# CLI, the configuration and the state that CLI wrote:
#
#   tests/data/states-0.1.0/tofu/main.tf        tofu/terraform.tfstate
#   tests/data/states-0.1.0/terraform/main.tf   terraform/terraform.tfstate
#
# The two CLIs write the provider's address under their own registry
# (registry.opentofu.org, registry.terraform.io), so each keeps its own.
# main.tf names the AWS endpoint and keys as variables (aws_endpoint,
# aws_access_key, aws_secret_key): the stage plans against a moto server of
# its own. Everything else in it (VPC, subnets, the PostgreSQL server's port
# and CA file) is what the state holds, written as literals.
#
#   tests/data/states-0.1.0/capture.sh
#
# Environment: CAPTURE_COMMIT (default 38fcd17), CAPTURE_BINARY (a provider
# already built from it: no worktree, no build), CAPTURE_OUT (default this
# directory), and what the acceptance stages read (ACCEPTANCE_CLIS,
# TOFU_BIN, TERRAFORM_BIN, KEEP_WORKDIR, STRICT_AWS, PG_BIN).
# Ends with `capture-0.1.0: N passed, N failed`.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
commit=${CAPTURE_COMMIT:-38fcd17}
out_dir=${CAPTURE_OUT:-$here}
case_timeout=${CASE_TIMEOUT:-900}
stage_name=capture-0.1.0

# The 0.1.0 provider, built from its commit in a worktree of its own.
worktree=
remove_worktree() {
	[ -n "$worktree" ] || return 0
	git -C "$root" worktree remove --force "$worktree" >/dev/null 2>&1 || rm -rf "$worktree"
	git -C "$root" worktree prune
}
if [ -n "${CAPTURE_BINARY:-}" ]; then
	binary=$CAPTURE_BINARY
else
	worktree=$(mktemp -d "${TMPDIR:-/tmp}/wagtail-0.1.0.XXXXXX")
	rmdir "$worktree"
	echo "capture: building $commit in $worktree"
	if ! git -C "$root" worktree add --detach "$worktree" "$commit" >/dev/null ||
		! make -C "$worktree" -j2 >"$worktree.build.log" 2>&1; then
		tail -n 40 "$worktree.build.log" 2>/dev/null
		remove_worktree
		echo "$stage_name: 0 passed, 1 failed"
		exit 1
	fi
	rm -f "$worktree.build.log"
	binary=$worktree/build/terraform-provider-wagtail_v0.1.0
fi

# 0.1.0 predates the strict AWS layer and was tested against moto alone: it
# does not wait for a cluster to be available before adding its roles, nor
# follow an empty first page of DescribeParameters, as the layer (like AWS)
# demands. Its state is captured where it ran then: moto alone.
export STRICT_AWS=${STRICT_AWS:-0}
# OpenTofu and the oldest Terraform the stage drives: a Terraform refuses a
# state that a newer Terraform wrote, so the Terraform state comes from the
# oldest one (a newer Terraform plans it in the stage).
export ACCEPTANCE_CLIS=${ACCEPTANCE_CLIS:-both}

# shellcheck source=tests/acceptance/aws_lib.sh
source "$root/tests/acceptance/aws_lib.sh"
# shellcheck source=tests/db/postgres.sh
source "$root/tests/db/postgres.sh"
trap 'pg_stop; moto_stop; cleanup; remove_worktree' EXIT

if ! pg_start >"$work/pg-start.out" 2>&1; then
	notok start-postgres "$work/pg-start.out"
	finish
	exit 1
fi

read -r vpc subnet_a subnet_b < <(check default-network)

# main_tf PREFIX APP_GROUP TARGET_GROUP: the configuration, every 0.1.0
# resource in it.
main_tf() {
	local p=$1
	cat <<HCL
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
  name        = "$p-read"
  path        = "/wagtail/"
  description = "Read the media bucket"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:ListBucket"], Resource = "*" }]
  })
  tags = { Team = "cms" }
}

resource "wagtail_iam_policy" "prefixed" {
  name_prefix = "$p-write-"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:PutObject", Resource = "arn:aws:s3:::media/*" }]
  })
}

resource "wagtail_iam_role" "task" {
  name                 = "$p-task"
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
  name_prefix = "$p-exec-"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "wagtail_iam_role" "monitoring" {
  name                 = "$p-monitoring"
  assume_role_services = ["monitoring.rds.amazonaws.com"]
}

resource "wagtail_iam_role" "lambda" {
  name                 = "$p-aurora-lambda"
  assume_role_services = ["rds.amazonaws.com"]
}

resource "wagtail_log_group" "app" {
  name              = "/ecs/$p-wagtail"
  retention_in_days = 14
  kms_key_id        = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  tags              = { Team = "cms" }
}

resource "wagtail_ssm_parameter" "password" {
  name        = "/$p/database/password"
  description = "The database master password"
  type        = "SecureString"
  value       = wagtail_random_password.db.result
  key_id      = "alias/aws/ssm"
  tier        = "Standard"
  tags        = { Team = "cms" }
}

resource "wagtail_ssm_parameter" "host" {
  name        = "/$p/database/host"
  description = "The writer endpoint"
  type        = "String"
  value       = wagtail_aurora_cluster.db.endpoint
  tier        = "Advanced"
}

resource "wagtail_ecr_repository" "wagtail" {
  name                 = "$p/wagtail"
  image_tag_mutability = "IMMUTABLE"
  scan_on_push         = true
  encryption_type      = "AES256"
  force_delete         = true
  tags                 = { Team = "cms" }
}

resource "wagtail_ecs_cluster" "main" {
  name               = "$p-cluster"
  container_insights = "enabled"
  tags               = { Team = "cms" }
}

resource "wagtail_ecs_service" "wagtail" {
  name    = "wagtail"
  cluster = wagtail_ecs_cluster.main.arn
  family  = "$p-wagtail"
  container_definitions = jsonencode([{
    name              = "wagtail"
    image             = "\${wagtail_ecr_repository.wagtail.repository_url}:1.0"
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
  subnets                            = ["$subnet_a", "$subnet_b"]
  security_groups                    = ["$2"]
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
    target_group_arn = "$3"
    container_name   = "wagtail"
    container_port   = 8000
  }

  timeouts {
    create = "15m"
    update = "15m"
  }
}

resource "wagtail_aurora_cluster" "db" {
  name                                = "$p-db"
  engine                              = "aurora-postgresql"
  engine_version                      = "15.4"
  instance_class                      = "db.r6g.large"
  reader_count                        = 1
  database_name                       = "wagtail"
  port                                = 5432
  master_username                     = "wagtail"
  master_password                     = wagtail_random_password.db.result
  iam_database_authentication_enabled = true
  vpc_id                              = "$vpc"
  subnets                             = ["$subnet_a", "$subnet_b"]
  allowed_security_groups             = ["$2"]
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
  name                = "$p-editor"
  roles               = ["wagtail_app"]
  database_privileges = ["CONNECT", "CREATE"]
  connection_limit    = 5
  grant_rds_iam       = true
  cluster_resource_id = wagtail_aurora_cluster.db.cluster_resource_id
  region              = "eu-west-1"

  db_connection {
    host        = "$PG_HOST"
    port        = $PG_PORT
    database    = "$PG_DATABASE"
    username    = "$PG_ADMIN_USER"
    password    = "$PG_ADMIN_PASSWORD"
    sslmode     = "verify-full"
    sslrootcert = "$PG_CA"
  }

  timeouts {
    create = "5m"
  }
}

resource "wagtail_aurora_lambda_trigger" "purge" {
  name               = "$p-purge"
  cluster_identifier = wagtail_aurora_cluster.db.name
  table              = "public.wagtailcore_page"
  events             = ["INSERT", "UPDATE", "DELETE"]
  function_arn       = "arn:aws:lambda:eu-west-1:123456789012:function:$p-purge"
  invocation_type    = "RequestResponse"
  payload_columns    = ["id", "title", "url_path"]

  db_connection {
    host        = "$PG_HOST"
    port        = $PG_PORT
    database    = "$PG_DATABASE"
    username    = "$PG_ADMIN_USER"
    password    = "$PG_ADMIN_PASSWORD"
    sslrootcert = "$PG_CA"
  }

  timeouts {
    create = "10m"
  }
}
HCL
}

export TF_VAR_aws_endpoint=$MOTO_ENDPOINT TF_VAR_aws_access_key=$MOTO_ACCESS_KEY TF_VAR_aws_secret_key=$MOTO_SECRET_KEY

capture() {
	local prefix=su-$cli_name out=$work/$cli_name-apply.out app_group target_group rc
	dir=$work/$cli_name
	mkdir -p "$dir"
	app_group=$(check create-security-group "$prefix-app" "$vpc")
	target_group=$(check ecs-create-target-group "$prefix-wagtail" "$vpc")
	main_tf "$prefix" "$app_group" "$target_group" >"$dir/main.tf"
	if tf "$work/$cli_name-init.out" init -no-color -input=false; then ok init; else
		notok init "$work/$cli_name-init.out"
		return
	fi
	if apply_ok "$out"; then ok apply; else notok apply "$out"; return; fi
	# moto keeps some of what CreateService and CreateDBCluster are given
	# only once an update sets it again: a second apply converges.
	rc=$(plan_exit "$work/$cli_name-converge.out")
	if [ "$rc" = 2 ]; then
		expect converge "$out" apply_ok "$out"
	else
		ok converge
	fi
	no_changes plan-no-changes
	out=$work/$cli_name-no-refresh.out
	tf "$out" plan -no-color -detailed-exitcode -input=false -refresh=false
	rc=$?
	if [ "$rc" = 0 ]; then ok plan-no-refresh-no-changes; else
		notok plan-no-refresh-no-changes "$out"
		return
	fi
	[ "$failed" -eq 0 ] || return
	mkdir -p "$out_dir/$cli_name"
	cp "$dir/main.tf" "$out_dir/$cli_name/main.tf"
	cp "$dir/terraform.tfstate" "$out_dir/$cli_name/terraform.tfstate"
	ok "saved $out_dir/$cli_name"
}

for_each_cli capture
finish
