locals {
  # Scalable dimensions and metrics: AWS-FACTS.md, Application Auto Scaling (SageMaker DG, AAS API reference).
  dimension = {
    instance   = "sagemaker:variant:DesiredInstanceCount"
    async      = "sagemaker:variant:DesiredInstanceCount"
    serverless = "sagemaker:variant:DesiredProvisionedConcurrency"
  }
  predefined_metric = {
    instance   = "SageMakerVariantInvocationsPerInstance"
    serverless = "SageMakerVariantProvisionedConcurrencyUtilization"
  }

  scale_from_zero = { for k, v in var.variants : k => v if v.kind == "async" && v.scale_to_zero }
}

# What SageMaker cannot change under a registered scalable target (AWS-FACTS.md: an UpdateEndpoint that changes the
# instance type of a registered variant fails): a change here replaces the target.
resource "terraform_data" "variant_shape" {
  for_each = var.variants

  input = {
    kind          = each.value.kind
    instance_type = each.value.instance_type
  }
}

resource "aws_appautoscaling_target" "this" {
  for_each = var.variants

  service_namespace  = "sagemaker"
  resource_id        = "endpoint/${var.endpoint_name}/variant/${each.key}"
  scalable_dimension = local.dimension[each.value.kind]
  min_capacity       = each.value.min_capacity
  max_capacity       = each.value.max_capacity

  lifecycle {
    replace_triggered_by = [terraform_data.variant_shape[each.key]]
  }
}

resource "aws_appautoscaling_policy" "target_tracking" {
  for_each = var.variants

  name               = "${each.key}-${each.value.kind == "async" ? "backlog" : each.value.kind == "serverless" ? "provisioned-concurrency" : "invocations"}-target-tracking"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension

  # Deregistering a target deletes its policies (AWS-FACTS.md): a replaced target needs them put again.
  lifecycle {
    replace_triggered_by = [terraform_data.variant_shape[each.key]]
  }

  target_tracking_scaling_policy_configuration {
    target_value       = each.value.target_value
    scale_in_cooldown  = each.value.scale_in_cooldown
    scale_out_cooldown = each.value.scale_out_cooldown
    disable_scale_in   = each.value.disable_scale_in

    dynamic "predefined_metric_specification" {
      for_each = each.value.kind == "async" ? [] : [1]

      content {
        predefined_metric_type = local.predefined_metric[each.value.kind]
      }
    }

    # Asynchronous endpoints: backlog per instance (namespace AWS/SageMaker, dimension EndpointName, Average).
    dynamic "customized_metric_specification" {
      for_each = each.value.kind == "async" ? [1] : []

      content {
        metric_name = "ApproximateBacklogSizePerInstance"
        namespace   = "AWS/SageMaker"
        statistic   = "Average"

        dimensions {
          name  = "EndpointName"
          value = var.endpoint_name
        }
      }
    }
  }
}

# From zero instances target tracking never fires (the backlog per instance is undefined): a step policy adds one
# instance when HasBacklogWithoutCapacity reports queued requests (AWS-FACTS.md, asynchronous scale to zero).
resource "aws_appautoscaling_policy" "scale_from_zero" {
  for_each = local.scale_from_zero

  name               = "${each.key}-has-backlog-without-capacity"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.this[each.key].service_namespace
  resource_id        = aws_appautoscaling_target.this[each.key].resource_id
  scalable_dimension = aws_appautoscaling_target.this[each.key].scalable_dimension

  lifecycle {
    replace_triggered_by = [terraform_data.variant_shape[each.key]]
  }

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = var.step_cooldown_seconds
    metric_aggregation_type = "Average"

    step_adjustment {
      metric_interval_lower_bound = 0
      scaling_adjustment          = 1
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "has_backlog_without_capacity" {
  for_each = local.scale_from_zero

  alarm_name        = "${var.endpoint_name}-${each.key}-has-backlog-without-capacity"
  alarm_description = "Queued requests and no instance on ${var.endpoint_name}: scale variant ${each.key} from 0 to 1."

  namespace           = "AWS/SageMaker"
  metric_name         = "HasBacklogWithoutCapacity"
  statistic           = "Average"
  period              = var.has_backlog_alarm.period_seconds
  evaluation_periods  = var.has_backlog_alarm.evaluation_periods
  datapoints_to_alarm = var.has_backlog_alarm.datapoints_to_alarm
  threshold           = var.has_backlog_alarm.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "missing"

  dimensions = {
    EndpointName = var.endpoint_name
  }

  alarm_actions = [aws_appautoscaling_policy.scale_from_zero[each.key].arn]

  tags = var.tags
}
