"""Issue 7 item 3 through real Terraform: after an apply whose first creates AWS refused, ``terraform plan``
makes zero write calls and says why and how to retry; ``terraform apply -replace=...`` retries.

The serverless-byoc example (module address ``module.byoc``) against localaws, with localaws' refusal
fault answering CreateModel, then CreateEndpointConfig, with an AWS error; then an apply whose deployer is
killed while it creates its first model. The old rule ("a rollout id the
deployer has no trace of means roll out") made the plan after such an apply run the rollout.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.example_support import Clients, model_dir_files, push_image, upload_model, writes_since
from tests.e2e.test_examples import EXAMPLES, FAST, common

pytestmark = pytest.mark.e2e

ENDPOINT = "byoc-serverless"
ROLLOUT = "module.byoc.terraform_data.rollout[0]"
WRITES = ("Create", "Update", "Delete", "Tag", "Untag", "Add", "Put", "Register", "Deregister")


def flat(text: str) -> str:
    return " ".join(text.split())


def quiet_plan(tf: Any, localaws: Any, variables: dict[str, Any]) -> str:
    """``terraform plan``: no write call at all in localaws' call log; its output, whitespace folded."""
    start = len(localaws.calls())
    plan = tf.plan(variables, detailed_exitcode=False)
    calls = localaws.calls()[start:]
    wrote = writes_since(calls, 0) + [c for c in calls if c["operation"].startswith(WRITES)]
    assert wrote == [], f"plan wrote: {[(w['service'], w['operation']) for w in wrote]}"
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-3000:]
    return flat(plan.stdout + plan.stderr)


def test_a_plan_after_refused_creates_writes_nothing_and_the_replace_retries(localaws, tf_workdir):
    c = Clients.create()
    model = upload_model(
        c.s3, "byoc/1.0.0/model.tar.gz", model_dir_files(EXAMPLES / "serverless-byoc" / "container" / "model")
    )
    uri, _ = push_image(c.ecr, "byoc-inference", "1.0.1")
    variables = {**common(), **FAST, "image": uri, "model_data_url": model, "bake_seconds": 0}
    tf = tf_workdir(EXAMPLES / "serverless-byoc")
    tf.init()

    # 1. The first create is refused (PassRole denied): the apply fails, nothing of the endpoint exists.
    localaws.refuse(
        "sagemaker",
        "CreateModel",
        code="AccessDeniedException",
        message="User is not authorized to perform: iam:PassRole",
        times=1,
    )
    failed = tf.apply(variables, check=False)
    assert failed.returncode != 0
    assert "AccessDeniedException" in flat(failed.stderr), failed.stderr[-3000:]
    assert c.sagemaker.list_models()["Models"] == []

    # The next plan: zero writes, a warning that says what happened and how to retry.
    text = quiet_plan(tf, localaws, variables)
    assert "Warning" in text and "interrupted" in text, text[-3000:]
    assert "stopped before it recorded anything" in text, text[-3000:]
    assert "terraform apply -replace='module.<name>.terraform_data.rollout[0]'" in text, text[-3000:]
    assert c.sagemaker.list_endpoints()["Endpoints"] == []

    # 2. The retry, with CreateEndpointConfig refused after CreateModel succeeded (a quota).
    localaws.refuse(
        "sagemaker", "CreateEndpointConfig", code="ResourceLimitExceeded", message="quota of 0", times=1
    )
    failed = tf.apply(variables, f"-replace={ROLLOUT}", check=False)
    assert failed.returncode != 0
    assert "ResourceLimitExceeded" in flat(failed.stderr), failed.stderr[-3000:]
    assert c.sagemaker.list_models()["Models"]  # the model was created

    text = quiet_plan(tf, localaws, variables)
    assert "Warning" in text, text[-3000:]
    refused = "refused: AWS refused CreateEndpointConfig: ResourceLimitExceeded: quota of 0"
    assert refused in text, text[-3000:]
    assert "-replace=" in text, text[-3000:]
    assert c.sagemaker.list_endpoints()["Endpoints"] == []

    # 3. The documented retry succeeds: the endpoint serves the spec; the next plan is quiet.
    tf.apply(variables, f"-replace={ROLLOUT}")
    outputs = tf.output()
    described = c.sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    assert described["EndpointStatus"] == "InService"
    assert described["EndpointConfigName"] == outputs["endpoint_config_name"]
    config = c.sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    served = c.sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    assert served["PrimaryContainer"]["Image"].startswith(uri.rsplit(":", 1)[0])
    text = quiet_plan(tf, localaws, variables)
    assert "Warning" not in text, text[-3000:]
    assert "No changes" in text, text[-3000:]


def _deployer_processes(module_root: Path) -> list[int]:
    """Pids of ``python -m deployer external`` runs of this test's staged module (their cwd is its root)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            continue
        if b"deployer" in argv and b"external" in argv and cwd == module_root:
            found.append(int(proc.name))
    return found


def test_a_plan_after_a_killed_apply_writes_nothing_and_the_replace_retries(localaws, tf_workdir):
    """The deployer killed (SIGKILL: nothing recorded, as when a runner dies) while AWS creates its first
    model; localaws' latency holds CreateModel long enough to kill the program at that moment."""
    c = Clients.create()
    model = upload_model(
        c.s3, "byoc/1.0.0/model.tar.gz", model_dir_files(EXAMPLES / "serverless-byoc" / "container" / "model")
    )
    uri, _ = push_image(c.ecr, "byoc-inference", "1.0.1")
    variables = {**common(), **FAST, "image": uri, "model_data_url": model, "bake_seconds": 0}
    tf = tf_workdir(EXAMPLES / "serverless-byoc")
    tf.init()
    module_root = tf.workdir.parents[1].resolve()
    localaws.configure(latency_ms=300)
    start = len(localaws.calls())
    applied: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: applied.update(run=tf.apply(variables, check=False)))
    thread.start()
    killed: list[int] = []
    deadline = time.monotonic() + 600
    while not killed and thread.is_alive() and time.monotonic() < deadline:
        if any(call["operation"] == "CreateModel" for call in localaws.calls()[start:]):
            for pid in _deployer_processes(module_root):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
        time.sleep(0.02)
    localaws.configure(latency_ms=0)
    thread.join(timeout=600)
    assert killed, "the deployer was never seen creating its model"
    assert applied["run"].returncode != 0
    assert c.sagemaker.list_endpoints()["Endpoints"] == []
    assert c.sagemaker.list_endpoint_configs()["EndpointConfigs"] == []

    text = quiet_plan(tf, localaws, variables)
    assert "Warning" in text and "interrupted" in text, text[-3000:]
    assert "terraform apply -replace='module.<name>.terraform_data.rollout[0]'" in text, text[-3000:]
    assert c.sagemaker.list_endpoints()["Endpoints"] == []

    tf.apply(variables, f"-replace={ROLLOUT}")
    described = c.sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    assert described["EndpointStatus"] == "InService"
    assert described["EndpointConfigName"] == tf.output()["endpoint_config_name"]
    assert "Warning" not in quiet_plan(tf, localaws, variables)
