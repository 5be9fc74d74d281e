# The floor of the scaling benchmark: N of the CLI's built-in terraform_data
# resources, which no provider serves, holding what ../ssm-wagtail's
# parameters hold. What a plan of them costs is the CLI's own time for N
# resources.

variable "n" { type = number }

resource "terraform_data" "p" {
  count = var.n
  input = "value-${count.index}"
}
