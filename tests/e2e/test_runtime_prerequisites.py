"""Issue 14 item 5 through real Terraform: a ``python_executable`` without boto3 fails the first plan
with one line saying what to install, and nothing is written to AWS.

The interpreter is a virtual environment made without pip (``python -m venv --without-pip``): a real
Python, as a runner's bare ``python3`` is, with no boto3 in reach.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.example_support import Clients, model_dir_files, push_image, upload_model, writes_since
from tests.e2e.test_examples import EXAMPLES, FAST, common

pytestmark = pytest.mark.e2e


def bare_python(directory: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(directory)], check=True, timeout=120)
    python = directory / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import boto3"], capture_output=True, timeout=60, check=False)
    assert probe.returncode != 0, "the bare venv can import boto3: the test would prove nothing"
    return python


def test_a_plan_with_a_python_without_boto3_fails_with_one_line(localaws, tf_workdir, tmp_path):
    c = Clients.create()
    model = upload_model(
        c.s3, "byoc/1.0.0/model.tar.gz", model_dir_files(EXAMPLES / "serverless-byoc" / "container" / "model")
    )
    uri, _ = push_image(c.ecr, "byoc-inference", "1.0.1")
    python = bare_python(tmp_path / "bare")
    variables = {**common(), **FAST, "image": uri, "model_data_url": model, "python_executable": str(python)}
    tf = tf_workdir(EXAMPLES / "serverless-byoc")
    tf.init()

    start = len(localaws.calls())
    plan = tf.plan(variables, detailed_exitcode=False, check=False)
    assert plan.returncode == 1, plan.stdout[-2000:]
    stderr = " ".join(plan.stderr.split())  # Terraform wraps long lines
    want = (
        f"error: boto3 is not installed for {python}; install it with `{python} -m pip install 'boto3>=1.28'`"
    )
    assert want in stderr, plan.stderr[-3000:]
    assert "Traceback" not in plan.stderr
    assert stderr.count("error: boto3") == 1, plan.stderr[-3000:]
    assert writes_since(localaws.calls(), start) == []
    assert c.sagemaker.list_models()["Models"] == []
    assert c.sagemaker.list_endpoints()["Endpoints"] == []
