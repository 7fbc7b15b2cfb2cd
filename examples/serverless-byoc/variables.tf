variable "region" {
  description = "AWS Region of the endpoint."
  type        = string
  default     = "eu-north-1"
}

variable "name" {
  description = "Name of the endpoint and prefix of everything around it."
  type        = string
  default     = "byoc-serverless"
}

variable "image" {
  description = "The container of ./container pushed to ECR (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>`); the module pins the tag to its digest."
  type        = string
}

variable "model_data_url" {
  description = "S3 URI of the model artifact: a tar.gz holding `model.json` (see ./container/model)."
  type        = string
}

variable "container_environment" {
  description = "Environment variables of the container (container/serve reads MODEL_SERVER_WORKERS, MODEL_SERVER_TIMEOUT, MODEL_SERVER_WORKER_MEMORY_MB; never secrets: the environment is in Terraform state and DescribeModel)."
  type        = map(string)
  default     = {}
}

variable "memory_size_mb" {
  description = "Serverless memory (1024-6144 in steps of 1024)."
  type        = number
  default     = 2048
}

variable "max_concurrency" {
  description = "Serverless maximum concurrent invocations."
  type        = number
  default     = 1
}

variable "provisioned_concurrency" {
  description = "Provisioned concurrency (keeps instances warm, billed while idle), or null for none."
  type        = number
  default     = null
}

variable "termination_wait_seconds" {
  description = "How long the old fleet is kept after traffic has moved."
  type        = number
  default     = 300
}

variable "bake_seconds" {
  description = "How long the deployer watches the rollback alarms after SageMaker reports success."
  type        = number
  default     = 300
}

variable "log_group_retention_in_days" {
  description = "Retention of the endpoint's log group."
  type        = number
  default     = 30
}

variable "python_executable" {
  description = "Python interpreter with boto3 that runs the deployer."
  type        = string
  default     = "python3"
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
