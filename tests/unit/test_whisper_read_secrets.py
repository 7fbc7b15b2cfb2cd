"""async-whisper's container entry point: secrets read from Secrets Manager at start, not the environment."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "async-whisper" / "container" / "read_secrets.py"
DSN = "https://0123456789abcdef@o0.ingest.sentry.io/42"


def _load():
    spec = importlib.util.spec_from_file_location("whisper_read_secrets", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


read_secrets = _load()


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


def test_only_secret_arn_variables_name_secrets() -> None:
    environ = {"SENTRY_DSN_SECRET_ARN": "arn:x", "STAGE": "prod", "EMPTY_SECRET_ARN": ""}
    assert read_secrets.secret_names(environ) == {"SENTRY_DSN": "arn:x"}


def test_the_value_lands_in_the_process_environment(secrets) -> None:
    arn = secrets.create_secret(Name="whisper/prod/sentry-dsn", SecretString=DSN)["ARN"]
    environ = {"SENTRY_DSN_SECRET_ARN": arn, "STAGE": "prod"}
    assert read_secrets.load_secrets(environ) == ["SENTRY_DSN"]
    assert environ["SENTRY_DSN"] == DSN


def test_main_execs_the_server_with_the_secret_and_logs_no_value(
    secrets, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    arn = secrets.create_secret(Name="whisper/prod/sentry-dsn", SecretString=DSN)["ARN"]
    monkeypatch.setenv("SENTRY_DSN_SECRET_ARN", arn)
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    executed: dict[str, Any] = {}

    def execvp(file: str, args: list[str]) -> None:
        import os

        executed.update(file=file, args=args, dsn=os.environ.get("SENTRY_DSN"))

    monkeypatch.setattr(read_secrets.os, "execvp", execvp)
    read_secrets.main(["serve"])
    assert executed == {"file": "serve", "args": ["serve"], "dsn": DSN}
    assert DSN not in capsys.readouterr().err


def test_a_missing_secret_stops_the_start_at_once(secrets) -> None:
    sleeps: list[float] = []
    with pytest.raises(read_secrets.SecretError, match="ResourceNotFoundException"):
        read_secrets.read_secret(secrets, "whisper/prod/nope", wait_seconds=60, sleep=sleeps.append)
    assert sleeps == []


def test_main_fails_without_the_secret(secrets, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRY_DSN_SECRET_ARN", "whisper/prod/nope")
    monkeypatch.setattr(read_secrets.os, "execvp", lambda *_: pytest.fail("started without its secret"))
    assert read_secrets.main(["serve"]) == 1


class FlakyClient:
    """AccessDenied twice (the role's new policy not visible yet), then the value."""

    exceptions = type("Exceptions", (), {"ClientError": ClientError})

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def get_secret_value(self, SecretId: str) -> dict[str, str]:
        if self.failures:
            self.failures -= 1
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetSecretValue")
        return {"SecretString": DSN}


def test_access_denied_is_retried_while_iam_propagates() -> None:
    sleeps: list[float] = []
    assert read_secrets.read_secret(FlakyClient(2), "s", wait_seconds=60, sleep=sleeps.append) == DSN
    assert sleeps == [1.0, 2.0]
    with pytest.raises(read_secrets.SecretError, match="AccessDeniedException"):
        read_secrets.read_secret(FlakyClient(5), "s", wait_seconds=0, sleep=sleeps.append)


def test_a_binary_secret_is_refused(secrets) -> None:
    arn = secrets.create_secret(Name="binary", SecretBinary=b"\x00\x01")["ARN"]
    with pytest.raises(read_secrets.SecretError, match="no SecretString"):
        read_secrets.read_secret(secrets, arn, wait_seconds=0)
