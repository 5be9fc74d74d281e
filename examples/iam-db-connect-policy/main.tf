# The rds-db:connect policy for two IAM database users of an Aurora cluster.
terraform {
  required_providers {
    wagtail = { source = "wagtail/wagtail" }
  }
}

provider "wagtail" {
  region = "eu-west-1"
}

data "wagtail_iam_db_connect_policy" "wagtail" {
  region              = "eu-west-1"
  account_id          = "123456789012"
  cluster_resource_id = "cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
  db_users            = ["wagtail", "db_userx"]
}

output "policy" {
  value = data.wagtail_iam_db_connect_policy.wagtail.json
}

output "arns" {
  value = data.wagtail_iam_db_connect_policy.wagtail.arns
}
