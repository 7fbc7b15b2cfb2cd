"""P2: how late each waiter sees an update settle, and how many DescribeEndpoint calls it makes.

One localaws endpoint is updated by the deployer (``python -m deployer deploy``) again and again; the
moment localaws records the UpdateEndpoint, three other pollers start watching the same update in
threads of this process:

- the boto3 ``endpoint_in_service`` waiter (DescribeEndpoint every 30 s, first look at once; botocore's
  SageMaker waiter model, AWS-FACTS.md "Endpoint status"),
- the SageMaker Python SDK's ``Session.wait_for_endpoint`` (``_wait_until(_deploy_done, poll=30)``: a
  look, then every 30 s until the status is not Creating/Updating; aws/sagemaker-python-sdk
  ``src/sagemaker/session.py``),
- a 5 s poller (MLflow's ``_SageMakerOperation.await_completion``: a look, then ``time.sleep(5)``;
  mlflow/mlflow ``mlflow/sagemaker/__init__.py``).

Every delay is in simulated seconds, multiplied by the run's time scale like localaws' durations and the
deployer's (``DEPLOYER_TIME_SCALE``). localaws records when the update settled (``transitions``) and when
each call arrived (the call log's ``time``); a poller's detection lag is the arrival of its first
DescribeEndpoint after the settle minus the settle, in simulated seconds. Callers are told apart by their
User-Agent (the deployer's carries ``sagemaker-rollout``).

The update lengths are known: provisioning (localaws ``provision_seconds``) plus the bakes and the
termination wait of the DeploymentConfig. Run ``i`` of ``n`` adds ``35 * (i + 0.5) / n`` simulated
seconds to provisioning, so the settle falls at spread phases of both a 30 s and a 5 s poll (a fixed
length would favour one poller by chance).
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.scenario import IMAGE, ROOT, environment

ENDPOINT = "bench-rollout"
ALARM = "bench-rollout-5xx"  # watched by SageMaker during every bake (stays OK)
DEPLOYER_AGENT = "sagemaker-rollout"
SETTLED = ("InService", "Failed", "UpdateRollbackFailed")
DEPLOYER = "deployer (sagemaker-rollout)"
BOTO3 = "boto3 endpoint_in_service waiter (30 s)"
SDK = "SageMaker SDK wait_for_endpoint (30 s)"
FIVE = "5 s poller (MLflow)"
POLLERS = (BOTO3, SDK, FIVE)


@dataclass(frozen=True)
class Update:
    """One kind of update: its DeploymentConfig (through the spec) and its provisioning time."""

    name: str
    traffic: str
    provision_seconds: float
    wait_interval_seconds: int
    termination_wait_seconds: int
    canary_percent: int = 10
    linear_step_percent: int = 25

    def deployment(self) -> dict[str, Any]:
        return {
            "rollback_alarms": [ALARM],
            "strategy": "blue_green",
            "traffic": self.traffic,
            "canary_percent": self.canary_percent,
            "linear_step_percent": self.linear_step_percent,
            "wait_interval_seconds": self.wait_interval_seconds,
            "termination_wait_seconds": self.termination_wait_seconds,
        }

    def shifts(self) -> int:
        return 2 if self.traffic == "canary" else -(-100 // self.linear_step_percent)

    def nominal_seconds(self) -> float:
        """Simulated length: provisioning, a bake per shift (localaws' canary bakes once), termination."""
        bakes = 1 if self.traffic == "canary" else self.shifts()
        return self.provision_seconds + bakes * self.wait_interval_seconds + self.termination_wait_seconds


UPDATES = (
    Update("short (canary 10 %)", "canary", 120, 60, 120),
    Update("long (linear 25 %)", "linear", 300, 120, 300),
)
QUICK_UPDATES = (
    Update("short (canary 10 %)", "canary", 60, 30, 60),
    Update("long (linear 50 %)", "linear", 120, 60, 120, linear_step_percent=50),
)

TINY_UPDATES = (
    Update("short (canary 10 %)", "canary", 10, 10, 10),
    Update("long (linear 50 %)", "linear", 10, 10, 10, linear_step_percent=50),
)


def spec_document(update: Update, image_tag: str) -> dict[str, Any]:
    return {
        "endpoint_name": ENDPOINT,
        "region": "us-east-1",
        "execution_role_arn": "arn:aws:iam::123456789012:role/bench",
        "variants": [
            {
                "containers": [{"image": f"{IMAGE.rsplit(':', 1)[0]}:{image_tag}"}],
                "instance_type": "ml.m5.large",
            }
        ],
        "deployment": update.deployment(),
        "keep_releases": 2,
    }


# --------------------------------------------------------------------------------------------- pollers


def boto3_waiter(sm: Any, endpoint: str, scale: float) -> None:
    waiter = sm.get_waiter("endpoint_in_service")
    try:
        waiter.wait(EndpointName=endpoint, WaiterConfig={"Delay": 30 * scale, "MaxAttempts": 100_000})
    except Exception:  # a Failed endpoint ends the waiter with WaiterError: settled as far as it can tell
        return


def sdk_wait(sm: Any, endpoint: str, scale: float) -> None:
    def deploy_done() -> Any:
        described = sm.describe_endpoint(EndpointName=endpoint)
        return None if described["EndpointStatus"] in ("Creating", "Updating") else described

    result = deploy_done()
    while result is None:
        time.sleep(30 * scale)
        result = deploy_done()


def five_second_poller(sm: Any, endpoint: str, scale: float) -> None:
    while sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] in ("Creating", "Updating"):
        time.sleep(5 * scale)


POLL: dict[str, Callable[[Any, str, float], None]] = {
    BOTO3: boto3_waiter,
    SDK: sdk_wait,
    FIVE: five_second_poller,
}


def agent(name: str) -> str:
    return "bench-poller-" + "".join(ch if ch.isalnum() else "-" for ch in name.split(" (")[0].lower())


def poller_clients(url: str) -> dict[str, Any]:
    import boto3
    from botocore.config import Config

    clients = {}
    for name in POLLERS:
        session = boto3.Session(
            region_name="us-east-1", aws_access_key_id="bench", aws_secret_access_key="bench"
        )
        clients[name] = session.client(
            "sagemaker",
            endpoint_url=url,
            config=Config(user_agent_extra=agent(name), retries={"mode": "standard", "max_attempts": 10}),
        )
    return clients


# ----------------------------------------------------------------------------------------- measurement


@dataclass
class Observation:
    """One update watched by all four: per waiter, detection lag (simulated s) and DescribeEndpoint calls."""

    update: str
    run: int
    length_seconds: float  # simulated, UpdateEndpoint to settle
    lag: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    outcome: list[str] = field(default_factory=list)  # the deployer's last line of output


def _who(call: Mapping[str, Any], agents: Mapping[str, str]) -> str | None:
    ua = str(call.get("user_agent", ""))
    if DEPLOYER_AGENT in ua:
        return DEPLOYER
    return next((name for name, tag in agents.items() if tag in ua), None)


def observe(
    calls: Sequence[Mapping[str, Any]],
    transitions: Sequence[Mapping[str, Any]],
    endpoint: str,
    scale: float,
    agents: Mapping[str, str],
) -> tuple[float, float, dict[str, float], dict[str, int]]:
    """From localaws' records: (update start, settle time, lag per waiter, DescribeEndpoint calls per
    waiter from the update's start to its detecting call, inclusive)."""
    mine = [t for t in transitions if t["endpoint"] == endpoint]
    start = next(t for t in reversed(mine) if t["status"] == "Updating" and t["pending_config_name"])
    settled = next(
        t
        for t in mine
        if t["time"] > start["time"] and t["status"] in SETTLED and not t["pending_config_name"]
    )
    lag: dict[str, float] = {}
    counts: dict[str, int] = {}
    for call in calls:
        if call.get("operation") != "DescribeEndpoint" or call["time"] < start["time"]:
            continue
        if (call.get("params") or {}).get("EndpointName") != endpoint:
            continue
        who = _who(call, agents)
        if who is None or who in lag:
            continue
        counts[who] = counts.get(who, 0) + 1
        if call["time"] >= settled["time"]:
            lag[who] = (call["time"] - settled["time"]) / scale
    return start["time"], settled["time"], lag, counts


def _deploy(env: Mapping[str, str], update: Update, tag: str) -> Any:
    """Start ``python -m deployer deploy`` on a new release; the spec is written and stdin closed."""
    import subprocess

    process = subprocess.Popen(
        [sys.executable, "-m", "deployer", "deploy", "--spec", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(env),
        cwd=ROOT,
    )
    assert process.stdin is not None
    process.stdin.write(json.dumps(spec_document(update, tag)))
    process.stdin.close()
    process.stdin = None  # written and closed: communicate() must not flush it again
    return process


def one_update(
    server: Any,
    env: Mapping[str, str],
    clients: Mapping[str, Any],
    update: Update,
    run: int,
    runs: int,
    scale: float,
) -> Observation:
    """Roll one new release out with the deployer while the three pollers watch the same update."""
    server.configure(provision_seconds=update.provision_seconds + 35.0 * (run + 0.5) / runs)
    before_transitions = len(server.transitions())
    process = _deploy(env, update, f"{update.traffic}-{run}-{uuid.uuid4().hex[:6]}")
    # Start the pollers the moment localaws records the UpdateEndpoint (as a tool would right after it).
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        fresh = server.transitions()[before_transitions:]
        if any(t["endpoint"] == ENDPOINT and t["status"] == "Updating" for t in fresh):
            break
        time.sleep(0.001)
    threads = [
        threading.Thread(target=POLL[name], args=(clients[name], ENDPOINT, scale), daemon=True)
        for name in POLLERS
    ]
    for thread in threads:
        thread.start()
    out, err = process.communicate(timeout=600)
    for thread in threads:
        thread.join(timeout=120)
    if process.returncode != 0:
        raise RuntimeError(f"the deployer failed (exit {process.returncode}): {err.strip()[-2000:]}")
    agents = {name: agent(name) for name in POLLERS}
    start, settled, lag, counts = observe(server.calls(), server.transitions(), ENDPOINT, scale, agents)
    missing = [name for name in (DEPLOYER, *POLLERS) if name not in lag]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} never saw the update settle")
    return Observation(
        update.name, run, (settled - start) / scale, lag, counts, out.strip().splitlines()[-1:]
    )


def _stats(values: Sequence[float]) -> dict[str, float]:
    return {
        "mean": round(statistics.fmean(values), 2),
        "min": round(min(values), 2),
        "median": round(statistics.median(values), 2),
        "max": round(max(values), 2),
    }


def summarize(observations: Sequence[Observation]) -> dict[str, Any]:
    """Per update and pooled: lag and calls per waiter, the deployer's ratios, and the issue-10 goals."""
    groups: dict[str, list[Observation]] = {}
    for o in observations:
        groups.setdefault(o.update, []).append(o)
    groups["all updates"] = list(observations)
    out: dict[str, Any] = {}
    for name, group in groups.items():
        lag = {w: _stats([o.lag[w] for o in group]) for w in (DEPLOYER, *POLLERS)}
        calls = {w: _stats([o.calls[w] for o in group]) for w in (DEPLOYER, *POLLERS)}
        mine = lag[DEPLOYER]["mean"]
        ratios = {
            f"deployer lag / {w}": round(mine / lag[w]["mean"], 3) if lag[w]["mean"] else None
            for w in POLLERS
        }
        ratios[f"deployer calls / {FIVE}"] = round(calls[DEPLOYER]["mean"] / calls[FIVE]["mean"], 3)
        goals = {
            "lag <= 1/5 of the boto3 waiter's": _at_most(mine, lag[BOTO3]["mean"] / 5),
            "lag <= 1/5 of the SDK wait's": _at_most(mine, lag[SDK]["mean"] / 5),
            "lag <= 1.5x the 5 s poller's": _at_most(mine, lag[FIVE]["mean"] * 1.5),
            "calls <= 1/3 of the 5 s poller's": _at_most(calls[DEPLOYER]["mean"], calls[FIVE]["mean"] / 3),
        }
        out[name] = {
            "runs": len(group),
            "update_seconds": _stats([o.length_seconds for o in group]),
            "detection_lag_seconds": lag,
            "describe_calls": calls,
            "ratios": ratios,
            "goals": goals,
            "goal_met": all(goals.values()),
        }
    return out


def _at_most(value: float, bound: float) -> bool:
    return value <= bound + 1e-9


def run(runs: int, *, updates: Sequence[Update] = UPDATES, time_scale: float = 0.02) -> dict[str, Any]:
    """Measure P2: ``runs`` updates of each kind, all four waiters on each."""
    from bench.timing import run_once
    from tests.localaws import start, testkit

    scale = time_scale
    server = start(port=0, create_seconds=20, time_scale=scale)
    try:
        env = environment(server.url, scale)
        testkit.alarm(server.url, ALARM)
        clients = poller_clients(server.url)
        _, first = run_once(
            [sys.executable, "-m", "deployer", "deploy", "--spec", "-"],
            json.dumps(spec_document(updates[0], "first")),
            env,
            ROOT,
        )
        if first.returncode != 0:
            raise RuntimeError(
                f"creating {ENDPOINT} failed (exit {first.returncode}): {first.stderr.strip()}"
            )
        observations = [
            one_update(server, env, clients, update, i, runs, scale)
            for update in updates
            for i in range(runs)
        ]
    finally:
        server.stop()
    return {
        "time_scale": scale,
        "updates": {
            u.name: {
                **u.deployment(),
                "provision_seconds": u.provision_seconds,
                "nominal_seconds": u.nominal_seconds(),
            }
            for u in updates
        },
        "observations": [o.__dict__ for o in observations],
        "summary": summarize(observations),
    }
