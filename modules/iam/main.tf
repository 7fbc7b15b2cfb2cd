locals {
  prefix = "arn:${var.partition}"

  # SageMaker lowercases names in ARNs. Model and configuration names start with the deployer's name prefix
  # (deployer/release.py name_prefix: the endpoint name when it has at most 47 characters, else its first 40
  # characters, trailing hyphens dropped, plus a hash).
  sagemaker_arn    = "${local.prefix}:sagemaker:${var.region}:${var.account_id}"
  endpoint_lower   = lower(var.endpoint_name)
  release_prefix   = length(var.endpoint_name) <= 47 ? "${local.endpoint_lower}-" : replace(substr(local.endpoint_lower, 0, 40), "/-+$/", "")
  endpoint_arn     = "${local.sagemaker_arn}:endpoint/${local.endpoint_lower}"
  config_arns      = "${local.sagemaker_arn}:endpoint-config/${local.release_prefix}*"
  model_arns       = "${local.sagemaker_arn}:model/${local.release_prefix}*"
  role_arn         = var.create_role ? aws_iam_role.this[0].arn : var.existing_role_arn
  role_arn_pattern = "${local.prefix}:iam::${var.account_id}:role/${var.role_name}"
  alarm_arns       = "${local.prefix}:cloudwatch:${var.region}:${var.account_id}:alarm:${var.endpoint_name}-*"
  extra_alarm_arns = [for a in var.extra_alarm_names : "${local.prefix}:cloudwatch:${var.region}:${var.account_id}:alarm:${a}"]
  topic_arns       = "${local.prefix}:sns:${var.region}:${var.account_id}:${var.endpoint_name}-*"
  invoke_name      = coalesce(var.invoke_policy_name, "${var.endpoint_name}-invoke")
  invoke_arn       = "${local.prefix}:iam::${var.account_id}:policy/${local.invoke_name}"
  key_arns         = length(var.kms_key_arns) > 0 ? var.kms_key_arns : ["${local.prefix}:kms:${var.region}:${var.account_id}:key/*"]
}

################################################################################
# Execution role (least privilege: no wildcard actions, every resource scoped where the API allows it)
################################################################################

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "SageMakerAssumeRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  count = var.create_role ? 1 : 0

  name                 = var.role_name
  description          = "SageMaker execution role of endpoint ${var.endpoint_name}"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.permissions_boundary

  tags = var.tags
}

data "aws_iam_policy_document" "execution" {
  dynamic "statement" {
    for_each = length(var.ecr_repository_arns) > 0 ? [1] : []

    content {
      sid       = "PullImages"
      actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      resources = var.ecr_repository_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.ecr_repository_arns) > 0 ? [1] : []

    content {
      # GetAuthorizationToken has no resource-level permissions (ECR service authorization reference).
      sid       = "EcrLogin"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = length(var.model_data_s3_arns) + length(var.s3_read_arns) > 0 ? [1] : []

    content {
      sid       = "ReadModelDataAndInputs"
      actions   = ["s3:GetObject"]
      resources = concat(var.model_data_s3_arns, var.s3_read_arns)
    }
  }

  dynamic "statement" {
    for_each = length(var.s3_write_arns) > 0 ? [1] : []

    content {
      sid       = "WriteAsyncResults"
      actions   = ["s3:AbortMultipartUpload", "s3:PutObject"]
      resources = var.s3_write_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.sns_topic_arns) > 0 ? [1] : []

    content {
      sid       = "PublishNotifications"
      actions   = ["sns:Publish"]
      resources = var.sns_topic_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "UseKey"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"]
      resources = var.kms_key_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "GrantKeyToSageMakerVolumes"
      actions   = ["kms:CreateGrant"]
      resources = var.kms_key_arns

      condition {
        test     = "Bool"
        variable = "kms:GrantIsForAWSResource"
        values   = ["true"]
      }
    }
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    resources = [var.log_group_arn, "${var.log_group_arn}:log-stream:*"]
  }

  statement {
    # PutMetricData has no resource-level permissions; the namespace condition scopes it.
    sid       = "PutMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringLike"
      variable = "cloudwatch:namespace"
      values   = ["AWS/SageMaker", "/aws/sagemaker/*"]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  count = var.create_role ? 1 : 0

  name   = "sagemaker-endpoint"
  role   = aws_iam_role.this[0].id
  policy = data.aws_iam_policy_document.execution.json
}

################################################################################
# Invoke policy (sagemaker:TargetContainerHostname for Direct multi-container endpoints)
################################################################################

data "aws_iam_policy_document" "invoke" {
  statement {
    sid       = "InvokeEndpoint"
    actions   = ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointAsync", "sagemaker:InvokeEndpointWithResponseStream"]
    resources = [local.endpoint_arn]

    dynamic "condition" {
      for_each = length(var.allowed_container_hostnames) > 0 ? [1] : []

      content {
        test     = "StringLike"
        variable = "sagemaker:TargetContainerHostname"
        values   = var.allowed_container_hostnames
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.denied_container_hostnames) > 0 ? [1] : []

    content {
      sid       = "DenyContainers"
      effect    = "Deny"
      actions   = ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"]
      resources = [local.endpoint_arn]

      condition {
        test     = "StringLike"
        variable = "sagemaker:TargetContainerHostname"
        values   = var.denied_container_hostnames
      }
    }
  }
}

resource "aws_iam_policy" "invoke" {
  count = var.create_invoke_policy ? 1 : 0

  name        = local.invoke_name
  description = "Invoke SageMaker endpoint ${var.endpoint_name}"
  policy      = data.aws_iam_policy_document.invoke.json

  tags = var.tags
}

################################################################################
# CI policies: plan (read-only) and apply (deploy)
################################################################################

data "aws_iam_policy_document" "ci_plan" {
  #checkov:skip=CKV_AWS_356:"*" only for actions without resource-level permissions (SageMaker List*, AAS Describe*, kms:ListAliases, logs:DescribeLogGroups; service authorization reference); the rest is scoped to this endpoint's names.
  statement {
    sid       = "SageMakerRead"
    actions   = ["sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig", "sagemaker:DescribeModel", "sagemaker:ListTags"]
    resources = [local.endpoint_arn, local.config_arns, local.model_arns]
  }

  statement {
    # List actions have no resource-level permissions (SageMaker service authorization reference).
    sid       = "SageMakerList"
    actions   = ["sagemaker:ListEndpointConfigs", "sagemaker:ListEndpoints", "sagemaker:ListModels"]
    resources = ["*"]
  }

  statement {
    sid       = "AutoScalingRead"
    actions   = ["application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies", "application-autoscaling:ListTagsForResource"]
    resources = ["*"]
  }

  statement {
    sid       = "AlarmsRead"
    actions   = ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"]
    resources = concat([local.alarm_arns], local.extra_alarm_arns)
  }

  dynamic "statement" {
    for_each = var.deployer_assume_role_arn != null ? [1] : []

    content {
      sid       = "AssumeDeployerRole"
      actions   = ["sts:AssumeRole"]
      resources = [var.deployer_assume_role_arn]
    }
  }

  statement {
    sid       = "IamRead"
    actions   = ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListPolicyVersions", "iam:ListRolePolicies"]
    resources = [local.role_arn_pattern, local.invoke_arn]
  }

  dynamic "statement" {
    for_each = var.bucket_arn != null ? [1] : []

    content {
      sid = "BucketRead"
      actions = [
        "s3:GetAccelerateConfiguration", "s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketLocation",
        "s3:GetBucketLogging", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketOwnershipControls",
        "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock", "s3:GetBucketRequestPayment", "s3:GetBucketTagging",
        "s3:GetBucketVersioning", "s3:GetBucketWebsite", "s3:GetEncryptionConfiguration",
        "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:ListBucket",
      ]
      resources = [var.bucket_arn]
    }
  }

  statement {
    sid       = "TopicsRead"
    actions   = ["sns:GetSubscriptionAttributes", "sns:GetTopicAttributes", "sns:ListTagsForResource"]
    resources = [local.topic_arns]
  }

  statement {
    sid       = "KeyRead"
    actions   = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"]
    resources = local.key_arns
  }

  statement {
    sid       = "KeyAliasesList"
    actions   = ["kms:ListAliases"]
    resources = ["*"]
  }

  statement {
    sid       = "LogGroupsList"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["*"]
  }

  statement {
    sid       = "LogGroupRead"
    actions   = ["logs:ListTagsForResource", "logs:ListTagsLogGroup"]
    resources = [var.log_group_arn, "${var.log_group_arn}:*"]
  }

  dynamic "statement" {
    for_each = length(var.ecr_repository_arns) > 0 ? [1] : []

    content {
      sid       = "ImagesRead"
      actions   = ["ecr:DescribeImages", "ecr:DescribeRepositories"]
      resources = var.ecr_repository_arns
    }
  }
}

data "aws_iam_policy_document" "ci_apply" {
  #checkov:skip=CKV_AWS_111:Unscoped writes are only kms:CreateKey (no resource before it exists) and AAS target/policy writes (scalable target ARNs carry a random id unknown before registration); everything else is scoped to this endpoint's names.
  #checkov:skip=CKV_AWS_356:"*" only where the resource cannot be named in advance: kms:CreateKey, Application Auto Scaling targets and policies, and the read-only list actions inherited from the plan policy.
  source_policy_documents = [data.aws_iam_policy_document.ci_plan.json]

  statement {
    sid = "SageMakerDeploy"
    actions = [
      "sagemaker:AddTags", "sagemaker:CreateEndpoint", "sagemaker:CreateEndpointConfig", "sagemaker:CreateModel",
      "sagemaker:DeleteEndpoint", "sagemaker:DeleteEndpointConfig", "sagemaker:DeleteModel", "sagemaker:DeleteTags",
      "sagemaker:UpdateEndpoint",
    ]
    resources = [local.endpoint_arn, local.config_arns, local.model_arns]
  }

  statement {
    sid       = "PassExecutionRole"
    actions   = ["iam:PassRole"]
    resources = [coalesce(var.existing_role_arn, local.role_arn_pattern)]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }

  statement {
    # Scalable targets and policies have no resource-level permissions (AAS service authorization reference).
    sid = "AutoScalingWrite"
    actions = [
      "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DeregisterScalableTarget",
      "application-autoscaling:PutScalingPolicy", "application-autoscaling:RegisterScalableTarget",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "AutoScalingServiceLinkedRole"
    actions   = ["iam:CreateServiceLinkedRole"]
    resources = ["${local.prefix}:iam::${var.account_id}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/*"]

    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["sagemaker.application-autoscaling.amazonaws.com"]
    }
  }

  statement {
    sid       = "AlarmsWrite"
    actions   = ["cloudwatch:DeleteAlarms", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"]
    resources = [local.alarm_arns]
  }

  statement {
    sid = "IamWrite"
    actions = [
      "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:CreateRole", "iam:DeletePolicy", "iam:DeletePolicyVersion",
      "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:PutRolePolicy", "iam:TagPolicy", "iam:TagRole",
      "iam:UntagPolicy", "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRoleDescription",
    ]
    resources = [local.role_arn_pattern, local.invoke_arn]
  }

  dynamic "statement" {
    for_each = var.bucket_arn != null && var.manages_bucket ? [1] : []

    content {
      sid = "BucketWrite"
      actions = [
        "s3:CreateBucket", "s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketOwnershipControls",
        "s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging", "s3:PutBucketVersioning",
        "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:ListBucketVersions",
      ]
      resources = [var.bucket_arn]
    }
  }

  dynamic "statement" {
    for_each = var.manages_topics ? [1] : []

    content {
      sid = "TopicsWrite"
      actions = [
        "sns:CreateTopic", "sns:DeleteTopic", "sns:SetSubscriptionAttributes", "sns:SetTopicAttributes",
        "sns:Subscribe", "sns:TagResource", "sns:Unsubscribe", "sns:UntagResource",
      ]
      resources = [local.topic_arns]
    }
  }

  dynamic "statement" {
    for_each = var.manages_kms_key ? [1] : []

    content {
      # CreateKey has no resource-level permissions (KMS service authorization reference).
      sid       = "KeyCreate"
      actions   = ["kms:CreateKey"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.manages_kms_key ? [1] : []

    content {
      sid = "KeyManage"
      actions = [
        "kms:CreateAlias", "kms:DeleteAlias", "kms:EnableKeyRotation", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion",
        "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription",
      ]
      resources = concat(local.key_arns, ["${local.prefix}:kms:${var.region}:${var.account_id}:alias/${var.endpoint_name}-*"])
    }
  }

  statement {
    # The deployer passes the key to CreateEndpointConfig, which needs a grant for the endpoint's volumes.
    sid       = "KeyGrantForEndpoint"
    actions   = ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"]
    resources = local.key_arns
  }

  statement {
    sid       = "LogGroupWrite"
    actions   = ["logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:TagLogGroup", "logs:TagResource", "logs:UntagResource"]
    resources = [var.log_group_arn, "${var.log_group_arn}:*"]
  }
}
