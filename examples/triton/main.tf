provider "aws" {
  region = var.region
}

locals {
  # package_model.py names the archive after the ensemble: that is the model Triton serves by default.
  default_model_name = coalesce(var.default_model_name, trimsuffix(basename(var.model_data_url), ".tar.gz"))
}

################################################################################
# A Triton ensemble (detector -> segmenter -> Python post-processing) on SageMaker's Triton image
################################################################################

module "triton" {
  source = "../../"

  name = var.name

  variants = [{
    name = "AllTraffic"
    containers = [{
      image          = var.triton_image
      model_data_url = var.model_data_url
      environment = merge(
        {
          SAGEMAKER_TRITON_DEFAULT_MODEL_NAME = local.default_model_name
          SAGEMAKER_TRITON_LOG_VERBOSE        = "false"
        },
        var.container_environment,
      )
    }]
    instance_type          = var.instance_type
    initial_instance_count = var.instance_count
    # Triton loads every model of the repository and the Python environment before /ping answers.
    container_startup_health_check_timeout_seconds = 900
    model_data_download_timeout_seconds            = 900
  }]

  deployment = {
    strategy                 = "blue_green"
    traffic                  = "all_at_once"
    wait_interval_seconds    = var.wait_interval_seconds
    termination_wait_seconds = var.termination_wait_seconds
  }

  # SageMaker's Triton image lives in AWS's deep learning containers registry, with versioned tags.
  pin_image_digests           = var.pin_image_digests
  log_group_retention_in_days = var.log_group_retention_in_days
  python_executable           = var.python_executable

  tags = var.tags
}
