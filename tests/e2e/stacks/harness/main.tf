# A small stack that proves the offline harness: real AWS provider against localaws, and the
# hashicorp/external stand-in feeding an output (tests/e2e/test_harness.py).
terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 6.0" # tested on 5.x only; README "Requirements"
    }
    external = {
      source  = "hashicorp/external"
      version = ">= 2.3"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name of every resource of the stack."
  type        = string
}

variable "python" {
  description = "Python interpreter that runs the probe (needs boto3)."
  type        = string
}

variable "probe_working_dir" {
  description = "Directory the probe runs in."
  type        = string
}

resource "aws_s3_bucket" "this" {
  bucket        = var.name
  force_destroy = true
}

resource "aws_sns_topic" "this" {
  name = var.name
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_cloudwatch_metric_alarm" "this" {
  alarm_name          = "${var.name}-5xx"
  namespace           = "AWS/SageMaker"
  metric_name         = "Invocation5XXErrors"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 2
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]

  dimensions = {
    EndpointName = var.name
    VariantName  = "AllTraffic"
  }
}

data "external" "probe" {
  program     = [var.python, "${abspath(path.module)}/probe.py"]
  working_dir = var.probe_working_dir

  query = {
    bucket    = aws_s3_bucket.this.id
    role_name = aws_iam_role.this.name
    nothing   = null
  }
}

output "probe" {
  description = "What the probe saw."
  value       = data.external.probe.result
}

output "bucket" {
  description = "Bucket name."
  value       = aws_s3_bucket.this.id
}
