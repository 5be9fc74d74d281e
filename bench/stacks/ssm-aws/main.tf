# The scaling benchmark on the HashiCorp AWS provider: N plain SSM String
# parameters, the same as ../ssm-wagtail.

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
variable "n" { type = number }

provider "aws" {
  region     = var.region
  access_key = var.access_key
  secret_key = var.secret_key

  skip_metadata_api_check = true

  endpoints {
    ssm = var.endpoint
    sts = var.endpoint
  }
}

resource "aws_ssm_parameter" "p" {
  count = var.n
  name  = "/bench/${var.stage}/p${count.index}"
  type  = "String"
  value = "value-${count.index}"
}
