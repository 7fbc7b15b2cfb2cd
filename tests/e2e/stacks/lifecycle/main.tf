# The root module planned (never applied) by tests/e2e/test_lifecycle_plan.py: destroy order, outputs known at
# plan, input validation and image pinning are read from `terraform plan -out` + `terraform show -json`.
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

variable "variants" {
  description = "Passed to the module's variants."
  type        = any
}

variable "async_inference" {
  description = "Passed to the module's async_inference."
  type        = any
  default     = null
}

module "endpoint" {
  source = "../../../../"

  name                        = "lifecycle-endpoint"
  variants                    = var.variants
  async_inference             = var.async_inference
  create_kms_key              = true
  create_bucket               = true
  log_group_retention_in_days = 7
}

output "endpoint_name" {
  description = "The module's endpoint_name."
  value       = module.endpoint.endpoint_name
}

output "endpoint_arn" {
  description = "The module's endpoint_arn."
  value       = module.endpoint.endpoint_arn
}

output "variant_names" {
  description = "The module's variant_names."
  value       = module.endpoint.variant_names
}

output "endpoint_config_name" {
  description = "The module's endpoint_config_name (live state: unknown before the deployer runs)."
  value       = module.endpoint.endpoint_config_name
}

output "spec_json_is_sensitive" {
  description = "Whether the module marks spec_json sensitive."
  value       = issensitive(module.endpoint.spec_json)
}
