"""``deployer.aws.as_refusal``: one truthful line per botocore error (exit 4)."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError, ParamValidationError

from deployer.aws import as_refusal
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
