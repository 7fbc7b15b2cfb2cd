# The IAM submodule with every option that adds a statement, so the parliament test sees every policy
# the module outputs or attaches (tests/security/test_parliament.py renders them with terraform plan).
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

variable "permissions_boundary" {
  description = "Permissions boundary of the execution role (null: none)."
  type        = string
  default     = "arn:aws:iam::123456789012:policy/sagemaker-boundary"
}

variable "kms_key_arns" {
  description = "KMS keys of the endpoint ([]: none)."
  type        = list(string)
  default     = ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
}

variable "data_capture_kms_key_arns" {
  description = "The KMS key data capture is encrypted with, besides the endpoint's ([]: none)."
  type        = list(string)
  default     = ["arn:aws:kms:us-east-1:123456789012:key/abcd1234-12ab-34cd-56ef-1234567890ab"]
}

module "iam" {
  source = "../../../../modules/iam"

  role_name            = "parliament-endpoint-us-east-1"
  permissions_boundary = var.permissions_boundary
  endpoint_name        = "parliament-endpoint"
  region               = "us-east-1"
  account_id           = "123456789012"

  ecr_repository_arns = ["arn:aws:ecr:us-east-1:123456789012:repository/model"]
  model_data_s3_arns  = ["arn:aws:s3:::models/parliament/model.tar.gz"]
  s3_write_arns       = ["arn:aws:s3:::parliament-endpoint-async/output/*"]
  s3_read_arns        = ["arn:aws:s3:::parliament-endpoint-async/input/*"]
  sns_topic_arns      = ["arn:aws:sns:us-east-1:123456789012:parliament-endpoint-success"]
  kms_key_arns        = var.kms_key_arns
  log_group_arn       = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/parliament-endpoint"

  create_invoke_policy        = true
  allowed_container_hostnames = ["primary"]
  denied_container_hostnames  = ["internal"]

  bucket_arn        = "arn:aws:s3:::parliament-endpoint-async"
  extra_alarm_names = ["team-latency"]
  manages_topics    = true

  data_capture_s3_arns      = ["arn:aws:s3:::parliament-endpoint-async/data-capture/*"]
  data_capture_kms_key_arns = var.data_capture_kms_key_arns
  # Models in a VPC with network isolation: the execution role's EC2 statements and the conditioned CreateModel.
  vpc_subnet_ids         = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"]
  vpc_security_group_ids = ["sg-0a1b2c3d4e5f60718"]
  network_isolation      = true
}

output "policies" {
  description = "Every policy document the module outputs or attaches, by name."
  value = {
    execution = module.iam.execution_policy_json
    invoke    = module.iam.invoke_policy_json
    ci_plan   = module.iam.ci_plan_policy_json
    ci_apply  = module.iam.ci_apply_policy_json
  }
}

output "documents" {
  description = "The CI policies as lists of documents that each fit a managed policy."
  value = {
    ci_plan  = module.iam.ci_plan_policy_documents
    ci_apply = module.iam.ci_apply_policy_documents
  }
}
