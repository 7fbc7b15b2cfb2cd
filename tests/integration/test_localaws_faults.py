"""localaws: fault injection (throttling, server errors, latency) in each protocol's error shape."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.error

import pytest
from botocore.exceptions import ClientError

from tests.localaws import control
from tests.localaws import testkit as kit
from tests.localaws.config import from_env


@pytest.mark.parametrize(
    ("service", "call"),
    [
        ("sagemaker", lambda c: c.list_endpoints()),  # JSON 1.1, ours
        (
            "application-autoscaling",
            lambda c: c.describe_scalable_targets(ServiceNamespace="sagemaker"),
        ),  # moto
        ("cloudwatch", lambda c: c.describe_alarms()),  # JSON 1.0, query-compatible
        ("sns", lambda c: c.list_topics()),  # query
        ("s3", lambda c: c.list_buckets()),  # rest-xml
        ("logs", lambda c: c.describe_log_groups()),  # JSON 1.1
    ],
)
def test_throttling_is_a_throttling_exception_botocore_understands(localaws, service, call):
    localaws.configure(throttle_rate=1.0)
    client = kit.client(localaws.url, service, retries=0)
    with pytest.raises(ClientError) as error:
        call(client)
    assert error.value.response["Error"]["Code"] == "ThrottlingException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    (logged,) = localaws.calls()
    assert logged["status"] == 400


def test_throttled_calls_are_retried_by_botocore_standard_mode(localaws):
    localaws.configure(throttle_rate=0.5, seed=1)
    sm = kit.client(localaws.url, "sagemaker", retries=9)
    for _ in range(3):
        assert sm.list_endpoints()["Endpoints"] == []
    statuses = [c["status"] for c in localaws.calls()]
    assert 400 in statuses
    assert statuses.count(200) == 3


def test_error_rate_answers_500_and_503(localaws):
    localaws.configure(error_rate=1.0)
    sm = kit.client(localaws.url, "sagemaker", retries=0)
    codes = set()
    for _ in range(2):
        with pytest.raises(ClientError) as error:
            sm.list_endpoints()
        codes.add(error.value.response["ResponseMetadata"]["HTTPStatusCode"])
    assert codes == {500, 503}


def test_faults_are_reproducible_with_a_seed(localaws):
    def pattern() -> list[int]:
        localaws.reset()
        localaws.configure(throttle_rate=0.3, error_rate=0.2, seed=42)
        sns = kit.client(localaws.url, "sns", retries=0)
        for _ in range(20):
            with contextlib.suppress(ClientError):
                sns.list_topics()
        return [c["status"] for c in localaws.calls()]

    first = pattern()
    assert first == pattern()
    assert {200, 400} <= set(first)


def test_latency_delays_every_call(localaws):
    sts = kit.client(localaws.url, "sts")
    sts.get_caller_identity()
    localaws.configure(latency_ms=150)
    started = time.monotonic()
    sts.get_caller_identity()
    assert time.monotonic() - started >= 0.15


def test_no_faults_by_default(localaws):
    sm = kit.client(localaws.url, "sagemaker", retries=0)
    for _ in range(20):
        sm.list_endpoints()
    assert {c["status"] for c in localaws.calls()} == {200}


PASS_ROLE_DENIED = (
    f"User: arn:aws:sts::{kit.ACCOUNT}:assumed-role/deployer/ci is not authorized to perform: iam:PassRole"
    f" on resource: {kit.ROLE_ARN}"
)


def test_a_refusal_answers_the_named_operation_with_the_aws_error_then_lets_calls_through(localaws):
    localaws.refuse(
        "sagemaker", "CreateModel", code="AccessDeniedException", message=PASS_ROLE_DENIED, times=1
    )
    sm = kit.client(localaws.url, "sagemaker", retries=0)
    assert sm.list_models()["Models"] == []  # another operation is not refused
    with pytest.raises(ClientError) as error:
        kit.create_model(sm, "m1")
    assert error.value.response["Error"] == {"Code": "AccessDeniedException", "Message": PASS_ROLE_DENIED}
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert sm.list_models()["Models"] == []  # nothing was created
    fields = ("service", "operation", "params", "write", "status")
    logged = [{k: c[k] for k in fields} for c in localaws.calls() if c["operation"] == "CreateModel"]
    assert logged == [
        {
            "service": "sagemaker",
            "operation": "CreateModel",
            "params": {"ModelName": "m1", "ExecutionRoleArn": kit.ROLE_ARN},
            "write": True,
            "status": 400,
        }
    ]
    assert localaws.config.refusals == ()  # used up
    kit.create_model(sm, "m1")  # times=1: the next call goes through
    assert [m["ModelName"] for m in sm.list_models()["Models"]] == ["m1"]


def test_a_refusal_can_match_a_parameter_and_last_until_cleared(localaws):
    localaws.refuse(
        "sagemaker",
        "CreateEndpointConfig",
        code="ResourceLimitExceeded",
        message="The account-level service limit 'ml.p4d.24xlarge for endpoint usage' is 0 Instances.",
        match={"EndpointConfigName": "big-*"},
    )
    sm = kit.client(localaws.url, "sagemaker", retries=0)
    kit.create_model(sm, "m")
    for attempt in range(2):
        with pytest.raises(ClientError) as error:
            kit.create_config(sm, f"big-{attempt}", "m")
        assert error.value.response["Error"]["Code"] == "ResourceLimitExceeded"
    kit.create_config(sm, "small", "m")  # the match leaves other names alone
    assert [c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]] == ["small"]
    localaws.clear_refusals()
    kit.create_config(sm, "big-2", "m")
    statuses = [
        (c["params"]["EndpointConfigName"], c["status"])
        for c in localaws.calls()
        if c["operation"] == "CreateEndpointConfig"
    ]
    assert statuses == [("big-0", 400), ("big-1", 400), ("small", 200), ("big-2", 200)]


def test_refusals_over_the_control_api_use_each_protocols_error_shape(localaws):
    kit.refuse(localaws.url, "s3", "CreateBucket", code="AccessDenied", message="Access Denied", status=403)
    kit.refuse(localaws.url, "sns", "CreateTopic", code="AuthorizationError", message="denied", times=2)
    assert [r["times"] for r in control(localaws.url, "config")["refusals"]] == [0, 2]
    s3 = kit.client(localaws.url, "s3", retries=0)
    with pytest.raises(ClientError) as error:
        s3.create_bucket(Bucket="models")
    assert error.value.response["Error"]["Code"] == "AccessDenied"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    sns = kit.client(localaws.url, "sns", retries=0)
    with pytest.raises(ClientError) as error:
        sns.create_topic(Name="t")
    assert error.value.response["Error"] == {
        "Type": "Sender",
        "Code": "AuthorizationError",
        "Message": "denied",
    }
    assert [r["times"] for r in control(localaws.url, "config")["refusals"]] == [0, 1]  # one use left
    assert s3.list_buckets()["Buckets"] == [] and sns.list_topics()["Topics"] == []
    kit.clear_refusals(localaws.url)
    s3.create_bucket(Bucket="models")


def test_bad_refusals_are_rejected_by_the_control_api(localaws):
    for bad in (
        [{"service": "sagemaker", "operation": "CreateModel"}],  # no code
        [{"service": "sagemaker", "operation": "CreateModel", "code": "X", "status": 200}],
        [{"service": "sagemaker", "operation": "CreateModel", "code": "X", "times": -1}],
        [{"service": "sagemaker", "operation": "CreateModel", "code": "X", "after": 2}],
    ):
        with pytest.raises(urllib.error.HTTPError) as error:
            control(localaws.url, "config", {"refusals": bad})
        assert error.value.code == 400
    assert localaws.config.refusals == ()


def test_refusals_are_read_from_the_environment(localaws):
    refusal = {
        "service": "sagemaker",
        "operation": "CreateModel",
        "code": "AccessDeniedException",
        "times": 1,
    }
    config = from_env({"LOCALAWS_REFUSALS": json.dumps([refusal])})
    assert [r.as_dict() for r in config.refusals] == [{**refusal, "message": "", "status": 400, "match": {}}]
