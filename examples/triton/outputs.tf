output "endpoint_name" {
  description = "Name of the endpoint."
  value       = module.triton.endpoint_name
}

output "endpoint_arn" {
  description = "ARN of the endpoint."
  value       = module.triton.endpoint_arn
}

output "endpoint_config_name" {
  description = "The configuration the endpoint serves now."
  value       = module.triton.endpoint_config_name
}

output "release" {
  description = "Release id of the live desired state."
  value       = module.triton.release
}

output "default_model_name" {
  description = "The model Triton serves by default (SAGEMAKER_TRITON_DEFAULT_MODEL_NAME)."
  value       = local.default_model_name
}

output "rollback_alarm_names" {
  description = "Alarms that roll a release back."
  value       = module.triton.rollback_alarm_names
}
