variable "region" {
  description = "AWS Region of the endpoint."
  type        = string
  default     = "eu-north-1"
}

variable "name" {
  description = "Name of the endpoint and prefix of everything around it."
  type        = string
  default     = "whisper"
}

variable "image" {
  description = "Inference image in ECR (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>` or `@sha256:<digest>`). Tags are pinned to digests by the module."
  type        = string
}

variable "model_data_url" {
  description = "S3 URI of the model artifact (tar.gz), or null when the image carries the model."
  type        = string
  default     = null
}

variable "instance_type" {
  description = "GPU instance type of the variant."
  type        = string
  default     = "ml.g4dn.xlarge"
}

variable "max_instances" {
  description = "Upper bound of the autoscaling range (the lower bound is 0: scale to zero)."
  type        = number
  default     = 30
}

variable "backlog_target_per_instance" {
  description = "Target of ApproximateBacklogSizePerInstance for target tracking."
  type        = number
  default     = 10
}

variable "stage" {
  description = "Deployment stage, passed to the container as STAGE."
  type        = string
  default     = "prod"
}

variable "error_reporting_dsn" {
  description = "Error-reporting DSN passed to the container as SENTRY_DSN (a DSN is not a secret; never put credentials here: the environment is stored in Terraform state)."
  type        = string
  default     = ""
}

variable "container_environment" {
  description = "Further environment variables of the container."
  type        = map(string)
  default     = {}
}

variable "notification_subscriptions" {
  description = "Subscriptions of the success and error topics (for example `{ protocol = \"sqs\", endpoint = <queue ARN> }`)."
  type        = list(object({ protocol = string, endpoint = string }))
  default     = []
}

variable "termination_wait_seconds" {
  description = "How long the old (blue) fleet is kept, and the alarms watched, after traffic has moved to the new fleet."
  type        = number
  default     = 600
}

variable "bake_seconds" {
  description = "How long the deployer keeps watching the rollback alarms after SageMaker reports success (0 = off)."
  type        = number
  default     = 0
}

variable "bucket_force_destroy" {
  description = "Let `terraform destroy` delete the bucket with asynchronous outputs still in it."
  type        = bool
  default     = false
}

variable "log_group_retention_in_days" {
  description = "Retention of the endpoint's log group."
  type        = number
  default     = 90
}

variable "python_executable" {
  description = "Python interpreter with boto3 that runs the deployer."
  type        = string
  default     = "python3"
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default = {
    team = "speech"
  }
}
