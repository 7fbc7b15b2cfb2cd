"""Pure decisions of a rollout: no AWS calls, no clock. Inputs are the spec and what AWS described.

- The requests that build a release: CreateModel per variant, CreateEndpointConfig.
- Capacity carry-over (AWS-FACTS.md, Application Auto Scaling): a new configuration's
  ``InitialInstanceCount`` is the live ``DesiredInstanceCount`` of the same-named variant clamped to at
  least 1 (an asynchronous endpoint scaled to 0), and UpdateEndpoint keeps live counts with
  ``RetainAllVariantProperties=True`` whenever a variant keeps its name.
- Which scalable targets must be deregistered before the update: the instance type of a registered
  variant changes, it moves between serverless and instances, or it disappears.
- The full DeploymentConfig, passed on EVERY update (a DeploymentConfig is not reused by later updates
  unless passed again, AWS-FACTS.md).
- The verdict after the endpoint settles: success only when it serves the configuration we asked for.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deployer.release import config_name, model_name, release_id
from deployer.spec import Deployment, Spec, Variant
from deployer.waiter import IN_PROGRESS, TERMINAL_FAILED

AUTOSCALING_NAMESPACE = "sagemaker"


def resource_id(endpoint_name: str, variant_name: str) -> str:
    """Application Auto Scaling ResourceId of a SageMaker variant."""
    return f"endpoint/{endpoint_name}/variant/{variant_name}"


def variant_of_resource_id(endpoint_name: str, resource: str) -> str | None:
    prefix = f"endpoint/{endpoint_name}/variant/"
    return resource[len(prefix) :] if resource.startswith(prefix) else None


# ---------------------------------------------------------------------------------------------------
# Release requests


@dataclass(frozen=True)
class ModelRequest:
    name: str
    variant_name: str
    params: Mapping[str, Any]  # CreateModel keyword arguments, without ModelName and Tags


def _container_definition(container: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {"Image": container.image}
    if container.model_data_url:
        definition["ModelDataUrl"] = container.model_data_url
    if container.environment:
        definition["Environment"] = dict(container.environment)
    if container.hostname:
        definition["ContainerHostname"] = container.hostname
    return definition


def model_requests(spec: Spec, release: str | None = None) -> tuple[ModelRequest, ...]:
    release = release or release_id(spec)
    requests = []
    for index, variant in enumerate(spec.variants):
        params: dict[str, Any] = {"ExecutionRoleArn": spec.execution_role_arn}
        if len(variant.containers) == 1:
            params["PrimaryContainer"] = _container_definition(variant.containers[0])
        else:
            params["Containers"] = [_container_definition(c) for c in variant.containers]
            params["InferenceExecutionConfig"] = {"Mode": variant.inference_execution_mode or "Serial"}
        params.update(_network_params(variant))
        requests.append(ModelRequest(model_name(spec.endpoint_name, release, index), variant.name, params))
    return tuple(requests)


def _network_params(variant: Variant) -> dict[str, Any]:
    """CreateModel.VpcConfig and EnableNetworkIsolation, only when the spec sets them (absent = SageMaker's
    default: no VPC, no isolation)."""
    params: dict[str, Any] = {}
    if variant.vpc_config is not None:
        params["VpcConfig"] = {
            "Subnets": list(variant.vpc_config.subnets),
            "SecurityGroupIds": list(variant.vpc_config.security_group_ids),
        }
    if variant.enable_network_isolation:
        params["EnableNetworkIsolation"] = True
    return params


def model_names(spec: Spec, release: str | None = None) -> tuple[str, ...]:
    release = release or release_id(spec)
    return tuple(model_name(spec.endpoint_name, release, i) for i in range(len(spec.variants)))


def live_desired_counts(describe: Mapping[str, Any] | None) -> dict[str, int]:
    """Live DesiredInstanceCount per instance-based variant (absent for serverless variants)."""
    counts: dict[str, int] = {}
    for summary in (describe or {}).get("ProductionVariants", []) or []:
        count = summary.get("DesiredInstanceCount")
        if isinstance(count, int) and not summary.get("CurrentServerlessConfig"):
            counts[summary["VariantName"]] = count
    return counts


def live_provisioned_concurrency(describe: Mapping[str, Any] | None) -> dict[str, int]:
    """Live provisioned concurrency per serverless variant that has one (desired, else current)."""
    found: dict[str, int] = {}
    for summary in (describe or {}).get("ProductionVariants", []) or []:
        for key in ("DesiredServerlessConfig", "CurrentServerlessConfig"):
            value = (summary.get(key) or {}).get("ProvisionedConcurrency")
            if isinstance(value, int):
                found[summary["VariantName"]] = value
                break
    return found


def initial_instance_count(
    variant: Variant, live_counts: Mapping[str, int], autoscaled: Collection[str] | None = None
) -> int | None:
    """The new configuration's InitialInstanceCount: the live desired count (>= 1) when the variant is
    live and a registered scalable target (the autoscaler owns its count), else the spec's count.
    ``autoscaled`` None means every live variant (the old rule, for callers that cannot know). None for a
    serverless variant."""
    if variant.serverless is not None:
        return None
    owned = autoscaled is None or variant.name in autoscaled
    if variant.name in live_counts and owned:
        return max(1, live_counts[variant.name])
    return variant.initial_instance_count or 1


def production_variant(
    variant: Variant, model: str, count: int | None, provisioned: int | None = None
) -> dict[str, Any]:
    """One ProductionVariant; ``provisioned`` overrides the spec's serverless provisioned concurrency
    (the live value of an autoscaled serverless variant)."""
    pv: dict[str, Any] = {
        "VariantName": variant.name,
        "ModelName": model,
        "InitialVariantWeight": float(variant.initial_weight),
    }
    if variant.serverless is not None:
        serverless: dict[str, Any] = {
            "MemorySizeInMB": variant.serverless.memory_size_mb,
            "MaxConcurrency": variant.serverless.max_concurrency,
        }
        concurrency = variant.serverless.provisioned_concurrency
        if concurrency is not None and provisioned is not None:
            concurrency = max(1, min(provisioned, variant.serverless.max_concurrency))
        if concurrency is not None:
            serverless["ProvisionedConcurrency"] = concurrency
        pv["ServerlessConfig"] = serverless
    else:
        pv["InstanceType"] = variant.instance_type
        pv["InitialInstanceCount"] = count if count is not None else 1
    if variant.container_startup_health_check_timeout_seconds is not None:
        startup = variant.container_startup_health_check_timeout_seconds
        pv["ContainerStartupHealthCheckTimeoutInSeconds"] = startup
    if variant.model_data_download_timeout_seconds is not None:
        pv["ModelDataDownloadTimeoutInSeconds"] = variant.model_data_download_timeout_seconds
    if variant.volume_size_gb is not None:
        pv["VolumeSizeInGB"] = variant.volume_size_gb
    return pv


def async_inference_config(spec: Spec) -> dict[str, Any] | None:
    a = spec.async_inference
    if a is None:
        return None
    output: dict[str, Any] = {"S3OutputPath": a.output_path}
    if a.failure_path:
        output["S3FailurePath"] = a.failure_path
    if a.kms_key_id:
        output["KmsKeyId"] = a.kms_key_id
    notification: dict[str, Any] = {}
    if a.success_topic_arn:
        notification["SuccessTopic"] = a.success_topic_arn
    if a.error_topic_arn:
        notification["ErrorTopic"] = a.error_topic_arn
    if a.include_inference_response_in:
        notification["IncludeInferenceResponseIn"] = list(a.include_inference_response_in)
    if notification:
        output["NotificationConfig"] = notification
    config: dict[str, Any] = {"OutputConfig": output}
    if a.max_concurrent_invocations_per_instance is not None:
        config["ClientConfig"] = {
            "MaxConcurrentInvocationsPerInstance": a.max_concurrent_invocations_per_instance
        }
    return config


def data_capture_config(spec: Spec) -> dict[str, Any] | None:
    """CreateEndpointConfig's DataCaptureConfig (SageMaker API reference, DataCaptureConfig)."""
    capture = spec.data_capture
    if capture is None:
        return None
    config: dict[str, Any] = {
        "EnableCapture": capture.enable,
        "InitialSamplingPercentage": capture.initial_sampling_percentage,
        "DestinationS3Uri": capture.destination_s3_uri,
        "CaptureOptions": [{"CaptureMode": option.capitalize()} for option in capture.capture_options],
    }
    if capture.kms_key_id:
        config["KmsKeyId"] = capture.kms_key_id
    header: dict[str, Any] = {}
    if capture.csv_content_types:
        header["CsvContentTypes"] = list(capture.csv_content_types)
    if capture.json_content_types:
        header["JsonContentTypes"] = list(capture.json_content_types)
    if header:
        config["CaptureContentTypeHeader"] = header
    return config


def data_capture_changed(
    live_config: Mapping[str, Any] | None,
    target_config: Mapping[str, Any] | None,
    live_summary: Mapping[str, Any] | None = None,
) -> bool:
    """Whether an update changes the endpoint's data capture: the live configuration's DataCaptureConfig
    differs from the target's, or what DescribeEndpoint shows (DataCaptureConfigSummary) differs from the
    target's (an earlier update may have retained an older capture)."""
    if _capture_key(live_config) != _capture_key(target_config):
        return True
    if live_summary is None and live_config is None:
        return False
    shown = _summary_key(live_summary)
    wanted = _summary_key(_as_summary(target_config))
    return shown != wanted


def _capture_key(config: Mapping[str, Any] | None) -> Any:
    if not config:
        return None
    document = dict(config)
    document.setdefault("EnableCapture", True)  # the API's default
    return json.dumps(document, sort_keys=True)


def _as_summary(config: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if not config:
        return None
    return {
        "EnableCapture": config.get("EnableCapture", True),
        "CurrentSamplingPercentage": config.get("InitialSamplingPercentage"),
        "DestinationS3Uri": config.get("DestinationS3Uri"),
        "KmsKeyId": config.get("KmsKeyId") or None,
    }


def _summary_key(summary: Mapping[str, Any] | None) -> Any:
    if not summary:
        return None
    return (
        bool(summary.get("EnableCapture", True)),
        summary.get("CurrentSamplingPercentage"),
        summary.get("DestinationS3Uri"),
        summary.get("KmsKeyId") or None,
    )


def config_request(
    spec: Spec,
    live_describe: Mapping[str, Any] | None,
    release: str | None = None,
    *,
    autoscaled: Collection[str] | None = None,
) -> dict:
    """CreateEndpointConfig keyword arguments (without Tags). Capacity (instance count, serverless
    provisioned concurrency) is carried over from the live endpoint only for ``autoscaled`` variants
    (registered scalable targets); the others take the spec's. None: carry over every live variant."""
    release = release or release_id(spec)
    counts = live_desired_counts(live_describe)
    concurrency = live_provisioned_concurrency(live_describe)
    names = model_names(spec, release)
    owned = set(concurrency) if autoscaled is None else set(autoscaled)
    request: dict[str, Any] = {
        "EndpointConfigName": config_name(spec.endpoint_name, release),
        "ProductionVariants": [
            production_variant(
                v,
                names[i],
                initial_instance_count(v, counts, autoscaled),
                concurrency.get(v.name) if v.name in owned else None,
            )
            for i, v in enumerate(spec.variants)
        ],
    }
    async_config = async_inference_config(spec)
    if async_config is not None:
        request["AsyncInferenceConfig"] = async_config
    if spec.kms_key_arn:
        request["KmsKeyId"] = spec.kms_key_arn
    capture = data_capture_config(spec)
    if capture is not None:
        request["DataCaptureConfig"] = capture
    return request


# ---------------------------------------------------------------------------------------------------
# Update decisions


def deployment_config(deployment: Deployment, *, alarms: Sequence[str] | None = None) -> dict[str, Any]:
    """The full DeploymentConfig (SageMaker API reference, DeploymentConfig). ``alarms`` overrides the
    spec's rollback alarms (an empty sequence leaves AutoRollbackConfiguration out)."""
    config: dict[str, Any]
    if deployment.strategy == "rolling":
        config = {
            "RollingUpdatePolicy": {
                "MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": deployment.rolling_batch_percent},
                "WaitIntervalInSeconds": deployment.wait_interval_seconds,
                "MaximumExecutionTimeoutInSeconds": deployment.max_execution_timeout_seconds,
                "RollbackMaximumBatchSize": {
                    "Type": "CAPACITY_PERCENT",
                    "Value": deployment.rollback_batch_percent,
                },
            }
        }
    else:
        routing: dict[str, Any] = {
            "Type": deployment.traffic.upper(),
            # Required for every type, ALL_AT_ONCE included (AWS-FACTS.md, DeploymentConfig).
            "WaitIntervalInSeconds": deployment.wait_interval_seconds,
        }
        if deployment.traffic == "canary":
            routing["CanarySize"] = {"Type": "CAPACITY_PERCENT", "Value": deployment.canary_percent}
        elif deployment.traffic == "linear":
            routing["LinearStepSize"] = {"Type": "CAPACITY_PERCENT", "Value": deployment.linear_step_percent}
        config = {
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": routing,
                "TerminationWaitInSeconds": deployment.termination_wait_seconds,
                "MaximumExecutionTimeoutInSeconds": deployment.max_execution_timeout_seconds,
            }
        }
    names = deployment.rollback_alarms if alarms is None else tuple(alarms)
    if names:
        config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": n} for n in names]}
    return config


def update_request(
    endpoint_name: str,
    target_config: str,
    target_variants: Sequence[Mapping[str, Any]],
    live_describe: Mapping[str, Any] | None,
    deployment: Mapping[str, Any],
    *,
    autoscaled: Collection[str] | None = None,
    capture_changed: bool = False,
) -> dict[str, Any]:
    """UpdateEndpoint keyword arguments. Same-named variants keep their live counts and weights
    (RetainAllVariantProperties); if the new configuration changes a weight, weights come from it (a lone
    variant's too: AWS takes DesiredWeight from InitialVariantWeight whatever the count); if it
    changes the instance count of a variant that is not in ``autoscaled`` (registered scalable targets),
    counts come from it (the configuration carries the live count of the autoscaled ones)."""
    live = {s["VariantName"]: s for s in (live_describe or {}).get("ProductionVariants", []) or []}
    request: dict[str, Any] = {
        "EndpointName": endpoint_name,
        "EndpointConfigName": target_config,
        "DeploymentConfig": dict(deployment),
    }
    same = [v for v in target_variants if v["VariantName"] in live]
    if same:
        request["RetainAllVariantProperties"] = True
        weights_changed = any(
            "DesiredWeight" in live[v["VariantName"]]
            and abs(float(live[v["VariantName"]]["DesiredWeight"]) - float(v.get("InitialVariantWeight", 1)))
            > 1e-9
            for v in same
        )
        excluded = []
        if weights_changed:
            excluded.append({"VariantPropertyType": "DesiredWeight"})
        counts_changed = autoscaled is not None and any(
            v["VariantName"] not in autoscaled
            and "InitialInstanceCount" in v
            and "DesiredInstanceCount" in live[v["VariantName"]]
            and int(live[v["VariantName"]]["DesiredInstanceCount"]) != int(v["InitialInstanceCount"])
            for v in same
        )
        if counts_changed:
            excluded.append({"VariantPropertyType": "DesiredInstanceCount"})
        # RetainAllVariantProperties would keep the live data capture (API reference, VariantProperty):
        # a changed one comes from the new configuration (``data_capture_changed``).
        if capture_changed:
            excluded.append({"VariantPropertyType": "DataCaptureConfig"})
        if excluded:
            request["ExcludeRetainedVariantProperties"] = excluded
    return request


def variants_to_deregister(
    endpoint_name: str,
    live_variants: Sequence[Mapping[str, Any]],
    target_variants: Sequence[Mapping[str, Any]],
    scalable_targets: Iterable[Mapping[str, Any]],
) -> tuple[str, ...]:
    """Variants whose scalable target must go before the update (AWS-FACTS.md, Application Auto Scaling):
    a registered variant that disappears, changes instance type, or moves to or from serverless."""
    registered = {
        variant_of_resource_id(endpoint_name, t.get("ResourceId", "")) for t in scalable_targets
    } - {None}
    target = {v["VariantName"]: v for v in target_variants}
    result = []
    for live in live_variants:
        name = live["VariantName"]
        if name not in registered:
            continue
        new = target.get(name)
        if (
            new is None
            or new.get("InstanceType") != live.get("InstanceType")
            or bool(new.get("ServerlessConfig")) != bool(live.get("ServerlessConfig"))
        ):
            result.append(name)
    return tuple(sorted(result))


# ---------------------------------------------------------------------------------------------------
# Verdict


@dataclass(frozen=True)
class Verdict:
    outcome: str  # succeeded | rolled_back | failed | in_progress
    reason: str


def verdict(target_config: str, reason_before: str, describe: Mapping[str, Any] | None) -> Verdict:
    """Success only if the settled endpoint serves ``target_config`` (AWS-FACTS.md: a rolled-back update
    ends InService on the old configuration, FailureReason maybe empty or stale)."""
    if describe is None:
        return Verdict("failed", "the endpoint disappeared during the rollout")
    status = describe.get("EndpointStatus", "")
    live = describe.get("EndpointConfigName", "")
    reason_after = describe.get("FailureReason", "") or ""
    new_reason = reason_after if reason_after and reason_after != reason_before else ""
    if status in IN_PROGRESS or describe.get("PendingDeploymentSummary"):
        return Verdict("in_progress", f"endpoint is {status}")
    if status in TERMINAL_FAILED:
        return Verdict("failed", f"endpoint is {status}: {reason_after or 'no failure reason given'}")
    if live != target_config:
        detail = new_reason or "no new failure reason given"
        return Verdict("rolled_back", f"SageMaker kept {live} instead of {target_config}: {detail}")
    if status != "InService":
        detail = reason_after or "no failure reason given"
        return Verdict("failed", f"endpoint is {status} on {live}: {detail}")
    return Verdict("succeeded", "")


# ---------------------------------------------------------------------------------------------------
# Retention


def releases_to_prune(
    configs_newest_first: Sequence[tuple[str, str]], keep: int, protected: Iterable[str]
) -> tuple[tuple[str, str], ...]:
    """From (config name, release) pairs newest first, those beyond the ``keep`` newest that are not
    protected (the live, previous and pending configurations)."""
    keep_names = {name for name, _ in configs_newest_first[:keep]} | set(protected)
    return tuple((name, rel) for name, rel in configs_newest_first if name not in keep_names)


def json_list(values: Iterable[str]) -> str:
    return json.dumps(list(values), separators=(",", ":"))
