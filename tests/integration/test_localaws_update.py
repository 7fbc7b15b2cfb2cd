"""localaws: UpdateEndpoint deployments (blue/green, rolling), alarms and rollbacks, over HTTP with boto3."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from tests.localaws import control
from tests.localaws import testkit as kit


def blue_green(
    kind: str = "ALL_AT_ONCE", wait: int = 0, termination: int = 0, alarms: tuple[str, ...] = (), **routing
) -> dict:
    config = {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": kind, "WaitIntervalInSeconds": wait, **routing},
            "TerminationWaitInSeconds": termination,
        }
    }
    if alarms:
        config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": name} for name in alarms]}
    return config


@pytest.fixture
def sm(localaws):
    # 1 simulated second = 1 ms: a 300 s phase takes 0.3 s.
    localaws.configure(time_scale=0.001, create_seconds=50, provision_seconds=100, rollback_seconds=50)
    return kit.client(localaws.url, "sagemaker")


@pytest.fixture
def live(sm):
    """Endpoint "ep" InService on configuration "v1"."""
    kit.release(sm, "v1", count=2)
    kit.in_service(sm, "ep", "v1")
    return "ep"


def test_update_while_creating_or_updating_is_rejected(localaws, sm):
    localaws.configure(create_seconds=10000, provision_seconds=1000)
    kit.release(sm, "v1")
    kit.release(sm, "v2")
    sm.create_endpoint(EndpointName="ep", EndpointConfigName="v1")
    with pytest.raises(ClientError) as creating:
        sm.update_endpoint(EndpointName="ep", EndpointConfigName="v2")
    error = creating.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert (
        error["Message"]
        == f'Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:{kit.ACCOUNT}:endpoint/ep".'
    )
    localaws.configure(time_scale=0.00001)
    kit.wait_status(sm, "ep", "InService")
    localaws.configure(time_scale=0.001)
    sm.update_endpoint(EndpointName="ep", EndpointConfigName="v2")
    with pytest.raises(ClientError) as updating:
        sm.update_endpoint(EndpointName="ep", EndpointConfigName="v1")
    assert "Cannot update in-progress endpoint" in updating.value.response["Error"]["Message"]


def test_updating_shows_pending_deployment_while_old_config_is_named(sm, live):
    kit.release(sm, "v2", count=2)
    sm.update_endpoint(EndpointName=live, EndpointConfigName="v2", DeploymentConfig=blue_green(wait=300))
    described = sm.describe_endpoint(EndpointName=live)
    assert described["EndpointStatus"] == "Updating"
    assert described["EndpointConfigName"] == "v1"
    pending = described["PendingDeploymentSummary"]
    assert pending["EndpointConfigName"] == "v2"
    (variant,) = pending["ProductionVariants"]
    assert variant["VariantName"] == "AllTraffic"
    assert variant["VariantStatus"][0]["Status"] == "Creating"
    assert variant["InstanceType"] == "ml.m5.large"
    assert variant["DeployedImages"][0]["SpecifiedImage"] == f"{kit.IMAGE}:v2"
    baking = kit.wait_for(sm, live, lambda d: kit.pending_status(d) == "Baking")
    assert baking["EndpointConfigName"] == "v1"
    assert baking["PendingDeploymentSummary"]["ProductionVariants"][0]["CurrentWeight"] == 1.0
    done = kit.wait_status(sm, live, "InService")
    assert done["EndpointConfigName"] == "v2"
    assert "PendingDeploymentSummary" not in done
    assert done["ProductionVariants"][0]["DeployedImages"][0]["SpecifiedImage"] == f"{kit.IMAGE}:v2"


def test_canary_shifts_canary_share_then_the_rest(sm, live):
    kit.release(sm, "v2", count=4)
    sm.update_endpoint(
        EndpointName=live,
        EndpointConfigName="v2",
        DeploymentConfig=blue_green("CANARY", wait=400, CanarySize={"Type": "CAPACITY_PERCENT", "Value": 25}),
    )
    canary = kit.wait_for(sm, live, lambda d: kit.pending_status(d) == "Baking")
    assert canary["PendingDeploymentSummary"]["ProductionVariants"][0]["CurrentWeight"] == pytest.approx(0.25)
    assert canary["ProductionVariants"][0]["CurrentWeight"] == pytest.approx(0.75)
    full = kit.wait_for(
        sm,
        live,
        lambda d: (
            "PendingDeploymentSummary" not in d
            or d["PendingDeploymentSummary"]["ProductionVariants"][0]["CurrentWeight"] == pytest.approx(1.0)
        ),
    )
    assert full["EndpointStatus"] in ("Updating", "InService")
    assert kit.wait_status(sm, live, "InService")["EndpointConfigName"] == "v2"


def test_linear_shifts_in_steps_with_a_wait_after_each(sm, live):
    kit.release(sm, "v2", count=2)
    started = time.monotonic()
    sm.update_endpoint(
        EndpointName=live,
        EndpointConfigName="v2",
        DeploymentConfig=blue_green(
            "LINEAR", wait=150, LinearStepSize={"Type": "CAPACITY_PERCENT", "Value": 50}
        ),
    )
    seen = set()
    while True:
        described = sm.describe_endpoint(EndpointName=live)
        if described["EndpointStatus"] == "InService":
            break
        if kit.pending_status(described) == "Baking":
            green = described["PendingDeploymentSummary"]["ProductionVariants"][0]
            blue = described["ProductionVariants"][0]
            seen.add((round(green["CurrentWeight"], 2), blue["CurrentInstanceCount"]))
        time.sleep(0.01)
    # Each step moves half the traffic and deactivates the same share of the blue fleet.
    assert seen == {(0.5, 1), (1.0, 0)}
    # provision 100 + two waits of 150 simulated seconds.
    assert time.monotonic() - started >= 0.4
    assert described["EndpointConfigName"] == "v2"


def test_termination_wait_is_followed_in_scaled_time(sm, live):
    kit.release(sm, "v2", count=2)
    started = time.monotonic()
    sm.update_endpoint(
        EndpointName=live, EndpointConfigName="v2", DeploymentConfig=blue_green(termination=600)
    )
    kit.wait_status(sm, live, "InService")
    assert time.monotonic() - started >= 0.7  # provision 100 + termination wait 600 (simulated ms)


def test_rolling_update_replaces_the_fleet_in_batches(sm):
    kit.release(sm, "v1", count=4)
    kit.in_service(sm, "ep", "v1")
    kit.release(sm, "v2", count=4)
    rolling = {
        "RollingUpdatePolicy": {
            "MaximumBatchSize": {"Type": "INSTANCE_COUNT", "Value": 2},
            "WaitIntervalInSeconds": 250,
        }
    }
    sm.update_endpoint(EndpointName="ep", EndpointConfigName="v2", DeploymentConfig=rolling)
    counts = set()
    while True:
        described = sm.describe_endpoint(EndpointName="ep")
        if described["EndpointStatus"] == "InService":
            break
        if kit.pending_status(described) == "Baking":
            counts.add(described["PendingDeploymentSummary"]["ProductionVariants"][0]["CurrentInstanceCount"])
        time.sleep(0.01)
    assert counts == {2, 4}
    assert described["EndpointConfigName"] == "v2"
    assert described["LastDeploymentConfig"] == rolling


def test_alarm_in_alarm_rolls_back_to_old_config(localaws, sm, live):
    cloudwatch = kit.alarm(localaws.url, "ep-5xx")
    kit.release(sm, "v2", count=2)
    sm.update_endpoint(
        EndpointName=live, EndpointConfigName="v2", DeploymentConfig=blue_green(wait=3000, alarms=("ep-5xx",))
    )
    kit.wait_for(sm, live, lambda d: kit.pending_status(d) == "Baking")
    started = time.monotonic()
    cloudwatch.set_alarm_state(AlarmName="ep-5xx", StateValue="ALARM", StateReason="5xx")
    described = kit.wait_status(sm, live, "InService")
    assert time.monotonic() - started < 2.5  # well before the 3 s bake would have ended
    assert described["EndpointConfigName"] == "v1"
    assert "ep-5xx" in described["FailureReason"]
    assert "PendingDeploymentSummary" not in described
    assert described["ProductionVariants"][0]["DeployedImages"][0]["SpecifiedImage"] == f"{kit.IMAGE}:v1"
    assert described["ProductionVariants"][0]["CurrentWeight"] == 1.0


def test_alarm_is_watched_during_termination_wait_too(localaws, sm, live):
    cloudwatch = kit.alarm(localaws.url, "late")
    kit.release(sm, "v2", count=2)
    sm.update_endpoint(
        EndpointName=live,
        EndpointConfigName="v2",
        DeploymentConfig=blue_green(wait=0, termination=3000, alarms=("late",)),
    )
    kit.wait_for(sm, live, lambda d: kit.pending_status(d) == "Baking")
    time.sleep(0.2)
    cloudwatch.set_alarm_state(AlarmName="late", StateValue="ALARM", StateReason="late 5xx")
    described = kit.wait_status(sm, live, "InService")
    assert described["EndpointConfigName"] == "v1"
    assert "late" in described["FailureReason"]


def test_failing_image_rolls_back_and_next_success_clears_failure_reason(sm, live):
    kit.release(sm, "bad", image=f"{kit.IMAGE}:fail-health-check", count=2)
    sm.update_endpoint(EndpointName=live, EndpointConfigName="bad")
    assert sm.describe_endpoint(EndpointName=live)["EndpointStatus"] == "Updating"
    rolled_back = kit.wait_status(sm, live, "InService")
    assert rolled_back["EndpointConfigName"] == "v1"
    assert "did not pass the ping health check" in rolled_back["FailureReason"]
    kit.release(sm, "v2", count=2)
    sm.update_endpoint(EndpointName=live, EndpointConfigName="v2")
    done = kit.wait_status(sm, live, "InService")
    assert done["EndpointConfigName"] == "v2"
    assert "FailureReason" not in done


def test_execution_timeout_rolls_back(localaws, sm, live):
    kit.release(sm, "v2", count=2)
    deployment = blue_green(wait=3600)
    deployment["BlueGreenUpdatePolicy"]["MaximumExecutionTimeoutInSeconds"] = 600
    sm.update_endpoint(EndpointName=live, EndpointConfigName="v2", DeploymentConfig=deployment)
    described = kit.wait_status(sm, live, "InService", timeout=5)
    assert described["EndpointConfigName"] == "v1"
    assert "MaximumExecutionTimeoutInSeconds" in described["FailureReason"]


def test_create_time_deployment_config_is_not_reused_unless_retained(localaws, sm):
    cloudwatch = kit.alarm(localaws.url, "ep-5xx")
    kit.release(sm, "v1")
    kit.in_service(sm, "ep", "v1", DeploymentConfig=blue_green(wait=300, alarms=("ep-5xx",)))
    cloudwatch.set_alarm_state(AlarmName="ep-5xx", StateValue="ALARM", StateReason="firing")
    # Without RetainDeploymentConfig the alarm is not watched: the update goes through.
    kit.release(sm, "v2")
    sm.update_endpoint(EndpointName="ep", EndpointConfigName="v2")
    assert kit.wait_status(sm, "ep", "InService")["EndpointConfigName"] == "v2"
    # With it, the create-time config (and its alarm) applies: rolled back.
    kit.release(sm, "v3")
    sm.update_endpoint(EndpointName="ep", EndpointConfigName="v3", RetainDeploymentConfig=True)
    described = kit.wait_status(sm, "ep", "InService")
    assert described["EndpointConfigName"] == "v2"
    assert "ep-5xx" in described["FailureReason"]
    assert described["LastDeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"] == [
        {"AlarmName": "ep-5xx"}
    ]


def test_deployment_config_limits_are_checked_by_the_service(sm, live):
    kit.release(sm, "v2")
    cases = [
        blue_green(wait=3601),
        blue_green(termination=4000),
        blue_green("CANARY", CanarySize={"Type": "CAPACITY_PERCENT", "Value": 60}),
        blue_green("LINEAR", LinearStepSize={"Type": "CAPACITY_PERCENT", "Value": 5}),
        blue_green(alarms=tuple(f"a{i}" for i in range(11))),
    ]
    for deployment in cases:
        with pytest.raises(ClientError) as error:
            sm.update_endpoint(EndpointName=live, EndpointConfigName="v2", DeploymentConfig=deployment)
        assert error.value.response["Error"]["Code"] == "ValidationException"
    assert sm.describe_endpoint(EndpointName=live)["EndpointStatus"] == "InService"


def test_inf1_endpoints_fall_back_to_all_at_once_without_alarm_watch(localaws, sm):
    cloudwatch = kit.alarm(localaws.url, "inf1-5xx")
    kit.release(sm, "v1", instance_type="ml.inf1.xlarge")
    kit.in_service(sm, "ep", "v1")
    cloudwatch.set_alarm_state(AlarmName="inf1-5xx", StateValue="ALARM", StateReason="firing")
    kit.release(sm, "v2", instance_type="ml.inf1.xlarge")
    deployment = blue_green(
        "CANARY", wait=300, alarms=("inf1-5xx",), CanarySize={"Type": "CAPACITY_PERCENT", "Value": 50}
    )
    sm.update_endpoint(EndpointName="ep", EndpointConfigName="v2", DeploymentConfig=deployment)
    described = kit.wait_status(sm, "ep", "InService")
    # Accepted and shown, but not applied: no canary, no rollback on the firing alarm.
    assert described["EndpointConfigName"] == "v2"
    assert described["LastDeploymentConfig"] == deployment


def test_rollback_can_leave_failure_reason_empty(localaws, sm, live):
    localaws.configure(rollback_failure_reason=False)
    kit.release(sm, "bad", image=f"{kit.IMAGE}:fail-health-check", count=2)
    sm.update_endpoint(EndpointName=live, EndpointConfigName="bad")
    described = kit.wait_status(sm, live, "InService")
    assert described["EndpointConfigName"] == "v1"
    assert "FailureReason" not in described


def test_failed_rollback_ends_update_rollback_failed_and_an_update_recovers(localaws, sm, live):
    localaws.configure(fail_rollbacks=True)
    kit.release(sm, "bad", image=f"{kit.IMAGE}:fail-health-check", count=2)
    sm.update_endpoint(EndpointName=live, EndpointConfigName="bad")
    described = kit.settled(sm, live)
    assert described["EndpointStatus"] == "UpdateRollbackFailed"
    assert described["FailureReason"]
    localaws.configure(fail_rollbacks=False)
    kit.release(sm, "v2", count=2)
    sm.update_endpoint(EndpointName=live, EndpointConfigName="v2")
    done = kit.wait_status(sm, live, "InService")
    assert done["EndpointConfigName"] == "v2"
    assert "FailureReason" not in done


def test_alarms_are_watched_in_the_background_not_only_when_polled(localaws, sm, live):
    cloudwatch = kit.alarm(localaws.url, "blip")
    kit.release(sm, "v2", count=2)
    sm.update_endpoint(
        EndpointName=live, EndpointConfigName="v2", DeploymentConfig=blue_green(wait=2000, alarms=("blip",))
    )
    kit.wait_for(sm, live, lambda d: kit.pending_status(d) == "Baking")
    # A short ALARM nobody polls during: the ticker still sees it.
    cloudwatch.set_alarm_state(AlarmName="blip", StateValue="ALARM", StateReason="blip")
    time.sleep(0.2)
    cloudwatch.set_alarm_state(AlarmName="blip", StateValue="OK", StateReason="over")
    described = kit.wait_status(sm, live, "InService")
    assert described["EndpointConfigName"] == "v1"
    assert "blip" in described["FailureReason"]


def test_transitions_record_when_each_phase_change_happened(sm, live, localaws):
    """The record a benchmark needs to tell how late a poller saw a settle: every status / configuration
    change, in order, with the time it happened (before any poll that shows it)."""
    kit.release(sm, "v2", count=2)
    sm.update_endpoint(
        EndpointName=live,
        EndpointConfigName="v2",
        DeploymentConfig=blue_green("CANARY", wait=200, CanarySize={"Type": "CAPACITY_PERCENT", "Value": 50}),
    )
    described = kit.wait_status(sm, live, "InService")
    seen = time.time()
    changes = [t for t in localaws.transitions() if t["endpoint"] == live]
    assert [(t["status"], t["endpoint_config_name"], t["pending_config_name"]) for t in changes] == [
        ("Creating", "v1", None),
        ("InService", "v1", None),
        ("Updating", "v1", "v2"),
        ("InService", "v2", None),
    ]
    updated, settled = changes[2], changes[3]
    assert updated["time"] <= settled["time"] <= seen
    assert settled["sim_time"] - updated["sim_time"] >= 300  # provision 100 + canary bake 200
    assert described["EndpointConfigName"] == "v2"
    assert control(localaws.url, "transitions") == localaws.transitions()
    sm.delete_endpoint(EndpointName=live)
    deadline = time.monotonic() + 20
    while localaws.transitions()[-1]["status"] is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [t["status"] for t in localaws.transitions()[-2:]] == ["Deleting", None]
    localaws.reset()
    assert localaws.transitions() == []
