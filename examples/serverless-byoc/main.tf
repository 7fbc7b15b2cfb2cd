provider "aws" {
  region = var.region
}

################################################################################
# A serverless endpoint serving our own container (./container)
################################################################################

module "byoc" {
  source = "../../"

  name = var.name

  variants = [{
    name = "AllTraffic"
    containers = [{
      image          = var.image
      model_data_url = var.model_data_url
      # The container sizes its gunicorn workers from its CPUs and this memory (container/serve);
      # container_environment can override MODEL_SERVER_WORKERS, MODEL_SERVER_TIMEOUT and this.
      environment = merge(
        { MODEL_SERVER_MEMORY_MB = tostring(var.memory_size_mb) },
        var.container_environment,
      )
    }]
    serverless = {
      memory_size_mb          = var.memory_size_mb
      max_concurrency         = var.max_concurrency
      provisioned_concurrency = var.provisioned_concurrency
    }
  }]

  # SageMaker's guardrails for serverless endpoints are not documented today (AWS-FACTS.md): the deployer
  # keeps watching the rollback alarms itself for bake_seconds after the update and rolls back on its own.
  deployment = {
    strategy                 = "blue_green"
    traffic                  = "all_at_once"
    wait_interval_seconds    = 0
    termination_wait_seconds = var.termination_wait_seconds
    bake_seconds             = var.bake_seconds
  }

  alarms = {
    # ModelLatency is in microseconds: the container must answer well within SageMaker's 60 s.
    model_latency_threshold_us = 2000000
  }

  log_group_retention_in_days = var.log_group_retention_in_days
  python_executable           = var.python_executable

  tags = var.tags
}
