output "endpoint_names" {
  description = "Endpoint names by key."
  value       = { for k, m in module.endpoint : k => m.endpoint_name }
}

output "endpoint_arns" {
  description = "Endpoint ARNs by key."
  value       = { for k, m in module.endpoint : k => m.endpoint_arn }
}

output "endpoint_config_names" {
  description = "The configuration each endpoint serves now."
  value       = { for k, m in module.endpoint : k => m.endpoint_config_name }
}

output "releases" {
  description = "Live release id of each endpoint."
  value       = { for k, m in module.endpoint : k => m.release }
}

output "rollback_alarm_names" {
  description = "Rollback alarms of each endpoint."
  value       = { for k, m in module.endpoint : k => m.rollback_alarm_names }
}

output "autoscaling_resource_ids" {
  description = "Application Auto Scaling resource ids of each endpoint, by variant."
  value       = { for k, m in module.endpoint : k => m.autoscaling_resource_ids }
}
