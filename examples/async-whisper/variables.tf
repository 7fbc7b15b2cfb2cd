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

variable "image_repository" {
  description = "ECR repository of the inference image, without tag or digest (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>`)."
  type        = string

  validation {
    condition     = can(regex("^[^@]+/[^:@/]+$", var.image_repository))
    error_message = "image_repository is the repository URI only: the digest comes from image_digest_parameter."
  }
}

variable "image_digest_parameter" {
  description = "Name of the SSM String parameter holding the image's digest (`sha256:<64 hex>`), written by CI after each push."
  type        = string
}

variable "sentry_dsn_secret_name" {
  description = "Name of the Secrets Manager secret holding the Sentry DSN (a plain string), read by the container at start; null for none."
  type        = string
  default     = null
}

variable "sentry_dsn_secret_kms_key_arn" {
  description = "ARN of the customer managed KMS key of that secret, or null when it uses aws/secretsmanager."
  type        = string
  default     = null
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

variable "container_environment" {
  description = "Further environment variables of the container (never secrets: DescribeModel returns them and Terraform state keeps them)."
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

variable "vpc_subnet_ids" {
  description = "VPC mode: private subnets for the endpoint's instances (1-16, ideally in several Availability Zones); [] (the default) runs outside your VPC. The subnets need a route to S3, ECR, Secrets Manager and SNS (a NAT gateway or VPC endpoints)."
  type        = list(string)
  default     = []
}

variable "vpc_security_group_ids" {
  description = "VPC mode: security groups of the instances' network interfaces (1-5); required with vpc_subnet_ids."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.vpc_security_group_ids) <= 5
    error_message = "At most 5 security groups (API VpcConfig.SecurityGroupIds)."
  }
}
