"""Every GitHub Actions workflow of the repository (the project's CI and the examples'): actionlint and zizmor
pass (offline, zizmor's pedantic persona), and the hardening conventions hold: actions pinned by commit SHA
with the version in a comment, `persist-credentials: false` on every checkout, no permission at workflow
level and least permissions per job, and no expression expanded inside a `run:` script."""

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

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKFLOWS = sorted([*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob("examples/*/workflows/*.yml")])
IDS = [str(p.relative_to(ROOT)) for p in WORKFLOWS]
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(?:\.\d+)*\s*$")


def _tool(name: str) -> str:
    found = BIN / name if (BIN / name).exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: run `make install` (it is a dev dependency)", pytrace=False)
    return str(found)


def _load(path: Path) -> dict[Any, Any]:
    return yaml.safe_load(path.read_text())


def test_the_repository_has_its_ci_and_the_example_workflows():
    assert ".github/workflows/ci.yml" in IDS
    assert {"terraform-plan.yml", "terraform-apply.yml", "terraform-drift.yml"} <= {p.name for p in WORKFLOWS}


def test_actionlint_passes_on_every_workflow():
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # its shellcheck
    done = subprocess.run(
        [_tool("actionlint"), "-no-color", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_passes_on_every_workflow():
    done = subprocess.run(
        [_tool("zizmor"), "--offline", "--persona=pedantic", "--no-progress", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "suppressed" not in done.stdout, done.stdout  # no finding silenced either


@pytest.mark.parametrize("path", WORKFLOWS, ids=IDS)
def test_every_action_is_pinned_by_sha_with_its_version(path: Path):
    lines = [line for line in path.read_text().splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    assert lines
    unpinned = [line.strip() for line in lines if not PINNED.match(line)]
    assert unpinned == [], unpinned


@pytest.mark.parametrize("path", WORKFLOWS, ids=IDS)
def test_checkout_persists_no_credentials_and_permissions_are_per_job(path: Path):
    workflow = _load(path)
    assert workflow.get("permissions") == {}, "workflow-level permissions: {} (each job says what it needs)"
    for name, job in workflow["jobs"].items():
        assert isinstance(job.get("permissions"), dict), f"job {name}: no permissions block"
        assert job["permissions"].get("contents") == "read", f"job {name}"
        for step in job["steps"]:
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, f"job {name}"
            assert "${{" not in str(step.get("run", "")), f"job {name}: expression in a run script"


def _steps(path: Path, job: str) -> list[dict[str, Any]]:
    return _load(path)["jobs"][job]["steps"]


def test_the_apply_job_applies_the_reviewed_plan_with_the_deploy_role_only():
    path = ROOT / "examples/github-actions/workflows/terraform-apply.yml"
    jobs = _load(path)["jobs"]
    plan, apply = jobs["plan"], jobs["apply"]
    assert apply["needs"] == "plan" and apply["environment"] == "production"
    assert "environment" not in plan

    def role(job: dict[str, Any]) -> str:
        [step] = [s for s in job["steps"] if "configure-aws-credentials" in str(s.get("uses", ""))]
        return step["with"]["role-to-assume"]

    assert role(plan) == "${{ vars.TERRAFORM_PLAN_ROLE_ARN }}"
    assert role(apply) == "${{ vars.TERRAFORM_DEPLOY_ROLE_ARN }}"
    plan_runs = " ".join(str(s.get("run", "")) for s in plan["steps"])
    apply_runs = " ".join(str(s.get("run", "")) for s in apply["steps"])
    assert "-out=tfplan" in plan_runs
    assert "terraform apply -no-color tfplan" in apply_runs and "-auto-approve" not in apply_runs
    assert "terraform plan" not in apply_runs
    uploads = [s for s in apply["steps"] if "upload-artifact" in str(s.get("uses", ""))]
    assert [s["if"] for s in uploads] == ["failure()"]
    installs = [str(s["run"]) for s in apply["steps"] if "pip install" in str(s.get("run"))]
    assert installs and all("--require-hashes" in run for run in installs)


def test_no_workflow_plans_or_drifts_with_the_deploy_role():
    for path in WORKFLOWS:
        for name, job in _load(path)["jobs"].items():
            if job.get("environment") == "production":
                continue
            assert "TERRAFORM_DEPLOY_ROLE_ARN" not in yaml.safe_dump(job), f"{path.name}: job {name}"


def test_pre_commit_hooks_are_local_and_call_the_pinned_tools():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    [repo] = config["repos"]
    assert repo["repo"] == "local"
    hooks = {h["id"]: h for h in repo["hooks"]}
    assert set(hooks) == {
        "ruff",
        "ruff-format",
        "terraform-fmt",
        "terraform-validate",
        "checkov",
        "actionlint",
        "zizmor",
    }
    makefile = (ROOT / "Makefile").read_text()
    for hook in hooks.values():
        assert hook["language"] == "system"
        program, *_ = hook["entry"].split()
        if program.startswith(".venv/bin/"):
            assert (ROOT / program).exists() or not (ROOT / ".venv").exists(), program
        elif program == "make":
            assert f"\n{hook['entry'].split()[1]}:" in makefile
        else:
            assert program == "terraform"
    for name in ("actionlint", "zizmor"):
        assert all(re.match(hooks[name]["files"], p) for p in IDS), name
