variable "region" {
  description = "AWS Region of the endpoints."
  type        = string
  default     = "eu-north-1"
}

variable "endpoints" {
  description = "Endpoints by name. `max_instances` above `min_instances` turns autoscaling on; `canary` rolls out 10% first."
  type = map(object({
    image                           = string
    model_data_url                  = optional(string)
    environment                     = optional(map(string), {})
    instance_type                   = optional(string, "ml.m5.large")
    min_instances                   = optional(number, 1)
    max_instances                   = optional(number, 1)
    invocations_per_instance_target = optional(number, 600)
    canary                          = optional(bool, false)
  }))

  validation {
    condition     = length(var.endpoints) >= 1
    error_message = "Give at least one endpoint."
  }
}

variable "wait_interval_seconds" {
  description = "Wait between the traffic shift and the end of the blue/green watch, for every endpoint."
  type        = number
  default     = 300
}

variable "termination_wait_seconds" {
  description = "How long the old fleet is kept after traffic has moved, for every endpoint."
  type        = number
  default     = 300
}

variable "log_group_retention_in_days" {
  description = "Retention of the endpoints' log groups."
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
