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
