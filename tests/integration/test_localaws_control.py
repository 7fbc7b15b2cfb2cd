"""localaws: call log, reset and run-time configuration through the HTTP control API."""

from __future__ import annotations

import json
import urllib.request

import pytest
from botocore.exceptions import ClientError

from tests.localaws import control, start
from tests.localaws import testkit as kit


def test_call_log_lists_every_call_in_order_with_ids_and_write_flag(localaws):
    sm = kit.client(localaws.url, "sagemaker")
    kit.release(sm, "v1")
    sm.create_endpoint(EndpointName="ep", EndpointConfigName="v1")
    sm.describe_endpoint(EndpointName="ep")
    sm.list_endpoint_configs(NameContains="v")
    kit.client(localaws.url, "iam").list_roles()
    calls = control(localaws.url, "calls")
    assert [(c["service"], c["operation"], c["write"]) for c in calls] == [
        ("sagemaker", "CreateModel", True),
        ("sagemaker", "CreateEndpointConfig", True),
        ("sagemaker", "CreateEndpoint", True),
        ("sagemaker", "DescribeEndpoint", False),
        ("sagemaker", "ListEndpointConfigs", False),
        ("iam", "ListRoles", False),
    ]
    assert calls[2]["params"] == {"EndpointName": "ep", "EndpointConfigName": "v1"}
    assert calls[0]["params"]["ModelName"] == "v1"
    assert calls == localaws.calls()


def test_rest_and_query_calls_are_named_by_operation(localaws):
    s3 = kit.client(localaws.url, "s3")
    s3.create_bucket(Bucket="logged-bucket")
    s3.put_object(Bucket="logged-bucket", Key="a/b.txt", Body=b"x")
    s3.list_objects_v2(Bucket="logged-bucket")
    sns = kit.client(localaws.url, "sns")
    sns.create_topic(Name="t")
    kit.alarm(localaws.url, "a1")
    entries = [(c["service"], c["operation"], c["params"], c["write"]) for c in localaws.calls()]
    assert entries[:5] == [
        ("s3", "CreateBucket", {"Bucket": "logged-bucket"}, True),
        ("s3", "PutObject", {"Bucket": "logged-bucket", "Key": "a/b.txt"}, True),
        ("s3", "ListObjectsV2", {"Bucket": "logged-bucket"}, False),
        ("sns", "CreateTopic", {"Name": "t"}, True),
        ("cloudwatch", "PutMetricAlarm", {"AlarmName": "a1", "MetricName": "Invocation5XXErrors"}, True),
    ]


def test_control_calls_are_not_logged(localaws):
    control(localaws.url, "config")
    control(localaws.url, "calls")
    assert localaws.calls() == []


def test_reset_clears_the_log_and_all_state(localaws):
    sm = kit.client(localaws.url, "sagemaker")
    kit.release(sm, "v1")
    s3 = kit.client(localaws.url, "s3")
    s3.create_bucket(Bucket="gone-after-reset")
    localaws.configure(latency_ms=1)
    assert control(localaws.url, "reset", {}) == {"reset": True}
    assert localaws.calls() == []
    assert localaws.config.latency_ms == 0
    assert sm.list_models()["Models"] == []
    assert s3.list_buckets()["Buckets"] == []
    with pytest.raises(ClientError):
        sm.describe_endpoint_config(EndpointConfigName="v1")


def test_config_over_http_changes_settings_and_rejects_unknown_ones(localaws):
    updated = control(localaws.url, "config", {"create_seconds": 5, "failure_marker": "boom"})
    assert updated["create_seconds"] == 5.0
    assert localaws.config.failure_marker == "boom"
    request = urllib.request.Request(
        f"{localaws.url}/_localaws/config", data=json.dumps({"no_such_knob": 1}).encode(), method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=5)
    assert error.value.code == 400
    assert "no_such_knob" in json.loads(error.value.read())["error"]


def test_settings_are_read_from_the_environment_at_start():
    environ = {
        "LOCALAWS_TIME_SCALE": "0.5",
        "LOCALAWS_THROTTLE_RATE": "0.25",
        "LOCALAWS_ERROR_RATE": "0.125",
        "LOCALAWS_LATENCY_MS": "3",
        "LOCALAWS_SEED": "7",
    }
    with start(port=0, environ=environ) as server:
        config = control(server.url, "config")
    assert (
        config["time_scale"],
        config["throttle_rate"],
        config["error_rate"],
        config["latency_ms"],
        config["seed"],
    ) == (0.5, 0.25, 0.125, 3.0, 7)


def test_the_call_log_records_the_caller_and_the_request_tags(localaws):
    sm = kit.client(localaws.url, "sagemaker")
    kit.release(sm, "v1")
    iam = kit.client(localaws.url, "iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}", Tags=[{"Key": "team", "Value": "speech"}])
    calls = localaws.calls()
    assert "Botocore/" in calls[0]["user_agent"]
    assert calls[-1]["operation"] == "CreateRole"
    assert calls[-1]["tags"] == {"team": "speech"}
