"""Helpers for tests driving localaws with plain boto3: clients, a release in one call, polling."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config as BotoConfig

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/localaws-sagemaker"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/model"


def client(url: str, service: str, retries: int = 3, **kwargs: Any) -> Any:
    """A boto3 client for ``service`` at ``url`` (standard retries; ``retries=0`` disables them)."""
    config = BotoConfig(retries={"mode": "standard", "total_max_attempts": retries + 1 if retries else 1})
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=kwargs.pop("region_name", REGION),
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=config,
        **kwargs,
    )


def create_model(sm: Any, name: str, image: str | None = None, containers: int = 1) -> str:
    definitions = [
        {
            "Image": image or f"{IMAGE}:{name}",
            "ModelDataUrl": f"s3://models/{name}.tar.gz",
            **({"ContainerHostname": f"c{index}"} if containers > 1 else {}),
        }
        for index in range(containers)
    ]
    args: dict[str, Any] = {"ModelName": name, "ExecutionRoleArn": ROLE_ARN}
    if containers > 1:
        args.update(Containers=definitions, InferenceExecutionConfig={"Mode": "Direct"})
    else:
        args["PrimaryContainer"] = definitions[0]
    return sm.create_model(**args)["ModelArn"]


def create_config(
    sm: Any,
    name: str,
    model: str,
    instance_type: str = "ml.m5.large",
    count: int = 1,
    variant: str = "AllTraffic",
    serverless: dict[str, int] | None = None,
    async_output: str | None = None,
    weight: float = 1.0,
) -> str:
    production: dict[str, Any] = {"VariantName": variant, "ModelName": model, "InitialVariantWeight": weight}
    if serverless:
        production["ServerlessConfig"] = serverless
    else:
        production.update(InstanceType=instance_type, InitialInstanceCount=count)
    args: dict[str, Any] = {"EndpointConfigName": name, "ProductionVariants": [production]}
    if async_output:
        args["AsyncInferenceConfig"] = {"OutputConfig": {"S3OutputPath": async_output}}
    return sm.create_endpoint_config(**args)["EndpointConfigArn"]


def release(sm: Any, name: str, image: str | None = None, **config: Any) -> str:
    """A model and an endpoint configuration both called ``name``; returns the configuration name."""
    create_model(sm, name, image)
    create_config(sm, name, name, **config)
    return name


def wait_for(
    sm: Any,
    endpoint: str,
    predicate: Callable[[dict[str, Any]], bool],
    timeout: float = 20.0,
    interval: float = 0.01,
) -> dict[str, Any]:
    """Poll DescribeEndpoint until ``predicate`` holds; fails with the last description on timeout."""
    deadline = time.monotonic() + timeout
    described: dict[str, Any] = {}
    while time.monotonic() < deadline:
        described = sm.describe_endpoint(EndpointName=endpoint)
        if predicate(described):
            return described
        time.sleep(interval)
    raise AssertionError(f"timed out waiting on {endpoint}: {described}")


def wait_status(sm: Any, endpoint: str, *statuses: str, timeout: float = 20.0) -> dict[str, Any]:
    return wait_for(sm, endpoint, lambda d: d["EndpointStatus"] in statuses, timeout)


def settled(sm: Any, endpoint: str, timeout: float = 20.0) -> dict[str, Any]:
    return wait_status(sm, endpoint, "InService", "Failed", "UpdateRollbackFailed", timeout=timeout)


def in_service(sm: Any, endpoint: str, config: str, timeout: float = 20.0, **create: Any) -> dict[str, Any]:
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=config, **create)
    return wait_status(sm, endpoint, "InService", timeout=timeout)


def pending_status(described: dict[str, Any]) -> str | None:
    """The VariantStatus of the first pending variant (Creating, ActivatingTraffic, Baking, ...)."""
    pending = described.get("PendingDeploymentSummary")
    if not pending:
        return None
    statuses = pending["ProductionVariants"][0].get("VariantStatus") or []
    return statuses[0]["Status"] if statuses else None


def refuse(
    url: str,
    service: str,
    operation: str,
    *,
    code: str,
    message: str = "",
    status: int = 400,
    times: int = 0,
    match: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """``LocalAWS.refuse`` over the control API, for a localaws in another process (returns the refusals)."""
    from .server import control

    refusal = {
        "service": service,
        "operation": operation,
        "code": code,
        "message": message,
        "status": status,
        "times": times,
        "match": dict(match or {}),
    }
    current = control(url, "config")["refusals"]
    return control(url, "config", {"refusals": [*current, refusal]})["refusals"]


def clear_refusals(url: str) -> None:
    from .server import control

    control(url, "config", {"refusals": []})


def alarm(url: str, name: str) -> Any:
    """A CloudWatch alarm (state OK) on the endpoint's 5xx errors; returns the CloudWatch client."""
    cloudwatch = client(url, "cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/SageMaker",
        MetricName="Invocation5XXErrors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )
    cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="test")
    return cloudwatch
