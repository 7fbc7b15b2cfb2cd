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
  description = "Policy document (JSON) that allows invoking the endpoint, with the hostname conditions (and, for an asynchronous endpoint, uploading input and reading results)."
  value       = data.aws_iam_policy_document.invoke_async.json
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

locals {
  # A managed policy holds at most 6,144 characters, whitespace not counted (IAM quotas): the CI policies are
  # also given as lists of documents of at most 8 statements each (jsonencode writes no whitespace).
  ci_plan_statements  = jsondecode(data.aws_iam_policy_document.ci_plan.json).Statement
  ci_apply_statements = jsondecode(data.aws_iam_policy_document.ci_apply.json).Statement
  ci_plan_documents = [
    for i in range(0, length(local.ci_plan_statements), 8) :
    jsonencode({ Version = "2012-10-17", Statement = slice(local.ci_plan_statements, i, min(i + 8, length(local.ci_plan_statements))) })
  ]
  ci_apply_documents = [
    for i in range(0, length(local.ci_apply_statements), 8) :
    jsonencode({ Version = "2012-10-17", Statement = slice(local.ci_apply_statements, i, min(i + 8, length(local.ci_apply_statements))) })
  ]
}

output "ci_plan_policy_documents" {
  description = "The CI plan policy as a list of documents that each fit a managed policy (6,144 characters)."
  value       = local.ci_plan_documents

  precondition {
    condition     = alltrue([for d in local.ci_plan_documents : length(d) <= 6144])
    error_message = "A CI plan policy document exceeds the 6,144 characters of a managed policy."
  }
}

output "ci_apply_policy_documents" {
  description = "The CI apply policy as a list of documents that each fit a managed policy (6,144 characters)."
  value       = local.ci_apply_documents

  precondition {
    condition     = alltrue([for d in local.ci_apply_documents : length(d) <= 6144])
    error_message = "A CI apply policy document exceeds the 6,144 characters of a managed policy."
  }
}
