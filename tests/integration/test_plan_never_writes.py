"""Issue 7 item 3: a plan never writes, in any failure of the apply before it.

Through the external protocol (``python -m deployer external``, as Terraform runs it) against localaws.
The module passes ``rollout_planned_at`` (the ``plantimestamp()`` of the plan that created the rollout id)
and ``plan_time`` (the reading plan's ``plantimestamp()``): equal only in the apply of that plan. Each
failure below used to make the next plan run the rollout (CreateModel ... during ``terraform plan``).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from deployer import planner, protocol
from deployer.release import config_name, model_name, release_id
from tests.integration.test_deployer_support import (
    clients,
    document,
    endpoint,
    rollback_alarm,  # noqa: F401 (fixture)
    spec,
    writes,
)

ROOT = Path(__file__).resolve().parents[2]
PLANNED = "2026-12-03T11:00:00Z"  # the plan that created the rollout id (and so the time of its apply)
LATER = "2026-12-03T11:05:00Z"  # a later terraform plan
DENIED = "User is not authorized to perform: iam:PassRole on resource: speech-sagemaker"

pytestmark = pytest.mark.usefixtures("rollback_alarm")


def query(tag: str, rollout_id: str, plan_time: str | None, planned_at: str = PLANNED) -> str:
    q = {"spec": json.dumps(document(tag=tag)), "rollout_id": rollout_id}
    if plan_time is not None:
        q |= {"rollout_planned_at": planned_at, "plan_time": plan_time}
    return json.dumps(q)


def external(stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deployer", "external"],
        input=stdin,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def plan_read(localaws: Any, tag: str, rollout_id: str) -> dict[str, str]:
    """The next ``terraform plan``'s read: exit 0, zero writes in the call log; its result."""
    before = len(localaws.calls())
    run = external(query(tag, rollout_id, LATER))
    wrote = writes(localaws.calls()[before:])
    assert wrote == [], f"the plan wrote: {[w['operation'] for w in wrote]}"
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def no_endpoint_resources(localaws: Any) -> None:
    sm = clients().sagemaker
    assert sm.list_endpoints()["Endpoints"] == []
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []


def test_refused_first_create_then_plan_writes_nothing_and_says_how_to_retry(localaws):
    localaws.refuse("sagemaker", "CreateModel", code="AccessDeniedException", message=DENIED, times=1)
    applied = external(query("v1", "rollout-1", PLANNED))
    assert applied.returncode == 4, applied.stderr
    assert "AccessDeniedException" in applied.stderr
    no_endpoint_resources(localaws)
    assert clients().sagemaker.list_models()["Models"] == []

    read = plan_read(localaws, "v1", "rollout-1")

    assert read["last_rollout"] == "interrupted"
    assert read["action"] == "deferred" and read["drift"] == "true" and read["status"] == ""
    assert "rollout-1" in read["last_rollout_reason"]
    assert "terraform apply -replace='module.<name>.terraform_data.rollout[0]'" in read["last_rollout_reason"]
    no_endpoint_resources(localaws)


def test_refused_endpoint_config_reads_refused_with_the_aws_reason(localaws):
    """CreateModel succeeded (the model carries the rollout id), CreateEndpointConfig was refused."""
    localaws.refuse(
        "sagemaker", "CreateEndpointConfig", code="ResourceLimitExceeded", message="quota of 0", times=1
    )
    applied = external(query("v1", "rollout-1", PLANNED))
    assert applied.returncode == 4, applied.stderr
    release = release_id(spec(tag="v1"))
    model = clients().sagemaker.describe_model(ModelName=model_name("whisper", release, 0))
    assert model["ModelName"]

    read = plan_read(localaws, "v1", "rollout-1")

    assert read["last_rollout"] == "refused"
    assert read["last_rollout_reason"].startswith(
        "refused: AWS refused CreateEndpointConfig: ResourceLimitExceeded: quota of 0"
    )
    no_endpoint_resources(localaws)


def test_an_apply_killed_after_create_model_reads_interrupted(localaws, monkeypatch):
    """A kill (not an Exception: nothing is recorded, as with SIGKILL) between CreateModel and
    CreateEndpointConfig, run in process through the protocol adapter."""

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(planner, "config_request", killed)
        protocol.run_external(query("v1", "rollout-1", PLANNED), io.StringIO(), io.StringIO())
    assert clients().sagemaker.list_models()["Models"]

    read = plan_read(localaws, "v1", "rollout-1")

    assert read["last_rollout"] == "interrupted"
    assert "stopped before CreateEndpoint" in read["last_rollout_reason"]
    assert "-replace=" in read["last_rollout_reason"]
    no_endpoint_resources(localaws)


def test_an_existing_endpoint_whose_first_write_was_refused_is_not_rolled_out_by_a_plan(localaws):
    """On an existing endpoint the first write is AddTags (recording the rollout): refused, nothing is
    recorded; the plan must not roll out either."""
    first = external(query("v1", "rollout-1", PLANNED))
    assert first.returncode == 0, first.stderr
    serving = endpoint(clients().sagemaker)["EndpointConfigName"]
    localaws.refuse("sagemaker", "AddTags", code="AccessDeniedException", message="no sagemaker:AddTags")
    applied = external(query("v2", "rollout-2", LATER, planned_at=LATER))
    assert applied.returncode == 4, applied.stderr
    localaws.clear_refusals()

    before = len(localaws.calls())
    run = external(query("v2", "rollout-2", "2026-12-03T11:09:00Z", planned_at=LATER))

    assert writes(localaws.calls()[before:]) == []
    assert run.returncode == 0, run.stderr
    read = json.loads(run.stdout)
    assert read["last_rollout"] == "interrupted" and "rollout-2" in read["last_rollout_reason"]
    assert read["endpoint_config_name"] == serving
    assert endpoint(clients().sagemaker)["EndpointConfigName"] == serving


def test_the_retry_with_a_new_rollout_id_rolls_out(localaws):
    """``terraform apply -replace=...terraform_data.rollout``: a new id planned by the retrying plan."""
    localaws.refuse("sagemaker", "CreateModel", code="AccessDeniedException", message=DENIED, times=1)
    assert external(query("v1", "rollout-1", PLANNED)).returncode == 4
    plan_read(localaws, "v1", "rollout-1")

    retried = external(query("v1", "rollout-2", LATER, planned_at=LATER))

    assert retried.returncode == 0, retried.stderr
    result = json.loads(retried.stdout)
    assert result["action"] == "created" and result["last_rollout"] == "succeeded"
    live = endpoint(clients().sagemaker)
    assert live["EndpointStatus"] == "InService"
    assert live["EndpointConfigName"] == config_name("whisper", release_id(spec(tag="v1")))
    assert plan_read(localaws, "v1", "rollout-2")["last_rollout"] == "succeeded"


def test_without_the_timestamps_a_new_rollout_id_still_rolls_out(localaws):
    """Callers that pass no timestamps (older module versions, scripts) keep the old rule."""
    run = external(query("v1", "rollout-1", None))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["action"] == "created"
