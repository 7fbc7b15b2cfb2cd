"""Every request the deployer builds checked against botocore's SageMaker / Application Auto Scaling /
CloudWatch service models (botocore.validate.ParamValidator), not only by Stubber expectations: a wrong
member name (issue 7: ExcludeRetainedVariantProperties[].VariantPropertyTypeName) fails here."""

from __future__ import annotations

import functools
import io
from typing import Any

import botocore.session
import pytest
from botocore import xform_name
from botocore.validate import ParamValidator

from deployer import executor, planner
from deployer.progress import Progress
from deployer.release import release_id
from deployer.spec import parse_spec
from deployer.waiter import Runtime
from tests.unit.test_planner import IMAGE, doc, live


@functools.lru_cache(maxsize=8)
def _model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


def assert_valid(service: str, operation: str, params: dict[str, Any]) -> None:
    shape = _model(service).operation_model(operation).input_shape
    report = ParamValidator().validate(params, shape)
    assert not report.has_errors(), f"{operation}: {report.generate_report()}"


def multi_variant(weights: tuple[float, float] = (0.5, 0.5), **changes: Any) -> Any:
    variants = [
        {
            "name": name,
            "containers": [{"image": IMAGE, "model_data_url": "s3://bucket/whisper.tar.gz"}],
            "instance_type": "ml.m5.large",
            "initial_instance_count": 1,
            "initial_weight": weight,
        }
        for name, weight in zip(("A", "B"), weights, strict=True)
    ]
    return parse_spec(doc(variants=variants, **changes))


SERVERLESS = doc(
    variants=[
        {
            "name": "AllTraffic",
            "containers": [{"image": IMAGE}],
            "serverless": {"memory_size_mb": 2048, "max_concurrency": 5, "provisioned_concurrency": 1},
        }
    ]
)
ASYNC = doc(
    async_inference={
        "output_path": "s3://bucket/async/output/",
        "failure_path": "s3://bucket/async/failure/",
        "success_topic_arn": "arn:aws:sns:eu-north-1:123456789012:ok",
        "error_topic_arn": "arn:aws:sns:eu-north-1:123456789012:error",
        "include_inference_response_in": ["SUCCESS_NOTIFICATION_TOPIC"],
        "max_concurrent_invocations_per_instance": 1,
    }
)
SPECS = {
    "single": parse_spec(doc()),
    "multi": multi_variant(),
    "serverless": parse_spec(SERVERLESS),
    "async": parse_spec(ASYNC),
    "rolling": parse_spec(doc(deployment={"strategy": "rolling", "rollback_alarms": ["a"]})),
    "linear": parse_spec(doc(deployment={"traffic": "linear"})),
    "all_at_once": parse_spec(doc(deployment={"traffic": "all_at_once", "rollback_alarms": []})),
}
# A model in a VPC with network isolation (CreateModel.VpcConfig, EnableNetworkIsolation).
SPECS["vpc"] = parse_spec(
    doc(
        variants=[
            {
                **doc()["variants"][0],
                "vpc_config": {
                    "subnets": [f"subnet-0{i}a2b3c4d5e6f7a8b9" for i in range(16)],
                    "security_group_ids": [f"sg-0{i}a2b3c4d5e6f7a8b9" for i in range(5)],
                },
                "enable_network_isolation": True,
            }
        ]
    )
)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_create_model_and_endpoint_config_requests_match_the_model(name):
    spec = SPECS[name]
    release = release_id(spec)
    tags = executor.as_tags({"sagemaker-rollout:release": release})
    for model in planner.model_requests(spec, release):
        assert_valid("sagemaker", "CreateModel", {"ModelName": model.name, "Tags": tags, **model.params})
    for described in (None, live(("AllTraffic", 3), ("A", 2), ("B", 2))):
        request = planner.config_request(spec, described, release)
        assert_valid("sagemaker", "CreateEndpointConfig", {"Tags": tags, **request})
        assert_valid(
            "sagemaker",
            "CreateEndpoint",
            {
                "EndpointName": spec.endpoint_name,
                "EndpointConfigName": request["EndpointConfigName"],
                "Tags": tags,
            },
        )


@pytest.mark.parametrize("name", sorted(SPECS))
def test_update_endpoint_requests_match_the_model(name):
    spec = SPECS[name]
    request = planner.config_request(spec, None, release_id(spec))
    deployment = planner.deployment_config(spec.deployment)
    for described in (None, live(("AllTraffic", 3)), live(("A", 1), ("B", 1), weights={"A": 0.9, "B": 0.1})):
        update = planner.update_request(
            spec.endpoint_name,
            request["EndpointConfigName"],
            request["ProductionVariants"],
            described,
            deployment,
        )
        assert_valid("sagemaker", "UpdateEndpoint", update)


def test_a_weight_change_on_a_multi_variant_endpoint_is_a_valid_update_request():
    spec = multi_variant(weights=(0.9, 0.1))
    request = planner.config_request(spec, None, release_id(spec))
    update = planner.update_request(
        spec.endpoint_name,
        request["EndpointConfigName"],
        request["ProductionVariants"],
        live(("A", 1), ("B", 1), weights={"A": 0.5, "B": 0.5}),
        planner.deployment_config(spec.deployment),
    )
    assert update["ExcludeRetainedVariantProperties"] == [{"VariantPropertyType": "DesiredWeight"}]
    assert_valid("sagemaker", "UpdateEndpoint", update)


class Recorder:
    """A client that validates every call against ``service``'s model and answers ``{}``."""

    def __init__(self, service: str, calls: list[tuple[str, str]]) -> None:
        self._service = service
        self._operations = {xform_name(op): op for op in _model(service).operation_names}
        self._calls = calls

    def __getattr__(self, method: str) -> Any:
        operation = self._operations[method]

        def call(**params: Any) -> dict[str, Any]:
            assert_valid(self._service, operation, params)
            self._calls.append((self._service, operation))
            return {}

        return call


class RecordingClients:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.sagemaker = Recorder("sagemaker", self.calls)
        self.autoscaling = Recorder("application-autoscaling", self.calls)
        self.cloudwatch = Recorder("cloudwatch", self.calls)


def test_executor_tag_and_autoscaling_writes_match_the_model():
    clients = RecordingClients()
    rt = Runtime(clients=clients, clock=None, progress=Progress(io.StringIO()))  # type: ignore[arg-type]
    arn = "arn:aws:sagemaker:eu-north-1:123456789012:endpoint/whisper"
    executor.add_tags(rt, arn, {"sagemaker-rollout:rollout-id": "r-1", "team": "ml, é"})
    executor.delete_tags(rt, arn, ["team"])
    target = {
        "ResourceId": "endpoint/whisper/variant/A",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
    }
    executor.deregister(rt, "whisper", ("A",), [target])
    assert [op for _, op in clients.calls] == ["AddTags", "DeleteTags", "DeregisterScalableTarget"]
