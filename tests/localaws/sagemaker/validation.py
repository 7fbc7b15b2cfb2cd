"""Service-side checks SageMaker makes that botocore does not (maxima, patterns, combinations)."""

from __future__ import annotations

import re
from typing import Any

from .errors import constraint, validation

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
NAME_RULE = r"Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"


def name(value: Any, path: str) -> str:
    if not isinstance(value, str) or not NAME_PATTERN.match(value):
        raise constraint(value, path, NAME_RULE)
    return value


def in_range(value: Any, path: str, low: int, high: int) -> None:
    if value < low:
        raise constraint(value, path, f"Member must have value greater than or equal to {low}")
    if value > high:
        raise constraint(value, path, f"Member must have value less than or equal to {high}")


VARIANT_PROPERTY_TYPES = ("DesiredInstanceCount", "DesiredWeight", "DataCaptureConfig")


def excluded_variant_properties(items: Any) -> frozenset[str]:
    """ExcludeRetainedVariantProperties: each item's required ``VariantPropertyType`` is one of the enum
    (SageMaker API reference: VariantProperty)."""
    names = []
    for index, item in enumerate(items or [], start=1):
        value = item.get("VariantPropertyType") if isinstance(item, dict) else None
        path = f"excludeRetainedVariantProperties.{index}.member.variantPropertyType"
        if value is None:
            raise constraint("null", path, "Member must not be null")
        if value not in VARIANT_PROPERTY_TYPES:
            raise constraint(
                value, path, f"Member must satisfy enum value set: [{', '.join(VARIANT_PROPERTY_TYPES)}]"
            )
        names.append(value)
    return frozenset(names)


def deployment_config(config: dict[str, Any]) -> None:
    """DeploymentConfig limits (SageMaker API reference: BlueGreenUpdatePolicy, TrafficRoutingConfig,
    RollingUpdatePolicy, AutoRollbackConfig)."""
    blue_green = config.get("BlueGreenUpdatePolicy")
    rolling = config.get("RollingUpdatePolicy")
    if blue_green and rolling:
        raise validation("Only one of BlueGreenUpdatePolicy and RollingUpdatePolicy can be specified.")
    prefix = "deploymentConfig"
    if blue_green:
        _blue_green(blue_green, f"{prefix}.blueGreenUpdatePolicy")
    if rolling:
        _rolling(rolling, f"{prefix}.rollingUpdatePolicy")
    alarms = (config.get("AutoRollbackConfiguration") or {}).get("Alarms")
    if alarms is not None and not 1 <= len(alarms) <= 10:
        raise constraint(
            alarms,
            f"{prefix}.autoRollbackConfiguration.alarms",
            "Member must have length less than or equal to 10",
        )


def _blue_green(policy: dict[str, Any], path: str) -> None:
    routing = policy.get("TrafficRoutingConfiguration")
    if not routing:
        raise validation("TrafficRoutingConfiguration is required in BlueGreenUpdatePolicy.")
    rpath = f"{path}.trafficRoutingConfiguration"
    kind = routing.get("Type")
    if kind not in ("ALL_AT_ONCE", "CANARY", "LINEAR"):
        raise constraint(
            kind, f"{rpath}.type", "Member must satisfy enum value set: [ALL_AT_ONCE, CANARY, LINEAR]"
        )
    in_range(routing.get("WaitIntervalInSeconds", 0), f"{rpath}.waitIntervalInSeconds", 0, 3600)
    if kind == "CANARY":
        size = routing.get("CanarySize")
        if not size:
            raise validation("CanarySize must be specified when the traffic routing type is CANARY.")
        _capacity(size, f"{rpath}.canarySize", 1, 50)
    if kind == "LINEAR":
        size = routing.get("LinearStepSize")
        if not size:
            raise validation("LinearStepSize must be specified when the traffic routing type is LINEAR.")
        _capacity(size, f"{rpath}.linearStepSize", 10, 50)
    in_range(policy.get("TerminationWaitInSeconds", 0), f"{path}.terminationWaitInSeconds", 0, 3600)
    if "MaximumExecutionTimeoutInSeconds" in policy:
        in_range(
            policy["MaximumExecutionTimeoutInSeconds"], f"{path}.maximumExecutionTimeoutInSeconds", 600, 28800
        )


def _rolling(policy: dict[str, Any], path: str) -> None:
    if "MaximumBatchSize" not in policy:
        raise validation("MaximumBatchSize is required in RollingUpdatePolicy.")
    _capacity(policy["MaximumBatchSize"], f"{path}.maximumBatchSize", 5, 50)
    in_range(policy.get("WaitIntervalInSeconds", 0), f"{path}.waitIntervalInSeconds", 0, 3600)
    if "MaximumExecutionTimeoutInSeconds" in policy:
        in_range(
            policy["MaximumExecutionTimeoutInSeconds"], f"{path}.maximumExecutionTimeoutInSeconds", 600, 28800
        )
    if "RollbackMaximumBatchSize" in policy:
        _capacity(policy["RollbackMaximumBatchSize"], f"{path}.rollbackMaximumBatchSize", 5, 100)


def _capacity(size: dict[str, Any], path: str, low_percent: int, high_percent: int) -> None:
    kind = size.get("Type")
    if kind not in ("INSTANCE_COUNT", "CAPACITY_PERCENT"):
        raise constraint(
            kind, f"{path}.type", "Member must satisfy enum value set: [INSTANCE_COUNT, CAPACITY_PERCENT]"
        )
    value = size.get("Value", 0)
    if kind == "CAPACITY_PERCENT":
        in_range(value, f"{path}.value", low_percent, high_percent)
    else:
        in_range(value, f"{path}.value", 1, 10**6)


def serverless(config: dict[str, Any], path: str) -> None:
    memory = config.get("MemorySizeInMB", 0)
    in_range(memory, f"{path}.memorySizeInMB", 1024, 6144)
    if memory % 1024:
        raise validation(f"MemorySizeInMB must be a multiple of 1024 (1024 to 6144 MB), got {memory}.")
    maximum = config.get("MaxConcurrency", 0)
    in_range(maximum, f"{path}.maxConcurrency", 1, 200)
    if "ProvisionedConcurrency" in config:
        in_range(config["ProvisionedConcurrency"], f"{path}.provisionedConcurrency", 1, 200)
        if config["ProvisionedConcurrency"] > maximum:
            raise validation("ProvisionedConcurrency must be less than or equal to MaxConcurrency.")


CAPTURE_MODES = ("Input", "Output", "InputAndOutput")
DESTINATION_PATTERN = re.compile(r"^(https|s3)://([^/])/?(.*)$")
CONTENT_TYPE_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*\/[a-zA-Z0-9](-*[a-zA-Z0-9.])*$")


def data_capture_config(config: dict[str, Any]) -> None:
    """DataCaptureConfig limits botocore does not check (SageMaker API reference: DataCaptureConfig,
    CaptureOption, CaptureContentTypeHeader): sampling at most 100, 1-32 capture options of the CaptureMode
    enum, the DestinationS3Uri pattern (at most 512), 1-10 content types of each kind with their pattern."""
    prefix = "dataCaptureConfig"
    in_range(config.get("InitialSamplingPercentage", 0), f"{prefix}.initialSamplingPercentage", 0, 100)
    destination = str(config.get("DestinationS3Uri", ""))
    if len(destination) > 512:
        raise constraint(
            destination, f"{prefix}.destinationS3Uri", "Member must have length less than or equal to 512"
        )
    if not DESTINATION_PATTERN.match(destination):
        raise constraint(
            destination,
            f"{prefix}.destinationS3Uri",
            "Member must satisfy regular expression pattern: (https|s3)://([^/])/?(.*)",
        )
    options = config.get("CaptureOptions") or []
    if not 1 <= len(options) <= 32:
        raise constraint(len(options), f"{prefix}.captureOptions", "Member must have length between 1 and 32")
    for index, option in enumerate(options, start=1):
        mode = option.get("CaptureMode")
        if mode not in CAPTURE_MODES:
            raise constraint(
                mode,
                f"{prefix}.captureOptions.{index}.member.captureMode",
                f"Member must satisfy enum value set: [{', '.join(CAPTURE_MODES)}]",
            )
    header = config.get("CaptureContentTypeHeader") or {}
    for key, path in (("CsvContentTypes", "csvContentTypes"), ("JsonContentTypes", "jsonContentTypes")):
        types = header.get(key)
        if types is None:
            continue
        where = f"{prefix}.captureContentTypeHeader.{path}"
        if not 1 <= len(types) <= 10:
            raise constraint(len(types), where, "Member must have length between 1 and 10")
        for index, value in enumerate(types, start=1):
            if len(value) > 256 or not CONTENT_TYPE_PATTERN.match(value):
                raise constraint(
                    value,
                    f"{where}.{index}.member",
                    r"Member must satisfy regular expression pattern: "
                    r"[a-zA-Z0-9](-*[a-zA-Z0-9])*\/[a-zA-Z0-9](-*[a-zA-Z0-9.])*",
                )
