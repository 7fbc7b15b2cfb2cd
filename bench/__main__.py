"""``python -m bench``: plan-time read (P1), rollout detection (P2), plan with many endpoints (P3, with
``--only p3``), history and prune (P4), as ratios and counts against floors measured in the same run.

Absolute times depend on the machine; the ratios do not much. Nothing here asserts a time: this is a
report (bench/README.md explains each line).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench import importtime, markdown
from bench.scenario import ENDPOINT, ROOT, running
from bench.timing import Timed, median_of, run_once

DEPLOYER = [sys.executable, "-m", "deployer", "external"]
FLOOR_DESCRIBE = (
    "import boto3; "
    "boto3.client('sagemaker', region_name='us-east-1').describe_endpoint(EndpointName='{name}')"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs",
        type=int,
        help="P1, P4: runs per command (default 5, quick 2); P3: plans per size (default 3, quick 2)",
    )
    parser.add_argument("--rollout-runs", type=int, help="P2: updates of each kind (default 3, quick 1)")
    parser.add_argument("--quick", action="store_true", help="fewer runs, shorter updates, a smaller account")
    parser.add_argument(
        "--only",
        default="p1,p2,p4",
        help="comma-separated benchmarks (p1, p2, p3, p4); p3 runs only when named (it applies 41 endpoints)",
    )
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "report.json", help="JSON report path")
    parser.add_argument("--markdown", type=Path, default=ROOT / "bench" / "report.md", help="Markdown report")
    parser.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # the unit test's smoke run
    args = parser.parse_args(argv)
    only = {name.strip().lower() for name in args.only.split(",") if name.strip()}
    unknown = only - {"p1", "p2", "p3", "p4"}
    if unknown:
        parser.error(f"--only: unknown benchmark(s) {', '.join(sorted(unknown))}")
    small = args.quick or args.tiny
    runs = args.runs or (1 if args.tiny else 2 if args.quick else 5)
    rollout_runs = args.rollout_runs or (1 if small else 3)

    report: dict = {"command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])}
    report["quick"] = small
    if "p1" in only:
        report["p1_plan_read"] = plan_read(runs)
        _print(report["p1_plan_read"])
    if "p2" in only:
        from bench import rollout

        updates = (
            rollout.TINY_UPDATES if args.tiny else rollout.QUICK_UPDATES if args.quick else rollout.UPDATES
        )
        report["p2_rollout"] = rollout.run(rollout_runs, updates=updates, time_scale=0.01 if small else 0.02)
        sys.stdout.write("\n" + markdown.p2(report["p2_rollout"]))
    if "p3" in only:
        from bench import plan_many

        sizes = (1, 2) if args.tiny else (1, 10) if args.quick else plan_many.SIZES
        report["p3_plan_many"] = plan_many.run(
            args.runs or (1 if args.tiny else 2 if args.quick else 3), sizes=sizes
        )
        sys.stdout.write("\n" + markdown.p3(report["p3_plan_many"]))
    if "p4" in only:
        from bench import busy

        sizes = (
            {"unrelated": 20, "releases": 6}
            if args.tiny
            else {"unrelated": 500, "releases": 20}
            if args.quick
            else {}
        )
        report["p4_history_prune"] = busy.run(runs, **sizes)
        sys.stdout.write("\n" + markdown.p4(report["p4_history_prune"]))
    args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")
    args.markdown.write_text(markdown.render(report))
    sys.stdout.write(f"\nwrote {args.json} and {args.markdown}\n")
    return 0


def plan_read(runs: int) -> dict:
    """P1: the plan-time read against the bare interpreter, import boto3 and one DescribeEndpoint."""
    with running() as scenario:
        env = scenario.env
        floors = [
            median_of("python -c pass", [sys.executable, "-c", "pass"], "", env, ROOT, runs),
            median_of(
                "python -c 'import boto3'", [sys.executable, "-c", "import boto3"], "", env, ROOT, runs
            ),
            median_of(
                "boto3 DescribeEndpoint (1 call)",
                [sys.executable, "-c", FLOOR_DESCRIBE.format(name=ENDPOINT)],
                "",
                env,
                ROOT,
                runs,
            ),
        ]
        invalid = median_of("external, invalid spec", DEPLOYER, scenario.invalid_query, env, ROOT, runs)

        before = len(scenario.calls())
        read = median_of("external, read-only", DEPLOYER, scenario.read_query, env, ROOT, runs)
        calls = scenario.calls()[before:]
        per_read = len(calls) / (runs + 1)  # + the warm-up run
        writes = sum(1 for c in calls if c.get("write"))
        operations = sorted({c["operation"] for c in calls})

        _, profiled = run_once(
            [sys.executable, "-X", "importtime", "-m", "deployer", "external"], scenario.read_query, env, ROOT
        )
        read_imports = importtime.parse(profiled.stderr)
        _, profiled_invalid = run_once(
            [sys.executable, "-X", "importtime", "-m", "deployer", "external"],
            scenario.invalid_query,
            env,
            ROOT,
        )
        invalid_imports = importtime.parse(profiled_invalid.stderr)

    python_floor, boto3_floor, describe_floor = floors
    return {
        "runs": runs,
        "wall_seconds": {t.name: round(t.median_s, 4) for t in [*floors, invalid, read]},
        "ratios": {
            "invalid spec / python -c pass": _ratio(invalid, python_floor),
            "read-only / import boto3": _ratio(read, boto3_floor),
            "read-only / boto3 DescribeEndpoint": _ratio(read, describe_floor),
        },
        "api_calls_per_read": per_read,
        "api_operations": operations,
        "write_calls_during_reads": writes,
        "exit_codes": {"read-only": read.exit_code, "invalid spec": invalid.exit_code},
        "imports": {
            "read-only total ms": round(read_imports.total_us / 1000, 1),
            "read-only modules": len(read_imports.modules),
            "read-only heaviest": [[m, round(us / 1000, 1)] for m, us in read_imports.heaviest],
            "read-only loads deployer.executor": read_imports.has("deployer.executor"),
            "invalid spec total ms": round(invalid_imports.total_us / 1000, 1),
            "invalid spec loads boto3": invalid_imports.has("boto3") or invalid_imports.has("botocore"),
        },
    }


def _ratio(measured: Timed, floor: Timed) -> float:
    return round(measured.median_s / floor.median_s, 2) if floor.median_s else float("nan")


def _print(report: dict) -> None:
    out = sys.stdout
    out.write(f"plan-time read benchmark (median of {report['runs']} runs)\n\n")
    for name, seconds in report["wall_seconds"].items():
        out.write(f"  {name:<34} {seconds * 1000:8.1f} ms\n")
    out.write("\nratios\n")
    for name, value in report["ratios"].items():
        out.write(f"  {name:<40} {value:6.2f}x\n")
    out.write("\nAPI\n")
    out.write(f"  calls per read-only run                  {report['api_calls_per_read']:.1f}\n")
    out.write(f"  operations                               {', '.join(report['api_operations'])}\n")
    out.write(f"  write calls during reads                 {report['write_calls_during_reads']}\n")
    out.write("\nimports (python -X importtime)\n")
    for name, value in report["imports"].items():
        out.write(f"  {name:<40} {value}\n")


if __name__ == "__main__":
    sys.exit(main())
