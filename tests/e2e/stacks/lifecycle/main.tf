# The root module as tests/e2e/test_lifecycle_plan.py plans it (destroy order, outputs known at plan, input
# validation, image pinning: `terraform plan -out` + `terraform show -json`) and tests/e2e/test_lifecycle_apply.py
# applies it (create = false, destroy from another interpreter path).
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
  region = var.region

  default_tags {
    tags = var.default_tags
  }
}

variable "region" {
  description = "The provider's Region."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Passed to the module's name."
  type        = string
  default     = "lifecycle-endpoint"
}

variable "create" {
  description = "Passed to the module's create."
  type        = bool
  default     = true
}

variable "python_executable" {
  description = "Passed to the module's python_executable."
  type        = string
  default     = "python3"
}

variable "default_tags" {
  description = "The provider's default_tags."
  type        = map(string)
  default     = {}
}

variable "execution_role_arn" {
  description = "An existing execution role (none created), or null."
  type        = string
  default     = null
}

variable "tags" {
  description = "Passed to the module's tags."
  type        = map(string)
  default     = {}
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

variable "vpc_config" {
  description = "Passed to the module's vpc_config."
  type        = any
  default     = null
}

variable "enable_network_isolation" {
  description = "Passed to the module's enable_network_isolation."
  type        = bool
  default     = false
}

module "endpoint" {
  source = "../../../../"

  name                        = var.name
  create                      = var.create
  python_executable           = var.python_executable
  create_execution_role       = var.execution_role_arn == null
  execution_role_arn          = var.execution_role_arn
  tags                        = var.tags
  variants                    = var.variants
  async_inference             = var.async_inference
  vpc_config                  = var.vpc_config
  enable_network_isolation    = var.enable_network_isolation
  create_kms_key              = true
  create_bucket               = true
  log_group_retention_in_days = 7
  # The artifacts named in these cases are never uploaded; pinning is tests/e2e/test_model_data_pin.py's.
  pin_model_data = false
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

output "spec_json" {
  description = "The module's spec_json."
  value       = module.endpoint.spec_json
  sensitive   = true
}
