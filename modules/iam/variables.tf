################################################################################
# Execution role
################################################################################

variable "create_role" {
  description = "Create the SageMaker execution role. When false, `existing_role_arn` is the role the endpoint uses (only the CI and invoke policies are built)."
  type        = bool
  default     = true
}

variable "role_name" {
  description = "Name of the execution role to create."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "existing_role_arn" {
  description = "ARN of an existing execution role (when `create_role` is false); the CI apply policy may pass it to SageMaker."
  type        = string
  default     = null
}

variable "permissions_boundary" {
  description = "ARN of a permissions boundary for the created role."
  type        = string
  default     = null
}

variable "endpoint_name" {
  description = "Name of the SageMaker endpoint (scopes the invoke and CI policies)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.endpoint_name))
    error_message = "endpoint_name must be a SageMaker endpoint name."
  }
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "region" {
  description = "AWS Region of the endpoint."
  type        = string
}

variable "account_id" {
  description = "AWS account id of the endpoint."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "ecr_repository_arns" {
  description = "ECR repositories the endpoint pulls its images from (ecr:BatchGetImage and friends)."
  type        = list(string)
  default     = []
}

variable "model_data_s3_arns" {
  description = "S3 object ARNs of the model artifacts (read)."
  type        = list(string)
  default     = []
}

variable "ci_reads_model_data" {
  description = "The CI policies read the model artifacts (`model_data_s3_arns`: s3:GetObject, s3:GetObjectTagging), as `data \"aws_s3_object\"` does at plan when the module pins model data."
  type        = bool
  default     = false
}

variable "s3_write_arns" {
  description = "S3 object ARN patterns the endpoint writes (asynchronous output and failure prefixes, `arn:...:bucket/prefix/*`)."
  type        = list(string)
  default     = []
}

variable "s3_read_arns" {
  description = "S3 object ARN patterns the endpoint reads besides the model artifacts (asynchronous inputs)."
  type        = list(string)
  default     = []
}

variable "sns_topic_arns" {
  description = "SNS topics the endpoint publishes to (asynchronous notifications)."
  type        = list(string)
  default     = []
}

variable "kms_key_arns" {
  description = "KMS keys the endpoint uses (volumes, S3 objects, SNS topics)."
  type        = list(string)
  default     = []
}

variable "log_group_arn" {
  description = "ARN of the endpoint's CloudWatch log group (`/aws/sagemaker/Endpoints/<name>`), without the trailing `:*`."
  type        = string
}

variable "tags" {
  description = "Tags for the role and the policies."
  type        = map(string)
  default     = {}
}

################################################################################
# Invoke policy
################################################################################

variable "create_invoke_policy" {
  description = "Create an IAM policy from `invoke_policy_json` (name `invoke_policy_name`)."
  type        = bool
  default     = false
}

variable "invoke_policy_name" {
  description = "Name prefix of the invoke policy (default `<endpoint>-invoke`; AWS appends `-` and a unique suffix, so two Regions do not collide)."
  type        = string
  default     = null
}

variable "allowed_container_hostnames" {
  description = "StringLike patterns of container hostnames the invoke policy allows (Direct multi-container endpoints); empty allows invoking without the condition."
  type        = list(string)
  default     = []
}

variable "denied_container_hostnames" {
  description = "StringLike patterns of container hostnames the invoke policy explicitly denies."
  type        = list(string)
  default     = []
}

################################################################################
# CI policies (plan / apply)
################################################################################

variable "bucket_arn" {
  description = "ARN of the module's bucket, or null (CI policies)."
  type        = string
  default     = null
}

variable "manages_bucket" {
  description = "The module creates the bucket (the CI apply policy may create and configure it)."
  type        = bool
  default     = true
}

variable "manages_kms_key" {
  description = "The module creates the KMS key (the CI apply policy may create and configure keys)."
  type        = bool
  default     = true
}

variable "extra_alarm_names" {
  description = "Rollback alarms named outside `<endpoint>-*` that the deployer reads (CI policies)."
  type        = list(string)
  default     = []
}

variable "deployer_assume_role_arn" {
  description = "Role the deployer assumes, or null: the CI policies may then assume it."
  type        = string
  default     = null
}

variable "manages_topics" {
  description = "The module creates SNS topics named `<endpoint>-success` and `<endpoint>-error`."
  type        = bool
  default     = false
}

variable "plan_assume_role_arn" {
  description = "Read-only role the deployer assumes for its reads; the plan policy may assume it (never the write role)."
  type        = string
  default     = null
}

################################################################################
# Data capture (the endpoint writes sampled requests / responses to S3)
################################################################################

variable "data_capture_s3_arns" {
  description = "S3 object ARN patterns the endpoint writes data capture to (`arn:...:bucket/data-capture/*`; [] without data capture)."
  type        = list(string)
  default     = []
}

variable "data_capture_kms_key_arns" {
  description = "KMS keys data capture is encrypted with, besides `kms_key_arns` (kms:Encrypt, kms:GenerateDataKey)."
  type        = list(string)
  default     = []
}

################################################################################
# Models in a VPC
################################################################################

variable "vpc_subnet_ids" {
  description = "Subnets of the models' VpcConfig ([]: no VPC). The execution role may then manage network interfaces in these subnets, and the CI apply policy creates models only with exactly these subnets."
  type        = list(string)
  default     = []
}

variable "vpc_security_group_ids" {
  description = "Security groups of the models' VpcConfig (with vpc_subnet_ids)."
  type        = list(string)
  default     = []
}

variable "network_isolation" {
  description = "The models run with EnableNetworkIsolation: the CI apply policy creates models only with isolation on."
  type        = bool
  default     = false
}
