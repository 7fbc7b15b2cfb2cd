output "plan_role_arn" {
  description = "Set as the repository variable TERRAFORM_PLAN_ROLE_ARN."
  value       = aws_iam_role.this["plan"].arn
}

output "apply_role_arn" {
  description = "Set as the `production` environment variable TERRAFORM_DEPLOY_ROLE_ARN."
  value       = aws_iam_role.this["apply"].arn
}
