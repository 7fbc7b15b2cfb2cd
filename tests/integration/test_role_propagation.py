"""A role Terraform created a moment ago: SageMaker refuses CreateModel ("Could not assume role") until IAM
has propagated it, and the deployer retries for as long as the AWS provider waits for IAM (2 minutes). A role
that never becomes assumable (it does not trust sagemaker.amazonaws.com) fails with AWS's message and no
endpoint.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from deployer import operations
from deployer.errors import DeployerError
from deployer.spec import parse_spec
from tests.integration.test_deployer_support import (
    REGION,
    document,
    endpoint,
    in_background,
    rollback_alarm,  # noqa: F401 (fixture)
    runtime,
    wait_for,
)
from tests.integration.test_deployer_support import operation_names as ops

# Simulated seconds for IAM to propagate a new role (localaws setting iam_propagation_seconds): long enough
# (1,000 real seconds at the tests' time scale) that no load on the machine lets the role age past it between
# its creation and the CreateModel; the test turns propagation off to see the create go through.
PROPAGATION = 100_000.0


def create_role(name: str, service: str = "sagemaker.amazonaws.com") -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    iam = boto3.client("iam", region_name=REGION)
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def create_model_statuses(calls: list[dict[str, Any]]) -> list[int]:
    return [c["status"] for c in calls if c["operation"] == "CreateModel"]


def test_localaws_refuses_create_model_with_a_role_iam_has_not_propagated(localaws: Any) -> None:
    localaws.configure(iam_propagation_seconds=PROPAGATION)
    role = create_role("fresh-sagemaker")
    sm = boto3.client("sagemaker", region_name=REGION)
    container = {"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/whisper:v1"}
    with pytest.raises(sm.exceptions.ClientError) as refused:
        sm.create_model(ModelName="m1", ExecutionRoleArn=role, PrimaryContainer=container)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert f"Could not assume role {role}" in refused.value.response["Error"]["Message"]
    with pytest.raises(sm.exceptions.ClientError):
        sm.describe_model(ModelName="m1")  # nothing was created
    localaws.configure(iam_propagation_seconds=0)
    sm.create_model(ModelName="m1", ExecutionRoleArn=role, PrimaryContainer=container)
    assert sm.describe_model(ModelName="m1")["ExecutionRoleArn"] == role
    # a role that does not trust SageMaker never becomes assumable; a role moto does not hold is not checked
    untrusted = create_role("ec2-role", service="ec2.amazonaws.com")
    with pytest.raises(sm.exceptions.ClientError, match="Could not assume role"):
        sm.create_model(ModelName="m2", ExecutionRoleArn=untrusted, PrimaryContainer=container)
    sm.create_model(
        ModelName="m3",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/elsewhere",
        PrimaryContainer=container,
    )


@pytest.mark.usefixtures("rollback_alarm")
def test_a_rollout_with_a_role_created_a_moment_ago_retries_until_sagemaker_can_assume_it(
    localaws: Any,
) -> None:
    # IAM "propagates" the role only once SageMaker has refused it at least twice: deterministic on any load
    localaws.configure(iam_propagation_seconds=10_000)
    role = create_role("new-whisper-sagemaker")
    spec = parse_spec({**document(), "execution_role_arn": role})
    rt, progress = runtime()
    in_background(
        lambda: (
            wait_for(lambda: create_model_statuses(localaws.calls()).count(400) >= 2),
            localaws.configure(iam_propagation_seconds=0),
        )
    )

    result = operations.terraform_apply(spec, "rollout-1", runtime=rt)

    assert result["last_rollout"] == "succeeded", result
    live = endpoint(boto3.client("sagemaker", region_name=REGION))
    assert live["EndpointStatus"] == "InService"
    statuses = create_model_statuses(localaws.calls())
    assert statuses[:2] == [400, 400] and statuses[-1] == 200, statuses
    assert "IAM propagation" in progress.getvalue()


@pytest.mark.usefixtures("rollback_alarm")
def test_a_role_that_does_not_trust_sagemaker_fails_with_awss_message_and_creates_nothing(
    localaws: Any,
) -> None:
    role = create_role("lambda-role", service="lambda.amazonaws.com")
    spec = parse_spec({**document(), "execution_role_arn": role})
    rt, _ = runtime()
    before = len(localaws.calls())

    with pytest.raises(DeployerError) as failed:
        operations.terraform_apply(spec, "rollout-1", runtime=rt)

    assert f"Could not assume role {role}" in str(failed.value)
    assert "sagemaker.amazonaws.com" in str(failed.value)
    written = [c for c in localaws.calls()[before:] if c["write"]]
    assert set(ops(written)) <= {"CreateModel", "AddTags"}, ops(written)
    sm = boto3.client("sagemaker", region_name=REGION)
    assert sm.list_endpoints()["Endpoints"] == [] and sm.list_models()["Models"] == []
