output "endpoint_name" {
  description = "Name of the asynchronous endpoint (invoke it with `sagemaker-runtime invoke-endpoint-async`)."
  value       = module.whisper.endpoint_name
}

output "endpoint_arn" {
  description = "ARN of the endpoint."
  value       = module.whisper.endpoint_arn
}

output "endpoint_config_name" {
  description = "The configuration the endpoint serves now."
  value       = module.whisper.endpoint_config_name
}

output "release" {
  description = "Release id of the live desired state."
  value       = module.whisper.release
}

output "async_input_path" {
  description = "Where to upload audio for `InputLocation`."
  value       = module.whisper.async_input_path
}

output "async_output_path" {
  description = "Where transcriptions land."
  value       = module.whisper.async_output_path
}

output "success_topic_arn" {
  description = "SNS topic of successful transcriptions."
  value       = module.whisper.success_topic_arn
}

output "error_topic_arn" {
  description = "SNS topic of failed transcriptions."
  value       = module.whisper.error_topic_arn
}

output "rollback_alarm_names" {
  description = "Alarms that roll a release back."
  value       = module.whisper.rollback_alarm_names
}

output "autoscaling_resource_ids" {
  description = "Application Auto Scaling resource ids by variant."
  value       = module.whisper.autoscaling_resource_ids
}

output "ci_plan_policy_json" {
  description = "Policy for the read-only CI role that runs `terraform plan`: the module's, plus reading the image digest parameter and the secret's metadata."
  value       = data.aws_iam_policy_document.ci_plan.json
}

output "ci_apply_policy_json" {
  description = "Policy for the CI role that runs `terraform apply`: the module's, plus the same reads."
  value       = data.aws_iam_policy_document.ci_apply.json
}

output "image" {
  description = "The image the endpoint serves: the repository at the digest of the SSM parameter."
  value       = local.image
}

output "sentry_dsn_secret_arn" {
  description = "ARN of the Sentry DSN secret the execution role may read (the container gets it as SENTRY_DSN_SECRET_ARN), or null."
  value       = one(data.aws_secretsmanager_secret.sentry_dsn[*].arn)
}

output "execution_role_name" {
  description = "The SageMaker execution role (the module's policy plus read-sentry-dsn)."
  value       = module.whisper.execution_role_name
}
