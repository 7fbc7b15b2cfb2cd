"""Progress reporting: stderr (a live line on a terminal, timestamped lines otherwise) and a log file.

Nothing ever goes to stdout (the Terraform protocol owns it). The log file is opened lazily on the first
message, so a plan-time read that has nothing to say creates no file: ``DEPLOYER_LOG_FILE`` when set,
else ``.deployer/<endpoint>.log`` under the working directory.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TextIO


def default_log_path(endpoint_name: str, environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    explicit = env.get("DEPLOYER_LOG_FILE", "")
    if explicit:
        return Path(explicit)
    return Path(".deployer") / f"{endpoint_name}.log"


def _timestamp() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Progress:
    """Writes progress messages; ``live`` messages overwrite each other on a terminal."""

    def __init__(self, stream: TextIO | None = None, log_path: Path | None = None, tty: bool | None = None):
        self._stream = stream if stream is not None else sys.stderr
        self._log_path = log_path
        self._tty = self._stream.isatty() if tty is None else tty
        self._live_open = False

    def info(self, message: str) -> None:
        """A message that stays on screen."""
        self._end_live()
        if self._tty:
            self._stream.write(f"{message}\n")
        else:
            self._stream.write(f"{_timestamp()} {message}\n")
        self._stream.flush()
        self._log(message)

    def live(self, message: str) -> None:
        """A status line: rewritten in place on a terminal, a timestamped line otherwise."""
        if self._tty:
            self._stream.write(f"\r\x1b[2K{message}")
            self._live_open = True
            self._stream.flush()
            self._log(message)
        else:
            self.info(message)

    def done(self) -> None:
        self._end_live()

    def _end_live(self) -> None:
        if self._live_open:
            self._stream.write("\n")
            self._live_open = False

    def _log(self, message: str) -> None:
        if self._log_path is None:
            return
        try:
            self._log_path.parent.mkdir(parents=True, exist_ok=True)
            with self._log_path.open("a", encoding="utf-8") as handle:
                handle.write(f"{_timestamp()} {message}\n")
        except OSError:
            # An unwritable working directory must not break a rollout; stderr still has it.
            self._log_path = None


class SilentProgress(Progress):
    """Discards everything (tests and read-only passes that have nothing to report)."""

    def __init__(self) -> None:
        super().__init__(stream=open(os.devnull, "w"), log_path=None, tty=False)  # noqa: SIM115
