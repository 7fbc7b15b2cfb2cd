variable "region" {
  description = "AWS Region of the endpoint."
  type        = string
  default     = "eu-north-1"
}

variable "name" {
  description = "Name of the endpoint and prefix of everything around it."
  type        = string
  default     = "triton-ensemble"
}

variable "triton_image" {
  description = "SageMaker's Triton image for the Region: `<dlc account>.dkr.ecr.<region>.amazonaws.com/sagemaker-tritonserver:<version>-py3`."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$", var.triton_image))
    error_message = "triton_image must be an ECR image URI with a tag or digest."
  }
}

variable "model_data_url" {
  description = "S3 URI printed by `package_model.py` (`s3://<bucket>/<prefix>/<hash>/<ensemble>.tar.gz`)."
  type        = string

  validation {
    condition     = endswith(var.model_data_url, ".tar.gz") && startswith(var.model_data_url, "s3://")
    error_message = "model_data_url must be the s3://.../<model>.tar.gz URI that package_model.py prints."
  }
}

variable "default_model_name" {
  description = "SAGEMAKER_TRITON_DEFAULT_MODEL_NAME; default: the archive's name (package_model.py names it after the ensemble)."
  type        = string
  default     = null
}

variable "container_environment" {
  description = "Further environment variables of the Triton container (for example SAGEMAKER_TRITON_SHM_DEFAULT_BYTE_SIZE)."
  type        = map(string)
  default     = {}
}

variable "instance_type" {
  description = "GPU instance type."
  type        = string
  default     = "ml.g4dn.xlarge"
}

variable "instance_count" {
  description = "Number of instances."
  type        = number
  default     = 1
}

variable "wait_interval_seconds" {
  description = "Wait between the traffic shift and the end of the blue/green watch."
  type        = number
  default     = 300
}

variable "termination_wait_seconds" {
  description = "How long the old fleet is kept after traffic has moved."
  type        = number
  default     = 300
}

variable "pin_image_digests" {
  description = "Resolve the image tag to a digest in this account's ECR (only for a copy of the Triton image in your own registry)."
  type        = bool
  default     = false
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
