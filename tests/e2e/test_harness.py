"""The offline Terraform harness end to end: real Terraform, the real AWS provider against localaws,
and the hashicorp/external stand-in behaving like hashicorp/external v2.4.0.

The expected error texts below are those of hashicorp/terraform-provider-external v2.4.0,
internal/provider/data_source.go (Read), written out here independently of the stand-in.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.tfharness.runner import TerraformRunner, diagnostics
from tests.tfharness.tree import stage_configuration
from tests.tfharness.validate import validate_dir

pytestmark = pytest.mark.e2e

STACKS = Path(__file__).parent / "stacks"
PYTHON = sys.executable

EXECUTION_FAILED = "The data source received an unexpected error while attempting to execute the program."
UNEXPECTED_RESULTS = (
    "The data source received unexpected results after executing the program.\n\n"
    "Program output must be a JSON encoded map of string keys and string values.\n\n"
    "If the error is unclear, the output can be viewed by enabling Terraform's logging at TRACE level. "
    "Terraform documentation on logging: https://www.terraform.io/internals/debugging\n"
)


def _clients(url: str) -> dict[str, object]:
    return {name: boto3.client(name, endpoint_url=url) for name in ("s3", "sns", "iam", "cloudwatch")}


def _topic_arns(sns) -> list[str]:
    return [t["TopicArn"] for t in sns.list_topics()["Topics"]]


def test_apply_plan_again_and_destroy_against_localaws(localaws, tf_workdir, tmp_path):
    name = f"harness-{uuid.uuid4().hex[:8]}"
    probe_dir = tmp_path / "probe working dir"
    probe_dir.mkdir()
    aws = _clients(localaws.url)
    stack = tf_workdir(STACKS / "harness")
    stack.init()
    applied = stack.apply({"name": name, "python": PYTHON, "probe_working_dir": str(probe_dir)})

    # Everything exists in localaws.
    aws["s3"].head_bucket(Bucket=name)
    topic_arn = next(arn for arn in _topic_arns(aws["sns"]) if arn.endswith(f":{name}"))
    role = aws["iam"].get_role(RoleName=name)["Role"]
    (alarm,) = aws["cloudwatch"].describe_alarms(AlarmNames=[f"{name}-5xx"])["MetricAlarms"]
    assert alarm["AlarmActions"] == [topic_arn]
    assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == {
        "EndpointName": name,
        "VariantName": "AllTraffic",
    }

    # The data source ran the program in working_dir, with Terraform's environment, null entries
    # dropped from the query, and its result became an output.
    probe = stack.output("probe")
    assert probe["bucket_seen"] == name
    assert probe["role_arn"] == role["Arn"]
    assert probe["endpoint"] == localaws.url
    assert os.path.realpath(probe["cwd"]) == os.path.realpath(probe_dir)
    assert json.loads(probe["stdin"]) == {"bucket": name, "role_name": name}
    assert "probe-stderr-marker" not in applied.stdout + applied.stderr

    state = stack.show_json()
    addresses = {r["address"] for r in state["values"]["root_module"]["resources"]}
    assert {
        "aws_s3_bucket.this",
        "aws_sns_topic.this",
        "aws_iam_role.this",
        "aws_cloudwatch_metric_alarm.this",
        "data.external.probe",
    } <= addresses

    # Nothing to change on a second plan (the data source is read again, same result).
    assert stack.plan().returncode == 0

    stack.destroy()
    with pytest.raises(ClientError) as missing_bucket:
        aws["s3"].head_bucket(Bucket=name)
    assert missing_bucket.value.response["Error"]["Code"] in ("404", "NoSuchBucket")
    assert topic_arn not in _topic_arns(aws["sns"])
    with pytest.raises(ClientError) as missing_role:
        aws["iam"].get_role(RoleName=name)
    assert missing_role.value.response["Error"]["Code"] == "NoSuchEntity"
    assert aws["cloudwatch"].describe_alarms(AlarmNames=[f"{name}-5xx"])["MetricAlarms"] == []


@pytest.fixture(scope="module")
def misbehaving(tf_harness, tmp_path_factory):
    """One initialised copy of the misbehaving-program stack, shared by the error cases (plans only)."""
    workdir = stage_configuration(STACKS / "harness-external-errors", tmp_path_factory.mktemp("errors"))
    runner = TerraformRunner(workdir, tf_harness, localaws=False)
    runner.init()
    return runner


@pytest.mark.parametrize(
    ("mode", "summary", "detail"),
    [
        (
            "number",
            "Unexpected External Program Results",
            UNEXPECTED_RESULTS
            + f"\nProgram: {PYTHON}"
            + "\nResult Error: json: cannot unmarshal number into Go value of type string",
        ),
        (
            "array",
            "Unexpected External Program Results",
            UNEXPECTED_RESULTS
            + f"\nProgram: {PYTHON}"
            + "\nResult Error: json: cannot unmarshal array into Go value of type map[string]string",
        ),
        (
            "text",
            "Unexpected External Program Results",
            UNEXPECTED_RESULTS
            + f"\nProgram: {PYTHON}\nResult Error: invalid character 'r' looking for beginning of value",
        ),
        (
            "exit",
            "External Program Execution Failed",
            EXECUTION_FAILED
            + f"\n\nProgram: {PYTHON}"
            + "\nError Message: deployer: rollout rolled back by alarm whisper-5xx\n"
            + "\nState: exit status 2",
        ),
        (
            "silent-exit",
            "External Program Execution Failed",
            EXECUTION_FAILED
            + "\n\nThe program was executed, however it returned no additional error messaging."
            + f"\n\nProgram: {PYTHON}\nState: exit status 4",
        ),
    ],
)
def test_external_fails_like_the_real_provider(misbehaving, mode, summary, detail):
    planned = misbehaving.plan({"python": PYTHON, "mode": mode}, "-json", check=False)
    assert planned.returncode == 1
    errors = [d for d in diagnostics(planned) if d["severity"] == "error"]
    assert [(e["summary"], e["detail"]) for e in errors] == [(summary, detail)]
    assert errors[0]["address"] == "data.external.this"
    assert errors[0]["range"]["filename"] == "main.tf"


LOOKUP_FAILED = (
    "The data source received an unexpected error while attempting to parse the query. "
    "The data source received an unexpected error while attempting to find the program.\n\n"
    "The program must be accessible according to the platform where Terraform is running.\n\n"
    "If the expected program should be automatically found on the platform where Terraform is running, "
    "ensure that the program is in an expected directory. On Unix-based platforms, these directories are "
    "typically searched based on the '$PATH' environment variable. On Windows-based platforms, these "
    "directories are typically searched based on the '%PATH%' environment variable.\n\n"
    "If the expected program is relative to the Terraform configuration, it is recommended that the "
    "program name includes the interpolated value of 'path.module' before the program name to ensure that "
    'it is compatible with varying module usage. For example: "${path.module}/my-program"\n\n'
    "The program must also be executable according to the platform where Terraform is running. On "
    "Unix-based platforms, the file on the filesystem must have the executable bit set. On Windows-based "
    "platforms, no action is typically necessary.\n"
)
MISSING = "no-such-program-harness"


@pytest.mark.parametrize(
    ("program", "summary", "detail"),
    [
        (
            ["", None],
            "External Program Missing",
            "The data source was configured without a program to execute. "
            "Verify the configuration contains at least one non-empty value.",
        ),
        ([], "Invalid Attribute Value", "Attribute program list must contain at least 1 elements, got: 0"),
        (
            [MISSING, "--flag"],
            "External Program Lookup Failed",
            LOOKUP_FAILED
            + f'\nPlatform: linux\nProgram: "{MISSING}"'
            + f'\nError: exec: "{MISSING}": executable file not found in $PATH',
        ),
    ],
)
def test_external_program_checks_like_the_real_provider(misbehaving, monkeypatch, program, summary, detail):
    monkeypatch.setenv("SHELL", "/bin/nologin-shell")  # no shell fallback (see the next test)
    planned = misbehaving.plan({"python": PYTHON, "program": program}, "-json", check=False)
    assert planned.returncode == 1
    errors = [d for d in diagnostics(planned) if d["severity"] == "error"]
    assert [(e["summary"], e["detail"]) for e in errors] == [(summary, detail)]


def test_external_missing_program_falls_back_to_the_shell(misbehaving, monkeypatch):
    """Like the real provider: not found on PATH and $SHELL is bash -> `bash -i -c -- "<program>"`."""
    monkeypatch.setenv("SHELL", "/bin/bash")
    planned = misbehaving.plan({"python": PYTHON, "program": [MISSING]}, "-json", check=False)
    assert planned.returncode == 1
    (error,) = [d for d in diagnostics(planned) if d["severity"] == "error"]
    assert error["summary"] == "External Program Execution Failed"
    assert error["detail"].startswith(EXECUTION_FAILED + "\n\nProgram: /bin/bash\nError Message: ")
    assert f"{MISSING}: command not found" in error["detail"]
    assert error["detail"].endswith("\nState: exit status 127")


def test_external_success_hides_stderr(misbehaving):
    applied = misbehaving.apply({"python": PYTHON, "mode": "ok"})
    assert misbehaving.output("result") == {"endpoint": "e1", "status": "InService"}
    assert "log line on stderr" not in applied.stdout + applied.stderr


def test_tfrun_runs_one_command_in_place(tf_harness, tmp_path):
    workdir = stage_configuration(STACKS / "harness-external-errors", tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    command = [PYTHON, "-m", "tests.tfrun", str(workdir)]
    repo = Path(__file__).resolve().parents[2]
    run = functools.partial(subprocess.run, cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert run([*command, "init", "-no-color"]).returncode == 0
    applied = run([*command, "apply", "-auto-approve", "-no-color", f"-var=python={PYTHON}", "-var=mode=ok"])
    assert applied.returncode == 0, applied.stderr
    state = json.loads((workdir / "terraform.tfstate").read_text())
    assert state["outputs"]["result"]["value"] == {"endpoint": "e1", "status": "InService"}
    failed = run([*command, "plan", "-no-color", f"-var=python={PYTHON}", "-var=mode=exit"])
    assert failed.returncode == 1
    assert "External Program Execution Failed" in failed.stderr


def test_tfrun_needs_the_endpoint_for_aws_configurations(tf_harness, tmp_path):
    workdir = stage_configuration(STACKS / "harness", tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    repo = Path(__file__).resolve().parents[2]
    completed = subprocess.run(
        [PYTHON, "-m", "tests.tfrun", str(workdir), "plan"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "AWS_ENDPOINT_URL" in completed.stderr
    assert not (workdir / ".terraform").exists()


def test_validate_dir_reports_the_failing_step(tf_harness, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "main.tf").write_text('output "x" {\n  value = local.missing\n}\n')
    verdict = validate_dir(tf_harness, broken)
    assert verdict.failed_step == "validate"
    assert 'A local value with the name "missing" has not been declared' in verdict.output
    (broken / "main.tf").write_text(
        'terraform {\n  required_providers {\n    nope = { source = "acme/nope" }\n  }\n}\n'
    )
    assert validate_dir(tf_harness, broken).failed_step == "init"
    assert validate_dir(tf_harness, STACKS / "harness-external-errors").failed_step is None
