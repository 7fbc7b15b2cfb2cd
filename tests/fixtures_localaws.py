"""pytest plugin: localaws fixtures (see docs/architecture.md and docs/localaws.md).

- ``localaws_server`` (session): one in-process localaws on a free port for the whole run (per xdist worker).
- ``localaws`` (function): resets it (state, call log, settings) and points the AWS SDKs at it through
  ``monkeypatch``: AWS_ENDPOINT_URL, AWS_DEFAULT_REGION, dummy credentials, DEPLOYER_TIME_SCALE.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.localaws import LocalAWS, start

# Test time scale: LOCALAWS_TIME_SCALE from the environment (the Makefile exports 0.01), else 0.01.
DEFAULT_TEST_TIME_SCALE = "0.01"


@pytest.fixture(scope="session")
def localaws_server() -> Iterator[LocalAWS]:
    environ = dict(os.environ)
    environ.setdefault("LOCALAWS_TIME_SCALE", DEFAULT_TEST_TIME_SCALE)
    if not environ["LOCALAWS_TIME_SCALE"]:
        environ["LOCALAWS_TIME_SCALE"] = DEFAULT_TEST_TIME_SCALE
    server = start(port=0, environ=environ)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def localaws(localaws_server: LocalAWS, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalAWS]:
    localaws_server.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", localaws_server.url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("DEPLOYER_TIME_SCALE", repr(localaws_server.config.time_scale))
    # The lease's settle wait covers a competitor's check-to-write latency: milliseconds against localaws.
    monkeypatch.setenv("DEPLOYER_LEASE_SETTLE_SECONDS", "0.2")
    yield localaws_server
    # A test that changed settings must not leak them (faults, durations) into the next one.
    localaws_server.reset()
