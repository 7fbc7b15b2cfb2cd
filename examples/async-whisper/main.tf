provider "aws" {
  region = var.region
}

locals {
  variant_name = "AllTraffic"
}

################################################################################
# What CI and the team keep outside this stack: the image digest (SSM) and the Sentry DSN (Secrets Manager)
################################################################################

# CI writes the digest of the image it pushed (`sha256:<64 hex>`) to this parameter; a release is a new digest.
# A digest is not a secret: a String parameter, its value unmarked with nonsensitive() (the provider marks
# `value` sensitive whatever the parameter's type: hashicorp/terraform-provider-aws issue 26915).
data "aws_ssm_parameter" "image_digest" {
  name = var.image_digest_parameter

  lifecycle {
    postcondition {
      condition     = can(regex("^sha256:[0-9a-f]{64}$", nonsensitive(self.value)))
      error_message = "SSM parameter ${var.image_digest_parameter} must be a String parameter holding an image digest (sha256:<64 hex digits>)."
    }
  }
}

# The Sentry DSN stays in Secrets Manager: the container reads it at start (SENTRY_DSN_SECRET_ARN names the
# secret). Never its value in the container environment: DescribeModel returns the environment to anyone
# allowed to describe the model, and Terraform keeps it in state. Only the secret's metadata is read here.
data "aws_secretsmanager_secret" "sentry_dsn" {
  count = var.sentry_dsn_secret_name != null ? 1 : 0

  name = var.sentry_dsn_secret_name
}

locals {
  image = "${var.image_repository}@${nonsensitive(data.aws_ssm_parameter.image_digest.value)}"

  # Built by iterating over the role policy below, so Terraform creates the model (whose containers read the
  # secret when they start) only after the execution role may read the secret.
  sentry_environment = {
    for policy in aws_iam_role_policy.read_sentry_dsn : "SENTRY_DSN_SECRET_ARN" => data.aws_secretsmanager_secret.sentry_dsn[0].arn
  }
}

################################################################################
# An asynchronous Whisper (speech-to-text) endpoint that scales to zero
################################################################################

module "whisper" {
  source = "../../"

  name = var.name

  variants = [{
    name = local.variant_name
    containers = [{
      image          = local.image
      model_data_url = var.model_data_url
      # Names only, never secret values (see data.aws_secretsmanager_secret.sentry_dsn).
      environment = merge(
        { STAGE = var.stage },
        local.sentry_environment,
        var.container_environment,
      )
    }]
    instance_type          = var.instance_type
    initial_instance_count = 1
    # Large model: give the container time to download and load it.
    container_startup_health_check_timeout_seconds = 1800
    model_data_download_timeout_seconds            = 1200

    # 0-30 instances: target tracking on ApproximateBacklogSizePerInstance plus, because scale to zero is
    # on, the HasBacklogWithoutCapacity alarm and the +1 step policy that brings the variant back from 0.
    autoscaling = {
      min_capacity       = 0
      max_capacity       = var.max_instances
      target_value       = var.backlog_target_per_instance
      scale_in_cooldown  = 30
      scale_out_cooldown = 120
    }
  }]

  async_inference = {
    create_topics                           = true
    success_subscriptions                   = var.notification_subscriptions
    error_subscriptions                     = var.notification_subscriptions
    include_inference_response_in           = ["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"]
    max_concurrent_invocations_per_instance = 1
    scale_to_zero                           = true
    backlog_target_per_instance             = var.backlog_target_per_instance
  }

  # Blue/green, all traffic at once, no wait between the shift and the end of the watch; the module's
  # rollback alarms plus the team's own 4XX alarm stop a bad release.
  deployment = {
    strategy                 = "blue_green"
    traffic                  = "all_at_once"
    wait_interval_seconds    = 0
    termination_wait_seconds = var.termination_wait_seconds
    extra_rollback_alarms    = [aws_cloudwatch_metric_alarm.invocation_4xx.alarm_name]
    bake_seconds             = var.bake_seconds
  }

  # VPC mode (off by default): the models' network interfaces in your subnets. Not network isolation: the
  # container reads the Sentry DSN from Secrets Manager at start, which an isolated container cannot reach.
  vpc_config = length(var.vpc_subnet_ids) > 0 ? {
    subnet_ids         = var.vpc_subnet_ids
    security_group_ids = var.vpc_security_group_ids
  } : null

  bucket_force_destroy        = var.bucket_force_destroy
  log_group_retention_in_days = var.log_group_retention_in_days
  python_executable           = var.python_executable

  tags = var.tags
}

################################################################################
# The team's own rollback alarm: client errors after a release (a changed request contract)
################################################################################

resource "aws_cloudwatch_metric_alarm" "invocation_4xx" {
  alarm_name          = "${var.name}-4xx"
  alarm_description   = "Average Invocation4XXErrors of ${var.name}/${local.variant_name} above 1 over two 10-minute periods: rolls a release back."
  namespace           = "AWS/SageMaker"
  metric_name         = "Invocation4XXErrors"
  statistic           = "Average"
  period              = 600
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = 1
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"

  dimensions = {
    EndpointName = var.name
    VariantName  = local.variant_name
  }

  tags = var.tags
}

################################################################################
# The execution role may read that one secret (the module's role has no Secrets Manager access)
################################################################################

data "aws_iam_policy_document" "read_sentry_dsn" {
  count = var.sentry_dsn_secret_name != null ? 1 : 0

  statement {
    sid       = "ReadSentryDsn"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [data.aws_secretsmanager_secret.sentry_dsn[0].arn]
  }

  # A secret encrypted with a customer managed key also needs kms:Decrypt, only through Secrets Manager.
  dynamic "statement" {
    for_each = var.sentry_dsn_secret_kms_key_arn != null ? [1] : []

    content {
      sid       = "DecryptSentryDsn"
      actions   = ["kms:Decrypt"]
      resources = [var.sentry_dsn_secret_kms_key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${var.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "read_sentry_dsn" {
  count = var.sentry_dsn_secret_name != null ? 1 : 0

  name   = "read-sentry-dsn"
  role   = module.whisper.execution_role_name
  policy = data.aws_iam_policy_document.read_sentry_dsn[0].json
}

################################################################################
# The CI roles' policies: the module's, plus reading the parameter and the secret's metadata (never its value)
################################################################################

data "aws_iam_policy_document" "ci_reads" {
  statement {
    sid       = "ImageDigestParameterRead"
    actions   = ["ssm:GetParameter"]
    resources = [data.aws_ssm_parameter.image_digest.arn]
  }

  dynamic "statement" {
    for_each = var.sentry_dsn_secret_name != null ? [1] : []

    content {
      # Terraform looks the secret up by name: IAM authorizes it against the secret's ARN, the name plus "-"
      # and six random characters (Secrets Manager user guide, "Resource: secret ARN").
      sid       = "SentryDsnSecretDescribe"
      actions   = ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"]
      resources = ["arn:${data.aws_partition.current.partition}:secretsmanager:${var.region}:${data.aws_caller_identity.current.account_id}:secret:${var.sentry_dsn_secret_name}-??????"]
    }
  }
}

data "aws_iam_policy_document" "ci_plan" {
  source_policy_documents = [module.whisper.ci_plan_policy_json, data.aws_iam_policy_document.ci_reads.json]
}

data "aws_iam_policy_document" "ci_apply" {
  source_policy_documents = [module.whisper.ci_apply_policy_json, data.aws_iam_policy_document.ci_reads.json]
}

data "aws_partition" "current" {}

data "aws_caller_identity" "current" {}
