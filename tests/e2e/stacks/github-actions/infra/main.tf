# The `infra/` directory of a repository that uses the module, as examples/github-actions' workflows run it:
# tests/e2e/test_github_actions.py runs the apply workflow's shell steps here against localaws (values in
# terraform.tfvars.json, written by the test, as a repository would commit them).
terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

variable "name" {
  description = "Passed to the module's name."
  type        = string
}

variable "variants" {
  description = "Passed to the module's variants."
  type        = any
}

module "endpoint" {
  source = "../../../../../"

  name                        = var.name
  variants                    = var.variants
  create_kms_key              = false
  create_bucket               = false
  log_group_retention_in_days = 7
}

output "rollback_alarm_names" {
  description = "The module's rollback_alarm_names."
  value       = module.endpoint.rollback_alarm_names
}
