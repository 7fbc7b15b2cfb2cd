"""Issue 13 item 1, read from what Terraform plans for the root module (tests/e2e/stacks/lifecycle): the
module's vpc_config / enable_network_isolation inputs are validated at plan and reach the spec (the
execution role's EC2 statements: tests/security/test_parliament.py and tests/e2e/test_example_vpc.py).
Nothing is applied."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e import test_lifecycle_plan as lifecycle
from tests.e2e.test_lifecycle_plan import planned, refused, variant
from tests.tfharness.runner import TerraformRunner

pytestmark = pytest.mark.e2e

stack = lifecycle.stack  # the lifecycle stack's fixture, staged and initialised once for this module

SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"]
GROUPS = ["sg-0a1b2c3d4e5f60718"]
SERVERLESS = {
    "name": "S",
    "containers": [{"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/model@sha256:" + "a" * 64}],
    "serverless": {"memory_size_mb": 2048, "max_concurrency": 5},
}


@pytest.mark.parametrize(
    ("variables", "reason"),
    [
        ({"vpc_config": {"subnet_ids": [], "security_group_ids": GROUPS}}, "vpc_config.subnet_ids: 1 to 16"),
        (
            {"vpc_config": {"subnet_ids": [f"subnet-{i}" for i in range(17)], "security_group_ids": GROUPS}},
            "vpc_config.subnet_ids: 1 to 16",
        ),
        (
            {"vpc_config": {"subnet_ids": GROUPS, "security_group_ids": GROUPS}},
            "vpc_config.subnet_ids: 1 to 16",
        ),
        (
            {"vpc_config": {"subnet_ids": SUBNETS, "security_group_ids": [f"sg-{i}" for i in range(6)]}},
            "vpc_config.security_group_ids: 1 to 5",
        ),
        (
            {"vpc_config": {"subnet_ids": SUBNETS, "security_group_ids": SUBNETS}},
            "vpc_config.security_group_ids: 1 to 5",
        ),
        (
            {"variants": [SERVERLESS], "vpc_config": {"subnet_ids": SUBNETS, "security_group_ids": GROUPS}},
            "neither vpc_config nor enable_network_isolation",
        ),
        ({"variants": [SERVERLESS], "enable_network_isolation": True}, "neither vpc_config nor"),
    ],
    ids=[
        "no-subnet",
        "17-subnets",
        "subnet-shape",
        "6-groups",
        "group-shape",
        "serverless-vpc",
        "serverless-iso",
    ],
)
def test_invalid_network_inputs_are_refused_at_plan(
    stack: TerraformRunner, variables: dict[str, Any], reason: str
) -> None:
    variables = {"variants": [variant("V", "ml.m5.large")], **variables}
    assert reason in refused(stack, variables)


def test_the_network_reaches_the_spec(stack: TerraformRunner) -> None:
    plan = planned(
        stack,
        {
            "variants": [variant("V", "ml.g5.xlarge")],
            "vpc_config": {"subnet_ids": SUBNETS, "security_group_ids": GROUPS},
            "enable_network_isolation": True,
            "execution_role_arn": "arn:aws:iam::123456789012:role/given",  # a spec known at plan
        },
    )
    module = plan["planned_values"]["outputs"]
    spec = json.loads(module["spec_json"]["value"])
    (v,) = spec["variants"]
    assert v["vpc_config"] == {"subnets": SUBNETS, "security_group_ids": GROUPS}
    assert v["enable_network_isolation"] is True


def test_without_a_vpc_the_spec_has_no_network(stack: TerraformRunner) -> None:
    plan = planned(
        stack,
        {
            "variants": [variant("V", "ml.g5.xlarge")],
            "execution_role_arn": "arn:aws:iam::123456789012:role/given",
        },
    )
    (v,) = json.loads(plan["planned_values"]["outputs"]["spec_json"]["value"])["variants"]
    assert v["vpc_config"] is None and v["enable_network_isolation"] is False
