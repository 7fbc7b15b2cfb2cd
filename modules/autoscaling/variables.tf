variable "endpoint_name" {
  description = "Name of the SageMaker endpoint (resource ids `endpoint/<name>/variant/<variant>`, alarm names and dimensions)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.endpoint_name))
    error_message = "endpoint_name must be a SageMaker endpoint name."
  }
}

variable "variants" {
  description = <<-EOT
    Autoscaled variants by name (names known at plan time). `kind`: `instance` (target tracking on
    SageMakerVariantInvocationsPerInstance, dimension DesiredInstanceCount), `serverless` (provisioned concurrency:
    target tracking on SageMakerVariantProvisionedConcurrencyUtilization, dimension DesiredProvisionedConcurrency) or
    `async` (target tracking on ApproximateBacklogSizePerInstance; with `scale_to_zero` min capacity 0 plus a step
    policy fired by a HasBacklogWithoutCapacity alarm that adds one instance). Changing `instance_type` replaces the
    target: SageMaker refuses an instance-type change of a registered variant, so the target is deregistered before the
    rollout (when the caller orders the submodule after it, see the root module) and registered again after it.
  EOT
  type = map(object({
    kind               = string
    instance_type      = optional(string)
    min_capacity       = number
    max_capacity       = number
    target_value       = number
    scale_in_cooldown  = optional(number, 300)
    scale_out_cooldown = optional(number, 300)
    disable_scale_in   = optional(bool, false)
    scale_to_zero      = optional(bool, false)
  }))
  default = {}

  validation {
    condition     = alltrue([for v in values(var.variants) : contains(["instance", "serverless", "async"], v.kind)])
    error_message = "kind must be instance, serverless or async."
  }

  validation {
    condition     = alltrue([for v in values(var.variants) : v.min_capacity >= 0 && v.min_capacity <= v.max_capacity && v.max_capacity >= 1 && v.target_value > 0])
    error_message = "0 <= min_capacity <= max_capacity, max_capacity >= 1 and target_value > 0."
  }

  validation {
    condition     = alltrue([for v in values(var.variants) : v.min_capacity >= 1 || (v.kind == "async" && v.scale_to_zero)])
    error_message = "min_capacity 0 is only possible for asynchronous variants with scale_to_zero."
  }
}

variable "step_cooldown_seconds" {
  description = "Cooldown of the 0 -> 1 step policy of asynchronous variants that scale to zero."
  type        = number
  default     = 300
}

variable "has_backlog_alarm" {
  description = "Settings of the HasBacklogWithoutCapacity alarm that fires the 0 -> 1 step policy."
  type = object({
    period_seconds      = optional(number, 60)
    evaluation_periods  = optional(number, 2)
    datapoints_to_alarm = optional(number, 2)
    threshold           = optional(number, 1)
  })
  default = {}
}

variable "tags" {
  description = "Tags for the alarms the submodule creates."
  type        = map(string)
  default     = {}
}
