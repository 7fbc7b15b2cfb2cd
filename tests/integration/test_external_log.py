"""The Terraform adapter's log and failure report (issue 9), run as ``python -m deployer external`` in a
directory standing for the module's source tree, against localaws: nothing is written there; each
rollout logs to its own file in the chosen ``log_dir``; a rolled-back rollout's stderr (what Terraform
shows as its error) starts with the verdict, then the log file, then the timeline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deployer.release import config_name, release_id
from tests.integration.test_deployer_support import (
    clients,
    document,
    endpoint,
    rollback_alarm,  # noqa: F401 (fixture)
    spec,
)

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("rollback_alarm")


def external(module_dir: Path, tag: str, rollout_id: str, log_dir: Path) -> subprocess.CompletedProcess[str]:
    query = {"spec": json.dumps(document(tag=tag)), "rollout_id": rollout_id, "log_dir": str(log_dir)}
    return subprocess.run(
        [sys.executable, "-m", "deployer", "external"],
        input=json.dumps(query),
        cwd=module_dir,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_rolled_back_rollout_reports_the_verdict_first_and_logs_outside_the_module(localaws, tmp_path):
    module_dir = tmp_path / "module"
    module_dir.mkdir()
    log_dir = tmp_path / "logs"
    first = external(module_dir, "v1", "rollout-1", log_dir)
    assert first.returncode == 0, first.stderr
    serving = config_name("whisper", release_id(spec(tag="v1")))
    assert endpoint(clients().sagemaker)["EndpointConfigName"] == serving

    failed = external(module_dir, "fail-health-check", "rollout-2", log_dir)

    assert failed.returncode == 2, failed.stderr
    assert failed.stdout == ""
    lines = failed.stderr.splitlines()
    verdict = lines[0]
    assert verdict.startswith("rolled back: whisper: "), failed.stderr
    assert f"still serving {serving};" in verdict and "; next: " in verdict
    assert endpoint(clients().sagemaker)["EndpointConfigName"] == serving
    logs = sorted(log_dir.iterdir())
    assert [p.name.split("-")[-1] for p in logs] == ["1.log", "2.log"], logs
    assert all(p.name.startswith("whisper-") for p in logs)
    second = next(p for p in logs if p.name.endswith("rollout-2.log"))
    assert lines[1] == f"log: {second}"
    assert lines[2] == "timeline (UTC):"
    assert any("updating to" in line for line in lines[3:]), failed.stderr
    assert "updating to" in second.read_text()
    assert second.read_text().splitlines()[-1].endswith(f"Z outcome: {verdict}")
    created = next(p for p in logs if p.name.endswith("rollout-1.log")).read_text().splitlines()[-1]
    release = serving.removeprefix("whisper-")
    assert created.endswith(f"Z outcome: succeeded: whisper: serves {serving} (release {release}, created)")
    assert list(module_dir.iterdir()) == []  # the module's source tree stays untouched
    assert not (ROOT / ".deployer").exists()

    # A read of the same rollout id (a plan afterwards) writes no log and reports no error.
    again = external(module_dir, "fail-health-check", "rollout-2", log_dir)
    assert again.returncode == 0, again.stderr
    assert sorted(log_dir.iterdir()) == logs
