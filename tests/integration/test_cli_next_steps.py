"""Every error of the command line names its field or cause and ends with what to do next (issue 9 item
7), in the convention of ``deployer.errors``: one line, ``<field or endpoint>: <cause>; next: <step>``.

Each case runs ``deployer.cli.main`` in process against localaws and checks the exit code, the one line
and its next step, and AWS itself: nothing written where the error says so, the endpoint unchanged."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from deployer import cli, operations
from deployer.state import TAG_LEASE_EXPIRES, TAG_LEASE_OWNER
from tests.integration.test_deployer_support import (
    clients,
    document,
    endpoint,
    rollback_alarm,  # noqa: F401 (fixture)
    runtime,
    spec,
    writes,
)

NEXT = "; next: "


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def next_step(err: str) -> tuple[str, str]:
    """(cause, next step) of the one error line; fails unless there is exactly one of each."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].count(NEXT) == 1, lines[0]
    cause, step = lines[0].split(NEXT)
    assert cause.strip() and step.strip(), lines[0]
    return cause, step


def apply(rollout_id: str = "rollout-1", tag: str = "v1") -> str:
    rt, _ = runtime()
    operations.terraform_apply(spec(tag=tag), rollout_id, runtime=rt)
    return endpoint(clients().sagemaker)["EndpointConfigName"]


def test_an_invalid_spec_field_names_the_field_and_says_to_fix_it_in_the_file(localaws, tmp_path: Path):
    bad = document()
    bad["variants"][0]["initial_instance_count"] = 0
    path = tmp_path / "whisper.json"
    path.write_text(json.dumps(bad))

    code, out, err = run("deploy", "--spec", str(path))

    assert code == 1 and out == ""
    cause, step = next_step(err)
    assert cause.startswith("variants[0].initial_instance_count: ")
    assert str(path) in step and "sagemaker-rollout deploy --spec" in step
    assert localaws.calls() == []


def test_a_missing_rollback_alarm_says_to_create_it(localaws, tmp_path: Path):
    path = tmp_path / "whisper.json"
    path.write_text(json.dumps(document()))  # rollback_alarms: whisper-5xx, which does not exist here

    code, _, err = run("deploy", "--spec", str(path))

    assert code == 1
    cause, step = next_step(err)
    assert cause.startswith("deployment.rollback_alarms: no such CloudWatch alarm whisper-5xx")
    assert "create the alarm" in step
    assert writes(localaws.calls()) == []


@pytest.mark.usefixtures("rollback_alarm")
def test_a_held_lease_says_who_holds_it_and_to_retry_when_it_is_done(localaws):
    serving = apply()
    sm = clients().sagemaker
    sm.add_tags(
        ResourceArn=endpoint(sm)["EndpointArn"],
        Tags=[
            {"Key": TAG_LEASE_OWNER, "Value": "ci-runner/42/abc"},
            {"Key": TAG_LEASE_EXPIRES, "Value": str(int(time.time()) + 600)},
        ],
    )
    before = len(localaws.calls())

    code, _, err = run("prune", "whisper", "--keep", "1")

    assert code == 5
    cause, step = next_step(err)
    assert "another deployer (ci-runner/42/abc) holds the endpoint's lease until" in cause
    assert cause.rstrip().endswith("nothing written")
    assert "sagemaker-rollout status whisper" in step and "retry" in step
    assert writes(localaws.calls()[before:]) == []
    assert endpoint(sm)["EndpointConfigName"] == serving


@pytest.mark.usefixtures("rollback_alarm")
def test_nothing_to_roll_back_points_to_history_and_to(localaws):
    serving = apply()
    before = len(localaws.calls())

    code, _, err = run("rollback", "whisper")

    assert code == 1
    cause, step = next_step(err)
    assert cause.startswith("to: whisper has no previous release recorded")
    assert "sagemaker-rollout history whisper" in step and "--to CONFIG" in step
    assert writes(localaws.calls()[before:]) == []
    assert endpoint(clients().sagemaker)["EndpointConfigName"] == serving


@pytest.mark.parametrize("command", [["rollback"], ["watch"], ["prune"], ["deploy", "--image", "x"]])
def test_an_unknown_endpoint_says_to_check_the_name_and_region(localaws, command):
    args = [command[0], "nothing-here", *command[1:]]

    code, _, err = run(*args, "--region", "us-east-1")

    assert code == 1, err
    cause, step = next_step(err)
    assert cause == "endpoint: nothing-here does not exist in us-east-1"
    assert "aws sagemaker list-endpoints --region us-east-1" in step
    assert writes(localaws.calls()) == []


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("AccessDeniedException", "grant the deployer's role the permission for DescribeEndpoint"),
        ("ExpiredTokenException", "refresh the credentials"),
        ("ValidationException", "fix what AWS names above"),
    ],
)
def test_an_aws_refusal_names_the_call_and_what_to_do(localaws, monkeypatch, code, says):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    localaws.refuse("sagemaker", "DescribeEndpoint", code=code, message="refused by the test")

    exit_code, _, err = run("status", "whisper")

    assert exit_code == 4
    cause, step = next_step(err)
    assert cause == f"AWS refused DescribeEndpoint: {code}: refused by the test"
    assert says in step


def test_throttling_beyond_retries_says_to_run_again_later(localaws, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    localaws.refuse("sagemaker", "DescribeEndpoint", code="ThrottlingException", message="slow down")

    exit_code, _, err = run("status", "whisper")

    assert exit_code == 4
    assert "run again in a few minutes" in next_step(err)[1]


def test_destroying_an_endpoint_not_ours_without_force_says_how_to_force_it(localaws):
    sm = clients().sagemaker
    role = "arn:aws:iam::123456789012:role/someone-elses"
    sm.create_model(
        ModelName="theirs-m",
        ExecutionRoleArn=role,
        PrimaryContainer={"Image": spec().variants[0].containers[0].image},
    )
    sm.create_endpoint_config(
        EndpointConfigName="theirs-c",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "theirs-m",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sm.create_endpoint(EndpointName="theirs", EndpointConfigName="theirs-c")
    before = len(localaws.calls())

    code, _, err = run("destroy", "theirs")

    assert code == 1
    cause, step = next_step(err)
    assert cause.startswith("destroy: theirs is not managed by sagemaker-rollout")
    assert "sagemaker-rollout destroy theirs --force" in step
    assert writes(localaws.calls()[before:]) == []
    assert endpoint(sm, "theirs")["EndpointName"] == "theirs"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["bogus"], "`sagemaker-rollout --help`"),
        (["status"], "`sagemaker-rollout status --help`"),
        (["prune", "x", "--keep", "z"], "`sagemaker-rollout prune --help`"),
        (["deploy"], "`sagemaker-rollout deploy --help`"),
        (["deploy", "--spec", "no-such-file.json"], "check the path"),
    ],
)
def test_usage_errors_point_to_the_commands_help(localaws, args, says):
    code, _, err = run(*args)
    assert code == 1
    assert says in next_step(err)[1]
    assert localaws.calls() == []
