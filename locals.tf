# The provider's Region. Not data "aws_region": its `name` is deprecated in hashicorp/aws 6.0 and its `id` in
# 6.47, and the `region` that replaces them does not exist in 5.x. aws_service's `region` (the provider's
# Region when not set) exists, undeprecated, in both (tests/unit/test_provider_schema.py checks).
data "aws_service" "sagemaker" {
  service_id = "sagemaker"
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_default_tags" "current" {}

locals {
  # The deployer's log directory, absolute (its program runs in path.module); "" turns the file off.
  deployer_log_dir = var.deployer_log_dir == null ? "${abspath(path.root)}/.terraform/sagemaker-rollout" : (
    var.deployer_log_dir == "" ? "" : abspath(var.deployer_log_dir)
  )

  region     = data.aws_service.sagemaker.region
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # create = false: nothing is created, and what was created is destroyed (the endpoint by its destroy provisioner).
  create       = var.create
  asynchronous = var.async_inference != null
  serverless   = anytrue([for v in var.variants : v.serverless != null])

  ################################################################################
  # Images: ECR tags pinned to digests (data "aws_ecr_image"), so the exact image is what runs
  ################################################################################

  # <registry>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:<tag>][@sha256:<digest>]
  ecr_image_pattern = "^([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.(amazonaws\\.com(?:\\.cn)?)/([a-z0-9][a-z0-9._/-]*?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$"

  images = distinct(flatten([for v in var.variants : [for c in v.containers : c.image]]))

  ecr_images = {
    for image in local.images : image => {
      registry   = regex(local.ecr_image_pattern, image)[0]
      region     = regex(local.ecr_image_pattern, image)[1]
      domain     = regex(local.ecr_image_pattern, image)[2]
      repository = regex(local.ecr_image_pattern, image)[3]
      tag        = coalesce(regex(local.ecr_image_pattern, image)[4], "latest")
      digest     = regex(local.ecr_image_pattern, image)[5]
    } if can(regex(local.ecr_image_pattern, image))
  }

  # Only tags in this account's registry in this Region are resolved (DescribeImages on another account's registry,
  # such as AWS's deep learning containers account 763104351884, needs its permission); other images and images
  # given by digest stay as they are.
  pinned_images = {
    for image, p in local.ecr_images : image => p if local.create && var.pin_image_digests && p.digest == null && p.region == local.region && p.registry == local.account_id
  }

  resolved_images = {
    for image in local.images : image => (
      contains(keys(local.pinned_images), image)
      ? "${local.ecr_images[image].registry}.dkr.ecr.${local.ecr_images[image].region}.${local.ecr_images[image].domain}/${local.ecr_images[image].repository}@${data.aws_ecr_image.this[image].image_digest}"
      : image
    )
  }

  ecr_repository_arns = distinct([
    for image, p in local.ecr_images : "arn:${local.partition}:ecr:${p.region}:${p.registry}:repository/${p.repository}"
  ])

  ################################################################################
  # Model artifacts: each S3 object pinned to its version id (or ETag) with data "aws_s3_object"
  ################################################################################

  model_data_urls = distinct(flatten([for v in var.variants : [for c in v.containers : c.model_data_url if c.model_data_url != null]]))

  # Objects only (a prefix has no version); s3://<bucket>/<key>.
  pinned_model_data = {
    for url in local.model_data_urls : url => {
      bucket = regex("^s3://([^/]+)/(.+)$", url)[0]
      key    = regex("^s3://([^/]+)/(.+)$", url)[1]
    } if local.create && var.pin_model_data && can(regex("^s3://[^/]+/.*[^/]$", url))
  }

  # The version id in a versioned bucket; the ETag where the bucket is unversioned (no version id, or "null" for
  # an object written while versioning was suspended). Carried in the spec, so a new object is a new release.
  model_data_versions = {
    for url in keys(local.pinned_model_data) : url => (
      contains(["", "null"], data.aws_s3_object.model_data[url].version_id == null ? "" : data.aws_s3_object.model_data[url].version_id)
      ? data.aws_s3_object.model_data[url].etag
      : data.aws_s3_object.model_data[url].version_id
    )
  }

  ################################################################################
  # Storage, keys, topics
  ################################################################################

  kms_key_arn = var.create_kms_key ? try(aws_kms_key.this[0].arn, null) : var.kms_key_arn
  # Presence decided from inputs only, so that counts and lists are known at plan time.
  has_kms_key = (local.create && var.create_kms_key) || var.kms_key_arn != null
  has_bucket  = var.create_bucket || var.bucket_name != null

  default_bucket_name = "${replace(substr(lower(var.name), 0, 30), "/-+$/", "")}-${local.account_id}-${local.region}"
  bucket_name         = var.create_bucket ? (local.create ? module.storage[0].bucket_name : coalesce(var.bucket_name, local.default_bucket_name)) : var.bucket_name
  bucket_arn          = local.has_bucket ? "arn:${local.partition}:s3:::${local.bucket_name}" : null

  async_prefixes = { output = "async/output/", failure = "async/failure/", input = "async/input/" }

  async_output_path  = local.asynchronous ? try(coalesce(var.async_inference.output_path, "s3://${local.bucket_name}/${local.async_prefixes.output}"), var.async_inference.output_path) : null
  async_failure_path = local.asynchronous ? try(coalesce(var.async_inference.failure_path, "s3://${local.bucket_name}/${local.async_prefixes.failure}"), var.async_inference.failure_path) : null
  async_input_path   = local.asynchronous ? try(coalesce(var.async_inference.input_path, "s3://${local.bucket_name}/${local.async_prefixes.input}"), var.async_inference.input_path) : null

  # Topics are created only for the kinds (success, error) not given as ARNs.
  create_topics = local.create && local.asynchronous && try(var.async_inference.create_topics, false) && (
    try(var.async_inference.success_topic_arn, null) == null || try(var.async_inference.error_topic_arn, null) == null
  )
  has_topic = {
    SUCCESS_NOTIFICATION_TOPIC = local.asynchronous && (local.create_topics || try(var.async_inference.success_topic_arn, null) != null)
    ERROR_NOTIFICATION_TOPIC   = local.asynchronous && (local.create_topics || try(var.async_inference.error_topic_arn, null) != null)
  }
  success_topic_arn = local.asynchronous ? try(coalesce(var.async_inference.success_topic_arn, module.notifications[0].success_topic_arn), null) : null
  error_topic_arn   = local.asynchronous ? try(coalesce(var.async_inference.error_topic_arn, module.notifications[0].error_topic_arn), null) : null
  topic_arns = local.asynchronous ? concat(
    [for k in ["success", "error"] : var.async_inference["${k}_topic_arn"] if var.async_inference["${k}_topic_arn"] != null],
    local.create_topics ? [for k in ["success", "error"] : module.notifications[0]["${k}_topic_arn"] if var.async_inference["${k}_topic_arn"] == null] : [],
  ) : []

  # s3://bucket/key -> arn:aws:s3:::bucket/key
  model_data_s3_arns = distinct(flatten([for v in var.variants : [
    for c in v.containers : "arn:${local.partition}:s3:::${trimprefix(c.model_data_url, "s3://")}${endswith(c.model_data_url, "/") ? "*" : ""}" if c.model_data_url != null
  ]]))
  async_write_s3_arns = local.asynchronous ? [
    for p in [local.async_output_path, local.async_failure_path] : "arn:${local.partition}:s3:::${trimsuffix(trimprefix(p, "s3://"), "/")}/*"
  ] : []
  async_read_s3_arns = local.asynchronous ? ["arn:${local.partition}:s3:::${trimsuffix(trimprefix(local.async_input_path, "s3://"), "/")}/*"] : []

  ################################################################################
  # Data capture: destination in the module's bucket by default, encrypted with the module's key when it has one
  ################################################################################

  data_capture_enabled     = var.data_capture != null
  data_capture_destination = local.data_capture_enabled ? try(coalesce(var.data_capture.destination_s3_uri, local.has_bucket ? "s3://${local.bucket_name}/data-capture/" : null), null) : null
  data_capture_kms_key_arn = local.data_capture_enabled ? try(coalesce(var.data_capture.kms_key_arn, local.has_kms_key ? local.kms_key_arn : null), null) : null
  data_capture_s3_arns = local.data_capture_destination == null ? [] : [
    "arn:${local.partition}:s3:::${trimsuffix(trimprefix(local.data_capture_destination, "s3://"), "/")}/*"
  ]
  # Known at plan from the inputs (the module's key ARN may not be): an external key gets its own statement.
  data_capture_kms_key_arns = local.data_capture_enabled && try(var.data_capture.kms_key_arn, null) != null ? [var.data_capture.kms_key_arn] : []

  data_capture_spec = local.data_capture_enabled ? {
    enable                      = var.data_capture.enable
    initial_sampling_percentage = var.data_capture.initial_sampling_percentage
    capture_options             = var.data_capture.capture_options
    destination_s3_uri          = local.data_capture_destination
    kms_key_id                  = local.data_capture_kms_key_arn
    capture_content_type_header = {
      csv_content_types  = var.data_capture.csv_content_types
      json_content_types = var.data_capture.json_content_types
    }
  } : null

  ################################################################################
  # Endpoint volume encryption
  ################################################################################

  # Instance families with local NVMe instance storage: SageMaker rejects a KmsKeyId in CreateEndpointConfig for
  # them (SageMaker API reference, CreateEndpointConfig KmsKeyId, which points to EC2's instance store volumes
  # list); serverless variants take no KmsKeyId either. The SageMaker docs name ml.p4d, ml.g4dn and ml.g5
  # (ResourceConfig VolumeSizeInGB); the rest follow EC2's instance type specifications (docs/aws-behaviour.md).
  local_storage_families = [
    "c5d", "c6id", "g4dn", "g5", "g6", "g6e", "gr6", "i3", "i3en", "m5d", "m6id", "p3dn", "p4d", "p4de", "p5", "p5e",
    "p5en", "p6-b200", "r5d", "r6id", "trn1", "trn1n", "trn2", "x2iedn",
  ]
  volumes_encryptable = !local.serverless && alltrue([
    for v in var.variants : !contains(local.local_storage_families, split(".", v.instance_type)[1]) if v.instance_type != null
  ])
  endpoint_kms_key_arn = local.has_kms_key && var.encrypt_endpoint_volumes && local.volumes_encryptable ? local.kms_key_arn : null

  ################################################################################
  # Alarms, execution role
  ################################################################################

  rollback_alarm_names = concat(
    local.create && var.deployment.create_rollback_alarms ? module.alarms[0].alarm_names : [],
    var.deployment.extra_rollback_alarms,
  )

  execution_role_arn = var.create_execution_role ? module.iam.execution_role_arn : var.execution_role_arn
  # IAM is global: the Region in the default name keeps the same endpoint name in two Regions apart. At most 64
  # characters: a longer base is cut to 45 and a hash of the whole base appended.
  role_name_base = "${var.name}-${local.region}"
  role_name = coalesce(
    var.execution_role_name,
    length(local.role_name_base) <= 54 ? "${local.role_name_base}-sagemaker" : "${substr(local.role_name_base, 0, 45)}-${substr(sha1(local.role_name_base), 0, 8)}-sagemaker",
  )

  ################################################################################
  # Autoscaling: variant names known at plan time
  ################################################################################

  scale_to_zero = local.asynchronous && try(var.async_inference.scale_to_zero, false)

  autoscaled_variants = {
    for v in var.variants : v.name => {
      kind          = v.serverless != null ? "serverless" : local.asynchronous ? "async" : "instance"
      instance_type = v.instance_type
      min_capacity  = coalesce(v.autoscaling.min_capacity, local.scale_to_zero ? 0 : 1)
      max_capacity  = v.autoscaling.max_capacity
      target_value  = coalesce(v.autoscaling.target_value, v.serverless != null ? 0.7 : local.asynchronous ? var.async_inference.backlog_target_per_instance : 1000)
      scale_in      = v.autoscaling.scale_in_cooldown
      scale_out     = v.autoscaling.scale_out_cooldown
      no_scale_in   = v.autoscaling.disable_scale_in
      scale_to_zero = local.scale_to_zero
    } if local.create && v.autoscaling != null
  }

  ################################################################################
  # Network: the models' VPC and isolation (the same for every variant)
  ################################################################################

  vpc_config = var.vpc_config == null ? null : {
    subnets            = var.vpc_config.subnet_ids
    security_group_ids = var.vpc_config.security_group_ids
  }

  ################################################################################
  # The desired-state document (SPEC §3), handed to the deployer
  ################################################################################

  spec = {
    schema_version     = 1
    endpoint_name      = var.name
    region             = local.region
    execution_role_arn = local.execution_role_arn
    variants = [for v in var.variants : {
      name = v.name
      containers = [for c in v.containers : {
        image              = local.resolved_images[c.image]
        model_data_url     = c.model_data_url
        model_data_version = c.model_data_url == null ? null : lookup(local.model_data_versions, c.model_data_url, null)
        environment        = c.environment
        hostname           = c.hostname
      }]
      inference_execution_mode                       = v.inference_execution_mode
      instance_type                                  = v.instance_type
      initial_instance_count                         = v.instance_type == null ? null : coalesce(v.initial_instance_count, 1)
      initial_weight                                 = v.initial_weight
      serverless                                     = v.serverless
      container_startup_health_check_timeout_seconds = v.container_startup_health_check_timeout_seconds
      model_data_download_timeout_seconds            = v.model_data_download_timeout_seconds
      volume_size_gb                                 = v.volume_size_gb
      # null / false: absent from the release id (deployer/spec.py), so existing releases stay.
      vpc_config               = local.vpc_config
      enable_network_isolation = var.enable_network_isolation
    }]
    async_inference = local.asynchronous ? {
      output_path                             = local.async_output_path
      failure_path                            = local.async_failure_path
      success_topic_arn                       = local.success_topic_arn
      error_topic_arn                         = local.error_topic_arn
      include_inference_response_in           = [for t in var.async_inference.include_inference_response_in : t if local.has_topic[t]]
      max_concurrent_invocations_per_instance = var.async_inference.max_concurrent_invocations_per_instance
      kms_key_id                              = local.has_kms_key ? local.kms_key_arn : null
    } : null
    kms_key_arn = local.endpoint_kms_key_arn
    deployment = {
      strategy                      = var.deployment.strategy
      traffic                       = var.deployment.traffic
      canary_percent                = var.deployment.canary_percent
      linear_step_percent           = var.deployment.linear_step_percent
      wait_interval_seconds         = var.deployment.wait_interval_seconds
      termination_wait_seconds      = var.deployment.termination_wait_seconds
      max_execution_timeout_seconds = var.deployment.max_execution_timeout_seconds
      rolling_batch_percent         = var.deployment.rolling_batch_percent
      rollback_batch_percent        = var.deployment.rollback_batch_percent
      rollback_alarms               = local.rollback_alarm_names
      bake_seconds                  = var.deployment.bake_seconds
      timeout_seconds               = var.deployment.timeout_seconds
    }
    keep_releases = var.keep_releases
    tags          = local.tags
    data_capture  = local.data_capture_spec
  }

  # A new deployer version is a change Terraform sees (a new rollout id), like a new spec.
  # What the deployer tags its models, configurations and endpoint with: the provider's default_tags, then the
  # module's tags (the AWS provider's own precedence), as on the resources Terraform creates.
  tags = merge(data.aws_default_tags.current.tags, var.tags)

  deployer_hash = sha256(join(",", [for f in sort(fileset(path.module, "deployer/*.py")) : filesha256("${path.module}/${f}")]))
}

data "aws_s3_object" "model_data" {
  for_each = local.pinned_model_data

  bucket = each.value.bucket
  key    = each.value.key
}

data "aws_ecr_image" "this" {
  for_each = local.pinned_images

  registry_id     = each.value.registry
  repository_name = each.value.repository
  image_tag       = each.value.tag
}
