variable "name" {
  description = "Prefix of the topic names: `<name>-success` and `<name>-error`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,248}$", var.name))
    error_message = "name must be 1-248 characters of letters, digits, hyphens and underscores (SNS topic names are at most 256)."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts both topics. Null uses the AWS managed key `alias/aws/sns`."
  type        = string
  default     = null
}

variable "success_subscriptions" {
  description = "Subscriptions to the success topic."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.success_subscriptions : contains(["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"], s.protocol)])
    error_message = "protocol must be one of http, https, email, email-json, sms, sqs, application, lambda, firehose."
  }
}

variable "error_subscriptions" {
  description = "Subscriptions to the error topic."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.error_subscriptions : contains(["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"], s.protocol)])
    error_message = "protocol must be one of http, https, email, email-json, sms, sqs, application, lambda, firehose."
  }
}

variable "tags" {
  description = "Tags for the topics."
  type        = map(string)
  default     = {}
}
