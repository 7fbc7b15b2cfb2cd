"""Progress reporting: stderr (a live line on a terminal, timestamped lines otherwise), a timeline kept in
memory, and a log file when one is asked for.

Nothing ever goes to stdout (the Terraform protocol owns it), and nothing is ever written inside the
module's source tree: the log file is the one the caller names, one per endpoint and run
(``log_file``), opened lazily on the first message, so a plan-time read that has nothing to say creates
no file. The CLI writes one under ``SAGEMAKER_ROLLOUT_LOG_DIR`` when that is set (``cli_log_path``); the
Terraform adapter under the query's ``log_dir`` (the module input ``deployer_log_dir``).
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

LOG_DIR_ENV = "SAGEMAKER_ROLLOUT_LOG_DIR"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def log_file(log_dir: str | Path, endpoint_name: str, run: str, now: float | None = None) -> Path:
    """``<log_dir>/<endpoint>-<UTC start, second precision>-<run>.log``: one file per endpoint and run
    (the Terraform rollout id, or the CLI command), so two stacks or two rollouts never share one."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
    safe_run = _UNSAFE.sub("_", run).strip("_")[:64] or "run"
    return Path(log_dir) / f"{_UNSAFE.sub('_', endpoint_name)}-{stamp}-{safe_run}.log"


def cli_log_path(endpoint_name: str, run: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """The CLI's log file: under ``SAGEMAKER_ROLLOUT_LOG_DIR`` when set, else none (stderr only)."""
    env = os.environ if environ is None else environ
    directory = env.get(LOG_DIR_ENV, "")
    return log_file(directory, endpoint_name, run) if directory else None


def _timestamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Progress:
    """Writes progress messages; ``live`` messages overwrite each other on a terminal. Every message is
    also kept, timestamped, in ``timeline`` (the Terraform adapter prints it after a failure's verdict)."""

    def __init__(self, stream: TextIO | None = None, log_path: Path | None = None, tty: bool | None = None):
        self._stream = stream if stream is not None else sys.stderr
        self._log_path = log_path
        self._tty = self._stream.isatty() if tty is None else tty
        self._live_open = False
        self._last_live: str | None = None
        self.timeline: list[str] = []

    @property
    def log_path(self) -> Path | None:
        """The log file, once a message was written to it (``None`` before, or when it is unwritable)."""
        return self._log_path if self._log_path is not None and self._log_path.exists() else None

    def info(self, message: str) -> None:
        """A message that stays on screen."""
        self._last_live = None
        self._end_live()
        if self._tty:
            self._stream.write(f"{message}\n")
        else:
            self._stream.write(f"{_timestamp()} {message}\n")
        self._stream.flush()
        self._log(message)

    def live(self, message: str) -> None:
        """A status line: rewritten in place on a terminal, a timestamped line otherwise; a status equal to
        the one before (another poll, nothing changed) is not repeated."""
        if message == self._last_live:
            return
        if self._tty:
            self._stream.write(f"\r\x1b[2K{message}")
            self._live_open = True
            self._stream.flush()
            self._log(message)
        else:
            self.info(message)
        self._last_live = message

    def done(self) -> None:
        self._end_live()

    def _end_live(self) -> None:
        if self._live_open:
            self._stream.write("\n")
            self._live_open = False

    def _log(self, message: str) -> None:
        line = f"{_timestamp()} {message}"
        self.timeline.append(line)
        if self._log_path is None:
            return
        try:
            self._log_path.parent.mkdir(parents=True, exist_ok=True)
            with self._log_path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError:
            # An unwritable log directory must not break a rollout; stderr still has it.
            self._log_path = None


class SilentProgress(Progress):
    """Discards everything (tests and read-only passes that have nothing to report)."""

    def __init__(self) -> None:
        super().__init__(stream=open(os.devnull, "w"), log_path=None, tty=False)  # noqa: SIM115
