"""The deployer's operations: what the CLI commands and the Terraform adapter call.

Engine entry point for the Terraform ``external`` adapter (``deployer/protocol.py``)::

    terraform_apply(spec, rollout_id, *, runtime=None, assume_role_arn=None) -> dict[str, str]

- ``spec``: a parsed ``deployer.spec.Spec``; ``rollout_id``: the ``terraform_data.rollout`` id.
- ``runtime``: clients, clock, progress and time scale (``deployer.waiter.Runtime``); ``None`` builds
  them from the environment (standard credential chain, ``assume_role_arn`` when given,
  ``DEPLOYER_TIME_SCALE``).
- Returns the flat result map of strings (SPEC §5 + ``region``, ``release_models``,
  ``autoscaling_deregistered``). Raises ``deployer.errors.DeployerError`` subclasses (exit codes).
- A ``rollout_id`` already acted on (recorded as a tag on the endpoint, or on the release of an endpoint
  not yet created) means a read-only pass: only Describe/List calls, at most 2 of them when the endpoint
  exists, and ``deployer.executor`` is not even imported.
- ``rollout_planned_at`` (the ``plantimestamp()`` of the plan that created the rollout id, kept by
  ``terraform_data.rollout``) and ``plan_time`` (this read's ``plantimestamp()``): equal only in the apply
  of the plan that created the id, the one read that may roll out. A new ``rollout_id`` with equal
  timestamps (or without them: CLI and older callers) means: roll out; with different ones it is a later
  plan or refresh after an apply that stopped before recording anything (AWS refused the first write, or a
  kill): read only, ``last_rollout=interrupted`` with how to retry. A plan never writes.

The CLI operations (``deploy``, ``hotfix``, ``status``, ``history``, ``rollback``, ``watch``, ``prune``,
``destroy``) take an endpoint name or a spec and a ``Runtime``, and return plain data for the CLI to show.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from deployer import reader
from deployer.errors import InvalidInput, RolloutFailed, RolloutTimeout, without_next_step
from deployer.spec import Deployment, Spec, parse_spec
from deployer.waiter import IN_PROGRESS, Runtime, SystemClock, time_scale

if TYPE_CHECKING:
    from deployer.aws import Clients
    from deployer.progress import Progress


def make_runtime(
    endpoint_name: str,
    region: str | None,
    assume_role_arn: str | None = None,
    *,
    progress: Progress | None = None,
    run: str = "cli",
) -> Runtime:
    """Clients from the standard chain (created on first use), the system clock, stderr progress (and a
    log file per endpoint and ``run`` under ``SAGEMAKER_ROLLOUT_LOG_DIR`` when that is set)."""
    from deployer.aws import Clients
    from deployer.progress import Progress, cli_log_path

    clients = (
        Clients.for_region(region, assume_role_arn) if region else _default_region_clients(assume_role_arn)
    )
    return Runtime(
        clients=clients,
        clock=SystemClock(),
        progress=progress or Progress(log_path=cli_log_path(endpoint_name, run)),
        scale=time_scale(),
    )


def _default_region_clients(assume_role_arn: str | None) -> Clients:
    import boto3

    from deployer.aws import Clients

    region = boto3.Session().region_name
    if not region:
        raise InvalidInput(
            "region: no region given and none configured",
            "pass --region REGION (or set AWS_REGION / AWS_DEFAULT_REGION), then run the command again",
        )
    return Clients.for_region(region, assume_role_arn)


# ---------------------------------------------------------------------------------------------------
# Terraform


def terraform_apply(
    spec: Spec,
    rollout_id: str,
    *,
    runtime: Runtime | None = None,
    assume_role_arn: str | None = None,
    plan_assume_role_arn: str | None = None,
    rollout_planned_at: str | None = None,
    plan_time: str | None = None,
    progress: Progress | None = None,
) -> dict[str, str]:
    """The Terraform ``external`` data source: roll out for a new ``rollout_id`` in the apply that created
    it, else read only.

    The reads (all a plan does) use ``plan_assume_role_arn`` or the runner's own credentials, never the write
    role ``assume_role_arn``: that role is assumed only when there is a rollout to make. ``progress``: where
    the rollout's messages go (the adapter's timeline and log file); default stderr.

    A failed or timed-out rollout raises its error with the verdict first: what happened and why, what the
    endpoint serves now, and what to do next (``verdict_message``)."""
    timing = Timing(rollout_planned_at, plan_time)
    try:
        if runtime is not None:
            return _terraform_apply(spec, rollout_id, runtime, timing=timing)
        reads = make_runtime(spec.endpoint_name, spec.region, plan_assume_role_arn, progress=progress)
        return _terraform_apply(
            spec,
            rollout_id,
            reads,
            writes=lambda: make_runtime(spec.endpoint_name, spec.region, assume_role_arn, progress=progress),
            timing=timing,
        )
    except Exception as error:
        from deployer.aws import as_refusal

        refusal = as_refusal(error)
        if refusal is None:
            raise
        raise refusal from None


@dataclass(frozen=True)
class Timing:
    """When the rollout id was planned and when this read's plan was (both ``plantimestamp()``)."""

    rollout_planned_at: str | None = None
    plan_time: str | None = None

    @property
    def known(self) -> bool:
        return bool(self.rollout_planned_at and self.plan_time)

    @property
    def later_plan(self) -> bool:
        """This read belongs to a plan after the one that created the rollout id (never its apply)."""
        return self.known and self.rollout_planned_at != self.plan_time

    def wait_past_plan_second(self, now: Callable[[], float], sleep: Callable[[float], None]) -> None:
        """Before the first write: let the wall clock pass the plan's second (``plantimestamp()`` has
        1 s resolution), so that any later plan on this machine has a different ``plan_time``."""
        if not self.known:
            return
        try:
            planned = datetime.fromisoformat(str(self.plan_time).replace("Z", "+00:00")).timestamp()
        except ValueError:
            return
        wait = int(planned) + 1 - now()
        if 0 < wait <= 1:
            sleep(wait)


def _terraform_apply(
    spec: Spec,
    rollout_id: str,
    rt: Runtime,
    *,
    writes: Callable[[], Runtime] | None = None,
    timing: Timing = Timing(),
) -> dict[str, str]:
    sm = rt.clients.sagemaker
    live = reader.read_endpoint(sm, spec.endpoint_name)
    trace = None
    if live.exists:
        acted = bool(rollout_id) and live.state.rollout_id == rollout_id
    else:
        trace = reader.release_trace(sm, spec, rollout_id) if rollout_id else None
        acted = trace is not None
    if acted or not rollout_id:
        return reader.result_map(spec, live, trace=trace)
    if timing.later_plan:
        return reader.result_map(
            spec, live, last=reader.not_applied(rollout_id, str(timing.rollout_planned_at))
        )
    timing.wait_past_plan_second(time.time, time.sleep)
    from deployer import executor, lease

    acting = writes() if writes else rt
    validate_before_writes(acting, spec)
    try:
        with lease.held(acting, live, "a rollout") as leased:
            if leased.exists and leased.state.rollout_id == rollout_id:  # a concurrent apply acted on it
                return reader.result_map(spec, leased)
            outcome = executor.roll_out(acting, spec, leased, rollout_id=rollout_id)
    except (RolloutFailed, RolloutTimeout) as error:
        raise type(error)(verdict_message(acting, spec.endpoint_name, error)) from None
    return reader.result_map(spec, outcome.live, action=outcome.action, deregistered=outcome.deregistered)


_NEXT = {
    "timed_out": "`sagemaker-rollout watch {name}` until it settles (nothing was undone), then apply again",
    "refused": "fix what AWS refused (permissions, quota, the request), then apply again",
}
_NEXT_DEFAULT = (
    "fix the release and apply a new desired state (the same one is not retried); "
    "`sagemaker-rollout status {name}` shows the endpoint, `history {name}` its releases"
)


def verdict_message(rt: Runtime, name: str, error: Exception) -> str:
    """``<outcome>: <endpoint>: <reason>; still serving <config>; next: <what to do>``, read back from the
    endpoint (its recorded outcome, the configuration it serves); the error's own text when that read
    fails."""
    try:
        live = reader.read_endpoint(rt.clients.sagemaker, name)
    except Exception:
        return str(error)
    outcome, reason = reader.last_rollout(live)
    if outcome in ("none", "succeeded", "in_progress"):
        outcome = "timed_out" if isinstance(error, RolloutTimeout) else "failed"
        reason = str(error)
    words = outcome.replace("_", " ")
    reason = without_next_step(reason).removeprefix(f"{words}: ").removeprefix(f"{outcome}: ")
    serving = f"still serving {live.config_name}" if live.exists else f"{name} does not exist"
    if live.exists and live.status != "InService":
        serving += f" ({live.status})"
    hint = _NEXT.get(outcome, _NEXT_DEFAULT).format(name=name)
    return f"{words}: {name}: {reason}; {serving}; next: {hint}"


def validate_before_writes(rt: Runtime, spec: Spec) -> None:
    """What can refuse a spec (exit 1) by reading AWS, checked before the lease, the first write: the
    rollback alarms exist (``roll_out`` checks again under the lease)."""
    from deployer import executor

    executor.require_alarms(rt, spec.deployment.rollback_alarms)


# ---------------------------------------------------------------------------------------------------
# CLI operations


def deploy(spec: Spec, rt: Runtime) -> dict[str, str]:
    """``deploy --spec FILE``: roll out a document (no Terraform rollout id is recorded)."""
    from deployer import executor, lease

    live = reader.read_endpoint(rt.clients.sagemaker, spec.endpoint_name)
    validate_before_writes(rt, spec)
    with lease.held(rt, live, "a rollout") as leased:
        outcome = executor.roll_out(rt, spec, leased)
    return reader.result_map(spec, outcome.live, action=outcome.action, deregistered=outcome.deregistered)


def _network_document(model: Mapping[str, Any]) -> dict[str, Any]:
    """A DescribeModel's VpcConfig / EnableNetworkIsolation as spec fields, only when set (so a hotfix of
    a release without them keeps its release id)."""
    document: dict[str, Any] = {}
    vpc = model.get("VpcConfig")
    if vpc:
        document["vpc_config"] = {
            "subnets": list(vpc.get("Subnets", [])),
            "security_group_ids": list(vpc.get("SecurityGroupIds", [])),
        }
    if model.get("EnableNetworkIsolation"):
        document["enable_network_isolation"] = True
    return document


def live_spec(rt: Runtime, live: reader.Live) -> Spec:
    """The spec of the release the endpoint serves, rebuilt from DescribeEndpointConfig/DescribeModel and
    our policy tags (SPEC §6 hotfix: a release equal to the live one but for an image)."""
    sm = rt.clients.sagemaker
    config = sm.describe_endpoint_config(EndpointConfigName=live.config_name)
    variants = []
    role = ""
    for pv in config.get("ProductionVariants", []):
        model = sm.describe_model(ModelName=pv["ModelName"])
        role = role or model.get("ExecutionRoleArn", "")
        several = "Containers" in model and "PrimaryContainer" not in model
        containers = model["Containers"] if several else [model["PrimaryContainer"]]
        serverless = pv.get("ServerlessConfig")
        variants.append(
            {
                "name": pv["VariantName"],
                "containers": [
                    {
                        "image": c["Image"],
                        "model_data_url": c.get("ModelDataUrl"),
                        "environment": c.get("Environment", {}),
                        "hostname": c.get("ContainerHostname"),
                    }
                    for c in containers
                ],
                "inference_execution_mode": (model.get("InferenceExecutionConfig") or {}).get("Mode")
                if len(containers) > 1
                else None,
                "instance_type": pv.get("InstanceType"),
                "initial_instance_count": pv.get("InitialInstanceCount"),
                "initial_weight": pv.get("InitialVariantWeight", 1.0),
                "serverless": {
                    "memory_size_mb": serverless["MemorySizeInMB"],
                    "max_concurrency": serverless["MaxConcurrency"],
                    "provisioned_concurrency": serverless.get("ProvisionedConcurrency"),
                }
                if serverless
                else None,
                "container_startup_health_check_timeout_seconds": pv.get(
                    "ContainerStartupHealthCheckTimeoutInSeconds"
                ),
                "model_data_download_timeout_seconds": pv.get("ModelDataDownloadTimeoutInSeconds"),
                "volume_size_gb": pv.get("VolumeSizeInGB"),
                **_network_document(model),
            }
        )
    document = {
        "schema_version": 1,
        "endpoint_name": live.name,
        "region": live.arn.split(":")[3] if live.arn.count(":") >= 5 else rt.clients.region,
        "execution_role_arn": role,
        "variants": variants,
        "async_inference": _async_document(config.get("AsyncInferenceConfig")),
        "kms_key_arn": config.get("KmsKeyId"),
        "deployment": deployment_document(live),
        "keep_releases": live.state.policy_value("keep", 3),
        "tags": live.user_tags,
    }
    capture = _data_capture_document(config.get("DataCaptureConfig"))
    if capture is not None:
        document["data_capture"] = capture
    try:
        return parse_spec(document)
    except InvalidInput as error:
        raise InvalidInput(
            f"the live release of {live.name} cannot be rebuilt as a spec: {without_next_step(str(error))}",
            f"roll out a full spec instead of a hotfix: `sagemaker-rollout deploy --spec FILE` "
            f"(`sagemaker-rollout status {live.name}` shows what is live)",
        ) from None


def _data_capture_document(config: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The spec's data_capture for a configuration's DataCaptureConfig (planner.data_capture_config)."""
    if not config:
        return None
    header = config.get("CaptureContentTypeHeader") or {}
    return {
        "enable": config.get("EnableCapture", True),
        "initial_sampling_percentage": config.get("InitialSamplingPercentage"),
        "capture_options": [o["CaptureMode"].lower() for o in config.get("CaptureOptions", [])],
        "destination_s3_uri": config.get("DestinationS3Uri"),
        "kms_key_id": config.get("KmsKeyId"),
        "capture_content_type_header": {
            "csv_content_types": header.get("CsvContentTypes", []),
            "json_content_types": header.get("JsonContentTypes", []),
        },
    }


def _async_document(config: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not config:
        return None
    output = config.get("OutputConfig", {})
    notification = output.get("NotificationConfig", {})
    return {
        "output_path": output.get("S3OutputPath"),
        "failure_path": output.get("S3FailurePath"),
        "success_topic_arn": notification.get("SuccessTopic"),
        "error_topic_arn": notification.get("ErrorTopic"),
        "include_inference_response_in": notification.get("IncludeInferenceResponseIn", []),
        "max_concurrent_invocations_per_instance": (config.get("ClientConfig") or {}).get(
            "MaxConcurrentInvocationsPerInstance"
        ),
        "kms_key_id": output.get("KmsKeyId"),
    }


def deployment_document(live: reader.Live) -> dict[str, Any]:
    """The deployment section from our policy tags, else from DescribeEndpoint's LastDeploymentConfig."""
    from deployer.executor import POLICY_KEYS

    state = live.state
    items = state.policy_items()
    document: dict[str, Any] = {}
    for short, field in POLICY_KEYS:
        value = items.get(short)
        if value is not None and value != "":
            document[field] = int(value) if value.isdigit() else value
    alarms = list(state.alarms)
    last = (live.describe or {}).get("LastDeploymentConfig") or {}
    if not alarms:
        alarms = [a["AlarmName"] for a in (last.get("AutoRollbackConfiguration") or {}).get("Alarms", [])]
    if not items:
        document.update(_from_last_deployment_config(last))
    document["rollback_alarms"] = alarms
    if not alarms:
        document["bake_seconds"] = 0
    return document


def deployment_policy(live: reader.Live) -> Deployment:
    """The live endpoint's deployment policy as a ``Deployment`` value (defaults where unknown)."""
    document = deployment_document(live)
    fields = {f for f in Deployment.__dataclass_fields__}
    values = {k: v for k, v in document.items() if k in fields}
    values["rollback_alarms"] = tuple(values.get("rollback_alarms", ()))
    return Deployment(**values)


def _from_last_deployment_config(last: Mapping[str, Any]) -> dict[str, Any]:
    rolling = last.get("RollingUpdatePolicy")
    blue_green = last.get("BlueGreenUpdatePolicy")
    if rolling:
        return {
            "strategy": "rolling",
            "rolling_batch_percent": (rolling.get("MaximumBatchSize") or {}).get("Value", 25),
            "wait_interval_seconds": rolling.get("WaitIntervalInSeconds", 0),
            "rollback_batch_percent": (rolling.get("RollbackMaximumBatchSize") or {}).get("Value", 100),
            "max_execution_timeout_seconds": rolling.get("MaximumExecutionTimeoutInSeconds", 3600),
        }
    if blue_green:
        routing = blue_green.get("TrafficRoutingConfiguration", {})
        document: dict[str, Any] = {
            "strategy": "blue_green",
            "traffic": str(routing.get("Type", "ALL_AT_ONCE")).lower(),
            "wait_interval_seconds": routing.get("WaitIntervalInSeconds", 0),
            "termination_wait_seconds": blue_green.get("TerminationWaitInSeconds", 0),
            "max_execution_timeout_seconds": blue_green.get("MaximumExecutionTimeoutInSeconds", 3600),
        }
        if routing.get("CanarySize", {}).get("Type") == "CAPACITY_PERCENT":
            document["canary_percent"] = routing["CanarySize"]["Value"]
        if routing.get("LinearStepSize", {}).get("Type") == "CAPACITY_PERCENT":
            document["linear_step_percent"] = routing["LinearStepSize"]["Value"]
        return document
    return {}


def _require_live(rt: Runtime, endpoint: str) -> reader.Live:
    live = reader.read_endpoint(rt.clients.sagemaker, endpoint)
    if not live.exists:
        region = rt.clients.region or "this region"
        raise InvalidInput(
            f"endpoint: {endpoint} does not exist in {region}",
            f"check the name and --region (`aws sagemaker list-endpoints --region {region}` lists them)"
            if rt.clients.region
            else "check the name and --region (`aws sagemaker list-endpoints` lists them)",
        )
    return live


def hotfix(
    endpoint: str, image: str, variant: str | None, container: str | None, rt: Runtime
) -> dict[str, str]:
    """``deploy ENDPOINT --image URI``: the live release with one image replaced, rolled out with the
    same guardrails, and the endpoint marked so that the next plan-time read reports drift."""
    from deployer import executor, lease

    live = _require_live(rt, endpoint)
    validate_before_writes(rt, live_spec(rt, live).with_image(variant, container, image))
    with lease.held(rt, live, "a hotfix") as live:
        if live.status in IN_PROGRESS:
            settled = executor.wait_settled(rt, endpoint, rt.deadline(7200), "waiting to hotfix")
            live = reader.Live(live.name, settled, live.tags)
        spec = live_spec(rt, live).with_image(variant, container, image)
        outcome = executor.roll_out(rt, spec, live, hotfix=True)
    return reader.result_map(spec, outcome.live, action=outcome.action, deregistered=outcome.deregistered)


def status(endpoint: str, rt: Runtime) -> dict[str, Any]:
    """What is live, what is pending, capacity, drift, last rollout (DescribeEndpoint + ListTags)."""
    live = reader.read_endpoint(rt.clients.sagemaker, endpoint)
    if not live.exists:
        return {"endpoint_name": endpoint, "exists": False, "status": "", "last_rollout": "none"}
    outcome, reason = reader.last_rollout(live)
    state = live.state
    desired = state.target_config or live.config_name
    describe = live.describe or {}
    networks = _live_networks(rt, live.config_name)
    variants = []
    for v in describe.get("ProductionVariants", []) or []:
        deployed = v.get("DeployedImages", []) or []
        images = [d.get("ResolvedImage") or d.get("SpecifiedImage", "") for d in deployed]
        variants.append(
            {
                "name": v.get("VariantName", ""),
                "current_instance_count": v.get("CurrentInstanceCount"),
                "desired_instance_count": v.get("DesiredInstanceCount"),
                "current_weight": v.get("CurrentWeight"),
                "serverless": v.get("CurrentServerlessConfig"),
                "images": images,
                "network": networks.get(v.get("VariantName", ""), {}),
            }
        )
    return {
        "endpoint_name": endpoint,
        "exists": True,
        "endpoint_arn": live.arn,
        "status": live.status,
        "endpoint_config_name": live.config_name,
        "pending_endpoint_config_name": live.pending_config,
        "previous_endpoint_config_name": state.previous_config,
        "target_endpoint_config_name": state.target_config,
        "hotfix_release": state.hotfix,
        "drift": reader.drift(live, desired),
        "last_rollout": outcome,
        "last_rollout_reason": reason,
        "failure_reason": describe.get("FailureReason", "") or "",
        "creation_time": _iso(describe.get("CreationTime")),
        "last_modified_time": _iso(describe.get("LastModifiedTime")),
        "variants": variants,
        "data_capture": _data_capture_status(describe.get("DataCaptureConfig")),
    }


def _data_capture_status(summary: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What the endpoint captures (DescribeEndpoint's DataCaptureConfigSummary); None without capture."""
    if not summary:
        return None
    return {
        "status": summary.get("CaptureStatus", ""),
        "sampling_percentage": summary.get("CurrentSamplingPercentage"),
        "destination_s3_uri": summary.get("DestinationS3Uri", ""),
        "kms_key_id": summary.get("KmsKeyId") or None,
    }


def _live_networks(rt: Runtime, config: str) -> dict[str, dict[str, Any]]:
    """Variant name -> the live model's network (``vpc_config``, ``enable_network_isolation`` as in the spec;
    {} when the model has neither), read from DescribeEndpointConfig and DescribeModel. Best effort: {} when
    the configuration or a model cannot be read (status still shows the rest)."""
    from botocore.exceptions import BotoCoreError, ClientError

    if not config:
        return {}
    sm = rt.clients.sagemaker
    found: dict[str, dict[str, Any]] = {}
    try:
        for pv in sm.describe_endpoint_config(EndpointConfigName=config).get("ProductionVariants", []):
            found[pv["VariantName"]] = _network_document(sm.describe_model(ModelName=pv["ModelName"]))
    except (BotoCoreError, ClientError):
        return {}
    return found


def _iso(moment: Any) -> str:
    """A time SageMaker gave (a datetime through boto3) as ISO 8601, as given; "" when absent."""
    return moment.isoformat() if hasattr(moment, "isoformat") else str(moment or "")


def history(endpoint: str, rt: Runtime) -> list[dict[str, Any]]:
    """Retained releases newest first, marking live / pending / previous / failed / hotfix."""
    from deployer import executor
    from deployer.release import release_from_name

    live = reader.read_endpoint(rt.clients.sagemaker, endpoint)
    state = live.state
    rows = []
    for config in executor.our_configs(rt, endpoint):
        name = config["EndpointConfigName"]
        release = release_from_name(endpoint, name) or ""
        marks = []
        if name == live.config_name:
            marks.append("live")
        if name == live.pending_config:
            marks.append("pending")
        if name == state.previous_config:
            marks.append("previous")
        if release in state.failed_releases:
            marks.append("failed")
        if release and release == state.hotfix:
            marks.append("hotfix")
        rows.append(
            {
                "endpoint_config_name": name,
                "release": release,
                "created": _iso(config.get("CreationTime")),
                "marks": marks,
            }
        )
    return rows


def rollback(endpoint: str, to_config: str | None, rt: Runtime) -> dict[str, Any]:
    """Back to the previous (or a named) retained configuration, with the same guardrails, verified;
    checked before the lease is taken and again once it is held (the endpoint read under the lease)."""
    from deployer import lease

    live = _require_live(rt, endpoint)
    _rollback_target(endpoint, to_config, live)
    with lease.held(rt, live, "a rollback") as leased:
        return _rollback(endpoint, to_config, rt, leased)


def _rollback_target(endpoint: str, to_config: str | None, live: reader.Live) -> str:
    from deployer.release import release_from_name

    target = to_config or live.state.previous_config
    if not target:
        raise InvalidInput(
            f"to: {endpoint} has no previous release recorded, nothing to roll back to",
            f"`sagemaker-rollout history {endpoint}` lists the retained releases; name one with "
            f"`sagemaker-rollout rollback {endpoint} --to CONFIG`",
        )
    if release_from_name(endpoint, target) is None:
        raise InvalidInput(
            f"to: {target} is not a configuration of {endpoint} made by sagemaker-rollout",
            f"`sagemaker-rollout history {endpoint}` lists the configurations --to accepts",
        )
    return target


def _rollback(endpoint: str, to_config: str | None, rt: Runtime, live: reader.Live) -> dict[str, Any]:
    from deployer import executor, planner

    target = _rollback_target(endpoint, to_config, live)
    if target == live.config_name and live.status == "InService":
        return {"endpoint_name": endpoint, "endpoint_config_name": target, "action": "unchanged"}
    policy = deployment_policy(live)
    firing = executor.alarms_in_alarm(rt, policy.rollback_alarms)
    guard = [a for a in policy.rollback_alarms if a not in firing]
    if firing:
        rt.progress.info(f"{endpoint}: {', '.join(firing)} in ALARM now; not guarding the rollback with them")
    deployment = planner.deployment_config(policy, alarms=guard)
    after = executor.rollback(rt, live, target, deployment, policy.timeout_seconds)
    return {
        "endpoint_name": endpoint,
        "endpoint_config_name": after.config_name,
        "action": "rolled_back",
        "previous_endpoint_config_name": after.state.previous_config,
    }


def watch(endpoint: str, rt: Runtime) -> dict[str, Any]:
    """Follow an in-progress rollout until the endpoint settles, then judge it like a rollout."""
    from deployer import executor, planner

    live = _require_live(rt, endpoint)
    timeout = live.state.policy_value("timeout", 7200)
    describe = executor.wait_settled(rt, endpoint, rt.deadline(timeout), "watching")
    after = reader.Live(endpoint, describe, live.tags)
    target = live.state.target_config
    if target and live.state.last_rollout == "in_progress":
        verdict = planner.verdict(target, "", describe)
        if verdict.outcome != "succeeded":
            what = verdict.outcome.replace("_", " ")
            raise RolloutFailed(
                f"{endpoint}: rollout to {target} {what}: {verdict.reason}",
                f"`sagemaker-rollout status {endpoint}` shows what it serves, "
                f"`sagemaker-rollout history {endpoint}` its releases",
            )
    return status(endpoint, rt) if after.exists else {"endpoint_name": endpoint, "exists": False}


def prune(endpoint: str, keep: int | None, rt: Runtime) -> list[str]:
    from deployer import executor

    live = _require_live(rt, endpoint)
    state = live.state
    keep = keep if keep is not None else state.policy_value("keep", 3)
    if keep < 1:
        raise InvalidInput(
            f"keep: at least 1 (got {keep})", f"`sagemaker-rollout prune {endpoint} --keep 1` or more"
        )
    from deployer import lease

    with lease.held(rt, live, "a prune") as leased:
        state = leased.state
        # The target of the last (or a concurrent, lease-less older deployer's) operation is never pruned.
        protected = {state.previous_config, leased.pending_config, state.target_config}
        return executor.prune(rt, endpoint, keep, protected)


def destroy(endpoint: str, rt: Runtime, *, force: bool = False) -> dict[str, list[str]]:
    """Delete the endpoint, its scalable targets and our configurations and models. An endpoint the
    deployer does not manage (``state.is_managed``) is refused before any write, unless ``force``."""
    from deployer import executor, lease

    live = reader.read_endpoint(rt.clients.sagemaker, endpoint)
    check_destroy_allowed(rt, live, force=force)
    with lease.held(rt, live, "a destroy") as leased:
        return executor.destroy(rt, endpoint, leased.state.policy_value("timeout", 7200))


def check_destroy_allowed(rt: Runtime, live: reader.Live, *, force: bool) -> None:
    """Refuse (exit 1, nothing written) to delete an endpoint without our ``managed-by`` tag; with
    ``force``, say on stderr what is deleted."""
    from deployer.errors import NotManaged
    from deployer.state import TAG_MANAGED_BY, is_managed

    if not live.exists or is_managed(live.tags, live.name):
        return
    if not force:
        raise NotManaged(
            f"destroy: {live.name} is not managed by sagemaker-rollout (no {TAG_MANAGED_BY} tag of ours); "
            "nothing deleted",
            f"check the endpoint name; to delete it anyway: `sagemaker-rollout destroy {live.name} --force`",
        )
    rt.progress.info(
        f"destroy --force: deleting endpoint {live.name} (serving {live.config_name or '-'}), which "
        "sagemaker-rollout does not manage, and its scalable targets; only configurations and models "
        "tagged as ours are deleted"
    )
