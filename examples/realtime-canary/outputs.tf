output "endpoint_name" {
  description = "Name of the endpoint."
  value       = module.endpoint.endpoint_name
}

output "endpoint_arn" {
  description = "ARN of the endpoint."
  value       = module.endpoint.endpoint_arn
}

output "endpoint_config_name" {
  description = "The configuration the endpoint serves now."
  value       = module.endpoint.endpoint_config_name
}

output "previous_endpoint_config_name" {
  description = "The retained previous release: `sagemaker-rollout rollback <endpoint>` goes back to it."
  value       = module.endpoint.previous_endpoint_config_name
}

output "release" {
  description = "Release id of the live desired state."
  value       = module.endpoint.release
}

output "rollback_alarm_names" {
  description = "Alarms that roll a release back."
  value       = module.endpoint.rollback_alarm_names
}

output "autoscaling_resource_ids" {
  description = "Application Auto Scaling resource ids by variant."
  value       = module.endpoint.autoscaling_resource_ids
}
