output "bucket_name" {
  description = "Name of the bucket."
  # Ready once encryption, public access block and the policy are in place.
  value = aws_s3_bucket.this.id

  depends_on = [
    aws_s3_bucket_server_side_encryption_configuration.this,
    aws_s3_bucket_public_access_block.this,
    aws_s3_bucket_policy.this,
  ]
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}
