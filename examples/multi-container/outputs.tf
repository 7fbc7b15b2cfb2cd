output "endpoint_name" {
  description = "Name of the endpoint (invoke with `TargetContainerHostname`)."
  value       = module.mnist.endpoint_name
}

output "endpoint_arn" {
  description = "ARN of the endpoint."
  value       = module.mnist.endpoint_arn
}

output "endpoint_config_name" {
  description = "The configuration the endpoint serves now."
  value       = module.mnist.endpoint_config_name
}

output "release" {
  description = "Release id of the live desired state."
  value       = module.mnist.release
}

output "container_hostnames" {
  description = "Hostnames to pass as `TargetContainerHostname`."
  value       = [local.tensorflow_hostname, local.pytorch_hostname]
}

output "invoke_policy_arn" {
  description = "IAM policy that allows invoking the allowed containers only."
  value       = module.mnist.invoke_policy_arn
}

output "invoke_policy_json" {
  description = "The invoke policy document."
  value       = module.mnist.invoke_policy_json
}

output "rollback_alarm_names" {
  description = "Alarms that roll a release back."
  value       = module.mnist.rollback_alarm_names
}
