terraform {
  # optional() object attributes with defaults: Terraform 1.3, OpenTofu 1.6.
  required_version = ">= 1.3"

  required_providers {
    wagtail = {
      source = "wagtail/wagtail"
    }
  }
}
