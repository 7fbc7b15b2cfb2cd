"""Issue 8, lifecycle items 9, 10 and 11 with real Terraform applies against localaws.

One endpoint goes through its life in tests/e2e/stacks/lifecycle: created by a runner whose interpreter lives
in one virtualenv path, planned for a rollout (the name, ARN and variants stay known and unchanged), then
removed with ``create = false`` by a runner whose interpreter lives elsewhere (the first path is gone, as a CI
runner's tool cache is). What is asserted is localaws' state: the endpoint, its releases and every resource
the module created are gone.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.example_support import Clients, leftovers, push_image, snapshot, upload_model
from tests.tfharness.runner import TerraformRunner, diagnostics
from tests.tfharness.tree import stage_configuration

pytestmark = pytest.mark.e2e

STACK = Path(__file__).parent / "stacks" / "lifecycle"
NAME = "lifecycle-apply"


def interpreter(root: Path) -> Path:
    """A virtualenv-like ``root/bin/python`` (and ``python3``): a wrapper that runs this test's Python."""
    bin_dir = root / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "python3"):
        wrapper = bin_dir / name
        wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        wrapper.chmod(0o755)
    return bin_dir / "python"


def variants(model_url: str, image: str, token: str) -> list[dict[str, Any]]:
    return [
        {
            "name": "AllTraffic",
            "containers": [{"image": image, "model_data_url": model_url, "environment": {"TOKEN": token}}],
            "instance_type": "ml.m5.large",
            "initial_instance_count": 1,
        }
    ]


def runner(workdir: Path, harness: Any, url: str, path_first: Path) -> TerraformRunner:
    env = {k: v for k, v in os.environ.items() if k != "SAGEMAKER_ROLLOUT_PYTHON"}
    # The runner's PATH: its own virtualenv first, as on a CI runner that activated it.
    env["PATH"] = f"{path_first}{os.pathsep}{env.get('PATH', '')}"
    env["AWS_ENDPOINT_URL"] = url
    return TerraformRunner(workdir, harness, env=env)


def test_create_false_removes_everything_from_another_interpreter_path(localaws, tf_harness, tmp_path):
    c = Clients.create()
    image = push_image(c.ecr, "lifecycle-model", "v1")[0]
    model = upload_model(c.s3, "lifecycle/model.tar.gz", {"model.txt": b"weights"})
    before = snapshot(c)

    workdir = stage_configuration(STACK, tmp_path / "stack")
    first_python = interpreter(tmp_path / "runner-1" / "venv")
    first = runner(workdir, tf_harness, localaws.url, first_python.parent)
    first.init()
    base = {"name": NAME}
    first.apply({**base, "variants": variants(model, image, "a"), "python_executable": str(first_python)})

    live = c.sagemaker.describe_endpoint(EndpointName=NAME)
    assert live["EndpointStatus"] == "InService"
    assert first.output("endpoint_arn") == live["EndpointArn"]

    # Item 10: a plan that changes the spec (a rollout) keeps name, ARN and variants known and unchanged.
    first.plan(
        {**base, "variants": variants(model, image, "b"), "python_executable": str(first_python)},
        "-out=r.tfplan",
    )
    changes = json.loads(first.run("show", "-json", "-no-color", "r.tfplan").stdout)["output_changes"]
    for output in ("endpoint_name", "endpoint_arn", "variant_names"):
        assert changes[output]["actions"] == ["no-op"], (output, changes[output])
        assert changes[output]["after_unknown"] is False, output
    assert (
        changes["endpoint_config_name"]["after_unknown"] is True
    )  # the live state is the deployer's, at apply
    rollout = [
        r
        for r in json.loads(first.run("show", "-json", "-no-color", "r.tfplan").stdout)["resource_changes"]
        if r["address"] == "module.endpoint.terraform_data.rollout[0]"
    ]
    assert rollout and rollout[0]["change"]["actions"] == ["delete", "create"]

    # Item 11: the first runner's interpreter is gone; the second runner's lives elsewhere.
    shutil.rmtree(tmp_path / "runner-1")
    second_python = interpreter(tmp_path / "runner-2" / "venv")
    second = runner(workdir, tf_harness, localaws.url, second_python.parent)

    # Item 9: create = false deletes the endpoint through the destroy provisioner, and the rest with it.
    done = second.apply(
        {
            **base,
            "variants": variants(model, image, "a"),
            "python_executable": str(second_python),
            "create": False,
        },
        "-json",
    )
    with pytest.raises(ClientError, match="Could not find endpoint"):
        c.sagemaker.describe_endpoint(EndpointName=NAME)
    assert leftovers(before, snapshot(c)) == {}
    assert any(
        "Remove the module block only after that apply" in d.get("detail", "")
        for d in diagnostics(done)
        if d["severity"] == "warning"
    )
    # No managed resource is left in state (data sources are re-read): the module block can now go.
    managed = [a for a in second.run("state", "list").stdout.split() if ".data." not in f".{a}"]
    assert managed == []
