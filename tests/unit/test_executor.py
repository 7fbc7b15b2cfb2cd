"""The executor against botocore Stubber: exact call sequences for given endpoint status sequences."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber

from deployer import executor, planner, reader, state
from deployer.aws import Clients
from deployer.errors import InvalidInput, RolloutFailed, RolloutTimeout
from deployer.progress import Progress
from deployer.release import (
    TAG_LAST_ROLLOUT,
    TAG_LAST_ROLLOUT_REASON,
    TAG_ROLLOUT_ID,
    config_name,
    release_id,
)
from deployer.spec import parse_spec
from deployer.waiter import Runtime

ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/whisper"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/whisper:{}"


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


ACCEPTED = executor.as_tags(state.update_accepted())


class Capture:
    """Matches anything and keeps what it was compared with (Stubber compares expected == actual)."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __eq__(self, other: object) -> bool:
        self.values.append(other)
        return True

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]


def make_spec(tag: str, **deployment: Any):
    return parse_spec(
        {
            "schema_version": 1,
            "endpoint_name": "whisper",
            "region": "us-east-1",
            "execution_role_arn": "arn:aws:iam::123456789012:role/r",
            "variants": [
                {
                    "name": "AllTraffic",
                    "containers": [{"image": IMAGE.format(tag)}],
                    "instance_type": "ml.m5.large",
                }
            ],
            "deployment": {"rollback_alarms": ["whisper-5xx"], "termination_wait_seconds": 0, **deployment},
        }
    )


OLD = make_spec("v1")
OLD_CONFIG = config_name("whisper", release_id(OLD))


def describe(status: str, config: str, **extra: Any) -> dict[str, Any]:
    return {
        "EndpointName": "whisper",
        "EndpointArn": ARN,
        "EndpointConfigName": config,
        "EndpointStatus": status,
        "CreationTime": NOW,
        "LastModifiedTime": NOW,
        "ProductionVariants": [
            {"VariantName": "AllTraffic", "DesiredInstanceCount": 3, "CurrentInstanceCount": 3}
        ],
        **extra,
    }


@pytest.fixture
def aws():
    session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    sm = session.client("sagemaker")
    autoscaling = session.client("application-autoscaling")
    cloudwatch = session.client("cloudwatch")
    stubs = {
        "sagemaker": Stubber(sm),
        "application-autoscaling": Stubber(autoscaling),
        "cloudwatch": Stubber(cloudwatch),
    }
    for stub in stubs.values():
        stub.activate()
    stubs["sagemaker"].cloudwatch = stubs["cloudwatch"]  # expect_update_start queues the alarm look
    clients = Clients.from_mapping(
        {"sagemaker": sm, "application-autoscaling": autoscaling, "cloudwatch": cloudwatch}
    )
    rt = Runtime(
        clients=clients, clock=FakeClock(), progress=Progress(io.StringIO(), None, tty=False), scale=1.0
    )
    yield rt, stubs["sagemaker"], stubs["application-autoscaling"]
    for stub in stubs.values():
        stub.assert_no_pending_responses()


AUTOSCALED = {
    "ServiceNamespace": "sagemaker",
    "ResourceId": "endpoint/whisper/variant/AllTraffic",
    "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
    "MinCapacity": 1,
    "MaxCapacity": 4,
    "RoleARN": "arn:aws:iam::123456789012:role/autoscaling",
    "CreationTime": NOW,
}


def expect_alarms(cloudwatch: Stubber, names, metric: bool = True) -> None:
    """The rollback alarms exist (the look before any write), as metric or composite alarms."""
    alarms = [{"AlarmName": n, "StateValue": "OK"} for n in names]
    answer = {"MetricAlarms": alarms, "CompositeAlarms": []} if metric else {"CompositeAlarms": alarms}
    cloudwatch.add_response(
        "describe_alarms",
        answer,
        {"AlarmNames": list(names), "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]},
    )


def expect_update_start(
    sm: Stubber, autoscaling: Stubber, new, tags: Capture, update: Capture | None = None
) -> str:
    """AddTags (the rollout record) first, settle look, release, live config, targets, UpdateEndpoint."""
    target = config_name("whisper", release_id(new))
    expect_alarms(sm.cloudwatch, new.deployment.rollback_alarms)
    sm.add_response("add_tags", {"Tags": []}, {"ResourceArn": ARN, "Tags": tags})
    sm.add_response("describe_endpoint", describe("InService", OLD_CONFIG), {"EndpointName": "whisper"})
    autoscaling.add_response(  # which live variants the autoscaler owns (their count is carried over)
        "describe_scalable_targets",
        {"ScalableTargets": [AUTOSCALED]},
        {"ServiceNamespace": "sagemaker", "ResourceIds": ["endpoint/whisper/variant/AllTraffic"]},
    )
    sm.add_response(
        "create_model",
        {"ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/m"},
        {"ModelName": f"{target}-m0", "Tags": ANY, "ExecutionRoleArn": ANY, "PrimaryContainer": ANY},
    )
    sm.add_response(
        "create_endpoint_config",
        {"EndpointConfigArn": ARN + "-config"},
        {"EndpointConfigName": target, "ProductionVariants": ANY, "Tags": ANY},
    )
    sm.add_response(
        "describe_endpoint_config",
        {
            "EndpointConfigName": OLD_CONFIG,
            "EndpointConfigArn": ARN + "-old",
            "CreationTime": NOW,
            "ProductionVariants": [
                {
                    "VariantName": "AllTraffic",
                    "ModelName": "m",
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                }
            ],
        },
        {"EndpointConfigName": OLD_CONFIG},
    )
    autoscaling.add_response(
        "describe_scalable_targets",
        {"ScalableTargets": [AUTOSCALED]},
        {"ServiceNamespace": "sagemaker", "ResourceIds": ["endpoint/whisper/variant/AllTraffic"]},
    )
    sm.add_response(
        "update_endpoint",
        {"EndpointArn": ARN},
        update
        or {
            "EndpointName": "whisper",
            "EndpointConfigName": target,
            "RetainAllVariantProperties": True,
            "DeploymentConfig": planner.deployment_config(new.deployment),
        },
    )
    sm.add_response("add_tags", {"Tags": []}, {"ResourceArn": ARN, "Tags": ACCEPTED})
    return target


def live_old() -> reader.Live:
    return reader.Live("whisper", describe("InService", OLD_CONFIG), {TAG_ROLLOUT_ID: "r1"})


def test_silent_rollback_is_a_failure_with_the_new_reason_recorded(aws):
    rt, sm, autoscaling = aws
    new = make_spec("v2")
    start, end = Capture(), Capture()
    target = expect_update_start(sm, autoscaling, new, start)
    pending = {"EndpointConfigName": target, "StartTime": NOW}
    stale = {"FailureReason": "old patching trouble"}
    sm.add_response(
        "describe_endpoint", describe("Updating", OLD_CONFIG, PendingDeploymentSummary=pending, **stale)
    )
    sm.add_response("describe_endpoint", describe("RollingBack", OLD_CONFIG, **stale))
    sm.add_response(
        "describe_endpoint", describe("InService", OLD_CONFIG, FailureReason="Auto rollback: whisper-5xx")
    )
    sm.add_response("add_tags", {"Tags": []}, {"ResourceArn": ARN, "Tags": end})

    with pytest.raises(RolloutFailed) as failure:
        executor.roll_out(rt, new, live_old(), rollout_id="r2")

    assert "whisper-5xx" in str(failure.value) and "rolled back" in str(failure.value)
    recorded = {t["Key"]: t["Value"] for t in start.values[0]}
    assert recorded[TAG_ROLLOUT_ID] == "r2" and recorded[TAG_LAST_ROLLOUT] == "in_progress"
    assert recorded[reader.TAG_TARGET_CONFIG] == target
    outcome = {t["Key"]: t["Value"] for t in end.values[0]}
    assert (
        outcome[TAG_LAST_ROLLOUT] == "rolled_back"
        and "whisper-5xx" in outcome["sagemaker-rollout:last-rollout-reason"]
    )
    assert release_id(new) in outcome[reader.TAG_FAILED_RELEASES]


def test_update_rollback_failed_is_terminal(aws):
    rt, sm, autoscaling = aws
    new = make_spec("v2")
    target = expect_update_start(sm, autoscaling, new, Capture())
    sm.add_response(
        "describe_endpoint", describe("UpdateRollbackFailed", target, FailureReason="mixed fleet")
    )
    sm.add_response("add_tags", {"Tags": []}, {"ResourceArn": ARN, "Tags": ANY})

    with pytest.raises(RolloutFailed) as failure:
        executor.roll_out(rt, new, live_old(), rollout_id="r2")
    assert "UpdateRollbackFailed" in str(failure.value) and "mixed fleet" in str(failure.value)


def test_success_records_previous_then_prunes_then_reads(aws):
    rt, sm, autoscaling = aws
    new = make_spec("v2")
    done = Capture()
    target = expect_update_start(sm, autoscaling, new, Capture())
    sm.add_response(
        "describe_endpoint",
        describe("Updating", OLD_CONFIG, PendingDeploymentSummary={"EndpointConfigName": target}),
    )
    sm.add_response("describe_endpoint", describe("InService", target))
    sm.add_response("add_tags", {"Tags": []}, {"ResourceArn": ARN, "Tags": done})
    sm.add_response("describe_endpoint", describe("InService", target))
    sm.add_response("list_tags", {"Tags": []}, {"ResourceArn": ARN, "MaxResults": 100})  # prune reads tags
    configs = [
        {"EndpointConfigName": target, "EndpointConfigArn": ARN + "-a", "CreationTime": NOW},
        {
            "EndpointConfigName": OLD_CONFIG,
            "EndpointConfigArn": ARN + "-b",
            "CreationTime": NOW - dt.timedelta(hours=1),
        },
    ]
    sm.add_response("list_endpoint_configs", {"EndpointConfigs": configs})
    # Models of a release without a configuration (a killed run's) would be pruned too: none here.
    models = [
        {"ModelName": f"{c['EndpointConfigName']}-m0", "ModelArn": ARN, "CreationTime": NOW} for c in configs
    ]
    sm.add_response("list_models", {"Models": models})
    sm.add_response("describe_endpoint", describe("InService", target))
    sm.add_response("list_tags", {"Tags": []}, {"ResourceArn": ARN, "MaxResults": 100})

    outcome = executor.roll_out(rt, new, live_old(), rollout_id="r2")

    assert outcome.action == "updated" and outcome.deregistered == ()
    tags = {t["Key"]: t["Value"] for t in done.values[0]}
    assert tags == {
        TAG_LAST_ROLLOUT: "succeeded",
        "sagemaker-rollout:last-rollout-reason": "",
        reader.TAG_PREVIOUS_CONFIG: OLD_CONFIG,
    }


def test_existing_models_and_config_are_reused_after_a_crash(aws):
    rt, sm, autoscaling = aws
    new = make_spec("v2")
    target = config_name("whisper", release_id(new))
    autoscaling.add_response("describe_scalable_targets", {"ScalableTargets": []}, None)
    sm.add_client_error(
        "create_model", "ValidationException", f'Cannot create already existing model "{target}-m0".'
    )
    sm.add_client_error(
        "create_endpoint_config",
        "ValidationException",
        "Cannot create already existing endpoint configuration",
    )
    sm.add_response(
        "describe_endpoint_config",
        {
            "EndpointConfigName": target,
            "EndpointConfigArn": ARN + "-c",
            "CreationTime": NOW,
            "ProductionVariants": [
                {"VariantName": "AllTraffic", "ModelName": f"{target}-m0", "InstanceType": "ml.m5.large"}
            ],
        },
        {"EndpointConfigName": target},
    )

    release = executor.ensure_release(rt, new, describe("InService", OLD_CONFIG), {})

    assert release.created is False and release.config_name == target
    assert release.variants[0]["ModelName"] == f"{target}-m0"


def test_deadline_raises_timeout_and_writes_nothing_more(aws):
    rt, sm, autoscaling = aws
    new = make_spec("v2", timeout_seconds=60)
    target = expect_update_start(sm, autoscaling, new, Capture())
    # Looks at t = 0, 5, 10, 20, 35, 55 and a last one at the 60 s deadline; no write follows.
    for _ in range(7):
        sm.add_response(
            "describe_endpoint",
            describe("Updating", OLD_CONFIG, PendingDeploymentSummary={"EndpointConfigName": target}),
        )
    outcome = Capture()
    sm.add_response("add_tags", {"Tags": []}, {"ResourceArn": ARN, "Tags": outcome})

    with pytest.raises(RolloutTimeout) as timeout:
        executor.roll_out(rt, new, live_old(), rollout_id="r2")
    assert timeout.value.exit_code == 3 and "nothing was undone" in str(timeout.value)
    # The only write after the deadline is the outcome: timed_out, with the reason (issue 7 item 6).
    recorded = {t["Key"]: t["Value"] for t in outcome.values[-1]}
    assert recorded[TAG_LAST_ROLLOUT] == "timed_out" and recorded[TAG_LAST_ROLLOUT_REASON].startswith(
        "timed out"
    )


def test_busy_update_is_retried_after_the_endpoint_settles(aws):
    rt, sm, _ = aws
    new = make_spec("v2")
    target = config_name("whisper", release_id(new))
    sm.add_client_error("update_endpoint", "ValidationException", "Cannot update in-progress endpoint")
    sm.add_response("describe_endpoint", describe("InService", OLD_CONFIG))
    sm.add_response("update_endpoint", {"EndpointArn": ARN})
    sm.add_response("add_tags", {"Tags": []}, {"ResourceArn": ARN, "Tags": ACCEPTED})
    sm.add_response("describe_endpoint", describe("InService", target))

    moved = executor.update_to(
        rt,
        "whisper",
        target,
        [{"VariantName": "AllTraffic", "InstanceType": "ml.m5.large"}],
        planner.deployment_config(new.deployment),
        describe("InService", OLD_CONFIG) | {"EndpointConfigName": ""},
        rt.deadline(600),
    )
    assert moved.verdict.outcome == "succeeded"


def test_an_endpoint_busy_at_every_try_times_out_instead_of_spinning(aws):
    rt, sm, _ = aws
    for _ in range(3):
        sm.add_client_error("update_endpoint", "ValidationException", "Cannot update in-progress endpoint")
        sm.add_response("describe_endpoint", describe("InService", OLD_CONFIG))
    sm.add_client_error("update_endpoint", "ValidationException", "Cannot update in-progress endpoint")

    with pytest.raises(RolloutTimeout):
        executor.update_to(
            rt,
            "whisper",
            "new",
            [{"VariantName": "AllTraffic", "InstanceType": "ml.m5.large"}],
            {},
            describe("InService", OLD_CONFIG) | {"EndpointConfigName": ""},
            rt.deadline(12),
        )


def test_a_refused_deployment_config_fails_with_awss_message_and_is_never_dropped(aws):
    """Issue 7 item 4: the guardrails are never dropped silently (it retried without DeploymentConfig)."""
    rt, sm, _ = aws
    deployment = planner.deployment_config(make_spec("v2").deployment)
    sm.add_client_error(
        "update_endpoint", "ValidationException", "DeploymentConfig is not supported for this endpoint."
    )

    with pytest.raises(ClientError, match="DeploymentConfig is not supported"):
        executor.update_to(
            rt,
            "whisper",
            "new",
            [{"VariantName": "AllTraffic"}],
            deployment,
            describe("InService", OLD_CONFIG) | {"EndpointConfigName": ""},
            rt.deadline(600),
        )


def test_composite_rollback_alarms_are_watched_and_a_missing_alarm_is_refused(aws):
    """Issue 7 item 8: DescribeAlarms names both AlarmTypes (without it CloudWatch answers metric alarms
    only) and a rollback alarm that does not exist is refused (exit 1) instead of reading as OK."""
    rt, sm, _ = aws
    sm.cloudwatch.add_response(
        "describe_alarms",
        {"CompositeAlarms": [{"AlarmName": "whisper-any", "StateValue": "ALARM"}], "MetricAlarms": []},
        {"AlarmNames": ["whisper-any"], "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]},
    )
    assert executor.alarms_in_alarm(rt, ["whisper-any"]) == ["whisper-any"]
    expect_alarms(sm.cloudwatch, ["whisper-5xx"])
    sm.cloudwatch.add_response("describe_alarms", {"MetricAlarms": [], "CompositeAlarms": []}, None)
    executor.require_alarms(rt, ["whisper-5xx"])
    with pytest.raises(InvalidInput, match="no such CloudWatch alarm whisper-gone"):
        executor.require_alarms(rt, ["whisper-gone"])
