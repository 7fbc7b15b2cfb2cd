################################################################################
# Endpoint
################################################################################

variable "create" {
  description = "Create the endpoint and everything around it. `false` destroys them in a normal apply (the endpoint through the destroy-time provisioner): to remove the module, set `create = false`, apply, then remove the block (removing the block first orphans the endpoint)."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the SageMaker endpoint. Also the prefix of every resource the module creates (role, bucket, topics, alarms, log group)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.name))
    error_message = "The endpoint name must match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$ (1-63 characters, letters, digits and hyphens, no leading or trailing hyphen)."
  }
}

variable "variants" {
  description = <<-EOT
    Production variants of the endpoint. Each variant is either instance-based (`instance_type`, `initial_instance_count`)
    or serverless (`serverless`). One container is a single-container model; 2 to 15 containers form a multi-container
    model run in `inference_execution_mode` `Direct` (each container invoked by hostname) or `Serial` (a pipeline).
    `autoscaling` registers the variant as an Application Auto Scaling target, ordered after the rollout: target tracking on
    `SageMakerVariantInvocationsPerInstance` (real-time), on provisioned concurrency utilization (serverless with
    `provisioned_concurrency`) or on `ApproximateBacklogSizePerInstance` (asynchronous endpoints).
    `target_value` defaults by kind: 1000 invocations per instance per minute (real-time), 0.7 utilization (serverless),
    `async_inference.backlog_target_per_instance` (asynchronous). `min_capacity` defaults to 1, or 0 with
    `async_inference.scale_to_zero` (which refuses a `min_capacity` above 0).
  EOT
  type = list(object({
    name = optional(string, "AllTraffic")
    containers = list(object({
      image          = string
      model_data_url = optional(string)
      environment    = optional(map(string), {})
      hostname       = optional(string)
    }))
    inference_execution_mode                       = optional(string)
    instance_type                                  = optional(string)
    initial_instance_count                         = optional(number)
    initial_weight                                 = optional(number, 1)
    volume_size_gb                                 = optional(number)
    container_startup_health_check_timeout_seconds = optional(number)
    model_data_download_timeout_seconds            = optional(number)
    serverless = optional(object({
      memory_size_mb          = number
      max_concurrency         = number
      provisioned_concurrency = optional(number)
    }))
    autoscaling = optional(object({
      min_capacity       = optional(number)
      max_capacity       = number
      target_value       = optional(number)
      scale_in_cooldown  = optional(number, 300)
      scale_out_cooldown = optional(number, 300)
      disable_scale_in   = optional(bool, false)
    }))
  }))

  validation {
    condition     = length(var.variants) >= 1 && length(var.variants) <= 10
    error_message = "An endpoint has 1 to 10 production variants."
  }

  validation {
    condition     = length(distinct([for v in var.variants : v.name])) == length(var.variants)
    error_message = "Variant names must be unique."
  }

  validation {
    condition     = alltrue([for v in var.variants : can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", v.name))])
    error_message = "Variant names must match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$."
  }

  validation {
    condition     = alltrue([for v in var.variants : length(v.containers) >= 1 && length(v.containers) <= 15])
    error_message = "A variant has 1 to 15 containers."
  }

  validation {
    condition = alltrue([for v in var.variants : (
      length(v.containers) == 1 ? v.inference_execution_mode == null || contains(["Direct", "Serial"], coalesce(v.inference_execution_mode, "Serial"))
      : contains(["Direct", "Serial"], coalesce(v.inference_execution_mode, "unset"))
    )])
    error_message = "inference_execution_mode must be Direct or Serial, and is required for a variant with several containers."
  }

  validation {
    condition = alltrue(flatten([for v in var.variants : [
      for c in v.containers : c.hostname == null || can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", c.hostname))
    ]]))
    error_message = "Container hostnames must match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$."
  }

  validation {
    condition = alltrue([for v in var.variants : (
      coalesce(v.inference_execution_mode, "Serial") != "Direct" || (
        alltrue([for c in v.containers : c.hostname != null]) &&
        length(distinct([for c in v.containers : c.hostname])) == length(v.containers)
      )
    )])
    error_message = "Every container of a Direct multi-container variant needs a unique hostname."
  }

  validation {
    condition     = alltrue(flatten([for v in var.variants : [for c in v.containers : length(trimspace(c.image)) > 0 && length(c.image) <= 255]]))
    error_message = "Every container needs an image URI of at most 255 characters."
  }

  validation {
    condition = alltrue(flatten([for v in var.variants : [
      for c in v.containers : c.model_data_url == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+", c.model_data_url))
    ]]))
    error_message = "model_data_url must be an S3 URI: s3://bucket/key."
  }

  validation {
    condition = alltrue(flatten([for v in var.variants : [
      for c in v.containers : length(c.environment) <= 100 && alltrue([
        for k, val in c.environment : can(regex("^[a-zA-Z_][a-zA-Z0-9_]*$", k)) && length(k) <= 1024 && length(val) <= 1024
      ])
    ]]))
    error_message = "Container environment: at most 100 entries, keys match [a-zA-Z_][a-zA-Z0-9_]* (1-1024 characters), values at most 1024 characters."
  }

  validation {
    condition     = alltrue([for v in var.variants : (v.serverless == null) != (v.instance_type == null)])
    error_message = "Each variant is either instance-based (instance_type) or serverless (serverless), not both and not neither."
  }

  validation {
    condition = alltrue([for v in var.variants : v.instance_type == null || (
      can(regex("^ml\\.[a-z0-9]+(-[a-z0-9]+)*\\.[a-z0-9]+$", v.instance_type)) && coalesce(v.initial_instance_count, 1) >= 1 && floor(coalesce(v.initial_instance_count, 1)) == coalesce(v.initial_instance_count, 1)
    )])
    error_message = "instance_type must look like ml.<family>.<size> (the family may be hyphenated: ml.p6-b200.48xlarge) and initial_instance_count must be a whole number >= 1."
  }

  validation {
    condition = alltrue([for v in var.variants : v.serverless == null || (
      try(v.serverless.memory_size_mb >= 1024 && v.serverless.memory_size_mb <= 6144 && v.serverless.memory_size_mb % 1024 == 0, false) &&
      try(v.serverless.max_concurrency >= 1 && v.serverless.max_concurrency <= 200, false) &&
      try(coalesce(v.serverless.provisioned_concurrency, 1) >= 1 && coalesce(v.serverless.provisioned_concurrency, 1) <= v.serverless.max_concurrency, false)
    )])
    error_message = "Serverless: memory_size_mb 1024-6144 in steps of 1024, max_concurrency 1-200, provisioned_concurrency 1-200 and <= max_concurrency."
  }

  validation {
    condition     = alltrue([for v in var.variants : v.initial_weight >= 0 && v.initial_weight <= 1])
    error_message = "initial_weight must be between 0 and 1."
  }

  validation {
    condition = alltrue([for v in var.variants : (
      (v.container_startup_health_check_timeout_seconds == null || try(v.container_startup_health_check_timeout_seconds >= 60 && v.container_startup_health_check_timeout_seconds <= 3600, false)) &&
      (v.model_data_download_timeout_seconds == null || try(v.model_data_download_timeout_seconds >= 60 && v.model_data_download_timeout_seconds <= 3600, false)) &&
      (v.volume_size_gb == null || try(v.volume_size_gb >= 1 && v.volume_size_gb <= 512, false))
    )])
    error_message = "container_startup_health_check_timeout_seconds and model_data_download_timeout_seconds are 60-3600; volume_size_gb is 1-512."
  }

  validation {
    condition = alltrue([for v in var.variants : v.autoscaling == null || try(
      coalesce(v.autoscaling.min_capacity, 0) >= 0 && v.autoscaling.max_capacity >= 1 && coalesce(v.autoscaling.min_capacity, 0) <= v.autoscaling.max_capacity &&
      v.autoscaling.scale_in_cooldown >= 0 && v.autoscaling.scale_out_cooldown >= 0 &&
      coalesce(v.autoscaling.target_value, 1) > 0,
    false)])
    error_message = "autoscaling: 0 <= min_capacity <= max_capacity, max_capacity >= 1, cooldowns >= 0, target_value > 0."
  }

  validation {
    condition     = alltrue([for v in var.variants : v.autoscaling == null || v.serverless == null || try(v.serverless.provisioned_concurrency != null, false)])
    error_message = "Autoscaling a serverless variant scales its provisioned concurrency: set serverless.provisioned_concurrency."
  }
}

variable "async_inference" {
  description = <<-EOT
    Makes the endpoint asynchronous. Output, failure and input prefixes default to `async/output/`, `async/failure/` and
    `async/input/` in the module's bucket; give S3 URIs to use other locations (the execution role gets write access to
    the output/failure paths and read access to the input path). With `create_topics` the module creates the SNS
    success and error topics (KMS-encrypted); or give topic ARNs. `scale_to_zero` lets autoscaled variants go down to
    0 instances and adds the `HasBacklogWithoutCapacity` alarm and step policy that brings them back to 1.
  EOT
  type = object({
    output_path                             = optional(string)
    failure_path                            = optional(string)
    input_path                              = optional(string)
    create_topics                           = optional(bool, true)
    success_topic_arn                       = optional(string)
    error_topic_arn                         = optional(string)
    success_subscriptions                   = optional(list(object({ protocol = string, endpoint = string })), [])
    error_subscriptions                     = optional(list(object({ protocol = string, endpoint = string })), [])
    include_inference_response_in           = optional(list(string), ["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"])
    max_concurrent_invocations_per_instance = optional(number)
    scale_to_zero                           = optional(bool, true)
    backlog_target_per_instance             = optional(number, 10)
  })
  default = null

  validation {
    condition = var.async_inference == null || alltrue([
      for p in compact([try(var.async_inference.output_path, null), try(var.async_inference.failure_path, null), try(var.async_inference.input_path, null)]) :
      can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$", p))
    ])
    error_message = "async_inference paths must be S3 URIs (s3://bucket/prefix/)."
  }

  validation {
    condition = var.async_inference == null || alltrue([
      for a in compact([try(var.async_inference.success_topic_arn, null), try(var.async_inference.error_topic_arn, null)]) :
      can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[a-zA-Z0-9_-]{1,256}(\\.fifo)?$", a))
    ])
    error_message = "success_topic_arn and error_topic_arn must be SNS topic ARNs."
  }

  validation {
    condition     = var.async_inference == null || try(length(setsubtract(var.async_inference.include_inference_response_in, ["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"])) == 0, false)
    error_message = "include_inference_response_in takes SUCCESS_NOTIFICATION_TOPIC and/or ERROR_NOTIFICATION_TOPIC."
  }

  validation {
    condition     = var.async_inference == null || try(coalesce(var.async_inference.max_concurrent_invocations_per_instance, 1) >= 1 && coalesce(var.async_inference.max_concurrent_invocations_per_instance, 1) <= 1000, false)
    error_message = "max_concurrent_invocations_per_instance must be 1-1000."
  }

  validation {
    condition     = var.async_inference == null || try(var.async_inference.backlog_target_per_instance > 0, false)
    error_message = "backlog_target_per_instance must be > 0."
  }
}

variable "keep_releases" {
  description = "How many releases (models + endpoint configuration) the deployer keeps for instant rollback, the live one included."
  type        = number
  default     = 3

  validation {
    condition     = var.keep_releases >= 2 && var.keep_releases <= 50 && floor(var.keep_releases) == var.keep_releases
    error_message = "keep_releases must be a whole number from 2 (live + previous) to 50."
  }
}

################################################################################
# Deployment (rollout policy)
################################################################################

variable "deployment" {
  description = <<-EOT
    How the deployer rolls a new release out. `strategy` `blue_green` (`traffic` `all_at_once`, `canary` or `linear`) or
    `rolling` (not for serverless or multi-variant endpoints). Waits and timeouts are in seconds; `wait_interval_seconds`
    defaults to 0 for blue/green all at once and 300 otherwise. With
    `create_rollback_alarms` the module's alarms (see `alarms`) are SageMaker's auto-rollback alarms;
    `extra_rollback_alarms` adds alarm names of your own (1-10 in total). `bake_seconds` > 0 makes the deployer keep
    watching the alarms after SageMaker reports success and roll back itself if one fires.
  EOT
  type = object({
    strategy                      = optional(string, "blue_green")
    traffic                       = optional(string, "all_at_once")
    canary_percent                = optional(number, 10)
    linear_step_percent           = optional(number, 20)
    wait_interval_seconds         = optional(number)
    termination_wait_seconds      = optional(number, 300)
    max_execution_timeout_seconds = optional(number, 3600)
    rolling_batch_percent         = optional(number, 25)
    rollback_batch_percent        = optional(number, 100)
    create_rollback_alarms        = optional(bool, true)
    extra_rollback_alarms         = optional(list(string), [])
    bake_seconds                  = optional(number, 0)
    timeout_seconds               = optional(number, 7200)
  })
  default = {}

  validation {
    condition     = contains(["blue_green", "rolling"], var.deployment.strategy) && contains(["all_at_once", "canary", "linear"], var.deployment.traffic)
    error_message = "strategy must be blue_green or rolling; traffic must be all_at_once, canary or linear."
  }

  validation {
    condition = (
      var.deployment.canary_percent >= 1 && var.deployment.canary_percent <= 50 &&
      var.deployment.linear_step_percent >= 10 && var.deployment.linear_step_percent <= 50 &&
      var.deployment.rolling_batch_percent >= 5 && var.deployment.rolling_batch_percent <= 50 &&
      var.deployment.rollback_batch_percent >= 5 && var.deployment.rollback_batch_percent <= 100
    )
    error_message = "canary_percent 1-50, linear_step_percent 10-50, rolling_batch_percent 5-50, rollback_batch_percent 5-100."
  }

  validation {
    condition = (
      (var.deployment.wait_interval_seconds == null || try(var.deployment.wait_interval_seconds >= 0 && var.deployment.wait_interval_seconds <= 3600, false)) &&
      var.deployment.termination_wait_seconds >= 0 && var.deployment.termination_wait_seconds <= 3600 &&
      var.deployment.max_execution_timeout_seconds >= 600 && var.deployment.max_execution_timeout_seconds <= 28800 &&
      var.deployment.bake_seconds >= 0 && var.deployment.bake_seconds <= 3600 &&
      var.deployment.timeout_seconds >= 60 && var.deployment.timeout_seconds <= 86400
    )
    error_message = "wait_interval_seconds and termination_wait_seconds 0-3600, max_execution_timeout_seconds 600-28800, bake_seconds 0-3600, timeout_seconds 60-86400."
  }

  validation {
    # BlueGreenUpdatePolicy: the timeout must exceed TerminationWaitInSeconds plus the waits (one per traffic
    # shift: all at once 1, canary 2, linear ceil(100 / step)); the deployer checks the same rule.
    condition = try(
      var.deployment.strategy != "blue_green" ||
      var.deployment.max_execution_timeout_seconds > var.deployment.termination_wait_seconds + coalesce(
        var.deployment.wait_interval_seconds, var.deployment.traffic == "all_at_once" ? 0 : 300
        ) * (var.deployment.traffic == "all_at_once" ? 1 : var.deployment.traffic == "canary" ? 2 : ceil(
          100 / var.deployment.linear_step_percent
      )),
      true
    )
    error_message = "max_execution_timeout_seconds must exceed termination_wait_seconds plus wait_interval_seconds per traffic shift (all_at_once 1, canary 2, linear ceil(100 / linear_step_percent))."
  }

  validation {
    condition     = alltrue([for a in var.deployment.extra_rollback_alarms : length(a) >= 1 && length(a) <= 255])
    error_message = "Alarm names are 1-255 characters."
  }

  validation {
    condition     = length(var.deployment.extra_rollback_alarms) <= 10
    error_message = "At most 10 rollback alarms (SageMaker AutoRollbackConfiguration), the module's own alarms included."
  }
}

variable "alarms" {
  description = <<-EOT
    Thresholds of the rollback alarms the module creates when `deployment.create_rollback_alarms` is true (namespace
    AWS/SageMaker, dimensions EndpointName + VariantName; with several variants one metric-math alarm takes the
    maximum over the variants): `<name>-5xx` (Invocation5XXErrors, Sum >= threshold), `<name>-model-latency`
    (ModelLatency, Average >= threshold, microseconds); for asynchronous endpoints also `<name>-async-failures`
    (InvocationFailures, Sum >= threshold) and, when `backlog_threshold` is set, `<name>-backlog`
    (ApproximateBacklogSize, dimension EndpointName, Average >= threshold).
  EOT
  type = object({
    invocation_5xx_errors_threshold = optional(number, 1)
    model_latency_threshold_us      = optional(number, 5000000)
    invocation_failures_threshold   = optional(number, 1)
    backlog_threshold               = optional(number)
    period_seconds                  = optional(number, 60)
    evaluation_periods              = optional(number, 2)
    datapoints_to_alarm             = optional(number, 2)
    alarm_actions                   = optional(list(string), [])
    ok_actions                      = optional(list(string), [])
  })
  default = {}

  validation {
    condition     = var.alarms.period_seconds >= 60 && var.alarms.period_seconds % 60 == 0
    error_message = "period_seconds must be a multiple of 60 (SageMaker publishes endpoint metrics every minute)."
  }

  validation {
    condition     = var.alarms.evaluation_periods >= 1 && var.alarms.datapoints_to_alarm >= 1 && var.alarms.datapoints_to_alarm <= var.alarms.evaluation_periods
    error_message = "1 <= datapoints_to_alarm <= evaluation_periods."
  }
}

################################################################################
# Execution role and access
################################################################################

variable "create_execution_role" {
  description = "Create the SageMaker execution role (least privilege, see modules/iam). When false, give `execution_role_arn`."
  type        = bool
  default     = true
}

variable "execution_role_arn" {
  description = "ARN of an existing SageMaker execution role, used when `create_execution_role` is false."
  type        = string
  default     = null

  validation {
    condition     = var.execution_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+", var.execution_role_arn))
    error_message = "execution_role_arn must be an IAM role ARN."
  }
}

variable "execution_role_name" {
  description = "Name of the created execution role (default `<name>-<region>-sagemaker`, cut to 64 characters with a hash; IAM names are global, so the Region keeps two Regions' endpoints of one name apart)."
  type        = string
  default     = null
}

variable "execution_role_permissions_boundary" {
  description = "ARN of a permissions boundary for the created execution role."
  type        = string
  default     = null
}

variable "invoke_policy" {
  description = <<-EOT
    Create an IAM policy that allows invoking this endpoint (InvokeEndpoint, InvokeEndpointAsync, and
    InvokeEndpointWithResponseStream). For Direct multi-container endpoints, `allowed_container_hostnames` and
    `denied_container_hostnames` (StringLike patterns) restrict it with the `sagemaker:TargetContainerHostname` condition.
  EOT
  type = object({
    create                      = optional(bool, false)
    name                        = optional(string)
    allowed_container_hostnames = optional(list(string), [])
    denied_container_hostnames  = optional(list(string), [])
  })
  default = {}
}

################################################################################
# Storage, encryption, notifications, logs
################################################################################

variable "create_kms_key" {
  description = "Create a customer managed KMS key (rotation on) for the bucket, topics, log group and endpoint volumes. When false, `kms_key_arn` is used if set."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "ARN of an existing KMS key, used when `create_kms_key` is false."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "kms_key_deletion_window_in_days" {
  description = "Waiting period before the created KMS key is deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30
    error_message = "kms_key_deletion_window_in_days must be 7-30."
  }
}

variable "kms_key_administrator_arns" {
  description = "IAM principals that administer the created KMS key (manage, not use: no Encrypt/Decrypt). The account root always keeps access, so IAM policies govern the key."
  type        = list(string)
  default     = []
}

variable "kms_key_user_arns" {
  description = "IAM principals that use the created KMS key (Encrypt, Decrypt, ReEncrypt, GenerateDataKey, DescribeKey; no management)."
  type        = list(string)
  default     = []
}

variable "encrypt_endpoint_volumes" {
  description = "Pass the KMS key to the endpoint configuration to encrypt the ML storage volumes. Skipped automatically for serverless variants and for instance families with local NVMe storage (for example ml.g4dn, ml.g5, ml.p4d), where SageMaker rejects a KmsKeyId."
  type        = bool
  default     = true
}

variable "create_bucket" {
  description = "Create the module's S3 bucket (KMS-encrypted, public access blocked, TLS only, versioned, async output expiry). When false, give `bucket_name` of an existing bucket."
  type        = bool
  default     = true
}

variable "bucket_name" {
  description = "Name of the bucket to create (default: derived from the endpoint name and account) or of an existing bucket when `create_bucket` is false."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 characters, lowercase letters, digits, dots and hyphens)."
  }
}

variable "bucket_force_destroy" {
  description = "Allow `terraform destroy` to delete the created bucket with objects in it (async outputs, model artifacts)."
  type        = bool
  default     = false
}

variable "async_output_expiration_days" {
  description = "Days after which asynchronous inference inputs, outputs and failures in the module's bucket expire."
  type        = number
  default     = 30

  validation {
    condition     = var.async_output_expiration_days >= 1
    error_message = "async_output_expiration_days must be >= 1."
  }
}

variable "log_group_retention_in_days" {
  description = "Retention of the endpoint's CloudWatch log group `/aws/sagemaker/Endpoints/<name>`."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_group_retention_in_days)
    error_message = "log_group_retention_in_days must be one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

################################################################################
# Images and the deployer
################################################################################

variable "pin_image_digests" {
  description = "Resolve ECR image tags in this account's registry and Region (not other accounts' such as AWS's deep learning containers, 763104351884) to digests with `data \"aws_ecr_image\"`, so that pushing a new image under the same tag rolls it out and the exact digest is what runs."
  type        = bool
  default     = true
}

variable "pin_model_data" {
  description = "Resolve each `model_data_url` (an S3 object, s3://bucket/key) at plan with `data \"aws_s3_object\"` to its version id (its ETag in an unversioned bucket) and carry it in the spec as `model_data_version`, so that overwriting the object under the same key is a new release that rolls out with the guardrails. The object must exist at plan; the plan role needs `s3:GetObject` and `s3:GetObjectTagging` on it (in `ci_plan_policy_json`)."
  type        = bool
  default     = true
}

variable "python_executable" {
  description = "Python interpreter (3.10+, with boto3) that runs the deployer (`python -m deployer`) from the module directory."
  type        = string
  default     = "python3"
}

variable "deployer_log_dir" {
  description = "Directory for the deployer's log: one file per endpoint and rollout (`<name>-<UTC start>-<rollout id>.log`), written only when a rollout has something to say, never inside the module's source tree. null: `.terraform/sagemaker-rollout/` under the root module (`path.root`); \"\": no file (a failed apply still shows the verdict and the timeline)."
  type        = string
  default     = null
}

variable "deployer_assume_role_arn" {
  description = "Role the deployer assumes for its SageMaker writes during apply (credentials otherwise come from the standard AWS chain). Never used by a plan's reads."
  type        = string
  default     = null

  validation {
    condition     = var.deployer_assume_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+", var.deployer_assume_role_arn))
    error_message = "deployer_assume_role_arn must be an IAM role ARN."
  }
}

variable "plan_assume_role_arn" {
  description = "Read-only role the deployer assumes for its reads (everything a `terraform plan` does); null: the runner's own credentials. The write role `deployer_assume_role_arn` is never assumed for reads."
  type        = string
  default     = null

  validation {
    condition     = var.plan_assume_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+", var.plan_assume_role_arn))
    error_message = "plan_assume_role_arn must be an IAM role ARN."
  }
}

variable "tags" {
  description = "Tags for every resource the module and the deployer create. The provider's `default_tags` reach the deployer's resources too (merged under these); at most 35 together."
  type        = map(string)
  default     = {}

  validation {
    condition = length(var.tags) <= 35 && alltrue([for k, v in var.tags : (
      length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !startswith(lower(k), "aws:") && !startswith(k, "sagemaker-rollout:") &&
      can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", k)) && can(regex("^[\\p{L}\\p{Z}\\p{N}_.:/=+@-]*$", v))
    )])
    error_message = "At most 35 tags (the deployer keeps 15 of SageMaker's 50 for its own state); keys 1-128 and values at most 256 letters, digits, spaces or _.:/=+-@; no aws: or sagemaker-rollout: key prefix (reserved for AWS and the deployer)."
  }
}

################################################################################
# Data capture
################################################################################

variable "data_capture" {
  description = <<-EOT
    Captures a sample of the endpoint's requests and / or responses to S3 (for Model Monitor): `DataCaptureConfig` of
    the endpoint configuration, so a change rolls out as a new release. The destination defaults to `data-capture/`
    in the module's bucket and the execution role may write there; `kms_key_arn` defaults to the module's key when it
    has one. `capture_options`: `input`, `output` or both; content types: up to 10 each (SageMaker's defaults when empty).
  EOT
  type = object({
    enable                      = optional(bool, true)
    initial_sampling_percentage = optional(number, 20)
    capture_options             = optional(list(string), ["input", "output"])
    destination_s3_uri          = optional(string)
    kms_key_arn                 = optional(string)
    csv_content_types           = optional(list(string), [])
    json_content_types          = optional(list(string), [])
  })
  default = null

  validation {
    condition = var.data_capture == null || try(
      floor(var.data_capture.initial_sampling_percentage) == var.data_capture.initial_sampling_percentage &&
      var.data_capture.initial_sampling_percentage >= 0 && var.data_capture.initial_sampling_percentage <= 100,
      false
    )
    error_message = "data_capture.initial_sampling_percentage must be a whole number from 0 to 100 (SageMaker SamplingPercentage)."
  }

  validation {
    condition = var.data_capture == null || try(
      length(var.data_capture.capture_options) >= 1 && length(var.data_capture.capture_options) == length(distinct(var.data_capture.capture_options)) &&
      alltrue([for o in var.data_capture.capture_options : contains(["input", "output"], o)]),
      false
    )
    error_message = "data_capture.capture_options must be 1 or 2 of \"input\", \"output\", each once."
  }

  validation {
    condition = var.data_capture == null || try(
      # A conditional, not ||: Terraform evaluates both sides of || (length(null) would fail).
      var.data_capture.destination_s3_uri == null ? true : (
        length(var.data_capture.destination_s3_uri) <= 512 && can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/\\S*)?$", var.data_capture.destination_s3_uri))
      ),
      false
    )
    error_message = "data_capture.destination_s3_uri must be an S3 URI s3://bucket/prefix/ of at most 512 characters."
  }

  validation {
    condition = var.data_capture == null || try(
      var.data_capture.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.data_capture.kms_key_arn)),
      false
    )
    error_message = "data_capture.kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }

  validation {
    condition = var.data_capture == null || try(
      alltrue([for types in [var.data_capture.csv_content_types, var.data_capture.json_content_types] :
        length(types) <= 10 && length(types) == length(distinct(types)) &&
        alltrue([for t in types : length(t) <= 256 && can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9])*/[a-zA-Z0-9](-*[a-zA-Z0-9.])*$", t))])
      ]),
      false
    )
    error_message = "data_capture content types: at most 10 each, unique, each a MIME type such as text/csv or application/json."
  }
}

################################################################################
# Network: VPC and network isolation of the models (CreateModel VpcConfig, EnableNetworkIsolation)
################################################################################

variable "vpc_config" {
  description = <<-EOT
    Runs every model of the endpoint in your VPC: SageMaker attaches network interfaces in `subnet_ids` (1-16) with
    `security_group_ids` (1-5) to the instances (CreateModel `VpcConfig`; SageMaker developer guide "Give SageMaker
    Hosted Endpoints Access to Resources in Your Amazon VPC"). The execution role gets the EC2 network-interface
    permissions for it, scoped to these subnets, and the CI apply policy allows CreateModel only with exactly these
    subnets and security groups (`sagemaker:VpcSubnets`, `sagemaker:VpcSecurityGroupIds`). The model needs a route to S3
    and ECR from the subnets (a NAT gateway or VPC endpoints). Not for serverless variants. null: no VPC.
  EOT
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null

  validation {
    condition = var.vpc_config == null || try(
      length(var.vpc_config.subnet_ids) >= 1 && length(var.vpc_config.subnet_ids) <= 16 &&
      length(distinct(var.vpc_config.subnet_ids)) == length(var.vpc_config.subnet_ids) &&
      alltrue([for s in var.vpc_config.subnet_ids : length(s) <= 32 && can(regex("^subnet-[0-9a-z]+$", s))]),
    false)
    error_message = "vpc_config.subnet_ids: 1 to 16 unique subnet ids subnet-<letters, digits> of at most 32 characters (API VpcConfig.Subnets)."
  }

  validation {
    condition = var.vpc_config == null || try(
      length(var.vpc_config.security_group_ids) >= 1 && length(var.vpc_config.security_group_ids) <= 5 &&
      length(distinct(var.vpc_config.security_group_ids)) == length(var.vpc_config.security_group_ids) &&
      alltrue([for g in var.vpc_config.security_group_ids : length(g) <= 32 && can(regex("^sg-[0-9a-z]+$", g))]),
    false)
    error_message = "vpc_config.security_group_ids: 1 to 5 unique security group ids sg-<letters, digits> of at most 32 characters (API VpcConfig.SecurityGroupIds)."
  }
}

variable "enable_network_isolation" {
  description = "Isolates every model container: no inbound or outbound network calls, not even to AWS services (CreateModel `EnableNetworkIsolation`); SageMaker still downloads the model data and the image. The CI apply policy then allows CreateModel only with isolation on (`sagemaker:NetworkIsolation`). Not for serverless variants."
  type        = bool
  default     = false
  nullable    = false
}
