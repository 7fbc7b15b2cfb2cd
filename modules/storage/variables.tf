variable "bucket_name" {
  description = "Name of the bucket to create."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 characters, lowercase letters, digits, dots and hyphens)."
  }
}

variable "kms_key_arn" {
  description = "KMS key for default encryption (SSE-KMS with a bucket key). Null uses the AWS managed key `aws/s3`."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Allow deleting the bucket with objects (and object versions) in it."
  type        = bool
  default     = false
}

variable "expiring_prefixes" {
  description = "Key prefixes whose objects expire after `expiration_days` (asynchronous inference inputs, outputs and failures)."
  type        = list(string)
  default     = []
}

variable "expiration_days" {
  description = "Days after which objects under `expiring_prefixes` expire."
  type        = number
  default     = 30

  validation {
    condition     = var.expiration_days >= 1
    error_message = "expiration_days must be >= 1."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent object versions are deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be >= 1."
  }
}

variable "tags" {
  description = "Tags for the bucket."
  type        = map(string)
  default     = {}
}
