provider "aws" {
  region = var.region
}

data "aws_partition" "current" {}

locals {
  oidc_host = "token.actions.githubusercontent.com"
  # GitHub's OIDC subject claims. Read-only: pull requests, and jobs on main without an environment (the
  # apply workflow's plan job, the drift check). Deploy: only jobs bound to the deploy environment, whose
  # deployment branch rule admits main only and whose required reviewers approve each run (README).
  plan_subjects = [
    "repo:${var.github_repository}:pull_request",
    "repo:${var.github_repository}:ref:refs/heads/main",
  ]
  apply_subjects = ["repo:${var.github_repository}:environment:${var.deploy_environment}"]
}

################################################################################
# GitHub OIDC provider (one per account)
################################################################################

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 1 : 0

  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  tags           = var.tags
}

locals {
  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : var.oidc_provider_arn
}

data "aws_iam_policy_document" "trust" {
  for_each = {
    plan  = local.plan_subjects
    apply = local.apply_subjects
  }

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = each.value
    }
  }
}

################################################################################
# Terraform state access (S3 backend)
################################################################################

data "aws_iam_policy_document" "state" {
  for_each = toset(["plan", "apply"])

  statement {
    sid       = "StateList"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.state_bucket}"]
  }

  statement {
    sid       = "StateRead"
    actions   = ["s3:GetObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.state_bucket}/${var.state_key_prefix}*"]
  }

  dynamic "statement" {
    for_each = each.key == "apply" ? [1] : []
    content {
      sid       = "StateWrite"
      actions   = ["s3:PutObject", "s3:DeleteObject"]
      resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.state_bucket}/${var.state_key_prefix}*"]
    }
  }
}

################################################################################
# The two roles: read-only for plan, deploy for apply
################################################################################

resource "aws_iam_role" "this" {
  for_each = data.aws_iam_policy_document.trust

  name                 = "${var.name_prefix}-terraform-${each.key}"
  description          = each.key == "plan" ? "GitHub Actions: terraform plan on pull requests and main, drift check (read-only)" : "GitHub Actions: terraform apply on ${var.deploy_environment} (deploy)"
  assume_role_policy   = each.value.json
  max_session_duration = each.key == "apply" ? 10800 : 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "endpoint" {
  for_each = aws_iam_role.this

  name = "sagemaker-endpoint"
  role = each.value.id
  # The module's outputs ci_plan_policy_json / ci_apply_policy_json (terraform output -raw ...).
  policy = each.key == "plan" ? var.plan_policy_json : var.apply_policy_json
}

resource "aws_iam_role_policy" "state" {
  for_each = aws_iam_role.this

  name   = "terraform-state"
  role   = each.value.id
  policy = data.aws_iam_policy_document.state[each.key].json
}
