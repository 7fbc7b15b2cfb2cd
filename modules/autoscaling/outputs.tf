output "resource_ids" {
  description = "Scalable target resource ids (`endpoint/<name>/variant/<variant>`) by variant name."
  value       = { for k, t in aws_appautoscaling_target.this : k => t.resource_id }
}

output "target_tracking_policy_arns" {
  description = "ARNs of the target tracking policies by variant name."
  value       = { for k, p in aws_appautoscaling_policy.target_tracking : k => p.arn }
}

output "step_policy_arns" {
  description = "ARNs of the 0 -> 1 step scaling policies by variant name (asynchronous variants that scale to zero)."
  value       = { for k, p in aws_appautoscaling_policy.scale_from_zero : k => p.arn }
}

output "has_backlog_without_capacity_alarm_names" {
  description = "Names of the HasBacklogWithoutCapacity alarms by variant name."
  value       = { for k, a in aws_cloudwatch_metric_alarm.has_backlog_without_capacity : k => a.alarm_name }
}
