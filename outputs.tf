################################################################################
# Endpoint identity: from the inputs, known at plan (a rollout does not change them)
################################################################################

output "endpoint_name" {
  description = "Name of the SageMaker endpoint (from `name`: known at plan, unchanged by a rollout), or null with `create = false`."
  value       = local.create ? var.name : null
}

output "endpoint_arn" {
  description = "ARN of the SageMaker endpoint (built from `name`, lowercased as SageMaker does in ARNs: known at plan), or null with `create = false`."
  value       = local.create ? "arn:${local.partition}:sagemaker:${local.region}:${local.account_id}:endpoint/${lower(var.name)}" : null
}

output "variant_names" {
  description = "Production variant names of the endpoint (from `variants`: known at plan), or an empty list with `create = false`."
  value       = local.create ? [for v in var.variants : v.name] : []
}

################################################################################
# Live state (as the deployer reports it; stable between an apply and the next plan)
################################################################################

output "endpoint_config_name" {
  description = "The endpoint configuration the endpoint serves now (the live release)."
  value       = try(local.deployer.endpoint_config_name, null)
}

output "previous_endpoint_config_name" {
  description = "The retained configuration of the previous release (the rollback target), or an empty string."
  value       = try(local.deployer.previous_endpoint_config_name, null)
}

output "release" {
  description = "Release id of the desired state (content hash of what shapes the models and the endpoint configuration)."
  value       = try(local.deployer.release, null)
}

output "spec_json" {
  description = "The desired-state document handed to the deployer (SPEC §3), for `sagemaker-rollout deploy --spec FILE`."
  value       = local.create ? jsonencode(local.spec) : null
  # Container environments may hold credentials.
  sensitive = true
}

################################################################################
# Around the endpoint
################################################################################

output "execution_role_arn" {
  description = "ARN of the SageMaker execution role (created or given)."
  value       = local.execution_role_arn
}

output "execution_role_name" {
  description = "Name of the created execution role, or null when an existing role was given."
  value       = module.iam.execution_role_name
}

output "bucket_name" {
  description = "Name of the module's S3 bucket (created or given), or null when there is none."
  value       = local.create ? local.bucket_name : null
}

output "bucket_arn" {
  description = "ARN of the module's S3 bucket, or null when there is none."
  value       = local.create ? local.bucket_arn : null
}

output "kms_key_arn" {
  description = "ARN of the KMS key in use (created or given), or null."
  value       = local.kms_key_arn
}

output "log_group_name" {
  description = "Name of the endpoint's CloudWatch log group."
  value       = try(aws_cloudwatch_log_group.this[0].name, null)
}

output "async_output_path" {
  description = "S3 URI of asynchronous inference outputs, or null for a real-time endpoint."
  value       = local.async_output_path
}

output "async_failure_path" {
  description = "S3 URI of asynchronous inference failures, or null for a real-time endpoint."
  value       = local.async_failure_path
}

output "async_input_path" {
  description = "S3 URI prefix where asynchronous inference inputs go (the execution role may read it), or null."
  value       = local.async_input_path
}

output "success_topic_arn" {
  description = "ARN of the SNS topic for successful asynchronous inferences, or null."
  value       = local.success_topic_arn
}

output "error_topic_arn" {
  description = "ARN of the SNS topic for failed asynchronous inferences, or null."
  value       = local.error_topic_arn
}

output "rollback_alarm_names" {
  description = "Alarm names handed to SageMaker's auto-rollback and the deployer's bake watch (the module's alarms, then the extra ones)."
  value       = local.rollback_alarm_names
}

output "autoscaling_resource_ids" {
  description = "Application Auto Scaling resource ids (`endpoint/<name>/variant/<variant>`) by variant name, for autoscaled variants."
  value       = module.autoscaling.resource_ids
}

################################################################################
# Access policies
################################################################################

output "invoke_policy_json" {
  description = "IAM policy document (JSON) that allows invoking the endpoint, with the container hostname conditions of `invoke_policy`."
  value       = module.iam.invoke_policy_json
}

output "invoke_policy_arn" {
  description = "ARN of the created invoke policy, or null when `invoke_policy.create` is false."
  value       = module.iam.invoke_policy_arn
}

output "ci_plan_policy_json" {
  description = "Least-privilege IAM policy document (JSON) for a CI role that runs `terraform plan` (read-only)."
  value       = module.iam.ci_plan_policy_json
}

output "ci_apply_policy_json" {
  description = "Least-privilege IAM policy document (JSON) for a CI role that runs `terraform apply` and `destroy` (deploy)."
  value       = module.iam.ci_apply_policy_json
}

output "ci_plan_policy_documents" {
  description = "The CI plan policy as a list of documents that each fit a managed policy (6,144 characters): attach one managed policy per document."
  value       = module.iam.ci_plan_policy_documents
}

output "ci_apply_policy_documents" {
  description = "The CI apply policy as a list of documents that each fit a managed policy (6,144 characters): attach one managed policy per document."
  value       = module.iam.ci_apply_policy_documents
}
