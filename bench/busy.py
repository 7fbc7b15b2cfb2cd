"""P4: ``history`` and ``prune`` in a busy account: many unrelated endpoint configurations, many of ours.

localaws holds ``unrelated`` endpoint configurations of other teams (one shared model) interleaved with
``releases`` releases of one endpoint of ours (each a model and a configuration made by the deployer's
own ``ensure_release``). Measured, every command as a subprocess of a fresh interpreter:

- the floor: one ``ListEndpointConfigs`` page with ``NameContains`` (import boto3, one call), the
  cheapest way to find our configurations;
- for comparison: paging through every configuration without ``NameContains`` (what a tool that lists
  everything and filters by itself pays);
- ``sagemaker-rollout history ENDPOINT --json`` (read-only: repeated, the median kept);
- ``sagemaker-rollout prune ENDPOINT --keep K`` (each run deletes the releases beyond ``K``; they are
  created again before the next run).

API calls come from localaws' call log; times are reported as ratios to the floor.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from bench.scenario import IMAGE, ROOT, environment
from bench.timing import median_of, run_once

ENDPOINT = "bench-busy"
UNRELATED_PREFIX = "other-team-config-"
KEEP = 3

FLOOR = (
    "import boto3; boto3.client('sagemaker').list_endpoint_configs("
    "NameContains='{prefix}', SortBy='CreationTime', SortOrder='Descending', MaxResults=100)"
)
LIST_ALL = (
    "import boto3\n"
    "sm = boto3.client('sagemaker')\n"
    "kwargs = dict(MaxResults=100)\n"
    "while True:\n"
    "    page = sm.list_endpoint_configs(**kwargs)\n"
    "    if not page.get('NextToken'):\n"
    "        break\n"
    "    kwargs['NextToken'] = page['NextToken']\n"
)


def spec_document(image_tag: str) -> dict[str, Any]:
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
        "keep_releases": 50,
    }


@contextmanager
def _environ(env: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _runtime(scale: float) -> Any:
    from deployer.aws import Clients
    from deployer.progress import SilentProgress
    from deployer.waiter import Runtime, SystemClock

    return Runtime(
        clients=Clients.for_region("us-east-1"), clock=SystemClock(), progress=SilentProgress(), scale=scale
    )


def seed_releases(rt: Any, tags: list[str], unrelated: list[str], per_release: int) -> None:
    """Our releases (models + configurations, made by the deployer's ``ensure_release``) interleaved with
    ``per_release`` unrelated configurations after each."""
    from deployer import executor, reader
    from deployer.spec import parse_spec

    sm = rt.clients.sagemaker
    live = reader.describe_endpoint(sm, ENDPOINT)
    queue = list(unrelated)
    for tag in tags:
        executor.ensure_release(rt, parse_spec(spec_document(tag)), live, {})
        for name in queue[:per_release]:
            sm.create_endpoint_config(
                EndpointConfigName=name,
                ProductionVariants=[
                    {
                        "VariantName": "AllTraffic",
                        "ModelName": "other-team-model",
                        "InitialInstanceCount": 1,
                        "InstanceType": "ml.m5.large",
                    }
                ],
            )
        del queue[:per_release]
    for name in queue:
        sm.create_endpoint_config(
            EndpointConfigName=name,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": "other-team-model",
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                }
            ],
        )


def _calls_summary(calls: list[dict[str, Any]], runs: int) -> dict[str, Any]:
    ops = Counter(c["operation"] for c in calls)
    return {
        "calls_per_run": round(len(calls) / runs, 2),
        "read_calls_per_run": round(sum(1 for c in calls if not c.get("write")) / runs, 2),
        "write_calls_per_run": round(sum(1 for c in calls if c.get("write")) / runs, 2),
        "list_endpoint_configs_pages_per_run": round(ops["ListEndpointConfigs"] / runs, 2),
        "operations_per_run": {op: round(n / runs, 2) for op, n in sorted(ops.items())},
    }


def run(runs: int, *, unrelated: int = 2000, releases: int = 50, time_scale: float = 0.01) -> dict[str, Any]:
    from deployer.release import name_prefix
    from tests.localaws import start

    server = start(port=0, create_seconds=5, provision_seconds=5, time_scale=time_scale)
    try:
        env = environment(server.url, time_scale)
        cli = [sys.executable, "-m", "deployer"]
        _, first = run_once([*cli, "deploy", "--spec", "-"], json.dumps(spec_document("r0")), env, ROOT)
        if first.returncode != 0:
            raise RuntimeError(
                f"creating {ENDPOINT} failed (exit {first.returncode}): {first.stderr.strip()}"
            )
        tags = [f"r{i}" for i in range(1, releases)]
        other = [f"{UNRELATED_PREFIX}{i:05d}" for i in range(unrelated)]
        with _environ(env):
            import boto3

            boto3.client("sagemaker").create_model(
                ModelName="other-team-model",
                ExecutionRoleArn="arn:aws:iam::123456789012:role/other",
                PrimaryContainer={"Image": IMAGE},
            )
            rt = _runtime(time_scale)
            seed_releases(rt, tags, other, max(1, unrelated // max(1, len(tags))))
        prefix = name_prefix(ENDPOINT)
        total = len(server.calls())
        floor = median_of(
            "one ListEndpointConfigs page (NameContains)",
            [sys.executable, "-c", FLOOR.format(prefix=prefix)],
            "",
            env,
            ROOT,
            runs,
        )
        floor_calls = server.calls()[total:]
        total = len(server.calls())
        list_all = median_of(
            "ListEndpointConfigs, every page", [sys.executable, "-c", LIST_ALL], "", env, ROOT, runs
        )
        list_all_calls = server.calls()[total:]

        total = len(server.calls())
        history = median_of("history", [*cli, "history", ENDPOINT, "--json"], "", env, ROOT, runs)
        history_calls = server.calls()[total:]
        _, shown = run_once([*cli, "history", ENDPOINT, "--json"], "", env, ROOT)
        rows = json.loads(shown.stdout or "[]")

        prune_seconds: list[float] = []
        prune_calls: list[dict[str, Any]] = []
        pruned: list[int] = []
        for i in range(runs):
            if i:
                with _environ(env):
                    seed_releases(_runtime(time_scale), tags, [], 0)
            before = len(server.calls())
            seconds, done = run_once([*cli, "prune", ENDPOINT, "--keep", str(KEEP)], "", env, ROOT)
            if done.returncode != 0:
                raise RuntimeError(f"prune failed (exit {done.returncode}): {done.stderr.strip()}")
            calls = server.calls()[before:]
            prune_seconds.append(seconds)
            prune_calls += calls
            pruned.append(sum(1 for c in calls if c["operation"] == "DeleteEndpointConfig"))
        left = json.loads(run_once([*cli, "history", ENDPOINT, "--json"], "", env, ROOT)[1].stdout or "[]")
    finally:
        server.stop()

    prune_median = statistics.median(prune_seconds)
    from deployer.lease import DEFAULT_SETTLE_SECONDS

    return {
        "lease_settle_seconds": float(env.get("DEPLOYER_LEASE_SETTLE_SECONDS") or DEFAULT_SETTLE_SECONDS),
        "unrelated_configs": unrelated,
        "our_releases": releases,
        "keep": KEEP,
        "history_rows": len(rows),
        "releases_left_after_prune": len(left),
        "configs_deleted_per_prune": pruned,
        "floor": {
            "wall_seconds": round(floor.median_s, 4),
            **_calls_summary(floor_calls, runs + 1),
        },
        "list_everything": {
            "wall_seconds": round(list_all.median_s, 4),
            **_calls_summary(list_all_calls, runs + 1),
        },
        "history": {
            "wall_seconds": round(history.median_s, 4),
            "exit_code": history.exit_code,
            **_calls_summary(history_calls, runs + 1),
        },
        "prune": {
            "wall_seconds": round(prune_median, 4),
            "wall_seconds_min_median_max": [
                round(min(prune_seconds), 4),
                round(prune_median, 4),
                round(max(prune_seconds), 4),
            ],
            **_calls_summary(prune_calls, runs),
        },
        "ratios": {
            "history time / floor": _ratio(history.median_s, floor.median_s),
            "prune time / floor": _ratio(prune_median, floor.median_s),
            "list everything time / floor": _ratio(list_all.median_s, floor.median_s),
            "history ListEndpointConfigs pages / floor (1)": round(
                sum(1 for c in history_calls if c["operation"] == "ListEndpointConfigs") / (runs + 1), 2
            ),
            "prune ListEndpointConfigs pages / floor (1)": round(
                sum(1 for c in prune_calls if c["operation"] == "ListEndpointConfigs") / runs, 2
            ),
        },
    }


def _ratio(value: float, floor: float) -> float:
    return round(value / floor, 2) if floor else float("nan")
