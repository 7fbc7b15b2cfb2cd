provider "aws" {
  region = var.region
}

locals {
  tensorflow_hostname = "tensorflow-mnist"
  pytorch_hostname    = "pytorch-mnist"
}

################################################################################
# Two containers on one instance, each invoked directly by hostname
################################################################################

module "mnist" {
  source = "../../"

  name = var.name

  variants = [{
    name                     = "AllTraffic"
    inference_execution_mode = "Direct"
    # Multi-container endpoints run on CPU instances (no GPU instance types).
    instance_type          = var.instance_type
    initial_instance_count = var.instance_count
    containers = [
      {
        hostname       = local.tensorflow_hostname
        image          = var.tensorflow_image
        model_data_url = var.tensorflow_model_data_url
      },
      {
        hostname       = local.pytorch_hostname
        image          = var.pytorch_image
        model_data_url = var.pytorch_model_data_url
        environment = {
          SAGEMAKER_PROGRAM          = "mnist.py"
          SAGEMAKER_SUBMIT_DIRECTORY = "/opt/ml/model/code"
        }
      },
    ]
  }]

  deployment = {
    strategy                 = "blue_green"
    traffic                  = "all_at_once"
    wait_interval_seconds    = var.wait_interval_seconds
    termination_wait_seconds = var.termination_wait_seconds
    bake_seconds             = var.bake_seconds
  }

  # An IAM policy that may call only the allowed containers (sagemaker:TargetContainerHostname, StringLike).
  invoke_policy = {
    create                      = true
    allowed_container_hostnames = var.allowed_container_hostnames
    denied_container_hostnames  = var.denied_container_hostnames
  }

  pin_image_digests           = var.pin_image_digests
  log_group_retention_in_days = var.log_group_retention_in_days
  python_executable           = var.python_executable

  tags = var.tags
}
