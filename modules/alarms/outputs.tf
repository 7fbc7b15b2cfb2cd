output "alarm_names" {
  description = "Names of the rollback alarms, in a fixed order (5xx, model latency, async failures, backlog)."
  value       = [for k in local.signal_order : aws_cloudwatch_metric_alarm.this[k].alarm_name if contains(keys(local.signals), k)]
}

output "alarm_arns" {
  description = "ARNs of the rollback alarms by signal (`5xx`, `model-latency`, `async-failures`, `backlog`)."
  value       = { for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }
}
