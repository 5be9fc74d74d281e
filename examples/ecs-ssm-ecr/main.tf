# The small pieces of the Wagtail stack: the ECS cluster created outside the
# service module, the image repository, and SecureString credentials for the
# task. Works against AWS, or against moto with the endpoints block.
terraform {
  required_providers {
    wagtail = { source = "wagtail/wagtail" }
  }
}

variable "stage" {
  default = "dev"
}

variable "db_password" {
  type      = string
  sensitive = true
}

provider "wagtail" {
  region = "eu-west-1"

  default_tags {
    tags = { Environment = var.stage, Service = "wagtail" }
  }
}

resource "wagtail_ecs_cluster" "main" {
  name               = "eu-west-1-${var.stage}-wagtail"
  container_insights = "enabled"
}

resource "wagtail_ecr_repository" "wagtail" {
  name                 = "wagtail"
  image_tag_mutability = "IMMUTABLE"
  scan_on_push         = true
}

resource "wagtail_ssm_parameter" "db_password" {
  name  = "/wagtail/${var.stage}/db_password"
  type  = "SecureString"
  value = var.db_password
}

data "wagtail_caller_identity" "current" {}

output "repository_url" {
  value = wagtail_ecr_repository.wagtail.repository_url
}

output "cluster_arn" {
  value = wagtail_ecs_cluster.main.arn
}
