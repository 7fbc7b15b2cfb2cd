provider "aws" {
  region = var.region
}

################################################################################
# One module instance per endpoint: each gets its own role, bucket, key, alarms and releases
################################################################################

module "endpoint" {
  source   = "../../"
  for_each = var.endpoints

  name = each.key

  variants = [{
    name = "AllTraffic"
    containers = [{
      image          = each.value.image
      model_data_url = each.value.model_data_url
      environment    = each.value.environment
    }]
    instance_type          = each.value.instance_type
    initial_instance_count = each.value.min_instances
    autoscaling = each.value.max_instances > each.value.min_instances ? {
      min_capacity = each.value.min_instances
      max_capacity = each.value.max_instances
      target_value = each.value.invocations_per_instance_target
    } : null
  }]

  deployment = {
    strategy                 = "blue_green"
    traffic                  = each.value.canary ? "canary" : "all_at_once"
    canary_percent           = 10
    wait_interval_seconds    = var.wait_interval_seconds
    termination_wait_seconds = var.termination_wait_seconds
  }

  log_group_retention_in_days = var.log_group_retention_in_days
  python_executable           = var.python_executable

  tags = merge(var.tags, { endpoint = each.key })
}
