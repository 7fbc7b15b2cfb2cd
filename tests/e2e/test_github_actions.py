"""Issue 9: the apply workflow's shell steps (examples/github-actions/workflows/terraform-apply.yml, the
steps, not the Actions runner) against localaws, in a repository layout like the one the README asks for
(`infra/` with the stack, `.github/scripts/`).

The ``run:`` scripts are taken from the workflow file and run as GitHub runs them (``bash --noprofile --norc
-eo pipefail``, in the step's working directory, with ``GITHUB_STEP_SUMMARY``, ``RUNNER_TEMP`` and the
job's ``env``). A first apply creates the endpoint: the job log shows its phases while Terraform waits and
the summary lists the outcome. A second apply with another image while the rollback alarm is in ALARM
fails: the first line of Terraform's error is the verdict, the summary says rolled back, the files the
failure-only upload step names exist, and the module's source tree holds no log.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.example_support import Clients, push_image, upload_model
from tests.tfharness.override import localaws_env_defaults
from tests.tfharness.runner import TerraformRunner
from tests.tfharness.tree import stage_configuration

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "github-actions"
WORKFLOW = EXAMPLE / "workflows" / "terraform-apply.yml"
STACK = Path(__file__).parent / "stacks" / "github-actions" / "infra"
NAME = "gha-whisper"


def steps(job: str) -> dict[str, dict[str, Any]]:
    """The job's steps that have a name, by name."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    return {s["name"]: s for s in workflow["jobs"][job]["steps"] if "name" in s}


def run_step(step: dict[str, Any], workspace: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = Path(env["RUNNER_TEMP"]) / "step.sh"  # outside the repository, as the runner keeps it
    script.write_text(step["run"])
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace / "infra",
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def variants(model_url: str, image: str) -> list[dict[str, Any]]:
    return [
        {
            "name": "AllTraffic",
            "containers": [{"image": image, "model_data_url": model_url}],
            "instance_type": "ml.m5.large",
            "initial_instance_count": 1,
        }
    ]


def error_message(output: str) -> list[str]:
    """The external program's stderr as Terraform shows it in the diagnostic ("Error Message: ..."),
    unwrapped: Terraform wraps each stderr line at the diagnostic's width; the verdict's continuation lines
    are joined back, and the stderr's own lines (``log:``, ``timeline (UTC):``, the indented timeline)
    start new ones."""
    lines = [re.sub(r"^[│╷╵]\s?", "", line) for line in output.splitlines()]
    starts = [i for i, line in enumerate(lines) if line.startswith("Error Message: ")]
    if not starts:
        return []
    found = [lines[starts[0]].removeprefix("Error Message: ")]
    for line in lines[starts[0] + 1 :]:
        if not line.strip() or line.startswith("State: "):
            break
        if line.startswith(("log:", "timeline (UTC):", "  ")) or found[-1] == "timeline (UTC):":
            found.append(line)
        else:
            found[-1] += " " + line.strip()
    return found


def module_logs(scratch: Path, workspace: Path) -> list[Path]:
    """Log files anywhere in the staged tree except the stack's own log directory."""
    allowed = workspace / "infra" / ".terraform" / "sagemaker-rollout"
    return [
        p
        for p in scratch.rglob("*")
        if (p.suffix == ".log" or p.name == ".deployer") and allowed not in p.parents and p != allowed
    ]


def test_the_apply_workflow_steps_show_progress_summarise_and_report_the_verdict(
    localaws: Any, tf_harness: Any, tmp_path: Path
) -> None:
    c = Clients.create()
    model = upload_model(c.s3, "gha/model.tar.gz", {"model.txt": b"weights"})
    scratch = tmp_path / "repo"
    infra = stage_configuration(STACK, scratch)
    workspace = infra.parent
    (workspace / ".github").mkdir()
    shutil.copytree(EXAMPLE / "scripts", workspace / ".github" / "scripts")
    shutil.copy(EXAMPLE / "deployer-requirements.txt", workspace / ".github" / "deployer-requirements.txt")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_CLI_ARGS", "TF_DATA_DIR"))}
    env["AWS_ENDPOINT_URL"] = localaws.url
    tf = TerraformRunner(infra, tf_harness, env=env)
    tf.init()  # writes the localaws provider override; the workflow's init runs against the real registry
    env = tf_harness.env(env)
    localaws_env_defaults(env)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    job_env = yaml.safe_load(WORKFLOW.read_text())["jobs"]["apply"]["env"]
    log_dir = job_env["SAGEMAKER_ROLLOUT_LOG_DIR"].replace("${{ github.workspace }}", str(workspace))
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",  # python3 with boto3
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(runner_temp),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "SAGEMAKER_ROLLOUT_LOG_DIR": log_dir,
        }
    )
    plan_steps, apply_steps = steps("plan"), steps("apply")
    before_files = {p for p in scratch.rglob("*") if infra not in [p, *p.parents]}

    def workflow_run(image: str, summary: Path) -> subprocess.CompletedProcess[str]:
        (infra / "terraform.tfvars.json").write_text(
            __import__("json").dumps({"name": NAME, "variants": variants(model, image)})
        )
        step_env = {**env, "GITHUB_STEP_SUMMARY": str(summary)}
        planned = run_step(plan_steps["terraform plan"], workspace, step_env)
        assert planned.returncode == 0, planned.stdout + planned.stderr
        assert (infra / "tfplan").exists()  # the artifact the apply job downloads
        assert "terraform plan (applied after approval)" in summary.read_text()
        before = run_step(apply_steps["State before the apply"], workspace, step_env)
        assert before.returncode == 0, before.stderr
        applied = run_step(
            apply_steps["terraform apply (the reviewed plan), with each rollout's progress"],
            workspace,
            step_env,
        )
        summarised = run_step(
            apply_steps["Job summary (release before / after, outcome)"], workspace, step_env
        )
        assert summarised.returncode == 0, summarised.stdout + summarised.stderr
        return applied

    # 1. create: the phases appear in the job log while Terraform waits; the summary says so. The endpoint
    # takes ~10 real seconds to create, several of the follower's 2 s polls, so "while it waits" is
    # observable even on a loaded machine (at the suite's time scale a create is otherwise over in ~1 s).
    usual_create_seconds = localaws.config.create_seconds
    localaws.configure(create_seconds=10 / localaws.config.time_scale)
    first_summary = tmp_path / "summary-1.md"
    created = workflow_run(push_image(c.ecr, "gha-whisper", "v1")[0], first_summary)
    assert created.returncode == 0, created.stdout[-4000:] + created.stderr
    job_log = created.stdout
    assert re.search(rf"^\[{NAME}\] \S+Z {NAME}: creating on {NAME}-[0-9a-f]+$", job_log, re.M), job_log[
        -3000:
    ]
    assert re.search(rf"^\[{NAME}\] \S+Z outcome: succeeded: {NAME}: serves ", job_log, re.M)
    # the follower's lines come before Terraform's "Apply complete!" (printed while it waited)
    assert job_log.index(f"[{NAME}]") < job_log.index("Apply complete!")
    serving = c.sagemaker.describe_endpoint(EndpointName=NAME)["EndpointConfigName"]
    row = next(line for line in first_summary.read_text().splitlines() if line.startswith(f"| `{NAME}`"))
    assert f"| - | {serving} | succeeded: {NAME}: serves {serving}" in row, row

    localaws.configure(create_seconds=usual_create_seconds)
    # 2. another image while the rollback alarm is in ALARM: the apply fails, the verdict comes first
    [alarm] = [a for a in tf.output("rollback_alarm_names") if a.endswith("-5xx")]
    c.cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="e2e: bad release")
    second_summary = tmp_path / "summary-2.md"
    failed = workflow_run(push_image(c.ecr, "gha-whisper", "v2")[0], second_summary)
    assert failed.returncode != 0, failed.stdout[-4000:]
    assert c.sagemaker.describe_endpoint(EndpointName=NAME)["EndpointConfigName"] == serving
    message = error_message(failed.stdout)
    assert message, failed.stdout[-4000:]
    verdict = message[0]
    assert verdict.startswith(f"rolled back: {NAME}: "), message[:3]
    assert f"still serving {serving};" in verdict and "next: " in verdict, verdict
    assert message[1].startswith("log:") and message[2] == "timeline (UTC):", message[:4]
    assert re.search(rf"^\[{NAME}\] \S+Z outcome: rolled back: {NAME}: ", failed.stdout, re.M)
    row = next(line for line in second_summary.read_text().splitlines() if line.startswith(f"| `{NAME}`"))
    assert f"| {serving} | {serving} | rolled back: {NAME}: " in row, row

    # the failure-only upload step's paths: the rollout logs and the apply output
    [upload] = [
        s
        for s in yaml.safe_load(WORKFLOW.read_text())["jobs"]["apply"]["steps"]
        if s.get("if") == "failure()"
    ]
    paths = [p.strip() for p in upload["with"]["path"].splitlines() if p.strip()]
    assert paths == ["infra/.terraform/sagemaker-rollout/", "${{ runner.temp }}/apply.txt"]
    logs = sorted((workspace / paths[0]).glob(f"{NAME}-*.log"))
    assert len(logs) == 2 and "rolled back" in logs[-1].read_text().splitlines()[-1]
    assert f"Error Message: rolled back: {NAME}: " in (runner_temp / "apply.txt").read_text()

    # the module's source tree (everything staged outside infra/) is as it was: no log, no .deployer
    assert module_logs(scratch, workspace) == []
    after_files = {p for p in scratch.rglob("*") if infra not in [p, *p.parents]}
    assert (
        after_files - before_files
        == {workspace / ".github", *(workspace / ".github").rglob("*")} - before_files
    )
