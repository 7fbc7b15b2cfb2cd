variable "region" {
  description = "AWS Region of the endpoint."
  type        = string
  default     = "eu-north-1"
}

variable "name" {
  description = "Name of the endpoint and prefix of everything around it."
  type        = string
  default     = "fraud-scoring"
}

variable "image" {
  description = "Inference image in ECR; the module pins a tag to its digest."
  type        = string
}

variable "model_data_url" {
  description = "S3 URI of the model artifact (tar.gz)."
  type        = string
}

variable "container_environment" {
  description = "Environment variables of the container."
  type        = map(string)
  default     = {}
}

variable "instance_type" {
  description = "Instance type of the variant. Changing it on the autoscaled variant is a normal release."
  type        = string
  default     = "ml.m5.xlarge"
}

variable "min_instances" {
  description = "Lower bound of autoscaling, also the initial instance count. With canary_percent 25, 4 instances make a canary of 1."
  type        = number
  default     = 4

  validation {
    condition     = var.min_instances >= 2
    error_message = "A canary needs a fleet of at least 2 instances (SageMaker caps the canary at 50% of the new fleet)."
  }
}

variable "max_instances" {
  description = "Upper bound of autoscaling."
  type        = number
  default     = 12
}

variable "invocations_per_instance_target" {
  description = "Target of SageMakerVariantInvocationsPerInstance (per minute)."
  type        = number
  default     = 600
}

variable "canary_percent" {
  description = "Share of the new fleet's capacity that takes traffic first (CanarySize CAPACITY_PERCENT, 1-50)."
  type        = number
  default     = 25
}

variable "canary_wait_seconds" {
  description = "How long the canary serves its share of the traffic before the rest moves."
  type        = number
  default     = 600
}

variable "termination_wait_seconds" {
  description = "How long the old fleet is kept after all traffic has moved."
  type        = number
  default     = 300
}

variable "model_latency_threshold_ms" {
  description = "Average ModelLatency that rolls a release back."
  type        = number
  default     = 250
}

variable "extra_rollback_alarms" {
  description = "Names of further CloudWatch alarms that roll a release back (for example a business metric)."
  type        = list(string)
  default     = []
}

variable "alarm_actions" {
  description = "ARNs notified when a rollback alarm fires (for example an SNS topic of the on-call team)."
  type        = list(string)
  default     = []
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
  default     = {}
}

variable "data_capture_sampling_percentage" {
  description = "Captures this share (0-100) of requests and responses to s3://<endpoint bucket>/data-capture/ for Model Monitor; null: no data capture. A change rolls out as a new release."
  type        = number
  default     = null
}
