"""Issue 13 item 1 against localaws: a variant's VpcConfig and EnableNetworkIsolation reach CreateModel,
DescribeModel returns them, an unchanged document stays a read, a change rolls out, and a hotfix keeps
them (the hotfix rebuilds the spec from DescribeModel)."""

from __future__ import annotations

import json

import boto3
import pytest

from deployer import operations
from deployer.release import release_id
from deployer.spec import parse_spec
from tests.integration.test_deployer_support import (
    REGION,
    clients,
    document,
    image,
    rollback_alarm,  # noqa: F401 (fixture)
    runtime,
    with_variant,
    writes,
)

pytestmark = pytest.mark.usefixtures("rollback_alarm")


def apply(spec_value, rollout_id):
    rt, _ = runtime(spec_value.endpoint_name)
    return operations.terraform_apply(spec_value, rollout_id, runtime=rt)


@pytest.fixture
def network(localaws):
    """A VPC, two subnets and a security group in localaws's EC2 (moto)."""
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24")["Subnet"]["SubnetId"] for i in (1, 2)
    ]
    group = ec2.create_security_group(GroupName="model", Description="model", VpcId=vpc)["GroupId"]
    return subnets, [group]


def model_of(result):
    (name,) = json.loads(result["release_models"])
    return clients().sagemaker.describe_model(ModelName=name)


def test_vpc_and_isolation_roll_out_and_are_described(localaws, network):
    subnets, groups = network
    plain = parse_spec(document(tag="v1"))
    created = apply(plain, "rollout-1")
    model = model_of(created)
    assert "VpcConfig" not in model
    assert model["EnableNetworkIsolation"] is False

    vpc_doc = with_variant(
        document(tag="v1"),
        vpc_config={"subnets": subnets, "security_group_ids": groups},
        enable_network_isolation=True,
    )
    in_vpc = parse_spec(vpc_doc)
    assert release_id(in_vpc) != release_id(plain)
    result = apply(in_vpc, "rollout-2")
    assert result["last_rollout"] == "succeeded"
    assert result["release"] == release_id(in_vpc)
    model = model_of(result)
    assert model["VpcConfig"] == {"Subnets": subnets, "SecurityGroupIds": groups}
    assert model["EnableNetworkIsolation"] is True
    live = clients().sagemaker.describe_endpoint(EndpointName="whisper")
    assert live["EndpointConfigName"] == result["endpoint_config_name"]

    # status shows the live model's network, per variant.
    (shown,) = operations.status("whisper", runtime("whisper")[0])["variants"]
    assert shown["network"] == {
        "vpc_config": {"subnets": subnets, "security_group_ids": groups},
        "enable_network_isolation": True,
    }

    # The same document again: a read, no write.
    before = len(localaws.calls())
    again = apply(parse_spec(vpc_doc), "rollout-2")
    assert writes(localaws.calls()[before:]) == []
    assert again["action"] == "unchanged"

    # A hotfix rebuilds the live release from DescribeModel: the VPC and the isolation stay.
    rt, _ = runtime("whisper")
    fixed = operations.hotfix("whisper", image("v2"), None, None, rt)
    model = model_of(fixed)
    assert model["PrimaryContainer"]["Image"] == image("v2")
    assert model["VpcConfig"] == {"Subnets": subnets, "SecurityGroupIds": groups}
    assert model["EnableNetworkIsolation"] is True


def test_leaving_the_vpc_is_a_new_release_without_vpc_config(localaws, network):
    subnets, groups = network
    vpc_doc = with_variant(
        document(tag="v1"), vpc_config={"subnets": subnets[:1], "security_group_ids": groups}
    )
    first = apply(parse_spec(vpc_doc), "rollout-1")
    assert model_of(first)["VpcConfig"]["Subnets"] == subnets[:1]
    assert model_of(first)["EnableNetworkIsolation"] is False

    second = apply(parse_spec(document(tag="v1")), "rollout-2")
    assert second["release"] != first["release"]
    assert second["last_rollout"] == "succeeded"
    assert "VpcConfig" not in model_of(second)
    (shown,) = operations.status("whisper", runtime("whisper")[0])["variants"]
    assert shown["network"] == {}
