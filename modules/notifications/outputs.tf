output "success_topic_arn" {
  description = "ARN of the success topic."
  value       = aws_sns_topic.success.arn
}

output "error_topic_arn" {
  description = "ARN of the error topic."
  value       = aws_sns_topic.error.arn
}

output "topic_arns" {
  description = "ARNs of both topics (success, error)."
  value       = [aws_sns_topic.success.arn, aws_sns_topic.error.arn]
}
