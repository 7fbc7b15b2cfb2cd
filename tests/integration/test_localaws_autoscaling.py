"""Application Auto Scaling through localaws: target tags and SageMaker's dimensions (moto lacks both)."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def aas(localaws):
    return boto3.client("application-autoscaling", region_name="us-east-1")


def _register(aas, dimension="sagemaker:variant:DesiredInstanceCount", **extra):
    return aas.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId="endpoint/whisper/variant/AllTraffic",
        ScalableDimension=dimension,
        MinCapacity=0,
        MaxCapacity=30,
        **extra,
    )["ScalableTargetARN"]


def test_scalable_target_tags_round_trip(aas):
    arn = _register(aas, Tags={"team": "speech"})
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"team": "speech"}
    aas.tag_resource(ResourceARN=arn, Tags={"stage": "prod"})
    aas.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"stage": "prod"}


def test_tags_of_an_unknown_target_are_not_found(aas):
    arn = _register(aas)
    aas.deregister_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId="endpoint/whisper/variant/AllTraffic",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
    )
    with pytest.raises(ClientError) as raised:
        aas.list_tags_for_resource(ResourceARN=arn)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_serverless_provisioned_concurrency_dimension_registers(aas):
    _register(aas, dimension="sagemaker:variant:DesiredProvisionedConcurrency")
    targets = aas.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    assert [t["ScalableDimension"] for t in targets] == ["sagemaker:variant:DesiredProvisionedConcurrency"]


def test_an_unknown_dimension_is_still_refused(aas):
    with pytest.raises(ClientError) as raised:
        _register(aas, dimension="sagemaker:variant:Nonsense")
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_deregistering_a_target_deletes_its_policies_and_scheduled_actions(aas):
    _register(aas)
    target = {
        "ServiceNamespace": "sagemaker",
        "ResourceId": "endpoint/whisper/variant/AllTraffic",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
    }
    aas.put_scaling_policy(
        PolicyName="backlog",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 10.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
            },
        },
        **target,
    )
    aas.put_scheduled_action(ScheduledActionName="nightly", Schedule="cron(0 0 * * ? *)", **target)
    aas.deregister_scalable_target(**target)
    assert aas.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"] == []
    assert aas.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"] == []
