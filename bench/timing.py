"""Run a command a few times and keep the median wall time (one job: timing subprocesses)."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Timed:
    name: str
    median_s: float
    runs: tuple[float, ...]
    exit_code: int


def run_once(
    argv: Sequence[str], stdin: str, env: Mapping[str, str], cwd: Path
) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(
        list(argv), input=stdin, capture_output=True, text=True, env=dict(env), cwd=cwd, timeout=300
    )
    return time.perf_counter() - start, done


def median_of(
    name: str, argv: Sequence[str], stdin: str, env: Mapping[str, str], cwd: Path, runs: int
) -> Timed:
    """Median wall time of ``runs`` runs after one unmeasured warm-up (file cache, .pyc files)."""
    run_once(argv, stdin, env, cwd)
    samples = []
    code = 0
    for _ in range(runs):
        seconds, done = run_once(argv, stdin, env, cwd)
        samples.append(seconds)
        code = done.returncode
    return Timed(name=name, median_s=statistics.median(samples), runs=tuple(samples), exit_code=code)
