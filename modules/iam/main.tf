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
  invoke_arn       = "${local.prefix}:iam::${var.account_id}:policy/${local.invoke_name}-*"
  # No key, no key statement (never a key/* fallback).
  key_arns = var.kms_key_arns
  has_key  = length(var.kms_key_arns) > 0
  # The deployer's endpoint tag on every model and configuration it creates (deployer/release.py TAG_ENDPOINT)
  # and on the module's KMS key.
  endpoint_tag = "sagemaker-rollout:endpoint"
  # Data capture keys not already granted by UseKey.
  data_capture_only_keys = [for k in var.data_capture_kms_key_arns : k if !contains(var.kms_key_arns, k)]

  # Models in a VPC (CreateModel VpcConfig): the subnets and security groups as ARNs (EC2 service
  # authorization reference: subnet, security-group and network-interface resources; ec2:Subnet is the
  # subnet's ARN).
  in_vpc              = length(var.vpc_subnet_ids) > 0
  ec2_arn             = "${local.prefix}:ec2:${var.region}:${var.account_id}"
  subnet_arns         = [for s in var.vpc_subnet_ids : "${local.ec2_arn}:subnet/${s}"]
  security_group_arns = [for g in var.vpc_security_group_ids : "${local.ec2_arn}:security-group/${g}"]
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

    # Confused-deputy guard: SageMaker assumes the role only on behalf of this account.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
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

  # A renamed role (e.g. the Region added to the default name) is created, and the release that uses it rolled
  # out, before the old role is deleted.
  lifecycle {
    create_before_destroy = true
  }
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

  # Data capture: SageMaker writes the captured requests and responses with the execution role (Developer Guide,
  # "Capture data from real-time endpoint": the role needs s3:PutObject on the destination and, with a KMS key,
  # kms:Encrypt and kms:GenerateDataKey on it).
  dynamic "statement" {
    for_each = length(var.data_capture_s3_arns) > 0 ? [1] : []

    content {
      sid       = "WriteDataCapture"
      actions   = ["s3:PutObject"]
      resources = var.data_capture_s3_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.data_capture_only_keys) > 0 ? [1] : []

    content {
      sid       = "EncryptDataCapture"
      actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
      resources = local.data_capture_only_keys
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

  # Models in a VPC: SageMaker creates, shares and deletes network interfaces in the model's subnets with the
  # execution role (SageMaker developer guide "Give SageMaker Hosted Endpoints Access to Resources in Your
  # Amazon VPC", https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html). Scoped where the EC2
  # service authorization reference allows it: CreateNetworkInterface by the subnet and security group
  # resources, CreateNetworkInterfacePermission and DeleteNetworkInterface by the interface's ec2:Subnet.
  dynamic "statement" {
    for_each = local.in_vpc ? [1] : []

    content {
      sid       = "VpcCreateNetworkInterfaces"
      actions   = ["ec2:CreateNetworkInterface"]
      resources = concat(["${local.ec2_arn}:network-interface/*"], local.subnet_arns, local.security_group_arns)
    }
  }

  dynamic "statement" {
    for_each = local.in_vpc ? [1] : []

    content {
      sid       = "VpcManageNetworkInterfaces"
      actions   = ["ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface"]
      resources = ["${local.ec2_arn}:network-interface/*"]

      condition {
        test     = "ArnEquals"
        variable = "ec2:Subnet"
        values   = local.subnet_arns
      }
    }
  }

  dynamic "statement" {
    for_each = local.in_vpc ? [1] : []

    content {
      # The network-interface resource is optional for DeleteNetworkInterfacePermission (the request names the
      # permission, not always the interface), so no ec2:Subnet condition; the interfaces of this account only.
      sid       = "VpcDeleteNetworkInterfacePermissions"
      actions   = ["ec2:DeleteNetworkInterfacePermission"]
      resources = ["${local.ec2_arn}:network-interface/*"]
    }
  }

  dynamic "statement" {
    for_each = local.in_vpc ? [1] : []

    content {
      # Describe actions have no resource-level permissions (EC2 service authorization reference).
      sid       = "VpcDescribe"
      actions   = ["ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]
      resources = ["*"]
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

  lifecycle {
    create_before_destroy = true
  }
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

data "aws_iam_policy_document" "invoke_async" {
  # An asynchronous endpoint's client uploads its input and reads the output or failure SageMaker writes
  # (SageMaker developer guide, "Asynchronous inference": InvokeEndpointAsync takes an S3 InputLocation).
  source_policy_documents = [data.aws_iam_policy_document.invoke.json]

  dynamic "statement" {
    for_each = length(var.s3_read_arns) > 0 ? [1] : []

    content {
      sid       = "UploadAsyncInput"
      actions   = ["s3:PutObject"]
      resources = var.s3_read_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.s3_write_arns) > 0 ? [1] : []

    content {
      sid       = "ReadAsyncResults"
      actions   = ["s3:GetObject"]
      resources = var.s3_write_arns
    }
  }

  dynamic "statement" {
    for_each = length(var.s3_read_arns) + length(var.s3_write_arns) > 0 && local.has_key ? [1] : []

    content {
      # The bucket's objects are encrypted with the endpoint's key: uploading needs a data key, reading Decrypt.
      sid       = "UseKeyForAsyncObjects"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = local.key_arns
    }
  }
}

resource "aws_iam_policy" "invoke" {
  count = var.create_invoke_policy ? 1 : 0

  # A name prefix (a unique suffix per policy): the same endpoint name in two Regions does not collide, and a
  # changed document creates a new policy before the old one is deleted, so the CI role needs no
  # iam:CreatePolicyVersion (which would let it rewrite any version of the policy it can reach).
  name_prefix = "${local.invoke_name}-"
  description = "Invoke SageMaker endpoint ${var.endpoint_name} in ${var.region}"
  policy      = data.aws_iam_policy_document.invoke_async.json

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

################################################################################
# CI policies: plan (read-only) and apply (deploy)
################################################################################

data "aws_iam_policy_document" "ci_reads" {
  #checkov:skip=CKV_AWS_356:"*" only for actions without resource-level permissions (SageMaker List*, AAS Describe*, kms:ListAliases, logs:DescribeLogGroups, sns:GetSubscriptionAttributes; service authorization reference); the rest is scoped to this endpoint's names.
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

  # data "aws_s3_object" of pin_model_data: HeadObject (s3:GetObject) and the object's tags, at plan.
  dynamic "statement" {
    for_each = var.ci_reads_model_data && length(var.model_data_s3_arns) > 0 ? [1] : []

    content {
      sid       = "ModelDataRead"
      actions   = ["s3:GetObject", "s3:GetObjectTagging"]
      resources = var.model_data_s3_arns
    }
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
    actions   = ["sns:GetTopicAttributes", "sns:ListTagsForResource"]
    resources = [local.topic_arns]
  }

  statement {
    # Subscription actions take only "*" as resource (SNS service authorization reference).
    sid       = "SubscriptionsRead"
    actions   = ["sns:GetSubscriptionAttributes"]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = local.has_key ? [1] : []

    content {
      sid       = "KeyRead"
      actions   = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"]
      resources = local.key_arns
    }
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

data "aws_iam_policy_document" "ci_plan" {
  source_policy_documents = [data.aws_iam_policy_document.ci_reads.json]

  # The read-only role of the deployer's plan-time reads; never a write role.
  dynamic "statement" {
    for_each = var.plan_assume_role_arn != null ? [1] : []

    content {
      sid       = "AssumePlanReadRole"
      actions   = ["sts:AssumeRole"]
      resources = [var.plan_assume_role_arn]
    }
  }
}

data "aws_iam_policy_document" "ci_apply" {
  #checkov:skip=CKV_AWS_111:Unscoped writes are only kms:CreateKey (no resource before it exists) AAS target/policy writes and SNS subscription writes (only "*" exists) (scalable target ARNs carry a random id unknown before registration); everything else is scoped to this endpoint's names.
  #checkov:skip=CKV_AWS_356:"*" only where the resource cannot be named in advance: kms:CreateKey, Application Auto Scaling targets and policies, SNS subscriptions, and the read-only list actions inherited from the plan policy.
  source_policy_documents = [data.aws_iam_policy_document.ci_reads.json]

  # The deployer's write role is assumed only by the apply role: a pull request's plan (the plan policy) never
  # reaches write credentials; the plan-time read uses plan_assume_role_arn or the runner's own credentials.
  dynamic "statement" {
    for_each = var.deployer_assume_role_arn != null ? [1] : []

    content {
      sid       = "AssumeDeployerRole"
      actions   = ["sts:AssumeRole"]
      resources = [var.deployer_assume_role_arn]
    }
  }

  statement {
    sid = "SageMakerDeploy"
    actions = [
      "sagemaker:CreateEndpoint", "sagemaker:CreateEndpointConfig", "sagemaker:DeleteEndpoint", "sagemaker:UpdateEndpoint",
    ]
    resources = [local.endpoint_arn, local.config_arns, local.model_arns]
  }

  statement {
    # With a VPC or isolation configured, models only with exactly that network: the condition keys an
    # organisation's SCP on sagemaker:CreateModel checks (SageMaker service authorization reference:
    # sagemaker:VpcSubnets, sagemaker:VpcSecurityGroupIds, sagemaker:NetworkIsolation).
    sid       = "SageMakerCreateModel"
    actions   = ["sagemaker:CreateModel"]
    resources = [local.model_arns]

    dynamic "condition" {
      for_each = local.in_vpc ? { "sagemaker:VpcSubnets" = var.vpc_subnet_ids, "sagemaker:VpcSecurityGroupIds" = var.vpc_security_group_ids } : {}

      content {
        test     = "ForAllValues:StringEquals"
        variable = condition.key
        values   = condition.value
      }
    }

    dynamic "condition" {
      # ForAllValues is true for an absent key: also require that the request has a VPC.
      for_each = local.in_vpc ? ["sagemaker:VpcSubnets", "sagemaker:VpcSecurityGroupIds"] : []

      content {
        test     = "Null"
        variable = condition.value
        values   = ["false"]
      }
    }

    dynamic "condition" {
      for_each = var.network_isolation ? [1] : []

      content {
        test     = "Bool"
        variable = "sagemaker:NetworkIsolation"
        values   = ["true"]
      }
    }
  }

  statement {
    # Tags only on this endpoint's resources or untagged new ones: the role cannot put this endpoint's tag on
    # a release of <name>-large (which would let SageMakerDeleteReleases delete it).
    sid       = "SageMakerTags"
    actions   = ["sagemaker:AddTags", "sagemaker:DeleteTags"]
    resources = [local.endpoint_arn, local.config_arns, local.model_arns]

    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:ResourceTag/${local.endpoint_tag}"
      values   = [var.endpoint_name]
    }
  }

  statement {
    # The name pattern <name>-* also matches the releases of an endpoint named <name>-large: deletes need the
    # deployer's endpoint tag (deployer/release.py resource_tags) on the configuration or model.
    sid       = "SageMakerDeleteReleases"
    actions   = ["sagemaker:DeleteEndpointConfig", "sagemaker:DeleteModel"]
    resources = [local.config_arns, local.model_arns]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/${local.endpoint_tag}"
      values   = [var.endpoint_name]
    }
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
      "application-autoscaling:TagResource", "application-autoscaling:UntagResource",
    ]
    resources = ["*"]
  }

  statement {
    # Application Auto Scaling checks the caller for these on the endpoint and on the target-tracking alarms
    # it creates (TargetTracking-endpoint/<name>/..., outside <name>-*) (Application Auto Scaling user guide,
    # "Identity and access management": permissions required to call the API).
    sid       = "AutoScalingCallerChecks"
    actions   = ["sagemaker:DescribeEndpoint", "sagemaker:UpdateEndpointWeightsAndCapacities"]
    resources = [local.endpoint_arn]
  }

  statement {
    sid       = "AutoScalingAlarms"
    actions   = ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm"]
    resources = ["${local.prefix}:cloudwatch:${var.region}:${var.account_id}:alarm:TargetTracking-endpoint/${var.endpoint_name}/*"]
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

  # IAM writes only for what the module creates. The trust policy never changes after create
  # (no iam:UpdateAssumeRolePolicy) and the invoke policy is a managed policy whose versions Terraform
  # replaces (CreatePolicyVersion/DeletePolicyVersion on that one policy ARN only). Creating the role and
  # writing its inline policy require the permissions boundary when one is set, so the CI role cannot
  # mint an unbounded role.
  dynamic "statement" {
    for_each = var.create_role ? [1] : []

    content {
      sid       = "ExecutionRoleCreate"
      actions   = ["iam:CreateRole", "iam:PutRolePolicy"]
      resources = [local.role_arn_pattern]

      dynamic "condition" {
        for_each = var.permissions_boundary != null ? [1] : []

        content {
          test     = "StringEquals"
          variable = "iam:PermissionsBoundary"
          values   = [var.permissions_boundary]
        }
      }
    }
  }

  dynamic "statement" {
    for_each = var.create_role ? [1] : []

    content {
      sid = "ExecutionRoleManage"
      actions = [
        "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:ListInstanceProfilesForRole", "iam:TagRole", "iam:UntagRole",
        "iam:UpdateRoleDescription",
      ]
      resources = [local.role_arn_pattern]
    }
  }

  dynamic "statement" {
    for_each = var.create_invoke_policy ? [1] : []

    content {
      sid = "InvokePolicyManage"
      actions = [
        "iam:CreatePolicy", "iam:DeletePolicy", "iam:ListPolicyVersions", "iam:TagPolicy", "iam:UntagPolicy",
      ]
      resources = [local.invoke_arn]
    }
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
    for_each = var.bucket_arn != null && var.manages_bucket ? [1] : []

    content {
      # Emptying a versioned bucket on destroy (bucket_force_destroy) deletes every object version.
      sid       = "BucketEmpty"
      actions   = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
      resources = ["${var.bucket_arn}/*"]
    }
  }

  dynamic "statement" {
    for_each = var.manages_topics ? [1] : []

    content {
      sid = "TopicsWrite"
      actions = [
        "sns:CreateTopic", "sns:DeleteTopic", "sns:SetTopicAttributes", "sns:Subscribe", "sns:TagResource",
        "sns:UntagResource",
      ]
      resources = [local.topic_arns]
    }
  }

  dynamic "statement" {
    for_each = var.manages_topics ? [1] : []

    content {
      # Subscription actions take only "*" as resource (SNS service authorization reference).
      sid       = "SubscriptionsWrite"
      actions   = ["sns:SetSubscriptionAttributes", "sns:Unsubscribe"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.manages_kms_key ? [1] : []

    content {
      # CreateKey has no resource-level permissions, and tagging a key as it is created needs kms:TagResource
      # on "*" too (KMS service authorization reference; developer guide "Permissions for tags"). Both only
      # with the endpoint tag the module puts on its key, so the role creates and tags only keys of this
      # endpoint.
      sid       = "KeyCreate"
      actions   = ["kms:CreateKey", "kms:TagResource"]
      resources = ["*"]

      condition {
        test     = "StringEquals"
        variable = "aws:RequestTag/${local.endpoint_tag}"
        values   = [var.endpoint_name]
      }
    }
  }

  dynamic "statement" {
    for_each = var.manages_kms_key && local.has_key ? [1] : []

    content {
      sid = "KeyManage"
      actions = [
        "kms:CreateAlias", "kms:DeleteAlias", "kms:EnableKeyRotation", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion",
        "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription",
      ]
      resources = concat(local.key_arns, ["${local.prefix}:kms:${var.region}:${var.account_id}:alias/${var.endpoint_name}-*"])
    }
  }

  dynamic "statement" {
    for_each = local.has_key ? [1] : []

    content {
      # The deployer passes the key to CreateEndpointConfig, which needs a grant for the endpoint's volumes.
      sid       = "KeyGrantForEndpoint"
      actions   = ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"]
      resources = local.key_arns
    }
  }

  statement {
    sid       = "LogGroupWrite"
    actions   = ["logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:TagLogGroup", "logs:TagResource", "logs:UntagResource"]
    resources = [var.log_group_arn, "${var.log_group_arn}:*"]
  }
}
