"""Endpoints: create, describe, list, update, scale and delete, each starting a lifecycle job."""

from __future__ import annotations

import copy
from typing import Any

from . import images, lifecycle, listing, moto_bridge, resources, validation, views
from .context import Context, with_token
from .errors import SageMakerError, already_exists, in_progress
from .records import Endpoint, EndpointConfig, Fleet, Pending
from .store import Store, phase

# ------------------------------------------------------------------------------------------- endpoints


def _fleets(
    ctx: Context,
    config: EndpointConfig,
    live: dict[str, Fleet] | None = None,
    retain: bool = False,
    exclude: frozenset[str] = frozenset(),
    key: str = "ProductionVariants",
) -> list[Fleet]:
    """Fleets for a configuration; with ``retain``, same-named live variants keep their desired instance
    count and weight unless excluded (RetainAllVariantProperties / ExcludeRetainedVariantProperties).
    ``key`` ShadowProductionVariants: the shadow fleets."""
    marker = ctx.store.config().failure_marker
    fleets = []
    now = ctx.store.timestamp()
    for variant in config.document.get(key) or []:
        model = ctx.model(variant["ModelName"])
        specified = images.model_images(model.document)
        serverless = copy.deepcopy(variant.get("ServerlessConfig"))
        count = 0 if serverless else int(variant.get("InitialInstanceCount", 1))
        weight = float(variant.get("InitialVariantWeight", 1.0))
        previous = (live or {}).get(variant["VariantName"])
        if retain and previous is not None:
            if "DesiredInstanceCount" not in exclude and not serverless:
                count = previous.desired_count
            if "DesiredWeight" not in exclude:
                weight = previous.desired_weight
        fleets.append(
            Fleet(
                name=variant["VariantName"],
                instance_type=variant.get("InstanceType"),
                serverless=serverless,
                images=images.deployed_images(specified, now, moto_bridge.ecr_digest),
                desired_count=count,
                current_count=0,
                desired_weight=weight,
                current_weight=0.0,
                desired_serverless=copy.deepcopy(serverless),
                failing=images.failing(specified, marker),
            )
        )
    return fleets


def create_endpoint(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    name = validation.name(request.get("EndpointName"), "endpointName")
    arn = ctx.arn("endpoint", name)
    if name in ctx.region.endpoints:
        raise already_exists("endpoint", arn)
    config = ctx.endpoint_config(request.get("EndpointConfigName", ""))
    deployment = request.get("DeploymentConfig")
    if deployment:
        validation.deployment_config(deployment)
    now = ctx.store.timestamp()
    endpoint = Endpoint(
        name=name,
        arn=arn,
        account=ctx.account,
        region=ctx.region_name,
        created=now,
        modified=now,
        status="Creating",
        config_name=config.name,
        fleets=_fleets(ctx, config),
        async_config=copy.deepcopy(config.document.get("AsyncInferenceConfig")),
        last_deployment_config=copy.deepcopy(deployment),
        retained_deployment_config=copy.deepcopy(deployment),
        data_capture=data_capture_summary(config.document.get("DataCaptureConfig")),
        shadow_fleets=_fleets(ctx, config, key="ShadowProductionVariants"),
    )
    resources.check_tags(request.get("Tags", []))
    ctx.region.endpoints[name] = endpoint
    resources.set_tags(ctx, arn, request.get("Tags", []))
    ctx.start_job(endpoint, lifecycle.create(endpoint, ctx.store.config, ctx.store.timestamp))
    return {"EndpointArn": arn}


def describe_endpoint(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    return views.describe_endpoint(ctx.endpoint(request.get("EndpointName", "")))


def list_endpoints(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    page, token = listing.filter_and_page(
        list(ctx.region.endpoints.values()),
        request,
        lambda e: {"name": e.name, "created": e.created, "modified": e.modified, "status": e.status},
        ("Name", "CreationTime", "Status"),
    )
    return with_token({"Endpoints": [views.endpoint_summary(e) for e in page]}, token)


def delete_endpoint(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    endpoint = ctx.endpoint(request.get("EndpointName", ""))
    if endpoint.in_progress:
        raise in_progress(endpoint.arn)
    endpoint.status = "Deleting"
    endpoint.modified = ctx.store.timestamp()
    ctx.start_job(endpoint, lifecycle.delete(endpoint, ctx.region, ctx.store.config))
    return {}


def update_endpoint(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    endpoint = ctx.endpoint(request.get("EndpointName", ""))
    if endpoint.in_progress:
        raise in_progress(endpoint.arn)
    if endpoint.status == "Failed":
        raise SageMakerError(
            f'Cannot update endpoint "{endpoint.arn}" in status {endpoint.status}; it can only be deleted.'
        )
    config = ctx.endpoint_config(request.get("EndpointConfigName", ""))
    deployment = request.get("DeploymentConfig")
    if deployment:
        validation.deployment_config(deployment)
    elif request.get("RetainDeploymentConfig"):
        deployment = endpoint.retained_deployment_config
    live = {fleet.name: fleet for fleet in endpoint.fleets}
    _check_update_allowed(ctx, endpoint, config, live, deployment)
    exclude = validation.excluded_variant_properties(request.get("ExcludeRetainedVariantProperties"))
    retain = bool(request.get("RetainAllVariantProperties"))
    fleets = _fleets(ctx, config, live, retain, exclude)
    live_shadows = {fleet.name: fleet for fleet in endpoint.shadow_fleets}
    shadows = _fleets(ctx, config, live_shadows, retain, exclude, key="ShadowProductionVariants")
    # RetainAllVariantProperties keeps the live data capture settings unless DataCaptureConfig is in
    # ExcludeRetainedVariantProperties (API reference, VariantProperty: "DataCaptureConfig: (Default)
    # Overrides the data capture configuration").
    if retain and "DataCaptureConfig" not in exclude:
        data_capture = copy.deepcopy(endpoint.data_capture)
    else:
        data_capture = data_capture_summary(config.document.get("DataCaptureConfig"))
    now = ctx.store.timestamp()
    pending = Pending(
        config.name,
        fleets,
        now,
        copy.deepcopy(config.document.get("AsyncInferenceConfig")),
        data_capture,
        shadows,
    )
    endpoint.pending = pending
    endpoint.status = "Updating"
    endpoint.modified = now
    if request.get("DeploymentConfig"):
        endpoint.retained_deployment_config = copy.deepcopy(deployment)
    if deployment:
        endpoint.last_deployment_config = copy.deepcopy(deployment)
    effective = None if _without_guardrails(ctx, config) else deployment
    policy = (effective or {}).get("RollingUpdatePolicy")
    alarms = [
        a["AlarmName"] for a in ((effective or {}).get("AutoRollbackConfiguration") or {}).get("Alarms", [])
    ]
    if policy:
        body = lifecycle.rolling(endpoint, pending, policy, ctx.store.config, ctx.store.timestamp)
    else:
        policy = (effective or {}).get("BlueGreenUpdatePolicy") or {}
        body = lifecycle.blue_green(endpoint, pending, policy, ctx.store.config, ctx.store.timestamp)
    ctx.start_job(endpoint, body, alarms, policy.get("MaximumExecutionTimeoutInSeconds"))
    return {"EndpointArn": endpoint.arn}


def data_capture_summary(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """DescribeEndpoint's DataCaptureConfigSummary for a configuration's DataCaptureConfig.

    EnableCapture defaults to true (API reference, DataCaptureConfig); CaptureStatus is Started while
    capture is enabled, else Stopped; CurrentSamplingPercentage is the InitialSamplingPercentage.
    """
    if not config:
        return None
    enabled = bool(config.get("EnableCapture", True))
    summary: dict[str, Any] = {
        "EnableCapture": enabled,
        "CaptureStatus": "Started" if enabled else "Stopped",
        "CurrentSamplingPercentage": int(config.get("InitialSamplingPercentage", 0)),
        "DestinationS3Uri": config.get("DestinationS3Uri", ""),
    }
    if config.get("KmsKeyId"):
        summary["KmsKeyId"] = config["KmsKeyId"]
    return summary


def _without_guardrails(ctx: Context, config: EndpointConfig) -> bool:
    """Inf1 instances and Marketplace model packages silently fall back to blue/green all at once with no
    bake and no alarm watch; the DeploymentConfig is accepted (and shown) but not applied."""
    for variant in config.document["ProductionVariants"]:
        if str(variant.get("InstanceType", "")).startswith("ml.inf1."):
            return True
        model = ctx.model(variant["ModelName"])
        if any(container.get("ModelPackageName") for container in images.containers(model.document)):
            return True
    return False


def _check_update_allowed(
    ctx: Context,
    endpoint: Endpoint,
    config: EndpointConfig,
    live: dict[str, Fleet],
    deployment: dict[str, Any] | None,
) -> None:
    variants = config.document["ProductionVariants"]
    for variant in variants:
        ctx.model(variant["ModelName"])
        if variant.get("ServerlessConfig") and any(fleet.serverless is None for fleet in endpoint.fleets):
            raise SageMakerError(
                f"Endpoint {endpoint.name} is a real-time endpoint: it cannot be updated to a serverless "
                "endpoint configuration. Create a new endpoint instead."
            )
    if endpoint.async_config and not config.document.get("AsyncInferenceConfig"):
        raise SageMakerError(
            f"The AsyncInferenceConfig parameter cannot be removed from this endpoint {endpoint.name}. "
            "To change the endpoint type, create a new endpoint."
        )
    scalable = moto_bridge.scalable_variants(ctx.account, ctx.region_name, endpoint.name)
    blocked = []
    for variant_name in sorted(scalable):
        if variant_name not in live:
            continue
        new = config.variant(variant_name)
        if new is None or new.get("InstanceType") != live[variant_name].instance_type:
            blocked.append(variant_name)
    if blocked:
        raise SageMakerError(
            f'The variant(s) "[{", ".join(blocked)}]" must be deregistered as scalable targets with AWS '
            "Application Auto Scaling before they can be removed or have their instance types updated."
        )
    if deployment and deployment.get("RollingUpdatePolicy"):
        if len(variants) > 1 or len(endpoint.fleets) > 1:
            raise SageMakerError(
                "Rolling deployments are not supported for endpoints with multiple variants."
            )
        if any(v.get("ServerlessConfig") for v in variants) or any(f.serverless for f in endpoint.fleets):
            raise SageMakerError("Rolling deployments are not supported for serverless endpoints.")
        if variants[0]["VariantName"] not in live:
            raise SageMakerError(
                "Rolling deployments require the new endpoint configuration to keep the variant name(s) "
                "of the current one."
            )


def update_endpoint_weights_and_capacities(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    endpoint = ctx.endpoint(request.get("EndpointName", ""))
    if endpoint.in_progress:
        raise in_progress(endpoint.arn)
    if endpoint.status != "InService":
        raise SageMakerError(f'Cannot update endpoint "{endpoint.arn}" in status {endpoint.status}.')
    live = {fleet.name: fleet for fleet in endpoint.fleets}
    changes = request.get("DesiredWeightsAndCapacities") or []
    missing = [c["VariantName"] for c in changes if c["VariantName"] not in live]
    if missing:
        raise SageMakerError(
            f'The variant name(s) "[{", ".join(missing)}]" is/are not present in the endpoint '
            f'"{endpoint.arn}".'
        )
    for change in changes:
        fleet = live[change["VariantName"]]
        count = change.get("DesiredInstanceCount")
        if count is not None and fleet.serverless is None:
            if count == 0 and not endpoint.async_config:
                raise SageMakerError(
                    "DesiredInstanceCount can be 0 only for asynchronous inference endpoints."
                )
            fleet.desired_count = int(count)
        if change.get("DesiredWeight") is not None:
            fleet.desired_weight = float(change["DesiredWeight"])
        update = change.get("ServerlessUpdateConfig")
        if update and fleet.serverless is not None:
            fleet.desired_serverless = {**fleet.serverless, **update}
        fleet.status = [{"Status": "Updating", "StartTime": ctx.store.timestamp()}]
    endpoint.status = "Updating"
    endpoint.modified = ctx.store.timestamp()
    ctx.start_job(endpoint, lifecycle.change_capacity(endpoint, ctx.store.config, ctx.store.timestamp))
    return {"EndpointArn": endpoint.arn}


def scalable_target_registered(store: Store, account: str, region: str, request: dict[str, Any]) -> None:
    """RegisterScalableTarget on an active endpoint's variant moves its desired instance count inside
    [MinCapacity, MaxCapacity] at once (the endpoint goes Updating); an endpoint not InService is left
    alone."""
    if request.get("ServiceNamespace") != moto_bridge.SAGEMAKER_NAMESPACE:
        return
    if request.get("ScalableDimension") != "sagemaker:variant:DesiredInstanceCount":
        return
    parts = str(request.get("ResourceId", "")).split("/")
    if len(parts) != 4 or parts[0] != "endpoint" or parts[2] != "variant":
        return
    with store.lock:
        ctx = Context(store, account, region)
        endpoint = ctx.region.endpoints.get(parts[1])
        if endpoint is None or endpoint.status != "InService":
            return
        fleet = next((f for f in endpoint.fleets if f.name == parts[3] and f.serverless is None), None)
        if fleet is None:
            return
        low = request.get("MinCapacity", fleet.desired_count)
        high = request.get("MaxCapacity", fleet.desired_count)
        wanted = min(max(fleet.desired_count, low), high)
        if wanted == fleet.desired_count:
            return
        before = phase(endpoint)
        fleet.desired_count = int(wanted)
        fleet.status = [{"Status": "Updating", "StartTime": store.timestamp()}]
        endpoint.status = "Updating"
        endpoint.modified = store.timestamp()
        ctx.start_job(endpoint, lifecycle.change_capacity(endpoint, store.config, store.timestamp))
        store.observe(account, region, endpoint.name, before, endpoint)
