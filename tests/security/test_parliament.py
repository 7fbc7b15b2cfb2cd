"""parliament (with its community auditors) over every policy document the IAM module outputs or attaches.

The documents are rendered by real Terraform from tests/security/stacks/iam-policies (the IAM submodule with
every option that adds a statement), with ``terraform plan -out`` and ``terraform show -json``: the
documents are data sources, known at plan, so nothing is created. Issue 8 item 1: no PRIVILEGE_ESCALATION and
no RESOURCE_MISMATCH finding on any of them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.tfharness.runner import TerraformRunner
from tests.tfharness.tree import stage_configuration

pytestmark = pytest.mark.e2e

STACK = Path(__file__).parent / "stacks" / "iam-policies"
FORBIDDEN = {"PRIVILEGE_ESCALATION", "RESOURCE_MISMATCH"}


def findings(document: str) -> list[tuple[str, object]]:
    from parliament import analyze_policy_string

    policy = analyze_policy_string(document, include_community_auditors=True)
    return [(f.issue, f.location) for f in policy.findings]


@pytest.fixture(scope="module")
def rendered(localaws_server, tf_harness, tmp_path_factory) -> dict[str, str]:
    workdir = stage_configuration(STACK, tmp_path_factory.mktemp("parliament"))
    stack = TerraformRunner(workdir, tf_harness, env={**os.environ, "AWS_ENDPOINT_URL": localaws_server.url})
    stack.init()
    rendered = {}
    for suffix, variables in (("", {}), ("_no_key", {"kms_key_arns": [], "data_capture_kms_key_arns": []})):
        stack.plan(variables, "-out=plan.tfplan", detailed_exitcode=False)
        plan = json.loads(stack.run("show", "-json", "-no-color", "plan.tfplan").stdout)
        policies = plan["planned_values"]["outputs"]["policies"]["value"]
        rendered.update({name + suffix: document for name, document in policies.items()})
        documents = plan["planned_values"]["outputs"]["documents"]["value"]
        for name, parts in documents.items():
            rendered.update({f"{name}{suffix}_part{i}": part for i, part in enumerate(parts)})
    return rendered


NAMES = ["execution", "invoke", "ci_plan", "ci_apply"]
ALL = NAMES + [name + "_no_key" for name in NAMES]


def test_every_policy_is_rendered(rendered: dict[str, str]) -> None:
    assert set(ALL) <= set(rendered)
    assert "ci_apply_part0" in rendered


def test_the_ci_documents_fit_managed_policies_and_hold_every_statement(rendered: dict[str, str]) -> None:
    for name in ("ci_plan", "ci_apply", "ci_plan_no_key", "ci_apply_no_key"):
        parts = [doc for key, doc in rendered.items() if key.startswith(name + "_part")]
        # IAM counts the characters of the document without whitespace (IAM and STS quotas).
        sizes = [len("".join(json.dumps(json.loads(p), separators=(",", ":")).split())) for p in parts]
        assert parts and max(sizes) <= 6144, (name, sizes)
        statements = [s for p in parts for s in json.loads(p)["Statement"]]
        assert statements == json.loads(rendered[name])["Statement"]
    for name, document in rendered.items():
        assert json.loads(document)["Statement"], name


@pytest.mark.parametrize("name", ALL)
def test_no_privilege_escalation_or_resource_mismatch(rendered: dict[str, str], name: str) -> None:
    bad = [(issue, location) for issue, location in findings(rendered[name]) if issue in FORBIDDEN]
    assert bad == [], f"{name}: parliament findings {bad}"


def _resources(document: str) -> list[str]:
    resources = []
    for statement in json.loads(document)["Statement"]:
        found = statement.get("Resource", [])
        resources += [found] if isinstance(found, str) else found
    return resources


@pytest.mark.parametrize("name", NAMES)
def test_without_a_key_no_statement_names_any_key(rendered: dict[str, str], name: str) -> None:
    assert [r for r in _resources(rendered[name + "_no_key"]) if ":kms:" in r] == []
    assert any(":key/" in r for r in _resources(rendered["ci_apply"]))


def test_parliament_catches_the_escalation_it_guards_against() -> None:
    """The check can fail: the old IamWrite grant (a rewritable policy version) is reported."""
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["iam:CreatePolicyVersion", "iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
                    "Resource": "arn:aws:iam::123456789012:role/x",
                }
            ],
        }
    )
    assert "PRIVILEGE_ESCALATION" in {issue for issue, _ in findings(document)}


@pytest.mark.parametrize(
    ("hostname", "allowed"),
    [
        ("primary", True),  # allowed by name
        ("internal", False),  # the Deny statement's pattern
        ("secondary", False),  # not in the allowed patterns
        (None, False),  # no TargetContainerHostname in the request: the condition fails closed
    ],
)
def test_the_invoke_policys_hostname_condition_fails_closed(
    rendered: dict[str, str], hostname: str | None, allowed: bool
) -> None:
    """Issue 8 item 7, evaluated with principalmapper's local policy simulation (IAM's evaluation logic:
    a condition on a key the request lacks does not match, so StringLike on an Allow fails closed; the
    ``...IfExists`` operators would fail open). The stack allows ``primary`` and denies ``internal``."""
    from tests.iamproof.actions import Account, Request
    from tests.iamproof.prove import _principal
    from tests.iamproof.prove import allowed as is_allowed

    account = Account("aws", "us-east-1", "123456789012")
    principal = _principal("invoke", [json.loads(rendered["invoke"])], account)
    endpoint = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/parliament-endpoint"
    context = (("sagemaker:TargetContainerHostname", hostname),) if hostname else ()
    assert is_allowed(principal, Request("sagemaker:InvokeEndpoint", endpoint, context)) is allowed
    # The same policy allows nothing on another endpoint, whatever the hostname.
    other = endpoint.replace("parliament-endpoint", "parliament-endpoint-large")
    assert is_allowed(principal, Request("sagemaker:InvokeEndpoint", other, context)) is False


def test_the_hostname_check_can_fail(rendered: dict[str, str]) -> None:
    """The same evaluation lets a request without the key through once the Allow says StringLikeIfExists."""
    from tests.iamproof.actions import Account, Request
    from tests.iamproof.prove import _principal
    from tests.iamproof.prove import allowed as is_allowed

    document = json.loads(rendered["invoke"])
    for statement in document["Statement"]:
        if statement["Effect"] == "Allow" and "StringLike" in statement.get("Condition", {}):
            statement["Condition"] = {"StringLikeIfExists": statement["Condition"]["StringLike"]}
    principal = _principal("invoke", [document], Account("aws", "us-east-1", "123456789012"))
    endpoint = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/parliament-endpoint"
    assert is_allowed(principal, Request("sagemaker:InvokeEndpoint", endpoint)) is True


def test_the_execution_role_may_write_data_capture_and_encrypt_it(rendered: dict[str, str]) -> None:
    """Data capture (issue 13 item 2): s3:PutObject under the capture prefix only, and kms:Encrypt /
    kms:GenerateDataKey on its key; without that key, no statement names it."""
    statements = {s.get("Sid"): s for s in json.loads(rendered["execution"])["Statement"]}
    write = statements["WriteDataCapture"]
    assert write["Action"] in ("s3:PutObject", ["s3:PutObject"])
    assert write["Resource"] in (
        "arn:aws:s3:::parliament-endpoint-async/data-capture/*",
        ["arn:aws:s3:::parliament-endpoint-async/data-capture/*"],
    )
    encrypt = statements["EncryptDataCapture"]
    assert sorted(encrypt["Action"]) == ["kms:Encrypt", "kms:GenerateDataKey"]
    assert "EncryptDataCapture" not in {
        s.get("Sid") for s in json.loads(rendered["execution_no_key"])["Statement"]
    }


STACK_SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"]
STACK_GROUPS = ["sg-0a1b2c3d4e5f60718"]


@pytest.mark.parametrize(
    ("vpc", "isolation", "allowed"),
    [
        ({"Subnets": STACK_SUBNETS, "SecurityGroupIds": STACK_GROUPS}, True, True),
        ({"Subnets": STACK_SUBNETS[:1], "SecurityGroupIds": STACK_GROUPS}, True, True),  # a subset
        ({"Subnets": STACK_SUBNETS, "SecurityGroupIds": STACK_GROUPS}, False, False),  # isolation off
        ({"Subnets": ["subnet-0fffffffffffffff0"], "SecurityGroupIds": STACK_GROUPS}, True, False),
        ({"Subnets": STACK_SUBNETS, "SecurityGroupIds": ["sg-0fffffffffffffff0"]}, True, False),
        (None, True, False),  # no VPC at all: the Null condition fails closed
    ],
)
def test_the_apply_policy_creates_models_only_in_the_configured_network(
    rendered: dict[str, str], vpc: dict | None, isolation: bool, allowed: bool
) -> None:
    """Issue 13 item 1: with a VPC and isolation configured, CreateModel carries sagemaker:VpcSubnets,
    sagemaker:VpcSecurityGroupIds and sagemaker:NetworkIsolation, and the CI apply policy allows exactly
    the configured network (principalmapper's local policy simulation, the request context of
    tests/iamproof/actions.py)."""
    from tests.iamproof.actions import Account, requests_for
    from tests.iamproof.prove import _principal
    from tests.iamproof.prove import allowed as is_allowed

    account = Account("aws", "us-east-1", "123456789012")
    principal = _principal("ci_apply", [json.loads(rendered["ci_apply"])], account)
    params = {"ModelName": "parliament-endpoint-0123456789ab-m0", "EnableNetworkIsolation": isolation}
    if vpc:
        params["VpcConfig"] = vpc
    call = {"service": "sagemaker", "operation": "CreateModel", "params": params}
    (create,) = [r for r in requests_for(call, account) if r.action == "sagemaker:CreateModel"]
    assert is_allowed(principal, create) is allowed


def test_the_execution_role_manages_network_interfaces_only_in_its_subnets(rendered: dict[str, str]) -> None:
    from tests.iamproof.actions import Account, Request
    from tests.iamproof.prove import _principal
    from tests.iamproof.prove import allowed as is_allowed

    account = Account("aws", "us-east-1", "123456789012")
    principal = _principal("execution", [json.loads(rendered["execution"])], account)
    ec2 = "arn:aws:ec2:us-east-1:123456789012"
    eni = f"{ec2}:network-interface/eni-0123456789abcdef0"
    ours = ((("ec2:Subnet", f"{ec2}:subnet/{STACK_SUBNETS[0]}"),),)
    theirs = ((("ec2:Subnet", f"{ec2}:subnet/subnet-0fffffffffffffff0"),),)
    assert is_allowed(principal, Request("ec2:CreateNetworkInterface", f"{ec2}:subnet/{STACK_SUBNETS[1]}"))
    assert not is_allowed(
        principal, Request("ec2:CreateNetworkInterface", f"{ec2}:subnet/subnet-0fffffffffffffff0")
    )
    assert is_allowed(
        principal, Request("ec2:CreateNetworkInterface", f"{ec2}:security-group/{STACK_GROUPS[0]}")
    )
    assert is_allowed(principal, Request("ec2:DeleteNetworkInterface", eni, ours[0]))
    assert not is_allowed(principal, Request("ec2:DeleteNetworkInterface", eni, theirs[0]))
    assert not is_allowed(principal, Request("ec2:DeleteNetworkInterface", eni))
    assert is_allowed(principal, Request("ec2:DescribeSubnets", "*"))
