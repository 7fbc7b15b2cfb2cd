"""The measured situation: localaws with one endpoint that already serves the spec (a steady-state plan)."""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ENDPOINT = "bench-read"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/bench:1.0"


def spec_document() -> dict[str, Any]:
    return {
        "endpoint_name": ENDPOINT,
        "region": "us-east-1",
        "execution_role_arn": "arn:aws:iam::123456789012:role/bench",
        "variants": [{"containers": [{"image": IMAGE}], "instance_type": "ml.m5.large"}],
        "deployment": {"termination_wait_seconds": 0, "rollback_alarms": ["bench-5xx"]},
    }


@dataclass(frozen=True)
class Scenario:
    env: dict[str, str]
    read_query: str  # the rollout id already acted on: a read-only pass
    invalid_query: str  # a spec refused before any AWS call
    localaws: Any  # tests.localaws.LocalAWS

    def calls(self) -> list[dict[str, Any]]:
        return self.localaws.calls()


def environment(url: str, time_scale: float) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(key, None)
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        DEPLOYER_TIME_SCALE=repr(time_scale),
        PYTHONDONTWRITEBYTECODE="",
    )
    return env


@contextmanager
def running(time_scale: float = 0.01) -> Iterator[Scenario]:
    """Start localaws, roll the benchmark endpoint out once, and hand back the queries to measure."""
    from bench.timing import run_once
    from tests.localaws import start

    server = start(port=0, environ={**os.environ, "LOCALAWS_TIME_SCALE": repr(time_scale)})
    try:
        env = environment(server.url, time_scale)
        # The spec's rollback alarm must exist: the deployer refuses a spec naming a missing alarm.
        from tests.localaws import testkit

        testkit.alarm(server.url, "bench-5xx")
        spec_text = json.dumps(spec_document())
        read_query = json.dumps({"spec": spec_text, "rollout_id": str(uuid.uuid4())})
        _, done = run_once([sys.executable, "-m", "deployer", "external"], read_query, env, ROOT)
        if done.returncode != 0:
            raise RuntimeError(f"the first rollout failed (exit {done.returncode}): {done.stderr.strip()}")
        broken = dict(spec_document(), endpoint_name="bad_name")
        invalid_query = json.dumps({"spec": json.dumps(broken), "rollout_id": str(uuid.uuid4())})
        yield Scenario(env=env, read_query=read_query, invalid_query=invalid_query, localaws=server)
    finally:
        server.stop()
