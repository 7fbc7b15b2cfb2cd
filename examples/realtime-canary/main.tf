provider "aws" {
  region = var.region
}

################################################################################
# A real-time endpoint: canary blue/green, autoscaling, rollback alarms
################################################################################

module "endpoint" {
  source = "../../"

  name = var.name

  variants = [{
    name = "AllTraffic"
    containers = [{
      image          = var.image
      model_data_url = var.model_data_url
      environment    = var.container_environment
    }]
    instance_type          = var.instance_type
    initial_instance_count = var.min_instances

    # Target tracking on SageMakerVariantInvocationsPerInstance (invocations per instance per minute).
    autoscaling = {
      min_capacity       = var.min_instances
      max_capacity       = var.max_instances
      target_value       = var.invocations_per_instance_target
      scale_in_cooldown  = 300
      scale_out_cooldown = 60
    }
  }]

  # canary_percent of the new fleet's capacity (CanarySize CAPACITY_PERCENT) takes traffic first; the rest
  # follows after the wait, unless an alarm fires. 25% of 4 instances is one instance: keep
  # min_instances * canary_percent / 100 >= 1 and well below half the fleet (see the README).
  deployment = {
    strategy                      = "blue_green"
    traffic                       = "canary"
    canary_percent                = var.canary_percent
    wait_interval_seconds         = var.canary_wait_seconds
    termination_wait_seconds      = var.termination_wait_seconds
    max_execution_timeout_seconds = 3600
    extra_rollback_alarms         = var.extra_rollback_alarms
  }

  alarms = {
    invocation_5xx_errors_threshold = 5
    model_latency_threshold_us      = var.model_latency_threshold_ms * 1000
    period_seconds                  = 60
    evaluation_periods              = 3
    datapoints_to_alarm             = 2
    alarm_actions                   = var.alarm_actions
  }

  # Data capture for Model Monitor: requests and responses, into the module's bucket under data-capture/.
  data_capture = var.data_capture_sampling_percentage == null ? null : {
    initial_sampling_percentage = var.data_capture_sampling_percentage
  }

  log_group_retention_in_days = var.log_group_retention_in_days
  python_executable           = var.python_executable

  tags = var.tags
}
