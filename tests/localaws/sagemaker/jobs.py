"""Long-running SageMaker work (create, update, delete, ...) as generators stepped by the ticker.

A job yields ``Wait(seconds, watch)``; the ticker resumes it when the wait is over. While a
watching wait runs, an alarm in ALARM is thrown into the job as ``AlarmFired``, and a deployment that ran
past its MaximumExecutionTimeoutInSeconds as ``ExecutionTimeout``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass


@dataclass(frozen=True)
class Wait:
    seconds: float  # simulated seconds
    watch: bool = False  # abort (AlarmFired / ExecutionTimeout) while waiting


class AlarmFired(Exception):
    def __init__(self, alarms: list[str]) -> None:
        super().__init__(", ".join(alarms))
        self.alarms = alarms


class ExecutionTimeout(Exception):
    pass


JobBody = Generator[Wait, None, None]


class Job:
    """One running job: the generator, the deadline of its current wait, what it watches.

    Times are simulated seconds (``Store.sim_time``), so the time scale applies to waits already running.
    """

    def __init__(
        self,
        body: JobBody,
        now: float,
        alarms: list[str] | None = None,
        timeout_seconds: float | None = None,
    ) -> None:
        self._body = body
        self.alarms = list(alarms or [])
        self.deadline: float = now
        self.watching = False
        self.finished = False
        self.timeout_at = now + timeout_seconds if timeout_seconds else None
        self._resume(now, None)

    def step(self, now: float, alarm_states: Callable[[list[str]], dict[str, str]]) -> None:
        """Advance as far as the clock allows; called by the ticker with the store lock held."""
        if self.finished:
            return
        if self.watching:
            if self.alarms:
                fired = sorted(name for name, state in alarm_states(self.alarms).items() if state == "ALARM")
                if fired:
                    self._resume(now, AlarmFired(fired))
                    return
            if self.timeout_at is not None and now >= self.timeout_at:
                self.timeout_at = None
                self._resume(now, ExecutionTimeout())
                return
        if now >= self.deadline:
            self._resume(now, None)

    def _resume(self, now: float, error: Exception | None) -> None:
        try:
            wait = self._body.throw(error) if error else next(self._body)
            # Zero-length waits that watch nothing are stepped through at once.
            while wait.seconds <= 0 and not wait.watch:
                wait = next(self._body)
        except StopIteration:
            self.finished = True
            self.watching = False
            return
        self.deadline = now + wait.seconds
        self.watching = wait.watch
