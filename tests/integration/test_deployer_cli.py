"""Acceptance 10-13 of issue 3 and the CLI commands of SPEC §6, run as ``python -m deployer`` subprocesses
(exit codes, stdout/stderr) against localaws, asserting AWS state and the call log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from deployer import operations
from deployer.release import config_name, release_id
from deployer.spec import parse_spec
from tests.integration.test_deployer_support import (
    clients,
    document,
    endpoint,
    image,
    register_target,
    rollback_alarm,  # noqa: F401 (fixture)
    runtime,
    spec,
    with_deployment,
    writes,
)
from tests.integration.test_deployer_support import (
    operation_names as ops,
)

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("rollback_alarm")


def cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deployer", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT), **env},
    )


def apply(spec_value, rollout_id):
    rt, _ = runtime(spec_value.endpoint_name)
    return operations.terraform_apply(spec_value, rollout_id, runtime=rt)


def test_hotfix_makes_a_release_differing_only_by_image_and_plan_reports_drift(localaws, tmp_path):
    sm = clients().sagemaker
    first = spec(tag="v1")
    apply(first, "rollout-1")
    live_before = sm.describe_endpoint_config(EndpointConfigName=config_name("whisper", release_id(first)))

    logs = tmp_path / "logs"
    run = cli(
        tmp_path, "deploy", "whisper", "--image", image("hotfix-1"), SAGEMAKER_ROLLOUT_LOG_DIR=str(logs)
    )

    assert run.returncode == 0, run.stderr
    hotfixed = first.with_image(None, None, image("hotfix-1"))
    live = endpoint(sm)
    assert live["EndpointConfigName"] == config_name("whisper", release_id(hotfixed))
    model = sm.describe_model(ModelName=f"{live['EndpointConfigName']}-m0")
    old_model = sm.describe_model(ModelName=live_before["ProductionVariants"][0]["ModelName"])
    assert model["PrimaryContainer"]["Image"] == image("hotfix-1")
    assert {k: v for k, v in model["PrimaryContainer"].items() if k != "Image"} == {
        k: v for k, v in old_model["PrimaryContainer"].items() if k != "Image"
    }
    assert model["ExecutionRoleArn"] == old_model["ExecutionRoleArn"]
    config = sm.describe_endpoint_config(EndpointConfigName=live["EndpointConfigName"])
    strip = ("ModelName",)
    assert [{k: v for k, v in p.items() if k not in strip} for p in config["ProductionVariants"]] == [
        {k: v for k, v in p.items() if k not in strip} for p in live_before["ProductionVariants"]
    ]
    # Progress went to one log file of this run under SAGEMAKER_ROLLOUT_LOG_DIR too, nowhere else.
    [log] = logs.glob("whisper-*.log")
    assert log.read_text()
    assert not (tmp_path / ".deployer").exists()

    before = len(localaws.calls())
    read = apply(first, "rollout-1")  # the next terraform plan, with the Terraform spec
    assert writes(localaws.calls()[before:]) == []
    assert read["drift"] == "true" and read["action"] == "deferred"
    history = json.loads(cli(tmp_path, "history", "whisper", "--json").stdout)
    assert "hotfix" in history[0]["marks"] and "live" in history[0]["marks"]
    assert "previous" in history[1]["marks"]


def test_rollback_puts_the_previous_release_live_verified(localaws, tmp_path):
    sm = clients().sagemaker
    first, second = spec(tag="v1"), spec(tag="v2")
    apply(first, "rollout-1")
    apply(second, "rollout-2")
    before = len(localaws.calls())

    run = cli(tmp_path, "rollback", "whisper")

    assert run.returncode == 0, run.stderr
    live = endpoint(sm)
    assert live["EndpointStatus"] == "InService"
    assert live["EndpointConfigName"] == config_name("whisper", release_id(first))
    updates = [c for c in localaws.calls()[before:] if c["operation"] == "UpdateEndpoint"]
    assert [u["params"]["EndpointConfigName"] for u in updates] == [config_name("whisper", release_id(first))]
    assert live["LastDeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"] == [
        {"AlarmName": "whisper-5xx"}
    ]
    status = json.loads(cli(tmp_path, "status", "whisper", "--json").stdout)
    assert status["endpoint_config_name"] == config_name("whisper", release_id(first))
    assert status["previous_endpoint_config_name"] == config_name("whisper", release_id(second))
    assert status["last_rollout"] == "succeeded"


def test_rollback_to_a_config_that_is_not_ours_is_refused_without_writes(localaws, tmp_path):
    apply(spec(tag="v1"), "rollout-1")
    before = len(localaws.calls())

    run = cli(tmp_path, "rollback", "whisper", "--to", "someone-elses-config")

    assert run.returncode == 1
    assert len(run.stderr.strip().splitlines()) == 1 and "to:" in run.stderr
    assert writes(localaws.calls()[before:]) == []


def test_ten_deploys_keep_three_and_never_delete_what_is_live(localaws):
    localaws.configure(provision_seconds=5, create_seconds=5)
    specs = [
        parse_spec(with_deployment(document(tag=f"v{i}"), termination_wait_seconds=0)) for i in range(10)
    ]
    for i, s in enumerate(specs):
        apply(s, f"rollout-{i}")

    sm = clients().sagemaker
    names = [config_name("whisper", release_id(s)) for s in specs]
    configs = {c["EndpointConfigName"] for c in sm.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]}
    models = {m["ModelName"] for m in sm.list_models(MaxResults=100)["Models"]}
    assert configs == set(names[-3:])
    assert models == {f"{n}-m0" for n in names[-3:]}
    assert endpoint(sm)["EndpointConfigName"] == names[-1]
    live = ""
    for call in localaws.calls():
        if call["operation"] in {"CreateEndpoint", "UpdateEndpoint"}:
            live = call["params"]["EndpointConfigName"]
        if call["operation"] == "DeleteEndpointConfig":
            assert call["params"]["EndpointConfigName"] != live


def test_prune_command_keeps_live_and_previous(localaws, tmp_path):
    for i in range(4):
        apply(spec(tag=f"v{i}"), f"rollout-{i}")
    sm = clients().sagemaker

    run = cli(tmp_path, "prune", "whisper", "--keep", "1")

    assert run.returncode == 0, run.stderr
    configs = {c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]}
    assert configs == {config_name("whisper", release_id(spec(tag=f"v{i}"))) for i in (2, 3)}


def test_history_and_prune_read_one_name_filtered_page_in_a_busy_account(localaws, tmp_path):
    """Issue 10 P4: 350 configurations of other teams (4 pages of 100) and 3 releases of ours; history
    and prune each read one ListEndpointConfigs page (NameContains), whatever else the account holds."""
    for i in range(3):
        apply(spec(tag=f"v{i}"), f"rollout-{i}")
    sm = clients().sagemaker
    sm.create_model(
        ModelName="other-team",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/x",
        PrimaryContainer={"Image": image("x")},
    )
    variant = {
        "VariantName": "A",
        "ModelName": "other-team",
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1,
    }
    for i in range(350):
        sm.create_endpoint_config(EndpointConfigName=f"other-team-{i:04d}", ProductionVariants=[variant])

    before = len(localaws.calls())
    shown = cli(tmp_path, "history", "whisper", "--json")
    assert shown.returncode == 0, shown.stderr
    assert len(json.loads(shown.stdout)) == 3
    assert ops(localaws.calls()[before:]).count("ListEndpointConfigs") == 1

    before = len(localaws.calls())
    pruned = cli(tmp_path, "prune", "whisper", "--keep", "1")
    assert pruned.returncode == 0, pruned.stderr
    calls = localaws.calls()[before:]
    assert ops(calls).count("ListEndpointConfigs") == 1
    assert ops(calls).count("ListModels") == 1
    deleted = {c["params"]["EndpointConfigName"] for c in calls if c["operation"] == "DeleteEndpointConfig"}
    assert deleted == {config_name("whisper", release_id(spec(tag="v0")))}
    others = [
        c["EndpointConfigName"]
        for page in sm.get_paginator("list_endpoint_configs").paginate(NameContains="other-team-")
        for c in page["EndpointConfigs"]
    ]
    assert len(others) == 350  # nothing of theirs deleted


def test_destroy_deregisters_then_deletes_endpoint_configs_and_models(localaws, tmp_path):
    c = clients()
    apply(spec(tag="v1"), "rollout-1")
    apply(spec(tag="v2"), "rollout-2")
    register_target(c.autoscaling)
    c.sagemaker.create_model(  # not ours: must survive
        ModelName="unrelated",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/x",
        PrimaryContainer={"Image": image("x")},
    )
    before = len(localaws.calls())

    run = cli(tmp_path, "destroy", "whisper")

    assert run.returncode == 0, run.stderr
    assert c.sagemaker.list_endpoints()["Endpoints"] == []
    assert c.sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert [m["ModelName"] for m in c.sagemaker.list_models()["Models"]] == ["unrelated"]
    assert c.autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []
    written = ops(writes(localaws.calls()[before:]))
    assert written.index("DeregisterScalableTarget") < written.index("DeleteEndpoint")
    assert written.index("DeleteEndpoint") < written.index("DeleteEndpointConfig")
    assert cli(tmp_path, "destroy", "whisper").returncode == 0  # idempotent


def _foreign_endpoint(sm, name: str = "foreign") -> None:
    """An endpoint someone else made (no sagemaker-rollout tags), on a configuration named like ours."""
    sm.create_model(
        ModelName=f"{name}-0123456789ab-m0",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/x",
        PrimaryContainer={"Image": image("x")},
    )
    sm.create_endpoint_config(
        EndpointConfigName=f"{name}-0123456789ab",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": f"{name}-0123456789ab-m0",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sm.create_endpoint(
        EndpointName=name, EndpointConfigName=f"{name}-0123456789ab", Tags=[{"Key": "team", "Value": "x"}]
    )
    sm.get_waiter("endpoint_in_service").wait(
        EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )


def test_destroy_refuses_an_endpoint_the_deployer_does_not_manage(localaws, tmp_path):
    c = clients()
    _foreign_endpoint(c.sagemaker)
    before = len(localaws.calls())

    run = cli(tmp_path, "destroy", "foreign")

    assert run.returncode == 1, run.stderr
    lines = run.stderr.strip().splitlines()
    assert (
        len(lines) == 1
        and "foreign is not managed by sagemaker-rollout" in lines[0]
        and "--force" in lines[0]
    )
    assert writes(localaws.calls()[before:]) == []
    assert endpoint(c.sagemaker, "foreign")["EndpointStatus"] == "InService"


def test_destroy_force_deletes_a_foreign_endpoint_and_says_so_but_never_its_untagged_releases(
    localaws, tmp_path
):
    c = clients()
    _foreign_endpoint(c.sagemaker)

    run = cli(tmp_path, "destroy", "foreign", "--force")

    assert run.returncode == 0, run.stderr
    assert "destroy --force: deleting endpoint foreign (serving foreign-0123456789ab)" in run.stderr
    assert c.sagemaker.list_endpoints()["Endpoints"] == []
    # Named like our releases, but not tagged as ours: left alone.
    assert [x["EndpointConfigName"] for x in c.sagemaker.list_endpoint_configs()["EndpointConfigs"]] == [
        "foreign-0123456789ab"
    ]
    assert [m["ModelName"] for m in c.sagemaker.list_models()["Models"]] == ["foreign-0123456789ab-m0"]


def test_destroy_of_a_managed_endpoint_spares_look_alike_untagged_configurations(localaws, tmp_path):
    c = clients()
    apply(spec(tag="v1"), "rollout-1")
    c.sagemaker.create_model(
        ModelName="whisper-0123456789ab-m0",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/x",
        PrimaryContainer={"Image": image("x")},
    )

    run = cli(tmp_path, "destroy", "whisper")

    assert run.returncode == 0, run.stderr
    assert c.sagemaker.list_endpoints()["Endpoints"] == []
    assert c.sagemaker.list_endpoint_configs()["EndpointConfigs"] == []
    assert [m["ModelName"] for m in c.sagemaker.list_models()["Models"]] == ["whisper-0123456789ab-m0"]


def test_deploy_spec_file_exit_codes_and_one_line_errors(localaws, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(document(tag="v1")))
    ok = cli(tmp_path, "deploy", "--spec", str(good))
    assert ok.returncode == 0, ok.stderr
    assert endpoint(clients().sagemaker)["EndpointStatus"] == "InService"

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document(tag="fail-health-check")))
    failed = cli(tmp_path, "deploy", "--spec", str(broken))
    assert failed.returncode == 2
    assert len(failed.stderr.strip().splitlines()) >= 1
    assert "rolled back" in failed.stderr.strip().splitlines()[-1]
    assert endpoint(clients().sagemaker)["EndpointConfigName"] == config_name(
        "whisper", release_id(spec(tag="v1"))
    )
    watch = cli(tmp_path, "watch", "whisper")
    assert watch.returncode == 0 and "InService" in watch.stdout


def test_status_of_missing_endpoint_and_refused_credentials(localaws, tmp_path, monkeypatch):
    missing = cli(tmp_path, "status", "nothing-here", "--json")
    assert missing.returncode == 0 and json.loads(missing.stdout)["exists"] is False
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: AWS unreachable
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    unreachable = cli(tmp_path, "status", "whisper")
    assert unreachable.returncode == 4
    assert len(unreachable.stderr.strip().splitlines()) == 1


def test_usage_errors_exit_1_not_2(tmp_path):
    usages = (
        ["bogus"],
        ["deploy"],
        ["status"],
        ["prune", "x", "--keep", "z"],
        ["deploy", "--spec", "no.json"],
    )
    for args in usages:
        run = cli(tmp_path, *args)
        assert run.returncode == 1, args
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
