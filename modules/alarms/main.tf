locals {
  # Metric names and statistics: SageMaker DG "Monitor SageMaker AI with Amazon CloudWatch" (real-time) and
  # "Alarms and logs for tracking metrics from asynchronous endpoints" (see AWS-FACTS.md, Alarms).
  signals = merge(
    {
      "5xx" = {
        metric      = "Invocation5XXErrors"
        statistic   = "Sum"
        threshold   = var.invocation_5xx_errors_threshold
        per_variant = true
        description = "5xx responses of the model"
      }
      "model-latency" = {
        metric      = "ModelLatency"
        statistic   = "Average"
        threshold   = var.model_latency_threshold_us
        per_variant = true
        description = "model latency (microseconds)"
      }
    },
    var.asynchronous ? {
      "async-failures" = {
        metric      = "InvocationFailures"
        statistic   = "Sum"
        threshold   = var.invocation_failures_threshold
        per_variant = true
        description = "failed asynchronous invocations"
      }
    } : {},
    var.asynchronous && var.backlog_threshold != null ? {
      "backlog" = {
        metric      = "ApproximateBacklogSize"
        statistic   = "Average"
        threshold   = var.backlog_threshold
        per_variant = false
        description = "asynchronous backlog"
      }
    } : {},
  )

  # Order of the alarm names handed to the deployer: fixed, so that the spec (and its hash) is stable.
  signal_order = ["5xx", "model-latency", "async-failures", "backlog"]

  multi_variant = length(var.variant_names) > 1
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.signals

  alarm_name        = "${var.endpoint_name}-${each.key}"
  alarm_description = "Rollback alarm of SageMaker endpoint ${var.endpoint_name}: ${each.value.description} >= ${each.value.threshold}."

  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = each.value.threshold
  evaluation_periods  = var.evaluation_periods
  datapoints_to_alarm = var.datapoints_to_alarm
  # No traffic is no evidence of a bad release.
  treat_missing_data = "notBreaching"

  # One variant (or an endpoint-level metric): a plain metric alarm.
  namespace   = each.value.per_variant && local.multi_variant ? null : "AWS/SageMaker"
  metric_name = each.value.per_variant && local.multi_variant ? null : each.value.metric
  statistic   = each.value.per_variant && local.multi_variant ? null : each.value.statistic
  period      = each.value.per_variant && local.multi_variant ? null : var.period_seconds
  dimensions = each.value.per_variant && local.multi_variant ? null : merge(
    { EndpointName = var.endpoint_name },
    each.value.per_variant ? { VariantName = var.variant_names[0] } : {},
  )

  # Several variants: the worst variant decides (metric math MAX over the per-variant series).
  dynamic "metric_query" {
    for_each = each.value.per_variant && local.multi_variant ? var.variant_names : []

    content {
      id = "v${metric_query.key}"

      metric {
        namespace   = "AWS/SageMaker"
        metric_name = each.value.metric
        stat        = each.value.statistic
        period      = var.period_seconds
        dimensions = {
          EndpointName = var.endpoint_name
          VariantName  = metric_query.value
        }
      }
    }
  }

  dynamic "metric_query" {
    for_each = each.value.per_variant && local.multi_variant ? [1] : []

    content {
      id          = "worst"
      expression  = "MAX([${join(", ", [for i, _ in var.variant_names : "v${i}"])}])"
      label       = "${each.value.metric} (worst variant)"
      return_data = true
    }
  }

  alarm_actions = var.alarm_actions
  ok_actions    = var.ok_actions

  tags = var.tags
}
