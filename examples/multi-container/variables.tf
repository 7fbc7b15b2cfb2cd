variable "region" {
  description = "AWS Region of the endpoint."
  type        = string
  default     = "eu-north-1"
}

variable "name" {
  description = "Name of the endpoint and prefix of everything around it."
  type        = string
  default     = "mnist-multi-container"
}

variable "tensorflow_image" {
  description = "TensorFlow Serving image (for example the SageMaker `tensorflow-inference` deep learning container)."
  type        = string
}

variable "tensorflow_model_data_url" {
  description = "S3 URI of the TensorFlow SavedModel archive."
  type        = string
}

variable "pytorch_image" {
  description = "PyTorch (TorchServe) image (for example the SageMaker `pytorch-inference` deep learning container)."
  type        = string
}

variable "pytorch_model_data_url" {
  description = "S3 URI of the PyTorch model archive (with `code/mnist.py`)."
  type        = string
}

variable "instance_type" {
  description = "CPU instance type that hosts both containers."
  type        = string
  default     = "ml.c5.4xlarge"
}

variable "instance_count" {
  description = "Number of instances."
  type        = number
  default     = 1
}

variable "allowed_container_hostnames" {
  description = "Hostnames (StringLike patterns) the invoke policy allows."
  type        = list(string)
  default     = ["tensorflow-mnist", "pytorch-mnist"]
}

variable "denied_container_hostnames" {
  description = "Hostnames (StringLike patterns) the invoke policy denies."
  type        = list(string)
  default     = []
}

variable "wait_interval_seconds" {
  description = "Wait between the traffic shift and the end of the blue/green watch."
  type        = number
  default     = 300
}

variable "termination_wait_seconds" {
  description = "How long the old fleet is kept after traffic has moved."
  type        = number
  default     = 300
}

variable "bake_seconds" {
  description = "How long the deployer watches the rollback alarms after SageMaker reports success (guardrails for multi-container endpoints are not documented)."
  type        = number
  default     = 300
}

variable "pin_image_digests" {
  description = "Resolve image tags to digests in this account's ECR. Turn off for images in AWS's deep learning containers registry."
  type        = bool
  default     = false
}

variable "log_group_retention_in_days" {
  description = "Retention of the endpoint's log group."
  type        = number
  default     = 30
}

variable "python_executable" {
  description = "Python interpreter with boto3 that runs the deployer."
  type        = string
  default     = "python3"
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
