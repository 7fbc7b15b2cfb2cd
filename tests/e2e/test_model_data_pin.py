"""pin_model_data through real Terraform against localaws (issue 7 item 12, issue 8 item 14).

An object overwritten under the same model_data_url must be a new release: the plan shows the rollout (and
writes nothing), the apply rolls it out, and the plan after it is quiet. In a versioned bucket the version id
pins the object; in an unversioned one its ETag does.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.example_support import (
    Clients,
    leftovers,
    model_dir_files,
    push_image,
    snapshot,
    writes_since,
)

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "serverless-byoc"
ENDPOINT = "byoc-serverless"
VERSIONED = "e2e-model-data-versioned"
UNVERSIONED = "e2e-model-data-unversioned"
KEY = "byoc/model.tar.gz"


def _bucket(s3: Any, name: str, *, versioned: bool) -> None:
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        s3.create_bucket(Bucket=name)
    if versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


def _put_model(s3: Any, bucket: str, marker: bytes) -> dict[str, Any]:
    """Overwrite the model archive under the same key; ``marker`` makes its content (and ETag) differ."""
    import io
    import tarfile

    files = model_dir_files(EXAMPLE / "container" / "model") | {"release.txt": marker}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return s3.put_object(Bucket=bucket, Key=KEY, Body=buffer.getvalue())


def _serving(c: Clients) -> str:
    described = c.sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    assert described["EndpointStatus"] == "InService", described.get("FailureReason")
    return described["EndpointConfigName"]


def _quiet_plan(tf: Any, localaws: Any, variables: dict[str, Any], expect: int) -> str:
    start = len(localaws.calls())
    plan = tf.plan(variables)
    writes = writes_since(localaws.calls(), start)
    assert writes == [], f"plan wrote: {[(w['service'], w['operation']) for w in writes]}"
    assert plan.returncode == expect, plan.stdout[-3000:]
    return plan.stdout


def _updates_since(localaws: Any, start: int) -> list[dict[str, Any]]:
    return [
        call
        for call in localaws.calls()[start:]
        if call["service"] == "sagemaker" and call["operation"] == "UpdateEndpoint"
    ]


def test_an_overwritten_model_object_is_a_new_release(localaws: Any, tf_workdir: Any) -> None:
    import sys

    c = Clients.create()
    _bucket(c.s3, VERSIONED, versioned=True)
    _bucket(c.s3, UNVERSIONED, versioned=False)
    before = snapshot(c)
    first = _put_model(c.s3, VERSIONED, b"1")
    assert first.get("VersionId")
    image, _ = push_image(c.ecr, "byoc-inference", "1.0.0")
    variables = {
        "region": "us-east-1",
        "python_executable": sys.executable,
        "termination_wait_seconds": 60,
        "image": image,
        "model_data_url": f"s3://{VERSIONED}/{KEY}",
    }
    tf = tf_workdir(EXAMPLE)
    tf.init()
    tf.apply(variables)
    served = _serving(c)
    assert tf.output()["endpoint_config_name"] == served
    _quiet_plan(tf, localaws, variables, expect=0)

    # Versioned bucket: a new version under the same key is a rollout at plan, and the apply rolls it out.
    second = _put_model(c.s3, VERSIONED, b"2")
    assert second["VersionId"] != first["VersionId"]
    plan = _quiet_plan(tf, localaws, variables, expect=2)
    assert "terraform_data.rollout" in plan and "must be replaced" in plan, plan[-3000:]
    start = len(localaws.calls())
    tf.apply(variables)
    assert [u["params"]["EndpointName"] for u in _updates_since(localaws, start)] == [ENDPOINT]
    now = _serving(c)
    assert now != served
    assert tf.output()["endpoint_config_name"] == now
    _quiet_plan(tf, localaws, variables, expect=0)

    # Unversioned bucket: the ETag pins the object.
    variables["model_data_url"] = f"s3://{UNVERSIONED}/{KEY}"
    _put_model(c.s3, UNVERSIONED, b"3")
    tf.apply(variables)
    served = _serving(c)
    _quiet_plan(tf, localaws, variables, expect=0)
    _put_model(c.s3, UNVERSIONED, b"4")
    plan = _quiet_plan(tf, localaws, variables, expect=2)
    assert "terraform_data.rollout" in plan, plan[-3000:]
    start = len(localaws.calls())
    tf.apply(variables)
    assert len(_updates_since(localaws, start)) == 1
    assert _serving(c) != served

    tf.destroy(variables)
    left = leftovers(before, snapshot(c))
    assert left == {}, f"left behind after destroy: {left}"
