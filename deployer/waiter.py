"""Polling with backoff, a clock passed in, and the endpoint status vocabulary.

- Quick first looks, then slower: ``Schedule.intervals`` (seconds), the last one repeating. Against real
  AWS no interval is shorter than 5 s (the SageMaker SDK moved its poll from 5 s to 30 s after
  throttling reports, see docs/aws-behaviour.md).
- Every interval and every deadline is multiplied by ``scale`` (``DEPLOYER_TIME_SCALE``; tests set it to
  localaws' time scale).
- Throttling or a 5xx on a poll (after botocore's own retries) doubles the next interval instead of
  failing the rollout.
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
) -> T:
    """Call ``fetch`` until ``done(value)``; raise ``WaitTimeout`` when ``timeout_seconds`` (real-AWS
    seconds, scaled) pass. The first look is immediate."""
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
