"""SageMaker API response shapes for the records (DescribeEndpoint and friends)."""

from __future__ import annotations

import copy
from typing import Any

from .records import Endpoint, EndpointConfig, Fleet, Model


def fleet_summary(fleet: Fleet, pending: bool = False) -> dict[str, Any]:
    summary: dict[str, Any] = {"VariantName": fleet.name, "DeployedImages": copy.deepcopy(fleet.images)}
    if fleet.serverless is not None:
        summary["CurrentServerlessConfig"] = dict(fleet.serverless)
        summary["DesiredServerlessConfig"] = dict(fleet.desired_serverless or fleet.serverless)
        summary["CurrentWeight"] = fleet.current_weight
        summary["DesiredWeight"] = fleet.desired_weight
    else:
        summary.update(
            CurrentWeight=fleet.current_weight,
            DesiredWeight=fleet.desired_weight,
            CurrentInstanceCount=fleet.current_count,
            DesiredInstanceCount=fleet.desired_count,
        )
        if pending and fleet.instance_type:
            summary["InstanceType"] = fleet.instance_type
    if fleet.status:
        summary["VariantStatus"] = copy.deepcopy(fleet.status)
    return summary


def describe_endpoint(endpoint: Endpoint) -> dict[str, Any]:
    out: dict[str, Any] = {
        "EndpointName": endpoint.name,
        "EndpointArn": endpoint.arn,
        "EndpointConfigName": endpoint.config_name,
        "EndpointStatus": endpoint.status,
        "CreationTime": endpoint.created,
        "LastModifiedTime": endpoint.modified,
    }
    if endpoint.status not in ("Creating", "Failed"):
        out["ProductionVariants"] = [fleet_summary(fleet) for fleet in endpoint.fleets]
        if endpoint.shadow_fleets:
            out["ShadowProductionVariants"] = [fleet_summary(fleet) for fleet in endpoint.shadow_fleets]
    if endpoint.data_capture:
        out["DataCaptureConfig"] = copy.deepcopy(endpoint.data_capture)
    if endpoint.failure_reason:
        out["FailureReason"] = endpoint.failure_reason
    if endpoint.last_deployment_config:
        out["LastDeploymentConfig"] = copy.deepcopy(endpoint.last_deployment_config)
    if endpoint.async_config:
        out["AsyncInferenceConfig"] = copy.deepcopy(endpoint.async_config)
    if endpoint.pending:
        out["PendingDeploymentSummary"] = {
            "EndpointConfigName": endpoint.pending.config_name,
            "ProductionVariants": [fleet_summary(fleet, pending=True) for fleet in endpoint.pending.fleets],
            "StartTime": endpoint.pending.started,
        }
        if endpoint.pending.shadow_fleets:
            out["PendingDeploymentSummary"]["ShadowProductionVariants"] = [
                fleet_summary(fleet, pending=True) for fleet in endpoint.pending.shadow_fleets
            ]
    return out


def endpoint_summary(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "EndpointName": endpoint.name,
        "EndpointArn": endpoint.arn,
        "CreationTime": endpoint.created,
        "LastModifiedTime": endpoint.modified,
        "EndpointStatus": endpoint.status,
    }


def describe_endpoint_config(config: EndpointConfig) -> dict[str, Any]:
    out = copy.deepcopy(config.document)
    out.update(EndpointConfigArn=config.arn, CreationTime=config.created)
    return out


def endpoint_config_summary(config: EndpointConfig) -> dict[str, Any]:
    return {
        "EndpointConfigName": config.name,
        "EndpointConfigArn": config.arn,
        "CreationTime": config.created,
    }


def describe_model(model: Model) -> dict[str, Any]:
    out = copy.deepcopy(model.document)
    out.setdefault("EnableNetworkIsolation", False)
    out.update(ModelArn=model.arn, CreationTime=model.created)
    return out


def model_summary(model: Model) -> dict[str, Any]:
    return {"ModelName": model.name, "ModelArn": model.arn, "CreationTime": model.created}
