"""SIGINT / SIGTERM: stop waiting, record the interruption, release the lease, exit 128 + signal.

A run is stopped with SIGINT (Ctrl-C, the first signal of a GitHub Actions cancellation) or SIGTERM (the
second one 7.5 s later, and what most job runners and ``kill`` send). ``install`` replaces the default
handlers for the commands that write or wait: the handler only sets a flag, so an AWS call in flight is
completed and its answer seen (Python resumes interrupted system calls, PEP 475). The flag is looked at by
every wait (``SystemClock.sleep``) and before the write that moves the endpoint (``check``), which raise
``Interrupted``; the rollout records ``interrupted`` and why on the endpoint (``deployer.executor``), the
lease is released on the way out (``deployer.lease.held``) and the CLI exits 130 (SIGINT) or 143 (SIGTERM).
An UpdateEndpoint SageMaker has accepted is never cancelled: SageMaker carries it on with its guardrails
(alarm rollback) and ``status`` or the next plan judge it once it settles.

A second signal while the first is being handled ends the process at once (the signal's default action).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

from deployer.errors import Interrupted

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_stop = threading.Event()
_received: list[int] = []


def _handler(signum: int, _frame: Any) -> None:
    if _stop.is_set():
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    _received.append(signum)
    _stop.set()


def install() -> None:
    """Handle SIGINT and SIGTERM as above (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in SIGNALS:
        signal.signal(signum, _handler)


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """``install`` for one command: the previous handlers are restored and the flag cleared afterwards, so
    a caller that runs the CLI in its own process (a test, a wrapper) keeps its own Ctrl-C behaviour."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    install()
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        reset()


def requested() -> bool:
    return _stop.is_set()


def signal_name() -> str:
    return signal.Signals(_received[0]).name if _received else ""


def check(doing: str = "") -> None:
    """Raise ``Interrupted`` when a stop was requested (before a write that would move the endpoint)."""
    if _stop.is_set():
        signum = _received[0] if _received else signal.SIGTERM
        what = f" {doing}" if doing else ""
        raise Interrupted(f"interrupted by {signal.Signals(signum).name}{what}", signum)


def sleep(seconds: float) -> None:
    """Sleep up to ``seconds``; ``Interrupted`` as soon as a stop is requested."""
    if _stop.wait(max(0.0, seconds)):
        check("while waiting")


def reset() -> None:
    """Forget a received signal (tests that run several operations in one process)."""
    _stop.clear()
    _received.clear()
