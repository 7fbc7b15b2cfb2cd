"""Issue 8, lifecycle items, read from what Terraform plans for the root module.

tests/e2e/stacks/lifecycle calls the root module; each case is ``terraform plan -out`` and ``terraform show
-json`` against localaws (the data sources only: a first plan defers the deployer to apply, so the deployer's
result is unknown, as it is during a rollout). Nothing is applied.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.tfharness.runner import TerraformRunner, diagnostics
from tests.tfharness.tree import stage_configuration

pytestmark = pytest.mark.e2e

STACK = Path(__file__).parent / "stacks" / "lifecycle"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/model@sha256:" + "a" * 64
DLC_IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-gpu-py311"
# Hyphenated and digit-bearing families AWS lists for SageMaker hosting.
GOOD_TYPES = ["ml.p6-b200.48xlarge", "ml.g6e.xlarge", "ml.inf2.xlarge"]


def variant(name: str, instance_type: str, image: str = IMAGE, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "containers": [
            {"image": image, "model_data_url": "s3://models/m.tar.gz", "environment": {"TOKEN": "x"}}
        ],
        "instance_type": instance_type,
        "initial_instance_count": 1,
        **extra,
    }


ASYNC = {"create_topics": True}


@pytest.fixture(scope="module")
def stack(localaws_server, tf_harness, tmp_path_factory) -> TerraformRunner:
    workdir = stage_configuration(STACK, tmp_path_factory.mktemp("lifecycle"))
    runner = TerraformRunner(workdir, tf_harness, env={**os.environ, "AWS_ENDPOINT_URL": localaws_server.url})
    runner.init()
    return runner


def planned(stack: TerraformRunner, variables: dict[str, Any]) -> dict[str, Any]:
    stack.plan(variables, "-out=plan.tfplan", detailed_exitcode=False)
    return json.loads(stack.run("show", "-json", "-no-color", "plan.tfplan").stdout)


def refused(stack: TerraformRunner, variables: dict[str, Any]) -> str:
    done = stack.plan(variables, "-json", detailed_exitcode=False, check=False)
    assert done.returncode == 1, done.stdout[-2000:]
    return " ".join(d.get("summary", "") + " " + d.get("detail", "") for d in diagnostics(done))


@pytest.fixture(scope="module")
def plan(stack: TerraformRunner) -> dict[str, Any]:
    variants = [variant(f"V{i}", t) for i, t in enumerate(GOOD_TYPES)]
    return planned(stack, {"variants": variants, "async_inference": ASYNC})


def _module_config(plan: dict[str, Any]) -> dict[str, Any]:
    return plan["configuration"]["root_module"]["module_calls"]["endpoint"]["module"]


# --- item 8: destroy order ------------------------------------------------------------------------


def test_the_endpoint_depends_on_everything_it_uses(plan: dict[str, Any]) -> None:
    """Terraform destroys in reverse dependency order: what the endpoint depends on outlives it."""
    module = _module_config(plan)
    endpoint = next(r for r in module["resources"] if r["address"] == "terraform_data.endpoint")
    needed = {
        "module.iam",
        "aws_kms_key.this",
        "aws_cloudwatch_log_group.this",
        "module.notifications",
        "module.alarms",
    }
    assert needed <= set(endpoint.get("depends_on", [])), endpoint.get("depends_on")
    # The bucket by reference (not the whole storage module: its lifecycle configuration waits >= 55 s).
    assert "module.storage[0].bucket_name" in endpoint["expressions"]["input"]["references"]
    # Each of them is really planned in this case, so the ordering is not about absent resources.
    addresses = {r["address"] for r in plan["resource_changes"]}
    for prefix in (
        "module.endpoint.module.iam.",
        "module.endpoint.module.storage[0].",
        "module.endpoint.module.notifications[0].",
        "module.endpoint.module.alarms[0].",
        "module.endpoint.aws_kms_key.this[0]",
        "module.endpoint.aws_cloudwatch_log_group.this",
    ):
        assert any(a.startswith(prefix) for a in addresses), prefix


def _reachable(graph: str, start: str) -> set[str]:
    """Nodes ``start`` depends on, directly or not, in ``terraform graph`` output (edges ``"A" -> "B"``)."""
    edges: dict[str, set[str]] = {}
    for line in graph.splitlines():
        if " -> " in line:
            a, b = (part.strip().rstrip(";").strip('"') for part in line.split(" -> "))
            edges.setdefault(a, set()).add(b)
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in edges.get(todo.pop(), set()) - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_the_destroy_graph_deletes_the_endpoint_first(stack: TerraformRunner, plan: dict[str, Any]) -> None:
    """``terraform graph`` (the resource dependency graph, transitively reduced): the endpoint depends on the
    role, key, log group, bucket, topics and alarms, so Terraform destroys it before any of them."""
    graph = stack.run("graph", "-no-color").stdout
    needs = _reachable(graph, "module.endpoint.terraform_data.endpoint")
    for resource in (
        "module.endpoint.module.iam.aws_iam_role.this",
        "module.endpoint.aws_kms_key.this",
        "module.endpoint.aws_cloudwatch_log_group.this",
        "module.endpoint.module.storage.aws_s3_bucket.this",
        "module.endpoint.module.notifications.aws_sns_topic.success",
        "module.endpoint.module.notifications.aws_sns_topic.error",
        "module.endpoint.module.alarms.aws_cloudwatch_metric_alarm.this",
    ):
        assert resource in needs, (resource, sorted(needs))
    # The deployer's rollout runs after the endpoint resource and is gone before it on destroy.
    assert "module.endpoint.terraform_data.endpoint" in _reachable(
        graph, "module.endpoint.terraform_data.rollout"
    )


# --- item 10: outputs known at plan -----------------------------------------------------------------


def test_name_arn_and_variants_are_known_while_the_deployer_result_is_not(plan: dict[str, Any]) -> None:
    outputs = plan["output_changes"]
    # The deployer's result is unknown (deferred to apply): the live-state output shows it.
    assert outputs["endpoint_config_name"]["after_unknown"] is True
    for name in ("endpoint_name", "endpoint_arn", "variant_names"):
        assert outputs[name]["after_unknown"] is False, name
    values = plan["planned_values"]["outputs"]
    assert values["endpoint_name"]["value"] == "lifecycle-endpoint"
    assert (
        values["endpoint_arn"]["value"]
        == "arn:aws:sagemaker:us-east-1:123456789012:endpoint/lifecycle-endpoint"
    )
    assert values["variant_names"]["value"] == ["V0", "V1", "V2"]


# --- item 9: the create toggle ----------------------------------------------------------------------


def test_create_false_plans_nothing_and_says_how_to_remove_the_module(stack: TerraformRunner) -> None:
    variables = {"variants": [variant("V", "ml.g5.xlarge")], "async_inference": ASYNC, "create": False}
    done = stack.plan(variables, "-json", detailed_exitcode=False)
    creates = [
        m["change"]["resource"]["addr"]
        for m in map(json.loads, filter(None, done.stdout.splitlines()))
        if m.get("type") == "planned_change" and m["change"]["action"] != "read"
    ]
    assert creates == []
    warnings = [d for d in diagnostics(done) if d["severity"] == "warning"]
    assert any("Remove the module block only after that apply" in d.get("detail", "") for d in warnings), (
        warnings
    )


# --- item 12: one-way or unsupported changes refused at plan ----------------------------------------


def serverless(name: str = "V") -> dict[str, Any]:
    v = variant(name, "unused")
    del v["instance_type"], v["initial_instance_count"]
    return {**v, "serverless": {"memory_size_mb": 2048, "max_concurrency": 5}}


def containers(v: dict[str, Any], n: int) -> dict[str, Any]:
    return {**v, "containers": v["containers"] * n, "inference_execution_mode": "Serial"}


@pytest.mark.parametrize(
    ("variables", "reason"),
    [
        (
            {"variants": [containers(variant("V", "ml.g5.xlarge"), 2)]},
            "Multi-container models do not run on GPU",
        ),
        ({"variants": [containers(serverless(), 2)]}, "A serverless variant runs one container"),
        (
            {"variants": [containers(variant("V", "ml.m5.large"), 2)], "async_inference": ASYNC},
            "asynchronous inference does not support multi-container models",
        ),
    ],
    ids=["multi-container-on-gpu", "serverless-multi-container", "async-multi-container"],
)
def test_unsupported_shapes_are_refused_at_plan(
    stack: TerraformRunner, variables: dict[str, Any], reason: str
):
    assert reason in refused(stack, variables)


def test_multi_container_on_cpu_is_planned(stack: TerraformRunner) -> None:
    plan = planned(stack, {"variants": [containers(variant("V", "ml.m5.large"), 2)]})
    rollout = next(
        r for r in plan["resource_changes"] if r["address"] == "module.endpoint.terraform_data.rollout[0]"
    )
    assert rollout["change"]["actions"] == ["create"]


@pytest.fixture
def recorded(localaws_server, tf_harness, tmp_path) -> Any:
    """A stack whose endpoint record (terraform_data.shape, nothing else) was applied with ``created``."""

    def make(created: dict[str, Any]) -> TerraformRunner:
        workdir = stage_configuration(STACK, tmp_path)
        runner = TerraformRunner(
            workdir, tf_harness, env={**os.environ, "AWS_ENDPOINT_URL": localaws_server.url}
        )
        runner.init()
        runner.apply(created, "-target=module.endpoint.terraform_data.shape")
        return runner

    return make


REAL_TIME = {"variants": [variant("V", "ml.m5.large")]}
ONE_WAY = [
    (
        REAL_TIME,
        {**REAL_TIME, "name": "lifecycle-renamed"},
        "Renaming SageMaker endpoint lifecycle-endpoint to",
    ),
    (REAL_TIME, {"variants": [serverless()]}, "refuses to update an instance-based endpoint to serverless"),
    ({**REAL_TIME, "async_inference": ASYNC}, REAL_TIME, "cannot remove its async inference configuration"),
]


@pytest.mark.parametrize(
    ("created", "changed", "reason"), ONE_WAY, ids=["rename", "to-serverless", "drop-async"]
)
def test_one_way_changes_are_refused_at_plan(recorded, created, changed, reason) -> None:
    stack = recorded(created)
    assert reason in refused(stack, changed)


@pytest.mark.parametrize(
    ("created", "changed"),
    [({"variants": [serverless()]}, REAL_TIME), (REAL_TIME, {**REAL_TIME, "async_inference": ASYNC})],
    ids=["serverless-to-real-time", "add-async"],
)
def test_allowed_changes_are_planned(recorded, created, changed) -> None:
    """Controls: serverless -> real-time is allowed (one way) and no source says adding async_inference is
    refused; the record lets them through, so the refusals above come from the change, not the record."""
    stack = recorded(created)
    plan = planned(stack, changed)
    rollout = next(
        r for r in plan["resource_changes"] if r["address"] == "module.endpoint.terraform_data.rollout[0]"
    )
    assert rollout["change"]["actions"] == ["create"]


# --- item 13: inputs behave as documented -----------------------------------------------------------


def test_hyphenated_instance_families_are_accepted(plan: dict[str, Any]) -> None:
    spec = next(
        r for r in plan["resource_changes"] if r["address"] == "module.endpoint.terraform_data.rollout[0]"
    )
    assert spec["change"]["actions"] == ["create"]


@pytest.mark.parametrize(
    "bad", ["p5.48xlarge", "ml.p6-.48xlarge", "ml.-b200.xlarge", "ml.g5", "ml.g5.xlarge "]
)
def test_malformed_instance_types_are_refused(stack: TerraformRunner, bad: str) -> None:
    assert "instance_type must look like" in refused(stack, {"variants": [variant("V", bad)]})


def test_spec_json_is_sensitive(plan: dict[str, Any]) -> None:
    """Container environments are in it: the module declares the output sensitive."""
    assert _module_config(plan)["outputs"]["spec_json"].get("sensitive") is True
    assert plan["output_changes"]["spec_json"]["after_sensitive"] is True


def test_min_capacity_with_scale_to_zero_is_refused(stack: TerraformRunner) -> None:
    autoscaled = variant("V", "ml.g5.xlarge", autoscaling={"min_capacity": 2, "max_capacity": 4})
    message = refused(stack, {"variants": [autoscaled], "async_inference": {**ASYNC, "scale_to_zero": True}})
    assert "scale_to_zero" in message and "min_capacity" in message


def _autoscaling_min(plan: dict[str, Any]) -> list[int]:
    return [
        r["change"]["after"]["min_capacity"]
        for r in plan["resource_changes"]
        if r["type"] == "aws_appautoscaling_target"
    ]


def test_min_capacity_is_honoured_and_scale_to_zero_defaults_to_zero(stack: TerraformRunner) -> None:
    kept = variant("V", "ml.g5.xlarge", autoscaling={"min_capacity": 2, "max_capacity": 4})
    assert _autoscaling_min(
        planned(stack, {"variants": [kept], "async_inference": {**ASYNC, "scale_to_zero": False}})
    ) == [2]
    zero = variant("V", "ml.g5.xlarge", autoscaling={"max_capacity": 4})
    assert _autoscaling_min(planned(stack, {"variants": [zero], "async_inference": ASYNC})) == [0]
    real_time = variant("V", "ml.g5.xlarge", autoscaling={"max_capacity": 4})
    assert _autoscaling_min(planned(stack, {"variants": [real_time]})) == [1]


def _ecr_lookups(plan: dict[str, Any]) -> list[str]:
    found = [r["address"] for r in plan.get("resource_changes", []) if r["type"] == "aws_ecr_image"]
    for module in (
        plan.get("prior_state", {}).get("values", {}).get("root_module", {}).get("child_modules", [])
    ):
        found += [r["address"] for r in module.get("resources", []) if r["type"] == "aws_ecr_image"]
    return found


def test_images_of_other_accounts_are_not_pinned(stack: TerraformRunner, localaws_server) -> None:
    import boto3

    from tests.e2e.example_support import push_image

    ecr = boto3.client(
        "ecr",
        region_name="us-east-1",
        endpoint_url=localaws_server.url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    own = push_image(ecr, "lifecycle-model", "v1")[0]
    # Control: this account's tag is looked up (so "no lookup" below means something).
    assert _ecr_lookups(planned(stack, {"variants": [variant("V", "ml.g5.xlarge", image=own)]}))
    # AWS's deep learning containers account: its tags stay tags (no DescribeImages on AWS's registry).
    plan = planned(stack, {"variants": [variant("V", "ml.g5.xlarge", image=DLC_IMAGE)]})
    assert _ecr_lookups(plan) == []
    rollout = next(
        r for r in plan["resource_changes"] if r["address"] == "module.endpoint.terraform_data.rollout[0]"
    )
    assert rollout["change"]["actions"] == ["create"]


def test_provider_default_tags_reach_what_the_deployer_creates(stack: TerraformRunner) -> None:
    """The spec's tags (what the deployer tags its models, configurations and endpoint with) carry the
    provider's default_tags, under the module's own tags."""
    variables = {
        "variants": [variant("V", "ml.g5.xlarge")],
        "execution_role_arn": "arn:aws:iam::123456789012:role/given",  # a spec known at plan
        "default_tags": {"team": "ml", "owner": "provider"},
        "tags": {"owner": "module"},
    }
    spec = json.loads(planned(stack, variables)["planned_values"]["outputs"]["spec_json"]["value"])
    assert spec["tags"] == {"team": "ml", "owner": "module"}


def test_too_many_tags_together_are_refused(stack: TerraformRunner) -> None:
    variables = {
        "variants": [variant("V", "ml.g5.xlarge")],
        "default_tags": {f"d{i}": "x" for i in range(20)},
        "tags": {f"t{i}": "x" for i in range(20)},
    }
    assert "At most 35 tags" in refused(stack, variables)


def _spec(stack: TerraformRunner, instance_type: str) -> dict[str, Any]:
    variables = {
        "variants": [variant("V", instance_type)],
        "execution_role_arn": "arn:aws:iam::123456789012:role/given",
    }
    return planned(stack, variables)["planned_values"]["outputs"]["spec_json"]


def test_nvme_families_get_no_endpoint_kms_key(stack: TerraformRunner) -> None:
    """ml.p6-b200 has local NVMe storage: the spec carries no KmsKeyId (known at plan: null), while an EBS
    family carries the module's key (unknown until the key exists)."""
    nvme = _spec(stack, "ml.p6-b200.48xlarge")
    assert json.loads(nvme["value"])["kms_key_arn"] is None
    assert "value" not in _spec(stack, "ml.m5.large")


# --- item 7: IAM names that do not collide across Regions -----------------------------------------


def _role_name(plan: dict[str, Any]) -> str:
    [role] = [
        r
        for r in plan["resource_changes"]
        if r["address"] == "module.endpoint.module.iam.aws_iam_role.this[0]"
    ]
    return role["change"]["after"]["name"]


@pytest.mark.parametrize("name", ["whisper", "e" * 63])
def test_the_execution_role_name_differs_per_region_and_fits_iam(stack: TerraformRunner, name: str) -> None:
    """IAM is global: the same endpoint name in two Regions gets two roles (at most 64 characters)."""
    east = _role_name(planned(stack, {"name": name, "variants": [variant("V0", "ml.m5.large")]}))
    west_variants = [variant("V0", "ml.m5.large", image=IMAGE.replace("us-east-1", "eu-west-1"))]
    west = _role_name(planned(stack, {"name": name, "region": "eu-west-1", "variants": west_variants}))
    assert east != west
    assert max(len(east), len(west)) <= 64, (east, west)
    if name == "whisper":
        assert (east, west) == ("whisper-us-east-1-sagemaker", "whisper-eu-west-1-sagemaker")
    else:
        assert east.startswith("e" * 45 + "-") and east.endswith("-sagemaker")
