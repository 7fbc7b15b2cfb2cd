"""The replay proof's own tests: operation -> IAM action and ARN, and allow/deny through principalmapper."""

from __future__ import annotations

from typing import Any

import pytest

from tests.iamproof.actions import Account, UnknownOperation, actions_for, requests_for
from tests.iamproof.prove import prove
from tests.iamproof.recorder import APPLY, PLAN, Window, ci_policies

ACCOUNT = Account("aws", "us-east-1", "123456789012")
TF = "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0"
DEPLOYER = "Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux sagemaker-rollout"
SM = "arn:aws:sagemaker:us-east-1:123456789012"


def call(service: str, operation: str, agent: str = TF, **params: Any) -> dict[str, Any]:
    return {"service": service, "operation": operation, "params": params, "user_agent": agent}


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions: list[str], resources: list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


PLAN_POLICY = document(allow(["sagemaker:DescribeEndpoint"], [f"{SM}:endpoint/whisper"]))
APPLY_POLICY = document(
    allow(["sagemaker:CreateModel"], [f"{SM}:model/whisper-*"]),
    allow(
        ["iam:PassRole"],
        ["arn:aws:iam::123456789012:role/whisper-sagemaker"],
        Condition={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
    ),
    allow(["s3:ListBucket"], ["arn:aws:s3:::whisper-bucket"]),
    {"Effect": "Deny", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::whisper-bucket"]},
)
POLICIES = {PLAN: [PLAN_POLICY], APPLY: [APPLY_POLICY]}


def test_a_call_the_policy_grants_is_proven_with_its_action_and_arn() -> None:
    windows = [Window("plan", PLAN, (call("sagemaker", "DescribeEndpoint", EndpointName="Whisper"),))]
    proof = prove(windows, POLICIES, ACCOUNT)
    assert proof.denials == ()
    # SageMaker lowercases names in ARNs
    assert proof.proven[PLAN] == {("sagemaker:DescribeEndpoint", f"{SM}:endpoint/whisper")}


def test_a_write_in_a_plan_window_is_denied_with_the_action_and_the_arn() -> None:
    windows = [Window("plan", PLAN, (call("sagemaker", "DeleteEndpoint", DEPLOYER, EndpointName="whisper"),))]
    (denial,) = prove(windows, POLICIES, ACCOUNT).denials
    assert (denial.action, denial.resource, denial.caller) == (
        "sagemaker:DeleteEndpoint",
        f"{SM}:endpoint/whisper",
        "deployer",
    )
    assert "sagemaker:DeleteEndpoint on arn:aws:sagemaker:us-east-1:123456789012:endpoint/whisper" in str(
        denial
    )


def test_another_endpoints_name_is_denied() -> None:
    windows = [Window("plan", PLAN, (call("sagemaker", "DescribeEndpoint", EndpointName="whisper-large"),))]
    assert [d.resource for d in prove(windows, POLICIES, ACCOUNT).denials] == [f"{SM}:endpoint/whisper-large"]


def test_pass_role_is_checked_with_the_service_it_is_passed_to() -> None:
    role = "arn:aws:iam::123456789012:role/whisper-sagemaker"
    create = call("sagemaker", "CreateModel", DEPLOYER, ModelName="whisper-abc-m0", ExecutionRoleArn=role)
    proof = prove([Window("apply", APPLY, (create,))], POLICIES, ACCOUNT)
    assert proof.denials == ()
    assert ("iam:PassRole", role) in proof.proven[APPLY]
    other_role = dict(create, params={"ModelName": "whisper-abc-m0", "ExecutionRoleArn": role + "-admin"})
    (denial,) = prove([Window("apply", APPLY, (other_role,))], POLICIES, ACCOUNT).denials
    assert (denial.action, denial.resource) == ("iam:PassRole", role + "-admin")


def test_an_explicit_deny_wins_and_s3_operations_map_to_their_actions() -> None:
    head = call("s3", "HeadBucket", Bucket="whisper-bucket")
    (denial,) = prove([Window("destroy", APPLY, (head,))], POLICIES, ACCOUNT).denials
    assert (denial.action, denial.resource) == ("s3:ListBucket", "arn:aws:s3:::whisper-bucket")


def test_calls_of_other_callers_are_not_the_ci_roles() -> None:
    setup = call("ecr", "PutImage", "Boto3/1.35.0 md/Botocore#1.35.0", repositoryName="x")
    assert prove([Window("apply", APPLY, (setup,))], POLICIES, ACCOUNT).count() == 0


def test_a_call_naming_no_resource_needs_a_statement_on_star() -> None:
    (request,) = requests_for(call("sagemaker", "ListEndpoints"), ACCOUNT)
    assert (request.action, request.resource) == ("sagemaker:ListEndpoints", "*")
    # a scalable target's ARN carries an id AAS assigns: its ResourceId does not name it
    (request,) = requests_for(
        call("application-autoscaling", "RegisterScalableTarget", ResourceId="endpoint/e/variant/v"), ACCOUNT
    )
    assert request.resource == "*"


def test_alias_calls_need_the_action_on_the_alias_and_on_its_key() -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/k-1"
    alias = "arn:aws:kms:us-east-1:123456789012:alias/whisper"
    created = requests_for(call("kms", "CreateAlias", AliasName="alias/whisper", TargetKeyId="k-1"), ACCOUNT)
    assert {(r.action, r.resource) for r in created} == {("kms:CreateAlias", alias), ("kms:CreateAlias", key)}
    deleted = requests_for(
        call("kms", "DeleteAlias", AliasName="alias/whisper"), ACCOUNT, {"alias/whisper": "k-1"}
    )
    assert {(r.action, r.resource) for r in deleted} == {("kms:DeleteAlias", alias), ("kms:DeleteAlias", key)}


def test_operations_without_a_known_action_fail_loudly_and_get_caller_identity_needs_none() -> None:
    assert actions_for("sts", "GetCallerIdentity") == ()
    assert actions_for("s3", "GetBucketEncryption") == ("s3:GetEncryptionConfiguration",)
    with pytest.raises(UnknownOperation):
        actions_for("sagemaker", "NoSuchOperation")


def test_ci_policies_are_read_from_every_iam_module_in_the_state() -> None:
    def iam_module(address: str) -> dict[str, Any]:
        return {
            "address": address,
            "resources": [
                {
                    "mode": "data",
                    "type": "aws_iam_policy_document",
                    "name": name,
                    "values": {"json": '{"Version": "2012-10-17", "Statement": []}'},
                }
                for name in ("ci_plan", "ci_apply", "execution")
            ],
        }

    state = {
        "values": {
            "root_module": {
                "child_modules": [
                    {"address": 'module.e["a"]', "child_modules": [iam_module('module.e["a"].module.iam')]},
                    {"address": 'module.e["b"]', "child_modules": [iam_module('module.e["b"].module.iam')]},
                ]
            }
        }
    }
    found = ci_policies(state)
    assert (len(found[PLAN]), len(found[APPLY])) == (2, 2)


def test_creating_with_tags_needs_the_tagging_action_and_the_tags_become_resource_tags() -> None:
    tagged = {"sagemaker-rollout:endpoint": "whisper"}
    key = dict(call("kms", "CreateKey"), tags=tagged)
    assert {(r.action, r.resource) for r in requests_for(key, ACCOUNT)} == {
        ("kms:CreateKey", "*"),
        ("kms:TagResource", "*"),
    }
    create_policy = document(
        allow(
            ["kms:CreateKey", "kms:TagResource"],
            ["*"],
            Condition={"StringEquals": {"aws:RequestTag/sagemaker-rollout:endpoint": "whisper"}},
        ),
        allow(
            ["sagemaker:DeleteModel"],
            [f"{SM}:model/whisper-*"],
            Condition={"StringEquals": {"aws:ResourceTag/sagemaker-rollout:endpoint": "whisper"}},
        ),
        allow(["sagemaker:CreateModel", "sagemaker:AddTags"], [f"{SM}:model/whisper-*"]),
    )
    policies = {APPLY: [create_policy]}
    assert prove([Window("apply", APPLY, (key,))], policies, ACCOUNT).denials == ()
    untagged = call("kms", "CreateKey")
    (denial,) = prove([Window("apply", APPLY, (untagged,))], policies, ACCOUNT).denials
    assert denial.action == "kms:CreateKey"
    # the deployer's own model is deleted; another endpoint's model under the same prefix is not
    ours = dict(call("sagemaker", "CreateModel", DEPLOYER, ModelName="whisper-abc-m0"), tags=tagged)
    theirs = dict(
        call("sagemaker", "CreateModel", DEPLOYER, ModelName="whisper-large-abc-m0"),
        tags={"sagemaker-rollout:endpoint": "whisper-large"},
    )
    deletes = (
        call("sagemaker", "DeleteModel", DEPLOYER, ModelName="whisper-abc-m0"),
        call("sagemaker", "DeleteModel", DEPLOYER, ModelName="whisper-large-abc-m0"),
    )
    proof = prove([Window("apply", APPLY, (ours, theirs, *deletes))], policies, ACCOUNT)
    assert [(d.action, d.resource) for d in proof.denials] == [
        ("sagemaker:DeleteModel", f"{SM}:model/whisper-large-abc-m0")
    ]


def test_tags_go_only_on_untagged_resources_or_this_endpoints() -> None:
    policies = {
        APPLY: [
            document(
                allow(
                    ["sagemaker:AddTags"],
                    [f"{SM}:endpoint-config/whisper-*"],
                    Condition={
                        "StringEqualsIfExists": {"aws:ResourceTag/sagemaker-rollout:endpoint": "whisper"}
                    },
                ),
                allow(["sagemaker:CreateEndpointConfig"], [f"{SM}:endpoint-config/whisper-*"]),
            )
        ]
    }

    def create(name: str, endpoint: str) -> dict[str, Any]:
        made = call("sagemaker", "CreateEndpointConfig", DEPLOYER, EndpointConfigName=name)
        return dict(made, tags={"sagemaker-rollout:endpoint": endpoint})

    def tag(name: str) -> dict[str, Any]:
        made = call("sagemaker", "AddTags", DEPLOYER, ResourceArn=f"{SM}:endpoint-config/{name}")
        return dict(made, tags={"sagemaker-rollout:endpoint": "whisper"})

    calls = (create("whisper-a", "whisper"), create("whisper-large-a", "whisper-large"))
    calls += (tag("whisper-a"), tag("whisper-large-a"))
    proof = prove([Window("apply", APPLY, calls)], policies, ACCOUNT)
    # creating either is allowed (no tag yet); tagging the other endpoint's release is not
    assert [(d.operation, d.resource) for d in proof.denials] == [
        ("AddTags", f"{SM}:endpoint-config/whisper-large-a")
    ]
