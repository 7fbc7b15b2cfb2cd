################################################################################
# Encryption and logs
################################################################################

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:A key policy: "*" is this key, and the account (or the given administrators) must manage it or the key becomes unmanageable.
  #checkov:skip=CKV_AWS_111:A key policy: "*" is this key; the CloudWatch Logs statement is limited to the endpoint's log group by encryption context.
  #checkov:skip=CKV_AWS_356:A key policy: "*" is this key (key policies name no other resource).
  count = local.create && var.create_kms_key ? 1 : 0

  # Split like terraform-aws-modules/kms: the account root keeps kms:* so IAM policies govern the key and it can
  # never become unmanageable; administrators manage but cannot use it; users use but cannot manage it.
  statement {
    sid       = "Default"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_administrator_arns) > 0 ? [1] : []

    content {
      sid = "KeyAdministration"
      actions = [
        "kms:CancelKeyDeletion", "kms:Create*", "kms:Delete*", "kms:Describe*", "kms:Disable*", "kms:Enable*",
        "kms:Get*", "kms:ImportKeyMaterial", "kms:List*", "kms:Put*", "kms:ReplicateKey", "kms:Revoke*",
        "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:Update*",
      ]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.kms_key_administrator_arns
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_user_arns) > 0 ? [1] : []

    content {
      sid       = "KeyUsage"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.kms_key_user_arns
      }
    }
  }

  statement {
    sid       = "CloudWatchLogsUse"
    actions   = ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker/Endpoints/${var.name}"]
    }
  }
}

resource "aws_kms_key" "this" {
  count = local.create && var.create_kms_key ? 1 : 0

  description             = "SageMaker endpoint ${var.name}: bucket, topics, log group and endpoint volumes"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.kms[0].json

  # The endpoint tag lets the CI apply policy create and tag this key only (modules/iam KeyCreate).
  tags = merge(var.tags, { "sagemaker-rollout:endpoint" = var.name })
}

resource "aws_kms_alias" "this" {
  count = local.create && var.create_kms_key ? 1 : 0

  name          = "alias/${var.name}-sagemaker"
  target_key_id = aws_kms_key.this[0].key_id
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is the user's input log_group_retention_in_days (default 365 days); examples and tests use less.
  count = local.create ? 1 : 0

  name              = "/aws/sagemaker/Endpoints/${var.name}"
  retention_in_days = var.log_group_retention_in_days
  kms_key_id        = local.kms_key_arn

  tags = var.tags
}

################################################################################
# Submodules owned by Terraform
################################################################################

module "storage" {
  source = "./modules/storage"
  count  = local.create && var.create_bucket ? 1 : 0

  bucket_name       = coalesce(var.bucket_name, local.default_bucket_name)
  kms_key_arn       = local.has_kms_key ? local.kms_key_arn : null
  force_destroy     = var.bucket_force_destroy
  expiring_prefixes = local.asynchronous ? values(local.async_prefixes) : []
  expiration_days   = var.async_output_expiration_days

  tags = var.tags
}

module "notifications" {
  source = "./modules/notifications"
  count  = local.create_topics ? 1 : 0

  name                  = var.name
  kms_key_arn           = local.kms_key_arn
  success_subscriptions = var.async_inference.success_subscriptions
  error_subscriptions   = var.async_inference.error_subscriptions

  tags = var.tags
}

module "alarms" {
  source = "./modules/alarms"
  count  = local.create && var.deployment.create_rollback_alarms ? 1 : 0

  endpoint_name                   = var.name
  variant_names                   = [for v in var.variants : v.name]
  asynchronous                    = local.asynchronous
  invocation_5xx_errors_threshold = var.alarms.invocation_5xx_errors_threshold
  model_latency_threshold_us      = var.alarms.model_latency_threshold_us
  invocation_failures_threshold   = var.alarms.invocation_failures_threshold
  backlog_threshold               = var.alarms.backlog_threshold
  period_seconds                  = var.alarms.period_seconds
  evaluation_periods              = var.alarms.evaluation_periods
  datapoints_to_alarm             = var.alarms.datapoints_to_alarm
  alarm_actions                   = var.alarms.alarm_actions
  ok_actions                      = var.alarms.ok_actions

  tags = var.tags
}

module "iam" {
  source = "./modules/iam"

  create_role          = local.create && var.create_execution_role
  role_name            = local.role_name
  existing_role_arn    = var.create_execution_role ? null : var.execution_role_arn
  permissions_boundary = var.execution_role_permissions_boundary
  endpoint_name        = var.name
  partition            = local.partition
  region               = local.region
  account_id           = local.account_id

  ecr_repository_arns = local.ecr_repository_arns
  model_data_s3_arns  = local.model_data_s3_arns
  ci_reads_model_data = var.pin_model_data
  s3_write_arns       = local.async_write_s3_arns
  s3_read_arns        = local.async_read_s3_arns
  sns_topic_arns      = local.topic_arns
  kms_key_arns        = local.has_kms_key ? [local.kms_key_arn] : []
  # Built from the name (known at plan), so the CI policies can be created before the first apply.
  log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker/Endpoints/${var.name}"

  create_invoke_policy        = local.create && var.invoke_policy.create
  invoke_policy_name          = var.invoke_policy.name
  allowed_container_hostnames = var.invoke_policy.allowed_container_hostnames
  denied_container_hostnames  = var.invoke_policy.denied_container_hostnames

  bucket_arn               = local.bucket_arn
  manages_bucket           = var.create_bucket
  extra_alarm_names        = var.deployment.extra_rollback_alarms
  deployer_assume_role_arn = var.deployer_assume_role_arn
  plan_assume_role_arn     = var.plan_assume_role_arn
  manages_kms_key          = var.create_kms_key
  manages_topics           = local.create_topics

  data_capture_s3_arns      = local.data_capture_s3_arns
  data_capture_kms_key_arns = local.data_capture_kms_key_arns
  vpc_subnet_ids            = var.vpc_config == null ? [] : var.vpc_config.subnet_ids
  vpc_security_group_ids    = var.vpc_config == null ? [] : var.vpc_config.security_group_ids
  network_isolation         = var.enable_network_isolation

  tags = var.tags
}
