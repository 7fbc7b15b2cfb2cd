"""Shared helpers of the reliability suites (issue 10; no tests here): the deployer as a real process
(``python -m deployer``, as a user or Terraform's external provider runs it) against localaws, stopped at
a point chosen from localaws's call log, and what is left behind afterwards.

Every claim is checked on localaws's state and call log (docs/reliability.md lists them).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from deployer import operations
from deployer.release import config_name, release_from_name, release_id
from deployer.spec import parse_spec
from deployer.state import TAG_LEASE_EXPIRES, TAG_LEASE_OWNER
from tests.integration.test_deployer_support import clients, document, endpoint, runtime, writes

ROOT = Path(__file__).resolve().parents[2]
NAME = "whisper"
PLANNED = "2026-12-04T11:00:00Z"  # the plan that created a rollout id: its apply has the same plan time
LATER = "2026-12-04T11:05:00Z"  # a later terraform plan

Calls = list[dict[str, Any]]


def doc(tag: str, keep: int = 2, **deployment: Any) -> dict[str, Any]:
    """The suites' spec: ``keep`` retained releases, the rollback alarm, optional deployment changes."""
    value = document(NAME, tag, keep_releases=keep)
    value["deployment"].update(deployment)
    return value


def target(tag: str, **deployment: Any) -> str:
    return config_name(NAME, release_id(parse_spec(doc(tag, **deployment))))


def release(tag: str, **deployment: Any) -> str:
    return release_id(parse_spec(doc(tag, **deployment)))


def deploy_in_process(tag: str, keep: int = 2, **deployment: Any) -> None:
    rt, _ = runtime(NAME)
    operations.deploy(parse_spec(doc(tag, keep, **deployment)), rt)


def env(**extra: str) -> dict[str, str]:
    """The environment the ``localaws`` fixture set (endpoint URL, region, dummy keys, time scale)."""
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def query(value: dict[str, Any], rollout_id: str, plan_time: str = PLANNED) -> str:
    """An external-protocol query as the module sends it (equal timestamps: the apply of that plan)."""
    return json.dumps(
        {
            "spec": json.dumps(value),
            "rollout_id": rollout_id,
            "rollout_planned_at": PLANNED,
            "plan_time": plan_time,
        }
    )


def start(tmp_path: Path, args: Sequence[str], stdin: str = "", **extra: str) -> subprocess.Popen[str]:
    """The deployer as a process of its own (output to files: a killed process leaves no pipe behind)."""
    out = (tmp_path / "stdout").open("w")
    err = (tmp_path / "stderr").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "deployer", *args],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=out,
        stderr=err,
        text=True,
        env=env(**extra),
    )
    assert process.stdin is not None
    process.stdin.write(stdin)
    process.stdin.close()
    return process


def stderr_of(tmp_path: Path) -> str:
    path = tmp_path / "stderr"
    return path.read_text() if path.exists() else ""


def stop_when(
    localaws: Any,
    process: subprocess.Popen[str],
    reached: Callable[[Calls], bool],
    since: int,
    sig: int = signal.SIGKILL,
    timeout: float = 60.0,
) -> Calls:
    """Send ``sig`` as soon as the call log from entry ``since`` on satisfies ``reached``; that log."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        calls = localaws.calls()[since:]
        if reached(calls):
            process.send_signal(sig)
            return calls
        if process.poll() is not None:
            raise AssertionError(
                f"the deployer ended (exit {process.returncode}) before the point was reached"
            )
        time.sleep(0.005)
    process.kill()
    raise AssertionError("the point was not reached in time")


def wait_for_calls(
    localaws: Any, reached: Callable[[Calls], bool], since: int, timeout: float = 60.0
) -> None:
    end = time.monotonic() + timeout
    while not reached(localaws.calls()[since:]):
        if time.monotonic() > end:
            raise AssertionError("the point was not reached in time")
        time.sleep(0.01)


def after(operation: str, then: str | None = None) -> Callable[[Calls], bool]:
    """The call log has ``operation`` (and, when given, a ``then`` call after it)."""

    def reached(calls: Calls) -> bool:
        names = [c["operation"] for c in calls]
        if operation not in names:
            return False
        return then is None or then in names[names.index(operation) + 1 :]

    return reached


def recorded(calls: Calls) -> bool:
    """The rollout's first record on the endpoint (AddTags with last-rollout=in_progress) was answered:
    the deployer has sent its next call."""
    for index, call in enumerate(calls):
        if call["operation"] == "AddTags" and (call.get("tags") or {}).get(IN_PROGRESS[0]) == IN_PROGRESS[1]:
            return index + 1 < len(calls)
    return False


IN_PROGRESS = ("sagemaker-rollout:last-rollout", "in_progress")


def settled(sm: Any, name: str = NAME, timeout: float = 30.0) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        described = endpoint(sm, name)
        if described["EndpointStatus"] not in {"Creating", "Updating", "Deleting"} and not described.get(
            "PendingDeploymentSummary"
        ):
            return described
        time.sleep(0.02)
    raise AssertionError(f"{name} did not settle")


def tags(sm: Any, name: str = NAME) -> dict[str, str]:
    arn = endpoint(sm, name)["EndpointArn"]
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}


def expire_lease(sm: Any, name: str = NAME) -> None:
    """What ``DEPLOYER_LEASE_SECONDS`` after a kill does: the dead run's lease expires (nothing to do when
    the endpoint is gone meanwhile: a killed destroy)."""
    from deployer.aws import is_not_found

    try:
        if TAG_LEASE_OWNER in tags(sm, name):
            arn = endpoint(sm, name)["EndpointArn"]
            expired = str(int(time.time()) - 1)
            sm.add_tags(ResourceArn=arn, Tags=[{"Key": TAG_LEASE_EXPIRES, "Value": expired}])
    except Exception as error:
        if not is_not_found(error):
            raise


def releases(sm: Any, name: str = NAME) -> tuple[set[str], set[str]]:
    """The releases that have an endpoint configuration, and those that have a model (ours, by name)."""
    configs = sm.list_endpoint_configs(NameContains=name, MaxResults=100)["EndpointConfigs"]
    models = sm.list_models(NameContains=name, MaxResults=100)["Models"]
    with_config = {release_from_name(name, c["EndpointConfigName"]) for c in configs} - {None}
    with_model = {release_from_name(name, m["ModelName"]) for m in models} - {None}
    return with_config, with_model  # type: ignore[return-value]


def plan_read(localaws: Any, value: dict[str, Any], rollout_id: str) -> dict[str, str]:
    """The next ``terraform plan``'s read (a real ``external`` process): exit 0 and no write at all."""
    before = len(localaws.calls())
    run = subprocess.run(
        [sys.executable, "-m", "deployer", "external"],
        input=query(value, rollout_id, LATER),
        capture_output=True,
        text=True,
        timeout=120,
        env=env(),
    )
    wrote = writes(localaws.calls()[before:])
    assert wrote == [], f"the plan wrote: {[w['operation'] for w in wrote]}"
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def status() -> dict[str, Any]:
    rt, _ = runtime(NAME)
    return operations.status(NAME, rt)


def converged(sm: Any, config: str, keep: int = 2) -> None:
    """The endpoint serves ``config``, InService, recorded as succeeded, no lease left, and no
    configuration or model outside the ``keep`` newest releases."""
    described = endpoint(sm)
    assert described["EndpointStatus"] == "InService"
    assert described["EndpointConfigName"] == config
    left = tags(sm)
    assert left.get("sagemaker-rollout:last-rollout") == "succeeded", left
    assert TAG_LEASE_OWNER not in left, left
    with_config, with_model = releases(sm)
    assert len(with_config) <= keep, with_config
    assert with_model <= with_config, f"models without a configuration: {with_model - with_config}"


__all__ = ["clients"]
