"""Polling with backoff, a clock passed in, and the endpoint status vocabulary.

- Quick first looks, then slower: ``Schedule.intervals`` (seconds), the last one repeating. Against real
  AWS no interval is shorter than 5 s (the SageMaker SDK moved its poll from 5 s to 30 s after
  throttling reports, see docs/aws-behaviour.md).
- Every interval and every deadline is multiplied by ``scale`` (``DEPLOYER_TIME_SCALE``; tests set it to
  localaws' time scale).
- Throttling or a 5xx on a poll (after botocore's own retries) doubles the next interval instead of
  failing the rollout.
- While an update deploys, ``settle_pace`` polls when SageMaker says a change is due instead of on the
  schedule: a pending variant ``Baking`` since its ``StartTime`` ends after the DeploymentConfig's
  ``WaitIntervalInSeconds`` (a bake) or ``TerminationWaitInSeconds`` (the termination wait), both read
  from DescribeEndpoint's ``LastDeploymentConfig``; the poll lands just after that moment, then once or
  twice at 5 s if the phase has not moved. With rollback alarms no wait exceeds the schedule's (an alarm
  can end a bake at any moment). Before a bake starts (provisioning) the schedule applies, capped so
  that the first bake cannot be missed. The only polls under 5 s are those aimed at an announced change.
- Never the boto3 ``endpoint_in_service`` waiter: it ignores UpdateRollbackFailed and reports a silent
  rollback as success (AWS-FACTS.md).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

# AWS-FACTS.md "Endpoint status": in progress vs terminal.
IN_PROGRESS = frozenset({"Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting"})
TERMINAL_FAILED = frozenset({"Failed", "UpdateRollbackFailed"})
MIN_REAL_INTERVAL = 5.0


class Clock(Protocol):
    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


@dataclass(frozen=True)
class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Sleep, or raise ``deployer.errors.Interrupted`` as soon as SIGINT/SIGTERM arrives (a CLI run)."""
        from deployer import interrupt

        interrupt.sleep(seconds)


def time_scale(environ: Mapping[str, str] | None = None) -> float:
    """``DEPLOYER_TIME_SCALE`` (default 1). Invalid or non-positive values mean 1."""
    env = os.environ if environ is None else environ
    try:
        value = float(env.get("DEPLOYER_TIME_SCALE", "1") or "1")
    except ValueError:
        return 1.0
    return value if value > 0 else 1.0


@dataclass(frozen=True)
class Schedule:
    """Poll intervals in real-AWS seconds (each >= 5), scaled by ``scale``."""

    intervals: tuple[float, ...] = (5.0, 5.0, 10.0, 15.0, 20.0, 30.0)
    scale: float = 1.0

    def interval(self, attempt: int) -> float:
        base = self.intervals[min(attempt, len(self.intervals) - 1)]
        return max(base, MIN_REAL_INTERVAL) * self.scale

    def seconds(self, real_seconds: float) -> float:
        return real_seconds * self.scale


@dataclass(frozen=True)
class Runtime:
    """What every operation needs: AWS clients (``deployer.aws.Clients``), a clock, progress, time scale."""

    clients: Any
    clock: Clock
    progress: Any
    scale: float = 1.0

    @property
    def schedule(self) -> Schedule:
        return Schedule(scale=self.scale)

    def deadline(self, real_seconds: float) -> float:
        """Clock time ``real_seconds`` (real-AWS seconds, scaled) from now."""
        return self.clock.now() + real_seconds * self.scale

    def remaining(self, deadline: float) -> float:
        """Real-AWS seconds left until ``deadline`` (>= 0)."""
        return max(0.0, (deadline - self.clock.now()) / self.scale)


class WaitTimeout(Exception):
    """The deadline passed; ``last`` is the last value seen (or None)."""

    def __init__(self, last: Any) -> None:
        super().__init__("deadline passed")
        self.last = last


def poll(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    clock: Clock,
    schedule: Schedule,
    timeout_seconds: float,
    on_poll: Callable[[T], None] | None = None,
    is_transient: Callable[[BaseException], bool] | None = None,
    pace: Callable[[T, float], float] | None = None,
) -> T:
    """Call ``fetch`` until ``done(value)``; raise ``WaitTimeout`` when ``timeout_seconds`` (real-AWS
    seconds, scaled) pass. The first look is immediate. ``pace(value, wait)`` may replace the scheduled
    wait (clock seconds) after a successful look (not after a transient error, which backs off)."""
    deadline = clock.now() + schedule.seconds(timeout_seconds)
    attempt = 0
    penalty = 1.0
    last: Any = None
    while True:
        try:
            value = fetch()
        except Exception as error:  # only transient errors are absorbed, see is_transient
            if is_transient is None or not is_transient(error):
                raise
            penalty = min(penalty * 2.0, 8.0)
        else:
            last = value
            penalty = 1.0
            if on_poll is not None:
                on_poll(value)
            if done(value):
                return value
        wait = schedule.interval(attempt) * penalty
        if pace is not None and penalty == 1.0 and last is not None:
            wait = max(0.0, pace(last, wait))
        attempt += 1
        remaining = deadline - clock.now()
        if remaining <= 0:
            raise WaitTimeout(last)
        clock.sleep(min(wait, remaining))


def endpoint_settled(describe: Mapping[str, Any] | None) -> bool:
    """Settled: gone, or a status that is not in progress and no pending deployment."""
    if describe is None:
        return True
    return describe.get("EndpointStatus") not in IN_PROGRESS and not describe.get("PendingDeploymentSummary")


# ------------------------------------------------------------------------------------------------
# Polling when a change is due

# A poll aimed at an announced change lands this long (real-AWS seconds) after it: SageMaker's and our
# clocks differ a little, and the change itself takes a moment.
DUE_MARGIN_SECONDS = 1.0
# After an announced change did not show, look again at the minimum interval for this long.
OVERDUE_SECONDS = 2 * MIN_REAL_INTERVAL


def _epoch(value: Any) -> float | None:
    if hasattr(value, "timestamp"):
        return float(value.timestamp())
    if isinstance(value, (int, float)):
        return float(value)
    return None


def pending_phase(describe: Mapping[str, Any] | None) -> tuple[str, float | None] | None:
    """The latest ``VariantStatus`` of the pending deployment: (status, StartTime in epoch seconds)."""
    pending = (describe or {}).get("PendingDeploymentSummary") or {}
    latest: tuple[str, float | None] | None = None
    for variant in pending.get("ProductionVariants", []) or []:
        for entry in variant.get("VariantStatus", []) or []:
            started = _epoch(entry.get("StartTime"))
            if latest is None or (started or 0.0) >= (latest[1] or 0.0):
                latest = (str(entry.get("Status", "")), started)
    return latest


def announced_waits(describe: Mapping[str, Any] | None) -> tuple[float, ...]:
    """The bake and termination waits (real-AWS seconds) of the deployment in progress, from
    DescribeEndpoint's ``LastDeploymentConfig`` (SageMaker API reference, DeploymentConfig)."""
    config = (describe or {}).get("LastDeploymentConfig") or {}
    waits: list[float] = []
    blue_green = config.get("BlueGreenUpdatePolicy") or {}
    if blue_green:
        routing = blue_green.get("TrafficRoutingConfiguration") or {}
        waits.append(float(routing.get("WaitIntervalInSeconds", 0) or 0))
        waits.append(float(blue_green.get("TerminationWaitInSeconds", 0) or 0))
    rolling = config.get("RollingUpdatePolicy") or {}
    if rolling:
        waits.append(float(rolling.get("WaitIntervalInSeconds", 0) or 0))
    return tuple(sorted(waits))


def settle_pace(
    describe: Mapping[str, Any] | None, scheduled: float, *, scale: float, now: float | None = None
) -> float:
    """The wait (clock seconds) before the next DescribeEndpoint while an update deploys.

    ``Baking`` since ``StartTime``: the phase ends after one of the announced waits; poll just after the
    next of those moments. When one passed without a change, look again once at the minimum interval
    (twice when no other wait is ahead). With rollback alarms an alarm may end a bake at any moment, so no
    wait is longer than the schedule's (a rollback is seen as soon as before). Any other pending phase
    (provisioning, shifting): the schedule, capped at half the bakes and termination wait that follow, so
    the first bake is seen before the update can end. Nothing announced: the schedule. ``now`` is the
    wall clock (epoch seconds), the clock of SageMaker's ``StartTime``.
    """
    phase = pending_phase(describe)
    waits = announced_waits(describe)
    if phase is None or not waits:
        return scheduled
    status, started = phase
    minimum = MIN_REAL_INTERVAL * scale
    if status != "Baking" or started is None:
        tail = sum(waits)
        return min(scheduled, max(minimum, tail / 2 * scale)) if tail > 0 else scheduled
    now = time.time() if now is None else now
    dues = [started + (wait + DUE_MARGIN_SECONDS) * scale for wait in waits]
    ahead = [due - now for due in dues if due > now]
    passed = [now - due for due in dues if due <= now]
    overdue = (MIN_REAL_INTERVAL if ahead else OVERDUE_SECONDS) * scale
    if passed and min(passed) < overdue:
        wait = min([minimum, *ahead])
    elif ahead:
        wait = ahead[0]
    else:
        return scheduled
    return min(wait, scheduled) if rollback_alarms(describe) else wait


def rollback_alarms(describe: Mapping[str, Any] | None) -> bool:
    """Whether the deployment in progress is watched by CloudWatch alarms (``AutoRollbackConfiguration``)."""
    config = (describe or {}).get("LastDeploymentConfig") or {}
    return bool((config.get("AutoRollbackConfiguration") or {}).get("Alarms"))
