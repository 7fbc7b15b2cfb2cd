"""localaws: CreateEndpoint lifecycle, DescribeEndpoint fields and validation errors, over HTTP with boto3."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from tests.localaws import testkit as kit


@pytest.fixture
def sm(localaws):
    return kit.client(localaws.url, "sagemaker")


def test_create_endpoint_goes_creating_then_in_service_after_create_seconds(localaws, sm):
    localaws.configure(time_scale=0.001, create_seconds=300)  # 0.3 s real
    kit.release(sm, "r1")
    started = time.monotonic()
    sm.create_endpoint(EndpointName="ep", EndpointConfigName="r1")
    assert sm.describe_endpoint(EndpointName="ep")["EndpointStatus"] == "Creating"
    described = kit.wait_status(sm, "ep", "InService")
    assert time.monotonic() - started >= 0.3
    assert described["EndpointConfigName"] == "r1"
    assert "FailureReason" not in described


def test_in_service_endpoint_shows_variants_images_and_counts(localaws, sm):
    kit.create_model(sm, "m1", image=f"{kit.IMAGE}:v1")
    kit.create_config(sm, "c1", "m1", count=2, weight=0.5)
    described = kit.in_service(sm, "ep", "c1")
    (variant,) = described["ProductionVariants"]
    assert variant["VariantName"] == "AllTraffic"
    assert variant["DesiredInstanceCount"] == 2
    assert variant["CurrentInstanceCount"] == 2
    assert variant["DesiredWeight"] == 0.5
    assert variant["CurrentWeight"] == 0.5
    (image,) = variant["DeployedImages"]
    assert image["SpecifiedImage"] == f"{kit.IMAGE}:v1"
    assert image["ResolvedImage"].startswith(f"{kit.IMAGE}@sha256:")
    assert len(image["ResolvedImage"].split("@sha256:")[1]) == 64
    # Deterministic: the same tag resolves to the same digest on another endpoint.
    kit.create_config(sm, "c1b", "m1")
    again = kit.in_service(sm, "ep2", "c1b")
    assert again["ProductionVariants"][0]["DeployedImages"][0]["ResolvedImage"] == image["ResolvedImage"]


def test_pinned_digest_is_its_own_resolved_image(localaws, sm):
    pinned = f"{kit.IMAGE}@sha256:{'ab' * 32}"
    kit.release(sm, "r1", image=pinned)
    described = kit.in_service(sm, "ep", "r1")
    assert described["ProductionVariants"][0]["DeployedImages"][0]["ResolvedImage"] == pinned


def test_multi_container_model_shows_every_image(localaws, sm):
    kit.create_model(sm, "mc", containers=3)
    kit.create_config(sm, "mc", "mc", instance_type="ml.c5.4xlarge")
    described = kit.in_service(sm, "ep", "mc")
    assert len(described["ProductionVariants"][0]["DeployedImages"]) == 3


def test_deployment_config_given_at_create_is_shown_as_last_deployment_config(localaws, sm):
    kit.release(sm, "r1")
    deployment = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0},
            "TerminationWaitInSeconds": 0,
        },
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "ep-5xx"}]},
    }
    described = kit.in_service(sm, "ep", "r1", DeploymentConfig=deployment)
    assert described["LastDeploymentConfig"] == deployment


def test_image_with_failure_marker_fails_with_reason(localaws, sm):
    kit.release(sm, "bad", image=f"{kit.IMAGE}:fail-health-check")
    sm.create_endpoint(EndpointName="ep", EndpointConfigName="bad")
    assert sm.describe_endpoint(EndpointName="ep")["EndpointStatus"] == "Creating"
    described = kit.settled(sm, "ep")
    assert described["EndpointStatus"] == "Failed"
    assert "did not pass the ping health check" in described["FailureReason"]
    assert "AllTraffic" in described["FailureReason"]


def test_failure_marker_is_configurable(localaws, sm):
    localaws.configure(failure_marker="broken-build")
    kit.release(sm, "old-marker", image=f"{kit.IMAGE}:fail-health-check")
    kit.release(sm, "new-marker", image=f"{kit.IMAGE}:broken-build-7")
    sm.create_endpoint(EndpointName="a", EndpointConfigName="old-marker")
    sm.create_endpoint(EndpointName="b", EndpointConfigName="new-marker")
    assert kit.settled(sm, "a")["EndpointStatus"] == "InService"
    assert kit.settled(sm, "b")["EndpointStatus"] == "Failed"


def test_duplicate_names_are_rejected_with_aws_wording(localaws, sm):
    kit.release(sm, "r1")
    sm.create_endpoint(EndpointName="ep", EndpointConfigName="r1")
    arn = f"arn:aws:sagemaker:us-east-1:{kit.ACCOUNT}"
    with pytest.raises(ClientError) as model:
        kit.create_model(sm, "r1")
    with pytest.raises(ClientError) as config:
        kit.create_config(sm, "r1", "r1")
    with pytest.raises(ClientError) as endpoint:
        sm.create_endpoint(EndpointName="ep", EndpointConfigName="r1")
    assert model.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": f'Cannot create already existing model "{arn}:model/r1".',
    }
    assert config.value.response["Error"]["Message"] == (
        f'Cannot create already existing endpoint configuration "{arn}:endpoint-config/r1".'
    )
    assert endpoint.value.response["Error"]["Message"] == (
        f'Cannot create already existing endpoint "{arn}:endpoint/ep".'
    )


def test_missing_resources_are_validation_errors(localaws, sm):
    arn = f"arn:aws:sagemaker:us-east-1:{kit.ACCOUNT}"
    with pytest.raises(ClientError) as endpoint:
        sm.describe_endpoint(EndpointName="nope")
    assert endpoint.value.response["Error"]["Code"] == "ValidationException"
    assert endpoint.value.response["Error"]["Message"] == f'Could not find endpoint "{arn}:endpoint/nope".'
    with pytest.raises(ClientError) as config:
        sm.create_endpoint(EndpointName="ep", EndpointConfigName="nope")
    assert "Could not find endpoint configuration" in config.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as model:
        kit.create_config(sm, "c1", "no-such-model")
    assert model.value.response["Error"]["Message"] == f'Could not find model "{arn}:model/no-such-model".'
    with pytest.raises(ClientError) as described:
        sm.describe_model(ModelName="nope")
    assert described.value.response["Error"]["Code"] == "ValidationException"


def test_invalid_names_and_limits_are_rejected(localaws, sm):
    with pytest.raises(ClientError) as bad_name:
        kit.create_model(sm, "under_score")
    assert "failed to satisfy constraint" in bad_name.value.response["Error"]["Message"]
    kit.create_model(sm, "m1")
    with pytest.raises(ClientError) as memory:
        kit.create_config(sm, "c1", "m1", serverless={"MemorySizeInMB": 1500, "MaxConcurrency": 1})
    assert memory.value.response["Error"]["Code"] == "ValidationException"
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []


def test_resolved_image_is_the_digest_pushed_to_ecr(localaws, sm):
    ecr = kit.client(localaws.url, "ecr")
    ecr.create_repository(repositoryName="whisper")
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 7,
                "digest": "sha256:" + "1" * 64,
            },
            "layers": [],
        }
    )
    ecr.put_image(repositoryName="whisper", imageManifest=manifest, imageTag="v7")
    (pushed,) = ecr.describe_images(repositoryName="whisper")["imageDetails"]
    repository = f"{kit.ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/whisper"
    kit.release(sm, "r1", image=f"{repository}:v7")
    described = kit.in_service(sm, "ep", "r1")
    image = described["ProductionVariants"][0]["DeployedImages"][0]
    assert image["ResolvedImage"] == f"{repository}@{pushed['imageDigest']}"
