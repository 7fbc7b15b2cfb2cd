provider "aws" {
  region = var.region
}

locals {
  variant_name = "AllTraffic"
}

################################################################################
# An asynchronous Whisper (speech-to-text) endpoint that scales to zero
################################################################################

module "whisper" {
  source = "../../"

  name = var.name

  variants = [{
    name = local.variant_name
    containers = [{
      image          = var.image
      model_data_url = var.model_data_url
      environment = merge(
        {
          STAGE      = var.stage
          SENTRY_DSN = var.error_reporting_dsn
        },
        var.container_environment,
      )
    }]
    instance_type          = var.instance_type
    initial_instance_count = 1
    # Large model: give the container time to download and load it.
    container_startup_health_check_timeout_seconds = 1800
    model_data_download_timeout_seconds            = 1200

    # 0-30 instances: target tracking on ApproximateBacklogSizePerInstance plus, because scale to zero is
    # on, the HasBacklogWithoutCapacity alarm and the +1 step policy that brings the variant back from 0.
    autoscaling = {
      min_capacity       = 0
      max_capacity       = var.max_instances
      target_value       = var.backlog_target_per_instance
      scale_in_cooldown  = 30
      scale_out_cooldown = 120
    }
  }]

  async_inference = {
    create_topics                           = true
    success_subscriptions                   = var.notification_subscriptions
    error_subscriptions                     = var.notification_subscriptions
    include_inference_response_in           = ["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"]
    max_concurrent_invocations_per_instance = 1
    scale_to_zero                           = true
    backlog_target_per_instance             = var.backlog_target_per_instance
  }

  # Blue/green, all traffic at once, no wait between the shift and the end of the watch; the module's
  # rollback alarms plus the team's own 4XX alarm stop a bad release.
  deployment = {
    strategy                 = "blue_green"
    traffic                  = "all_at_once"
    wait_interval_seconds    = 0
    termination_wait_seconds = var.termination_wait_seconds
    extra_rollback_alarms    = [aws_cloudwatch_metric_alarm.invocation_4xx.alarm_name]
    bake_seconds             = var.bake_seconds
  }

  bucket_force_destroy        = var.bucket_force_destroy
  log_group_retention_in_days = var.log_group_retention_in_days
  python_executable           = var.python_executable

  tags = var.tags
}

################################################################################
# The team's own rollback alarm: client errors after a release (a changed request contract)
################################################################################

resource "aws_cloudwatch_metric_alarm" "invocation_4xx" {
  alarm_name          = "${var.name}-4xx"
  alarm_description   = "Average Invocation4XXErrors of ${var.name}/${local.variant_name} above 1 over two 10-minute periods: rolls a release back."
  namespace           = "AWS/SageMaker"
  metric_name         = "Invocation4XXErrors"
  statistic           = "Average"
  period              = 600
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = 1
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"

  dimensions = {
    EndpointName = var.name
    VariantName  = local.variant_name
  }

  tags = var.tags
}
