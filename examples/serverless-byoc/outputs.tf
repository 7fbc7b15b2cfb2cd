output "endpoint_name" {
  description = "Name of the serverless endpoint (invoke it with `sagemaker-runtime invoke-endpoint` and a JSON body)."
  value       = module.byoc.endpoint_name
}

output "endpoint_arn" {
  description = "ARN of the endpoint."
  value       = module.byoc.endpoint_arn
}

output "endpoint_config_name" {
  description = "The configuration the endpoint serves now."
  value       = module.byoc.endpoint_config_name
}

output "release" {
  description = "Release id of the live desired state."
  value       = module.byoc.release
}

output "rollback_alarm_names" {
  description = "Alarms that roll a release back."
  value       = module.byoc.rollback_alarm_names
}

output "execution_role_arn" {
  description = "The SageMaker execution role."
  value       = module.byoc.execution_role_arn
}
