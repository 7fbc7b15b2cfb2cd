"""localaws: fault injection (throttling, server errors, latency) in each protocol's error shape."""

from __future__ import annotations

import contextlib
import time

import pytest
from botocore.exceptions import ClientError

from tests.localaws import testkit as kit


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
