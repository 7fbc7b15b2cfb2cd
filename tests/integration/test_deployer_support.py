"""Shared helpers of the deployer's integration tests (no tests here): specs, runtimes, call-log views."""

from __future__ import annotations

import copy
import io
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from deployer.aws import Clients
from deployer.operations import make_runtime
from deployer.progress import Progress
from deployer.spec import Spec, parse_spec
from deployer.waiter import Runtime

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/speech-sagemaker"
REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def image(tag: str, repo: str = "whisper") -> str:
    return f"{REGISTRY}/{repo}:{tag}"


def document(name: str = "whisper", tag: str = "v1", **changes: Any) -> dict[str, Any]:
    """A real-time single-variant spec with fast deployment waits (termination wait 0)."""
    doc: dict[str, Any] = {
        "schema_version": 1,
        "endpoint_name": name,
        "region": REGION,
        "execution_role_arn": ROLE,
        "variants": [
            {
                "name": "AllTraffic",
                "containers": [
                    {
                        "image": image(tag),
                        "model_data_url": "s3://speech-models/whisper/model.tar.gz",
                        "environment": {"STAGE": "prod"},
                    }
                ],
                "instance_type": "ml.m5.large",
                "initial_instance_count": 1,
            }
        ],
        "deployment": {
            "strategy": "blue_green",
            "traffic": "all_at_once",
            "wait_interval_seconds": 0,
            "termination_wait_seconds": 0,
            "rollback_alarms": [f"{name}-5xx"],
        },
        "keep_releases": 3,
        "tags": {"team": "speech"},
    }
    for key, value in changes.items():
        doc[key] = value
    return doc


def spec(name: str = "whisper", tag: str = "v1", **changes: Any) -> Spec:
    return parse_spec(document(name, tag, **changes))


def with_variant(doc: dict[str, Any], **fields: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["variants"][0].update(fields)
    return doc


def with_deployment(doc: dict[str, Any], **fields: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["deployment"].update(fields)
    return doc


def runtime(name: str = "whisper") -> tuple[Runtime, io.StringIO]:
    """A runtime from the environment the ``localaws`` fixture set, progress captured in memory."""
    stream = io.StringIO()
    rt = make_runtime(name, REGION, progress=Progress(stream=stream, log_path=None, tty=False))
    return rt, stream


def clients() -> Clients:
    return Clients.from_session(boto3.Session(region_name=REGION))


def writes(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in calls if c["write"]]


def operation_names(calls: list[dict[str, Any]], name: str | None = None) -> list[str]:
    return [c["operation"] for c in calls if name is None or c["operation"] == name]


def wait_for(predicate: Callable[[], bool], timeout: float = 30.0, interval: float = 0.02) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError("condition not reached in time")


def endpoint(sm: Any, name: str = "whisper") -> dict[str, Any]:
    return sm.describe_endpoint(EndpointName=name)


def in_background(action: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=action, daemon=True)
    thread.start()
    return thread


def put_alarm(cloudwatch: Any, name: str) -> None:
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/SageMaker",
        MetricName="Invocation5XXErrors",
        Dimensions=[
            {"Name": "EndpointName", "Value": "whisper"},
            {"Name": "VariantName", "Value": "AllTraffic"},
        ],
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="notBreaching",
    )


@pytest.fixture
def rollback_alarm(localaws: Any) -> str:
    """The specs' rollback alarm exists (a missing one is refused before any write, issue 7 item 8)."""
    put_alarm(clients().cloudwatch, "whisper-5xx")
    return "whisper-5xx"


def register_target(
    autoscaling: Any, name: str = "whisper", variant: str = "AllTraffic", high: int = 10
) -> None:
    autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=f"endpoint/{name}/variant/{variant}",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        MinCapacity=1,
        MaxCapacity=high,
    )
