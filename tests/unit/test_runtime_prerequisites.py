"""A ``python_executable`` without boto3 (or with one too old) fails with one line naming what to install."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _deployer(extra_path: list[Path]) -> subprocess.CompletedProcess[str]:
    # -S: no site-packages, so the test venv's boto3 is out of reach; the repository is on the path via -m.
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(map(str, extra_path))}
    return subprocess.run(
        [sys.executable, "-S", "-m", "deployer", "external"],
        input="{}",
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
        check=False,
    )


def test_without_boto3_one_line_says_what_to_install():
    result = _deployer([])
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [
        f"error: boto3 is not installed for {sys.executable}; install it with "
        f"`{sys.executable} -m pip install 'boto3>=1.28'`"
    ]


def test_too_old_boto3_one_line(tmp_path):
    (tmp_path / "boto3").mkdir()
    (tmp_path / "boto3/__init__.py").write_text("")
    (tmp_path / "boto3-1.20.0.dist-info").mkdir()
    (tmp_path / "boto3-1.20.0.dist-info/METADATA").write_text(
        "Metadata-Version: 2.1\nName: boto3\nVersion: 1.20.0\n"
    )
    result = _deployer([tmp_path])
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert "boto3 1.20.0 is too old" in result.stderr
    assert "boto3>=1.28" in result.stderr


def test_minimum_matches_pyproject():
    import re

    main_py = (REPO / "deployer/__main__.py").read_text()
    minimum = re.search(r"MINIMUM_BOTO3 = \((\d+), (\d+)\)", main_py)
    assert minimum is not None
    assert f'"boto3>={minimum[1]}.{minimum[2]}"' in (REPO / "pyproject.toml").read_text()


def test_a_bare_venv_python_gets_the_one_line(tmp_path):
    """A real interpreter without boto3 (a venv made without pip, as a runner's bare python3 is)."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True, timeout=120
    )
    python = tmp_path / "bare" / "bin" / "python"
    result = subprocess.run(
        [str(python), "-m", "deployer", "external"],
        input="{}",
        capture_output=True,
        text=True,
        cwd=REPO,  # data "external" runs the program in the module directory
        env={"PATH": os.environ.get("PATH", "")},
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: boto3 is not installed for {python}; install it with `{python} -m pip install 'boto3>=1.28'`"
    ]


def test_the_plan_time_probe_answers_the_external_protocol():
    """``data "external" "prerequisites"``: a JSON object of strings when all is there, the line when not."""
    import json
    from importlib import metadata

    ok = subprocess.run(
        [sys.executable, "-m", "deployer", "prerequisites"],
        input="{}",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    # No interpreter path in the result (it is kept in the state; issue 8 item 11).
    assert json.loads(ok.stdout) == {"boto3": metadata.version("boto3")}
    missing = subprocess.run(
        [sys.executable, "-S", "-m", "deployer", "prerequisites"],
        input="{}",
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PATH": os.environ.get("PATH", "")},
        timeout=60,
        check=False,
    )
    assert missing.returncode == 1 and missing.stdout == ""
    assert len(missing.stderr.splitlines()) == 1 and "boto3 is not installed" in missing.stderr
