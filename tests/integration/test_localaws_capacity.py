"""localaws: capacity across updates, weights and capacities, the autoscaling guard, endpoint kinds."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from tests.localaws import testkit as kit

DIMENSION = "sagemaker:variant:DesiredInstanceCount"


@pytest.fixture
def sm(localaws):
    localaws.configure(time_scale=0.001, create_seconds=50, provision_seconds=50, weights_seconds=100)
    return kit.client(localaws.url, "sagemaker")


@pytest.fixture
def scaled(sm):
    """Endpoint "ep" on "v1" (initial count 1, weight 1) scaled to 3 instances and weight 0.5."""
    kit.release(sm, "v1", count=1)
    kit.in_service(sm, "ep", "v1")
    sm.update_endpoint_weights_and_capacities(
        EndpointName="ep",
        DesiredWeightsAndCapacities=[
            {"VariantName": "AllTraffic", "DesiredInstanceCount": 3, "DesiredWeight": 0.5}
        ],
    )
    kit.wait_status(sm, "ep", "InService")
    return "ep"


def variant(described: dict) -> dict:
    return described["ProductionVariants"][0]


def test_weights_and_capacities_update_goes_through_updating(sm, localaws):
    # 3 s of real time in Updating: long enough for the second call to land there on a loaded machine.
    localaws.configure(weights_seconds=3000)
    kit.release(sm, "v1", count=1)
    kit.in_service(sm, "ep", "v1")
    sm.update_endpoint_weights_and_capacities(
        EndpointName="ep",
        DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 4}],
    )
    described = sm.describe_endpoint(EndpointName="ep")
    assert described["EndpointStatus"] == "Updating"
    assert variant(described)["DesiredInstanceCount"] == 4
    assert variant(described)["CurrentInstanceCount"] == 1
    with pytest.raises(ClientError) as error:
        sm.update_endpoint_weights_and_capacities(
            EndpointName="ep",
            DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 2}],
        )
    assert "Cannot update in-progress endpoint" in error.value.response["Error"]["Message"]
    done = kit.wait_status(sm, "ep", "InService")
    assert variant(done)["CurrentInstanceCount"] == 4
    assert done["EndpointConfigName"] == "v1"


def test_update_without_retain_resets_capacity_to_initial_instance_count(sm, scaled):
    kit.release(sm, "v2", count=2)
    sm.update_endpoint(EndpointName=scaled, EndpointConfigName="v2")
    done = kit.wait_status(sm, scaled, "InService")
    assert done["EndpointConfigName"] == "v2"
    assert (variant(done)["DesiredInstanceCount"], variant(done)["CurrentInstanceCount"]) == (2, 2)
    assert variant(done)["DesiredWeight"] == 1.0


def test_retain_all_variant_properties_keeps_live_count_and_weight(sm, scaled):
    kit.release(sm, "v2", count=2)
    sm.update_endpoint(EndpointName=scaled, EndpointConfigName="v2", RetainAllVariantProperties=True)
    pending = sm.describe_endpoint(EndpointName=scaled)["PendingDeploymentSummary"]["ProductionVariants"][0]
    assert pending["DesiredInstanceCount"] == 3
    done = kit.wait_status(sm, scaled, "InService")
    assert (variant(done)["DesiredInstanceCount"], variant(done)["CurrentInstanceCount"]) == (3, 3)
    assert variant(done)["DesiredWeight"] == 0.5


def test_excluded_retained_properties_come_from_the_new_config(sm, scaled):
    kit.release(sm, "v2", count=2)
    sm.update_endpoint(
        EndpointName=scaled,
        EndpointConfigName="v2",
        RetainAllVariantProperties=True,
        ExcludeRetainedVariantProperties=[{"VariantPropertyType": "DesiredInstanceCount"}],
    )
    done = kit.wait_status(sm, scaled, "InService")
    assert variant(done)["DesiredInstanceCount"] == 2
    assert variant(done)["DesiredWeight"] == 0.5


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({}, "Member must not be null"),
        ({"VariantPropertyType": "Weight"}, "Member must satisfy enum value set"),
    ],
)
def test_excluded_retained_properties_are_validated_like_aws(localaws, scaled, item, message):
    """SageMaker API reference, VariantProperty: VariantPropertyType is required, one of
    DesiredInstanceCount | DesiredWeight | DataCaptureConfig (botocore checks it client-side too)."""
    raw = boto3.client(
        "sagemaker",
        endpoint_url=localaws.url,
        region_name=kit.REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=BotoConfig(parameter_validation=False, retries={"total_max_attempts": 1}),
    )
    kit.release(raw, "v2", count=2)
    with pytest.raises(ClientError) as refused:
        raw.update_endpoint(
            EndpointName=scaled,
            EndpointConfigName="v2",
            RetainAllVariantProperties=True,
            ExcludeRetainedVariantProperties=[item],
        )
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert message in refused.value.response["Error"]["Message"]
    assert raw.describe_endpoint(EndpointName=scaled)["EndpointStatus"] == "InService"


def test_async_endpoint_can_scale_to_zero_but_real_time_cannot(sm):
    kit.create_model(sm, "a1")
    kit.create_config(sm, "a1", "a1", async_output="s3://bucket/async/")
    kit.in_service(sm, "async-ep", "a1")
    sm.update_endpoint_weights_and_capacities(
        EndpointName="async-ep",
        DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 0}],
    )
    done = kit.wait_status(sm, "async-ep", "InService")
    assert variant(done)["CurrentInstanceCount"] == 0
    assert done["AsyncInferenceConfig"]["OutputConfig"]["S3OutputPath"] == "s3://bucket/async/"
    # An update retaining a live count of 0 stays valid.
    kit.create_model(sm, "a2")
    kit.create_config(sm, "a2", "a2", async_output="s3://bucket/async/")
    sm.update_endpoint(EndpointName="async-ep", EndpointConfigName="a2", RetainAllVariantProperties=True)
    assert variant(kit.wait_status(sm, "async-ep", "InService"))["DesiredInstanceCount"] == 0
    kit.release(sm, "rt")
    kit.in_service(sm, "rt-ep", "rt")
    with pytest.raises(ClientError) as error:
        sm.update_endpoint_weights_and_capacities(
            EndpointName="rt-ep",
            DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 0}],
        )
    assert error.value.response["Error"]["Code"] == "ValidationException"


def test_unknown_variant_in_weights_update_is_rejected(sm):
    kit.release(sm, "v1")
    kit.in_service(sm, "ep", "v1")
    with pytest.raises(ClientError) as error:
        sm.update_endpoint_weights_and_capacities(
            EndpointName="ep",
            DesiredWeightsAndCapacities=[{"VariantName": "Nope", "DesiredInstanceCount": 1}],
        )
    assert "Nope" in error.value.response["Error"]["Message"]
    assert sm.describe_endpoint(EndpointName="ep")["EndpointStatus"] == "InService"


def register(url: str, endpoint: str, variant_name: str = "AllTraffic") -> None:
    kit.client(url, "application-autoscaling").register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId=f"endpoint/{endpoint}/variant/{variant_name}",
        ScalableDimension=DIMENSION,
        MinCapacity=1,
        MaxCapacity=4,
    )


def test_instance_type_change_of_a_scalable_variant_is_rejected(localaws, sm):
    kit.release(sm, "v1", instance_type="ml.m5.large")
    kit.in_service(sm, "ep", "v1")
    register(localaws.url, "ep")
    kit.release(sm, "bigger", instance_type="ml.m5.xlarge")
    with pytest.raises(ClientError) as error:
        sm.update_endpoint(EndpointName="ep", EndpointConfigName="bigger")
    message = error.value.response["Error"]["Message"]
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "AllTraffic" in message and "deregistered as scalable targets" in message
    assert sm.describe_endpoint(EndpointName="ep")["EndpointStatus"] == "InService"
    # A model-only change is allowed.
    kit.release(sm, "v2", instance_type="ml.m5.large")
    sm.update_endpoint(EndpointName="ep", EndpointConfigName="v2")
    assert kit.wait_status(sm, "ep", "InService")["EndpointConfigName"] == "v2"
    # Once deregistered, the instance type change goes through.
    kit.client(localaws.url, "application-autoscaling").deregister_scalable_target(
        ServiceNamespace="sagemaker", ResourceId="endpoint/ep/variant/AllTraffic", ScalableDimension=DIMENSION
    )
    sm.update_endpoint(EndpointName="ep", EndpointConfigName="bigger")
    assert kit.wait_status(sm, "ep", "InService")["EndpointConfigName"] == "bigger"


def test_removing_a_scalable_variant_is_rejected(localaws, sm):
    kit.release(sm, "v1")
    kit.in_service(sm, "ep", "v1")
    register(localaws.url, "ep")
    kit.release(sm, "renamed", variant="Blue")
    with pytest.raises(ClientError) as error:
        sm.update_endpoint(EndpointName="ep", EndpointConfigName="renamed")
    assert "deregistered as scalable targets" in error.value.response["Error"]["Message"]


def test_real_time_to_serverless_is_rejected(sm):
    kit.release(sm, "rt")
    kit.in_service(sm, "ep", "rt")
    kit.release(sm, "sls", serverless={"MemorySizeInMB": 2048, "MaxConcurrency": 1})
    with pytest.raises(ClientError) as error:
        sm.update_endpoint(EndpointName="ep", EndpointConfigName="sls")
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert sm.describe_endpoint(EndpointName="ep")["EndpointConfigName"] == "rt"


def test_removing_the_async_configuration_is_rejected(sm):
    kit.create_model(sm, "a1")
    kit.create_config(sm, "a1", "a1", async_output="s3://bucket/async/")
    kit.in_service(sm, "ep", "a1")
    kit.release(sm, "rt")
    with pytest.raises(ClientError) as error:
        sm.update_endpoint(EndpointName="ep", EndpointConfigName="rt")
    assert "AsyncInferenceConfig parameter cannot be removed" in error.value.response["Error"]["Message"]


def test_serverless_endpoint_shows_serverless_config(sm):
    kit.release(sm, "sls", serverless={"MemorySizeInMB": 2048, "MaxConcurrency": 1})
    described = kit.in_service(sm, "ep", "sls")
    summary = variant(described)
    assert summary["CurrentServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 1}
    assert "CurrentInstanceCount" not in summary
    kit.release(sm, "sls2", serverless={"MemorySizeInMB": 4096, "MaxConcurrency": 2})
    sm.update_endpoint(EndpointName="ep", EndpointConfigName="sls2")
    done = kit.wait_status(sm, "ep", "InService")
    assert variant(done)["CurrentServerlessConfig"] == {"MemorySizeInMB": 4096, "MaxConcurrency": 2}


def test_registering_a_scalable_target_moves_capacity_into_its_range(localaws, sm):
    kit.release(sm, "v1", count=1)
    kit.in_service(sm, "ep", "v1")
    autoscaling = kit.client(localaws.url, "application-autoscaling")
    autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId="endpoint/ep/variant/AllTraffic",
        ScalableDimension=DIMENSION,
        MinCapacity=2,
        MaxCapacity=4,
    )
    described = sm.describe_endpoint(EndpointName="ep")
    assert described["EndpointStatus"] == "Updating"
    assert variant(described)["DesiredInstanceCount"] == 2
    done = kit.wait_status(sm, "ep", "InService")
    assert variant(done)["CurrentInstanceCount"] == 2
    # Inside the range: nothing changes.
    autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId="endpoint/ep/variant/AllTraffic",
        ScalableDimension=DIMENSION,
        MinCapacity=1,
        MaxCapacity=4,
    )
    assert sm.describe_endpoint(EndpointName="ep")["EndpointStatus"] == "InService"


def test_registering_during_an_update_leaves_capacity_alone(localaws, sm):
    localaws.configure(provision_seconds=300)
    kit.release(sm, "v1", count=1)
    kit.in_service(sm, "ep", "v1")
    kit.release(sm, "v2", count=1)
    sm.update_endpoint(EndpointName="ep", EndpointConfigName="v2")
    kit.client(localaws.url, "application-autoscaling").register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId="endpoint/ep/variant/AllTraffic",
        ScalableDimension=DIMENSION,
        MinCapacity=3,
        MaxCapacity=4,
    )
    done = kit.wait_status(sm, "ep", "InService")
    assert done["EndpointConfigName"] == "v2"
    assert variant(done)["DesiredInstanceCount"] == 1
