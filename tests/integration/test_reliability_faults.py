"""Fault suite (issue 10): a rollout under localaws's injected throttling (HTTP 400 ThrottlingException)
and server errors (500/503) converges, with bounded extra calls and not one extra write.

The deployer's clients use botocore's ``standard`` retry mode with ``MAX_ATTEMPTS`` (10) attempts
(``deployer/aws.py``; throttling and 5xx are retried with jittered exponential backoff:
https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html), and its polls double their
interval on a transient error that outlived those retries (``deployer/waiter.py``). Asserted on localaws's
call log (every attempt is logged with the status answered), never on time.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

import pytest

from deployer.aws import MAX_ATTEMPTS, as_refusal
from deployer.errors import AwsRefused
from tests.integration import reliability_support as rs
from tests.integration.test_deployer_support import (
    clients,
    rollback_alarm,  # noqa: F401 (fixture)
)

pytestmark = pytest.mark.usefixtures("rollback_alarm")


def answered(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in calls if c["status"] < 400]


def write_shape(calls: list[dict[str, Any]]) -> list[str]:
    """The successful writes, in order, by operation (names differ between releases)."""
    return [c["operation"] for c in answered(calls) if c["write"]]


def longest_retry_run(calls: list[dict[str, Any]]) -> int:
    """The most attempts one logical call took: a run of the same operation and ids ending in an answer."""
    runs = [len(list(group)) for _, group in groupby(calls, key=lambda c: (c["operation"], str(c["params"])))]
    return max(runs, default=0)


@pytest.mark.parametrize(("throttle", "errors"), [(0.3, 0.05)])
def test_a_rollout_under_throttling_and_server_errors_converges_with_bounded_calls(
    localaws, throttle, errors
):
    sm = clients().sagemaker
    rs.deploy_in_process("v1")
    rs.deploy_in_process("v2")
    since = len(localaws.calls())
    rs.deploy_in_process("v3")  # the same shape as the faulted one below: an update and one release pruned
    baseline = localaws.calls()[since:]

    localaws.configure(throttle_rate=throttle, error_rate=errors, seed=10)
    since = len(localaws.calls())
    rs.deploy_in_process("v4")
    faulted = localaws.calls()[since:]
    localaws.configure(throttle_rate=0.0, error_rate=0.0)

    rs.converged(sm, rs.target("v4"))
    assert write_shape(faulted) == write_shape(baseline)  # no write lost, none repeated
    refused = len(faulted) - len(answered(faulted))
    assert refused > 0  # the faults were there
    assert longest_retry_run(faulted) <= MAX_ATTEMPTS
    # Extra calls: the retried attempts, plus a few more polls (the retries' backoff takes time).
    assert len(answered(faulted)) <= 2 * len(baseline) + 5, (len(answered(faulted)), len(baseline))


def test_throttling_beyond_the_retries_is_exit_4_after_exactly_the_configured_attempts(localaws, monkeypatch):
    rs.deploy_in_process("v1")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    localaws.configure(throttle_rate=1.0)
    since = len(localaws.calls())

    with pytest.raises(Exception) as error:
        rs.deploy_in_process("v2")
    refused = as_refusal(error.value)  # what the CLI prints and exits with

    localaws.configure(throttle_rate=0.0)
    calls = localaws.calls()[since:]
    assert isinstance(refused, AwsRefused) and refused.exit_code == 4
    assert "ThrottlingException" in str(refused)
    assert [c for c in calls if c["write"]] == []  # nothing was written
    assert all(c["status"] == 400 for c in calls)
    assert 3 <= len(calls) <= 2 * 3  # 3 attempts per call, for at most the two reads before giving up
    assert rs.endpoint(clients().sagemaker, rs.NAME)["EndpointConfigName"] == rs.target("v1")
