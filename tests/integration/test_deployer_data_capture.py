"""Data capture rolls out as releases (issue 13 item 2), against localaws: switched on, its sampling
changed, a hotfix and a rollback; DescribeEndpoint's DataCaptureConfig shows what the endpoint captures
(localaws keeps the live capture on a retaining update unless DataCaptureConfig is excluded, as AWS does)."""

from __future__ import annotations

import re

import pytest

from deployer import cli, operations
from deployer.release import config_name, release_id
from deployer.spec import parse_spec
from tests.integration.test_deployer_support import (
    clients,
    document,
    endpoint,
    image,
    rollback_alarm,  # noqa: F401 (fixture)
    runtime,
    spec,
    writes,
)

pytestmark = pytest.mark.usefixtures("rollback_alarm")

DESTINATION = "s3://whisper-bucket/data-capture/"


def capturing(tag: str = "v1", sampling: int = 20, **capture) -> object:
    return parse_spec(
        document(
            tag=tag,
            data_capture={
                "initial_sampling_percentage": sampling,
                "destination_s3_uri": DESTINATION,
                **capture,
            },
        )
    )


def apply(spec_value, rollout_id):
    rt, _ = runtime(spec_value.endpoint_name)
    return operations.terraform_apply(spec_value, rollout_id, runtime=rt)


def test_switching_capture_on_then_changing_the_sampling_rolls_out_each(localaws):
    sm = clients().sagemaker
    apply(spec(tag="v1"), "rollout-1")
    assert "DataCaptureConfig" not in endpoint(sm)

    on = capturing(sampling=20)
    result = apply(on, "rollout-2")
    live = endpoint(sm)
    assert result["action"] == "updated"
    assert live["EndpointConfigName"] == config_name("whisper", release_id(on))
    assert live["DataCaptureConfig"] == {
        "EnableCapture": True,
        "CaptureStatus": "Started",
        "CurrentSamplingPercentage": 20,
        "DestinationS3Uri": DESTINATION,
    }
    config = sm.describe_endpoint_config(EndpointConfigName=live["EndpointConfigName"])
    assert config["DataCaptureConfig"]["CaptureOptions"] == [
        {"CaptureMode": "Input"},
        {"CaptureMode": "Output"},
    ]

    more = capturing(sampling=60)
    apply(more, "rollout-3")
    live = endpoint(sm)
    assert live["EndpointConfigName"] == config_name("whisper", release_id(more))
    assert live["DataCaptureConfig"]["CurrentSamplingPercentage"] == 60

    rt, _ = runtime()
    shown = operations.status("whisper", rt)
    assert shown["data_capture"] == {
        "status": "Started",
        "sampling_percentage": 60,
        "destination_s3_uri": DESTINATION,
        "kms_key_id": None,
    }
    line = re.compile(rf"^data capture +Started, 60% to {re.escape(DESTINATION)}$", re.MULTILINE)
    assert line.search(cli._status_text(shown))

    before = len(localaws.calls())
    again = apply(more, "rollout-3")
    assert again["action"] == "unchanged"
    assert writes(localaws.calls()[before:]) == []

    stopped = capturing(sampling=60, enable=False)
    apply(stopped, "rollout-4")
    assert endpoint(sm)["DataCaptureConfig"]["CaptureStatus"] == "Stopped"

    apply(spec(tag="v1"), "rollout-5")
    assert "DataCaptureConfig" not in endpoint(sm)
    rt, _ = runtime()
    assert operations.status("whisper", rt)["data_capture"] is None


def test_a_hotfix_keeps_the_capture_and_a_rollback_restores_the_previous_one(localaws):
    sm = clients().sagemaker
    apply(capturing(sampling=20), "rollout-1")
    second = capturing(sampling=70)
    apply(second, "rollout-2")
    assert endpoint(sm)["DataCaptureConfig"]["CurrentSamplingPercentage"] == 70

    rt, _ = runtime()
    operations.hotfix("whisper", image("v9"), None, None, rt)
    live = endpoint(sm)
    assert live["DataCaptureConfig"]["CurrentSamplingPercentage"] == 70
    config = sm.describe_endpoint_config(EndpointConfigName=live["EndpointConfigName"])
    assert config["DataCaptureConfig"]["InitialSamplingPercentage"] == 70

    rt, _ = runtime()
    operations.rollback("whisper", config_name("whisper", release_id(second)), rt)
    live = endpoint(sm)
    assert live["EndpointConfigName"] == config_name("whisper", release_id(second))
    assert live["DataCaptureConfig"]["CurrentSamplingPercentage"] == 70
    rt, _ = runtime()
    operations.rollback("whisper", config_name("whisper", release_id(capturing(sampling=20))), rt)
    assert endpoint(sm)["DataCaptureConfig"]["CurrentSamplingPercentage"] == 20
