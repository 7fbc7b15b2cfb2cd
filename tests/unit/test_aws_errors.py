"""``deployer.aws``: one truthful line per botocore error (exit 4); assumed-role credentials that refresh."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError, ParamValidationError
from botocore.stub import Stubber

from deployer.aws import as_refusal, assumed_role_credentials
from deployer.errors import AwsRefused


def _param_validation_error() -> ParamValidationError:
    client = boto3.client(
        "sagemaker", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    with pytest.raises(ParamValidationError) as raised:
        client.add_tags(ResourceArn="arn", Tags=[{"Key": "", "Value": "v"}])
    return raised.value


def test_a_parameter_validation_error_is_a_deployer_bug_not_missing_credentials():
    """botocore refused a request the deployer built before sending it: it used to read "AWS unreachable
    or no credentials", sending the user after their credentials."""
    refusal = as_refusal(_param_validation_error())

    assert isinstance(refusal, AwsRefused) and refusal.exit_code == 4
    line = str(refusal)
    assert line.startswith("deployer bug: botocore refused a request the deployer built")
    assert "Invalid length for parameter Tags[0].Key" in line
    assert "credentials" not in line and "\n" not in line


def test_an_unreachable_endpoint_still_says_unreachable():
    refusal = as_refusal(EndpointConnectionError(endpoint_url="https://sagemaker.example"))

    assert str(refusal).startswith("AWS unreachable or no credentials: EndpointConnectionError")


def test_a_non_aws_error_is_not_a_refusal():
    assert as_refusal(ValueError("bug")) is None


def _assumed(key: str, expires_in: timedelta) -> dict:
    return {
        "Credentials": {
            "AccessKeyId": key,
            "SecretAccessKey": f"secret-{key}",
            "SessionToken": f"token-{key}",
            "Expiration": datetime.now(timezone.utc) + expires_in,
        },
        "AssumedRoleUser": {"AssumedRoleId": "AROA:sagemaker-rollout", "Arn": ROLE + "/sagemaker-rollout"},
    }


ROLE = "arn:aws:iam::123456789012:role/sagemaker-deployer"


def test_assumed_role_credentials_refresh_before_the_role_session_expires():
    """Issue 7 item 5: the assumed role's keys were fixed for the whole run, so a rollout longer than the
    role session (15 minutes at the shortest) failed with ExpiredToken half-way. Now botocore asks STS
    again once the session nears its expiry."""
    sts = boto3.client("sts", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    expected = {"RoleArn": ROLE, "RoleSessionName": "sagemaker-rollout"}
    with Stubber(sts) as stub:
        stub.add_response("assume_role", _assumed("AKIAFIRSTKEY0001", timedelta(minutes=5)), expected)
        stub.add_response("assume_role", _assumed("AKIASECONDKEY002", timedelta(hours=1)), expected)

        credentials = assumed_role_credentials(sts, ROLE)
        first = credentials.get_frozen_credentials()  # already within botocore's mandatory refresh window
        again = credentials.get_frozen_credentials()

        stub.assert_no_pending_responses()
    assert first.access_key == "AKIASECONDKEY002" and first.token == "token-AKIASECONDKEY002"
    assert again == first  # fresh for an hour: no third AssumeRole


def test_an_assumed_role_session_uses_the_refreshable_credentials(monkeypatch):
    from botocore.credentials import RefreshableCredentials

    from deployer import aws

    made = RefreshableCredentials.create_from_metadata(
        metadata={"access_key": "A", "secret_key": "S", "token": "T", "expiry_time": "2999-01-01T00:00:00Z"},
        refresh_using=lambda: {},
        method="assume-role",
    )
    monkeypatch.setattr(aws, "assumed_role_credentials", lambda sts, role: made)

    session = aws.make_session("us-east-1", ROLE)

    assert session.get_credentials() is made
