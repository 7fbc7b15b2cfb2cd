output "execution_role_arn" {
  description = "ARN of the execution role (created or given). Known once the role's policy is attached."
  value       = local.role_arn

  depends_on = [aws_iam_role_policy.this]
}

output "execution_role_name" {
  description = "Name of the created execution role, or null."
  value       = try(aws_iam_role.this[0].name, null)
}

output "execution_policy_json" {
  description = "The execution role's inline policy document (JSON)."
  value       = data.aws_iam_policy_document.execution.json
}

output "invoke_policy_json" {
  description = "Policy document (JSON) that allows invoking the endpoint, with the hostname conditions."
  value       = data.aws_iam_policy_document.invoke.json
}

output "invoke_policy_arn" {
  description = "ARN of the created invoke policy, or null."
  value       = try(aws_iam_policy.invoke[0].arn, null)
}

output "ci_plan_policy_json" {
  description = "Policy document (JSON) for a CI role that runs `terraform plan` (read-only)."
  value       = data.aws_iam_policy_document.ci_plan.json
}

output "ci_apply_policy_json" {
  description = "Policy document (JSON) for a CI role that runs `terraform apply` and `destroy` (deploy)."
  value       = data.aws_iam_policy_document.ci_apply.json
}
