"""examples/async-whisper switched to VPC mode (issue 13 item 1), real Terraform against localaws.

1. apply without VPC mode, then with it (a VPC, two subnets and a security group created in localaws's
   EC2 first): a new release rolled out, its model with that VpcConfig; the execution role may create
   network interfaces in exactly those subnets;
2. plan right after: no changes and no write;
3. destroy leaves nothing;
4. proof by replay from the VPC-mode apply on: every call allowed by the module's CI policies in VPC mode
   (tests/iamproof), CreateModel with its sagemaker:VpcSubnets / VpcSecurityGroupIds context; and the
   first apply's CreateModel (no VPC) is denied by them, so the conditions are what is proven.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import boto3
import pytest

from tests.e2e.example_support import REGION, Clients, leftovers, snapshot
from tests.e2e.test_examples import (
    ACCOUNT,
    EXAMPLES,
    assert_proven,
    assert_quiet_plan,
    async_whisper,
    config_name,
    grants,
    role_policy_documents,
)
from tests.iamproof.prove import prove
from tests.iamproof.recorder import Recorder

pytestmark = pytest.mark.e2e


def network() -> tuple[list[str], list[str]]:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.30.{i}.0/24")["Subnet"]["SubnetId"] for i in (1, 2)
    ]
    group = ec2.create_security_group(GroupName="whisper", Description="whisper models", VpcId=vpc)
    return subnets, [group["GroupId"]]


def models_of(c: Clients, endpoint: str) -> list[dict[str, Any]]:
    live = c.sagemaker.describe_endpoint(EndpointName=endpoint)
    config = c.sagemaker.describe_endpoint_config(EndpointConfigName=live["EndpointConfigName"])
    return [c.sagemaker.describe_model(ModelName=v["ModelName"]) for v in config["ProductionVariants"]]


def test_async_whisper_vpc_mode(localaws: Any, tf_workdir: Any) -> None:
    c = Clients.create()
    example = async_whisper(c)
    subnets, groups = network()
    before_apply = snapshot(c)
    tf = Recorder(tf_workdir(EXAMPLES / example.directory), localaws)
    tf.init()

    # 1. without VPC mode, then with it: a rollout to a model in the VPC
    plain = example.variables(1)
    tf.apply(plain)
    (model,) = models_of(c, "whisper")
    assert "VpcConfig" not in model
    outside = config_name(tf.output(), "whisper")
    first = len(tf.windows)
    plain_policies = tf.policies

    variables = plain | {"vpc_subnet_ids": subnets, "vpc_security_group_ids": groups}
    tf.apply(variables)
    outputs = tf.output()
    live = c.sagemaker.describe_endpoint(EndpointName="whisper")
    assert live["EndpointStatus"] == "InService"
    assert live["EndpointConfigName"] == config_name(outputs, "whisper") != outside
    assert live["LastDeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["Type"] == (
        "ALL_AT_ONCE"
    )
    (model,) = models_of(c, "whisper")
    assert model["VpcConfig"] == {"Subnets": subnets, "SecurityGroupIds": groups}
    assert model["EnableNetworkIsolation"] is False
    (create_eni,) = [
        statement
        for _, document in role_policy_documents(c, outputs["execution_role_name"])
        for statement in document["Statement"]
        if grants(statement, "ec2:CreateNetworkInterface")
    ]
    arns = {f"arn:aws:ec2:{REGION}:123456789012:subnet/{s}" for s in subnets}
    assert arns <= set(create_eni["Resource"])

    # 2. no change, no write
    assert_quiet_plan(tf, localaws, variables)

    # 3. destroy
    tf.destroy(variables)
    assert leftovers(before_apply, snapshot(c)) == {}

    # 4. the proof by replay: each window against the CI policies of its phase (a CI role's policies follow
    # the module's: the plain ones for the first apply, the VPC-mode ones from the switch on).
    vpc_policies = tf.policies
    windows = list(tf.windows)
    tf.windows = [replace(w, policy=f"plain-{w.policy}") for w in windows[:first]] + windows[first:]
    tf.policies = {**vpc_policies, **{f"plain-{k}": v for k, v in plain_policies.items()}}
    assert_proven("async-whisper-vpc", tf)
    # The proof can fail: the first apply's CreateModel (no VpcConfig) is denied by the VPC-mode policies.
    denials = prove(windows, vpc_policies, ACCOUNT).denials
    assert ("apply", "CreateModel", "sagemaker:CreateModel") in {
        (d.command, d.operation, d.action) for d in denials
    }
