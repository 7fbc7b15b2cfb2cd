variable "region" {
  description = "AWS Region."
  type        = string
  default     = "eu-north-1"
}

variable "name_prefix" {
  description = "Prefix of the role names (`<prefix>-terraform-plan`, `<prefix>-terraform-apply`)."
  type        = string
  default     = "whisper"
}

variable "github_repository" {
  description = "The repository allowed to assume the roles, as `owner/name`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "deploy_environment" {
  description = "GitHub environment whose jobs may assume the deploy role."
  type        = string
  default     = "production"
}

variable "create_oidc_provider" {
  description = "Create GitHub's OIDC provider (there is one per account; set false and give oidc_provider_arn when it exists)."
  type        = bool
  default     = true
}

variable "oidc_provider_arn" {
  description = "ARN of an existing GitHub OIDC provider, used when create_oidc_provider is false."
  type        = string
  default     = null
}

variable "plan_policy_json" {
  description = "The endpoint stack's `ci_plan_policy_json` output (read-only)."
  type        = string
}

variable "apply_policy_json" {
  description = "The endpoint stack's `ci_apply_policy_json` output (deploy)."
  type        = string
}

variable "state_bucket" {
  description = "S3 bucket of the Terraform state."
  type        = string
}

variable "state_key_prefix" {
  description = "Key prefix of the endpoint stack's state objects in the state bucket."
  type        = string
  default     = "sagemaker/"
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
