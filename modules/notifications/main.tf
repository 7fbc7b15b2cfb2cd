resource "aws_sns_topic" "success" {
  name              = "${var.name}-success"
  kms_master_key_id = coalesce(var.kms_key_arn, "alias/aws/sns")

  tags = var.tags
}

resource "aws_sns_topic" "error" {
  name              = "${var.name}-error"
  kms_master_key_id = coalesce(var.kms_key_arn, "alias/aws/sns")

  tags = var.tags
}

resource "aws_sns_topic_subscription" "success" {
  for_each = { for i, s in var.success_subscriptions : "${s.protocol}:${s.endpoint}" => s }

  topic_arn = aws_sns_topic.success.arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}

resource "aws_sns_topic_subscription" "error" {
  for_each = { for i, s in var.error_subscriptions : "${s.protocol}:${s.endpoint}" => s }

  topic_arn = aws_sns_topic.error.arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}
