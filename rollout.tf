################################################################################
# Rollout wiring (SPEC §4): plan never writes, apply rolls out, destroy cleans up
################################################################################

# Replaced only when the endpoint's name or Region changes. Its destroy-time provisioner deletes the endpoint and
# every release the deployer created for it; autoscaling (which depends on it) is deregistered first.
resource "terraform_data" "endpoint" {
  count = local.create ? 1 : 0

  triggers_replace = {
    name   = var.name
    region = local.region
  }

  # A destroy provisioner may only use `self`: everything it needs is carried here. Updated in place by every apply
  # (only triggers_replace replaces it), so `python` is the interpreter of the last apply.
  input = {
    name            = var.name
    region          = local.region
    python          = var.python_executable
    working_dir     = path.module
    assume_role_arn = var.deployer_assume_role_arn
    # Destroy order (below) for the bucket by reference rather than depends_on = [module.storage]: the bucket (with
    # its encryption, public access block and policy) outlives the endpoint, but an apply does not wait for the
    # bucket's lifecycle configuration, which the AWS provider polls for at least 55 s (10 s, then 10 equal reads
    # 5 s apart) before it counts as created.
    bucket = try(module.storage[0].bucket_name, null)
  }

  # No interpreter path frozen in state is required: a later destroy may run on another machine (a CI runner's
  # tool cache, a new virtualenv). The first of SAGEMAKER_ROLLOUT_PYTHON (the destroying machine's choice), the
  # recorded interpreter, python3 and python that runs and imports boto3 runs the deployer.
  provisioner "local-exec" {
    when        = destroy
    working_dir = self.input.working_dir
    interpreter = ["/bin/sh", "-c"]
    environment = {
      DEPLOYER_RECORDED_PYTHON = self.input.python
      DEPLOYER_ENDPOINT        = self.input.name
      DEPLOYER_REGION          = self.input.region
      DEPLOYER_ASSUME_ROLE_ARN = self.input.assume_role_arn == null ? "" : self.input.assume_role_arn
    }
    command = <<-EOT
      for p in "$SAGEMAKER_ROLLOUT_PYTHON" "$DEPLOYER_RECORDED_PYTHON" python3 python; do
        if [ -n "$p" ] && command -v "$p" >/dev/null 2>&1 && "$p" -c "import boto3" >/dev/null 2>&1; then
          exec "$p" -m deployer destroy --region "$DEPLOYER_REGION" $${DEPLOYER_ASSUME_ROLE_ARN:+--assume-role-arn "$DEPLOYER_ASSUME_ROLE_ARN"} "$DEPLOYER_ENDPOINT"
        fi
      done
      echo "error: no Python with boto3 to delete SageMaker endpoint $DEPLOYER_ENDPOINT (tried SAGEMAKER_ROLLOUT_PYTHON, $DEPLOYER_RECORDED_PYTHON, python3, python): set SAGEMAKER_ROLLOUT_PYTHON to one and run again" >&2
      exit 1
    EOT
  }

  # Destroyed in reverse: the endpoint (and its releases) go before everything it uses. Deleting the role, key or
  # log group first would leave a serving endpoint that can no longer pull, decrypt or log, and a bucket or topic
  # deleted under an asynchronous endpoint loses its outputs (README "Destroy").
  depends_on = [
    module.iam,
    aws_kms_key.this,
    aws_kms_alias.this,
    aws_cloudwatch_log_group.this,
    module.notifications,
    module.alarms,
  ]
}

# What the endpoint was created as, kept as it was (ignore_changes): the plan compares the configuration with it
# and refuses, with the reason, the changes SageMaker cannot make to a live endpoint (preconditions below).
# Created (and so recorded) with the endpoint; an existing endpoint records its configuration at the first apply.
resource "terraform_data" "shape" {
  count = local.create ? 1 : 0

  input = {
    name         = var.name
    serverless   = local.serverless
    asynchronous = local.asynchronous
  }

  lifecycle {
    ignore_changes = [input]
  }
}

locals {
  # Unknown until the record exists (its first apply), when every check passes.
  created_as = try(terraform_data.shape[0].output, null)
}

# Its id is the rollout id: replaced whenever the desired state (or the deployer) changes, which makes the id
# unknown at plan time and so defers the deployer's read to apply. Its input keeps the plantimestamp() of the
# plan that created it (ignore_changes: later plans do not touch it; a replacement takes the new plan's). The
# deployer rolls out only when that equals the reading plan's plantimestamp(), i.e. in the apply of that plan;
# every later plan or refresh reads only, even when that apply stopped before recording anything (AWS refused
# its first write, or it was killed): such a rollout reads "interrupted" and is retried with
# terraform apply -replace='module.<name>.terraform_data.rollout[0]' (docs/aws-behaviour.md).
resource "terraform_data" "rollout" {
  count = local.create ? 1 : 0

  triggers_replace = {
    spec     = sha256(jsonencode(local.spec))
    deployer = local.deployer_hash
  }

  input = plantimestamp()

  lifecycle {
    ignore_changes = [input]

    precondition {
      condition     = var.create_execution_role || var.execution_role_arn != null
      error_message = "Give execution_role_arn when create_execution_role is false."
    }

    precondition {
      condition     = length(local.rollback_alarm_names) <= 10
      error_message = "At most 10 rollback alarms (the module's own plus deployment.extra_rollback_alarms); got ${length(local.rollback_alarm_names)}."
    }

    precondition {
      condition     = var.deployment.bake_seconds == 0 || length(local.rollback_alarm_names) > 0
      error_message = "deployment.bake_seconds watches the rollback alarms: create them (deployment.create_rollback_alarms) or name some (deployment.extra_rollback_alarms)."
    }

    precondition {
      condition     = !local.serverless || (length(var.variants) == 1 && !local.asynchronous)
      error_message = "A serverless endpoint has exactly one variant and no async_inference."
    }

    precondition {
      condition     = !local.serverless || alltrue([for v in var.variants : length(v.containers) == 1])
      error_message = "A serverless variant runs one container: Serverless Inference does not support inference pipelines or multi-container models (SageMaker Serverless Inference feature exclusions)."
    }

    precondition {
      condition     = !local.serverless || (var.vpc_config == null && !var.enable_network_isolation)
      error_message = "A serverless endpoint takes neither vpc_config nor enable_network_isolation: Serverless Inference supports neither VPC configuration nor network isolation (SageMaker Serverless Inference feature exclusions)."
    }

    precondition {
      condition     = !local.asynchronous || alltrue([for v in var.variants : length(v.containers) == 1])
      error_message = "An asynchronous endpoint runs single-container models: asynchronous inference does not support multi-container models (docs/aws-behaviour.md)."
    }

    precondition {
      condition     = alltrue([for v in var.variants : length(v.containers) == 1 || v.instance_type == null || !can(regex("^ml\\.[gp][0-9]", v.instance_type))])
      error_message = "Multi-container models do not run on GPU instances (ml.g*, ml.p*; AWS's multi-container endpoints launch post, SPEC §9): use one container per GPU variant, or a CPU instance type."
    }

    precondition {
      condition     = !local.scale_to_zero || alltrue([for v in var.variants : v.autoscaling == null || try(v.autoscaling.min_capacity == null || v.autoscaling.min_capacity == 0, true)])
      error_message = "async_inference.scale_to_zero scales autoscaled variants down to 0 instances: an autoscaling.min_capacity above 0 contradicts it. Leave min_capacity unset (0 with scale_to_zero) or set scale_to_zero = false."
    }

    precondition {
      condition     = length(local.tags) <= 35
      error_message = "At most 35 tags for what the deployer creates, the provider's default_tags and var.tags together (the deployer keeps 15 of SageMaker's 50); got ${length(local.tags)}."
    }

    # One-way changes, against what the endpoint was created as (terraform_data.shape).
    precondition {
      condition     = try(local.created_as.name == var.name, true)
      error_message = "Renaming SageMaker endpoint ${try(local.created_as.name, "")} to ${var.name} is refused: it would delete the serving endpoint before the new one exists and replace its role, bucket and log group. Instead add a second module block with the new name, move the traffic, then set create = false on the old one, apply, and remove it (or set create = false, apply, then rename and set create = true, with downtime)."
    }

    precondition {
      condition     = try(!local.serverless || local.created_as.serverless, true)
      error_message = "SageMaker endpoint ${var.name} was created with instance-based variants: SageMaker refuses to update an instance-based endpoint to serverless (ValidationException). Create a new endpoint (another name or module block), move the traffic, then remove this one with create = false."
    }

    precondition {
      condition     = try(local.asynchronous || !local.created_as.asynchronous, true)
      error_message = "SageMaker endpoint ${var.name} is asynchronous: an update cannot remove its async inference configuration. Keep async_inference, or create a new real-time endpoint (another name or module block), move the traffic, then remove this one with create = false."
    }

    precondition {
      condition     = var.deployment.strategy != "rolling" || (!local.serverless && length(var.variants) == 1 && var.deployment.traffic == "all_at_once")
      error_message = "Rolling deployments are for single-variant instance-based endpoints (traffic all_at_once)."
    }

    precondition {
      condition = !local.asynchronous || local.has_bucket || (
        try(var.async_inference.output_path, null) != null && try(var.async_inference.failure_path, null) != null && try(var.async_inference.input_path, null) != null
      )
      error_message = "An asynchronous endpoint needs the module's bucket (create_bucket or bucket_name) or all of async_inference.output_path, failure_path and input_path."
    }

    precondition {
      condition = alltrue([for v in var.variants : v.serverless == null || v.autoscaling == null || try(
        v.autoscaling.max_capacity <= v.serverless.max_concurrency, false)
      ])
      error_message = "Serverless autoscaling scales provisioned concurrency: autoscaling.max_capacity must be <= serverless.max_concurrency."
    }
  }

  depends_on = [
    terraform_data.endpoint,
    # SageMaker creates /aws/sagemaker/Endpoints/<name> itself if it is missing; ours must exist first.
    aws_cloudwatch_log_group.this,
  ]
}

# The runner's prerequisites (README "Requirements"): python_executable runs and imports a recent enough
# boto3, else one line on stderr says what to install. Its configuration is known at plan, so it is read on
# every plan, the first one included (data.external.deployer waits for terraform_data.rollout, which a first
# plan has not created).
data "external" "prerequisites" {
  count = local.create ? 1 : 0

  program     = [var.python_executable, "-m", "deployer", "prerequisites"]
  working_dir = path.module
}

data "external" "deployer" {
  count = local.create ? 1 : 0

  program     = [var.python_executable, "-m", "deployer", "external"]
  working_dir = path.module

  query = {
    spec            = jsonencode(local.spec)
    rollout_id      = terraform_data.rollout[0].id
    deployer_hash   = local.deployer_hash
    assume_role_arn = var.deployer_assume_role_arn
    # Its own key: the reads never use the write role above.
    plan_assume_role_arn = var.plan_assume_role_arn
    # Plan or apply (see terraform_data.rollout): null (dropped) for a rollout created before this input.
    rollout_planned_at = terraform_data.rollout[0].output
    plan_time          = plantimestamp()
    # Absolute: the program runs in the module's directory, and must never write there.
    log_dir = local.deployer_log_dir
  }
}

locals {
  # The deployer's report (null with create = false).
  deployer = try(data.external.deployer[0].result, null)
}

check "endpoint_rollout" {
  assert {
    condition     = try(local.deployer.drift, "false") != "true"
    error_message = "SageMaker endpoint ${var.name} differs from its desired state (a hotfix, a manual change or a failed rollout): it serves ${try(local.deployer.endpoint_config_name, "")}. The next change rolls out the desired state."
  }

  assert {
    condition     = !contains(["failed", "refused", "interrupted", "timed_out", "rolled_back"], try(local.deployer.last_rollout, ""))
    error_message = "The last rollout of SageMaker endpoint ${var.name} ${replace(try(local.deployer.last_rollout, ""), "_", " ")}: ${try(local.deployer.last_rollout_reason, "")}. ${try(local.deployer.endpoint_config_name, "") == "" ? "The endpoint does not exist" : "It still serves ${try(local.deployer.endpoint_config_name, "")}"}; a plan never retries it: run terraform apply -replace='module.<name>.terraform_data.rollout[0]' (this module's address) or change the desired state."
  }
}

################################################################################
# Autoscaling, ordered after the rollout (variant names known at plan time)
################################################################################

module "autoscaling" {
  source = "./modules/autoscaling"

  endpoint_name = var.name
  variants = {
    for name, v in local.autoscaled_variants : name => {
      kind               = v.kind
      instance_type      = v.instance_type
      min_capacity       = v.min_capacity
      max_capacity       = v.max_capacity
      target_value       = v.target_value
      scale_in_cooldown  = v.scale_in
      scale_out_cooldown = v.scale_out
      disable_scale_in   = v.no_scale_in
      scale_to_zero      = v.scale_to_zero
    }
  }

  tags = var.tags

  # After the deployer (registering a target may change the endpoint's capacity at once, AWS-FACTS.md), and through
  # it after terraform_data.rollout: a target replaced in the same apply as the rollout (instance-type change) is
  # deregistered before the rollout starts and registered again after it. A model-only rollout leaves the targets
  # (and a failed one the old release's autoscaling) in place. Destroyed before terraform_data.endpoint, so
  # autoscaling is deregistered before the endpoint is deleted.
  depends_on = [terraform_data.endpoint, data.external.deployer]
}

################################################################################
# create = false: destroy everything, then the module block can go
################################################################################

# A destroy-time provisioner runs only while its block is in the configuration: removing the module block would
# drop terraform_data.endpoint from state without running it and orphan a billing endpoint. create = false
# destroys it (and everything else) in a normal apply; the block can be removed after that apply.
check "create" {
  assert {
    condition     = local.create
    error_message = "create = false: this apply deletes SageMaker endpoint ${var.name}, its releases and every resource this module created (the endpoint through terraform_data.endpoint's destroy-time provisioner). Remove the module block only after that apply: removing it first would orphan a billing endpoint."
  }
}

# Instances created before the create toggle existed keep their state (no destroy, which would delete the endpoint).
moved {
  from = terraform_data.endpoint
  to   = terraform_data.endpoint[0]
}

moved {
  from = terraform_data.rollout
  to   = terraform_data.rollout[0]
}

moved {
  from = aws_cloudwatch_log_group.this
  to   = aws_cloudwatch_log_group.this[0]
}
