"""P3: ``terraform plan`` with no changes on examples/many-endpoints with 1, 10 and 30 endpoints.

For each size: localaws (in process) is reset, the example is applied with that many endpoints (setup, not
measured), then ``terraform plan -detailed-exitcode`` runs once unmeasured and ``runs`` times measured. The
module's ``python_executable`` is a wrapper that appends each deployer run's start and end (nanoseconds,
the wall clock) to a log, so the deployer's share of a plan is read from what ran, not estimated:

- ``deployer_busy_s``: the wall time during which at least one deployer ran (union of the intervals);
- ``deployer_share``: that divided by the plan's wall time (the part of the plan spent waiting for a
  deployer, at Terraform's default parallelism of 10);
- ``deployer_sum_s``: the deployer runs' summed wall time (more than busy when they overlap).

Every plan must exit 0 (no changes) and write nothing (localaws' call log).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bench.scenario import ROOT

SIZES = (1, 10, 30)
EXAMPLE = ROOT / "examples" / "many-endpoints"

WRAPPER = """#!/bin/sh
start=$(date +%s%N)
"{python}" "$@"
rc=$?
echo "$start $(date +%s%N)" >> "{log}"
exit $rc
"""


def busy_seconds(intervals: Iterable[tuple[float, float]]) -> float:
    """Wall time covered by at least one of the (start, end) intervals."""
    total = 0.0
    current: tuple[float, float] | None = None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current is not None:
                total += current[1] - current[0]
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += current[1] - current[0]
    return total


def read_intervals(log: Path) -> list[tuple[float, float]]:
    if not log.exists():
        return []
    pairs = []
    for line in log.read_text().splitlines():
        start, end = line.split()
        pairs.append((int(start) / 1e9, int(end) / 1e9))
    return pairs


def spread(values: Sequence[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def summarise(size: int, samples: list[dict[str, Any]]) -> dict[str, Any]:
    """One size's measured plans (each: wall_s, intervals, calls, writes) as the report's figures."""
    walls = [s["wall_s"] for s in samples]
    busy = [busy_seconds(s["intervals"]) for s in samples]
    summed = [sum(end - start for start, end in s["intervals"]) for s in samples]
    shares = [b / w for b, w in zip(busy, walls, strict=True)]
    return {
        "endpoints": size,
        "plan_wall_s": spread(walls),
        "plan_wall_per_endpoint_s": statistics.median(walls) / size,
        "deployer_runs_per_plan": spread([len(s["intervals"]) for s in samples]),
        "deployer_busy_s": spread(busy),
        "deployer_sum_s": spread(summed),
        "deployer_share": spread(shares),
        "aws_calls_per_plan": spread([s["calls"] for s in samples]),
        "deployer_calls_per_plan": spread([s["deployer_calls"] for s in samples]),
        "write_calls": sum(s["writes"] for s in samples),
        "exit_codes": sorted({s["exit_code"] for s in samples}),
    }


def growth(sizes: list[dict[str, Any]]) -> dict[str, Any]:
    """How the figures grow from the smallest to the largest size."""
    first, last = sizes[0], sizes[-1]
    factor = last["endpoints"] / first["endpoints"]
    return {
        "endpoints_factor": factor,
        "plan_wall_factor": last["plan_wall_s"]["median"] / first["plan_wall_s"]["median"],
        "deployer_busy_factor": last["deployer_busy_s"]["median"] / first["deployer_busy_s"]["median"],
        "deployer_share_first": first["deployer_share"]["median"],
        "deployer_share_last": last["deployer_share"]["median"],
    }


def _variables(c: Any, size: int, python: Path) -> dict[str, Any]:
    from tests.e2e.example_support import push_image, upload_model

    model = upload_model(c.s3, "bench/model.tar.gz", {"model.bin": b"m"})
    image, _ = push_image(c.ecr, "bench-many", "v1")
    endpoints = {
        f"bench-{i:02d}": {"image": image, "model_data_url": model, "instance_type": "ml.m5.large"}
        for i in range(size)
    }
    return {
        "region": "us-east-1",
        "python_executable": str(python),
        "wait_interval_seconds": 0,
        "termination_wait_seconds": 0,
        "endpoints": endpoints,
    }


def _deployer_agent(call: dict[str, Any]) -> bool:
    agent = call.get("user_agent") or ""
    return "Terraform" not in agent and "terraform-provider" not in agent


def run(runs: int, *, sizes: Sequence[int] = SIZES, time_scale: float = 0.01) -> dict[str, Any]:
    from tests.e2e.example_support import Clients
    from tests.localaws import start
    from tests.tfharness.install import setup
    from tests.tfharness.runner import TerraformRunner
    from tests.tfharness.tree import stage_configuration

    harness = setup()
    saved = dict(os.environ)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-p3-") as tmp:
        scratch = Path(tmp)
        log = scratch / "deployer-runs.log"
        python = scratch / "python"
        python.write_text(WRAPPER.format(python=sys.executable, log=log))
        python.chmod(0o755)
        server = start(port=0, environ={**os.environ, "LOCALAWS_TIME_SCALE": repr(time_scale)})
        try:
            os.environ.update(
                AWS_ENDPOINT_URL=server.url,
                AWS_DEFAULT_REGION="us-east-1",
                AWS_REGION="us-east-1",
                AWS_ACCESS_KEY_ID="bench",
                AWS_SECRET_ACCESS_KEY="bench",
                DEPLOYER_TIME_SCALE=repr(time_scale),
            )
            for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
                os.environ.pop(key, None)
            for size in sizes:
                server.reset()
                variables = _variables(Clients.create(), size, python)
                tf = TerraformRunner(
                    stage_configuration(EXAMPLE, scratch / f"n{size}"), harness, timeout=3600
                )
                tf.init()
                setup_start = time.perf_counter()
                # Setup only: every lifecycle configuration waits ~55 s in the AWS provider, so apply them
                # all at once rather than 10 at a time; the measured plans use the default parallelism.
                tf.apply(variables, f"-parallelism={max(10, 3 * size)}")
                setup_s = time.perf_counter() - setup_start
                samples = []
                for i in range(runs + 1):
                    log.unlink(missing_ok=True)
                    before = len(server.calls())
                    started = time.perf_counter()
                    done = tf.plan(variables, check=False)
                    wall = time.perf_counter() - started
                    calls = server.calls()[before:]
                    if i == 0:
                        continue  # warm-up: file cache, compiled .pyc files
                    samples.append(
                        {
                            "wall_s": wall,
                            "intervals": read_intervals(log),
                            "calls": len(calls),
                            "deployer_calls": sum(1 for c in calls if _deployer_agent(c)),
                            "writes": sum(1 for c in calls if c["write"]),
                            "exit_code": done.returncode,
                        }
                    )
                figures = summarise(size, samples)
                figures["apply_setup_s"] = setup_s
                results.append(figures)
                sys.stderr.write(
                    f"p3: {size} endpoints: plan {figures['plan_wall_s']['median']:.1f} s, deployer share "
                    f"{figures['deployer_share']['median']:.2f}\n"
                )
        finally:
            server.stop()
            os.environ.clear()
            os.environ.update(saved)
    return {"runs": runs, "sizes": results, "growth": growth(results)}
