# The scaling benchmark on this provider: N plain SSM String parameters
# (bench/compare.sh sets n to 10, 100, 1000), the same as ../ssm-aws.

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
variable "n" { type = number }

provider "wagtail" {
  region     = var.region
  access_key = var.access_key
  secret_key = var.secret_key

  endpoints {
    ssm = var.endpoint
    sts = var.endpoint
  }
}

resource "wagtail_ssm_parameter" "p" {
  count = var.n
  name  = "/bench/${var.stage}/p${count.index}"
  type  = "String"
  value = "value-${count.index}"
}
