variable "endpoint_name" {
  description = "Name of the SageMaker endpoint the alarms watch; also the prefix of the alarm names."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.endpoint_name))
    error_message = "endpoint_name must be a SageMaker endpoint name."
  }
}

variable "variant_names" {
  description = "Production variant names (dimension VariantName). With several variants each alarm takes the maximum over them (metric math)."
  type        = list(string)

  validation {
    condition     = length(var.variant_names) >= 1 && length(var.variant_names) <= 10
    error_message = "1 to 10 variant names."
  }
}

variable "asynchronous" {
  description = "The endpoint is asynchronous: adds the `<endpoint>-async-failures` alarm (and `<endpoint>-backlog` with `backlog_threshold`)."
  type        = bool
  default     = false
}

variable "invocation_5xx_errors_threshold" {
  description = "Invocation5XXErrors (Sum per period) at or above which `<endpoint>-5xx` fires."
  type        = number
  default     = 1
}

variable "model_latency_threshold_us" {
  description = "ModelLatency (Average per period, microseconds) at or above which `<endpoint>-model-latency` fires."
  type        = number
  default     = 5000000
}

variable "invocation_failures_threshold" {
  description = "Asynchronous InvocationFailures (Sum per period) at or above which `<endpoint>-async-failures` fires."
  type        = number
  default     = 1
}

variable "backlog_threshold" {
  description = "ApproximateBacklogSize (Average per period) at or above which `<endpoint>-backlog` fires; null creates no backlog alarm."
  type        = number
  default     = null
}

variable "period_seconds" {
  description = "Period of every alarm, in seconds."
  type        = number
  default     = 60

  validation {
    condition     = var.period_seconds >= 60 && var.period_seconds % 60 == 0
    error_message = "period_seconds must be a multiple of 60."
  }
}

variable "evaluation_periods" {
  description = "Number of periods evaluated."
  type        = number
  default     = 2

  validation {
    condition     = var.evaluation_periods >= 1
    error_message = "evaluation_periods must be >= 1."
  }
}

variable "datapoints_to_alarm" {
  description = "Number of breaching datapoints (of `evaluation_periods`) that put an alarm in ALARM."
  type        = number
  default     = 2

  validation {
    condition     = var.datapoints_to_alarm >= 1
    error_message = "datapoints_to_alarm must be >= 1."
  }
}

variable "alarm_actions" {
  description = "ARNs notified when an alarm goes to ALARM (for example an SNS topic)."
  type        = list(string)
  default     = []
}

variable "ok_actions" {
  description = "ARNs notified when an alarm goes back to OK."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for the alarms."
  type        = map(string)
  default     = {}
}
