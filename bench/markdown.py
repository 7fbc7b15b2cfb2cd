"""bench/report.md: the JSON report as tables (every figure a ratio or a count from the same run)."""

from __future__ import annotations

from typing import Any


def _spread(stats: dict[str, float], digits: int = 1) -> str:
    return (
        f"{stats['mean']:.{digits}f} ({stats['min']:.{digits}f} / {stats['median']:.{digits}f} / "
        f"{stats['max']:.{digits}f})"
    )


def p1(report: dict[str, Any]) -> str:
    lines = [
        f"## P1 plan-time read (median of {report['runs']} runs)",
        "",
        "| ratio | value |",
        "| --- | --- |",
    ]
    lines += [f"| {name} | {value:.2f}x |" for name, value in report["ratios"].items()]
    lines += [
        "",
        f"API calls per read-only run: {report['api_calls_per_read']:.1f} "
        f"({', '.join(report['api_operations'])}); write calls during reads: "
        f"{report['write_calls_during_reads']}.",
        f"Read-only run loads deployer.executor: {report['imports']['read-only loads deployer.executor']}; "
        f"a refused spec loads boto3: {report['imports']['invalid spec loads boto3']}.",
        "",
    ]
    return "\n".join(lines)


def p2(report: dict[str, Any]) -> str:
    lines = [
        "## P2 rollout detection and API cost",
        "",
        f"Simulated seconds (localaws and every poller at time scale {report['time_scale']}); "
        "mean (min / median / max) over the runs. Detection lag: the waiter's first DescribeEndpoint "
        "after localaws settled the update, minus the settle. Calls: DescribeEndpoint from UpdateEndpoint "
        "to that detecting call.",
        "",
    ]
    for name, group in report["summary"].items():
        lines += [
            f"### {name}: {group['runs']} update(s) of {_spread(group['update_seconds'], 0)} s",
            "",
            "| waiter | detection lag (s) | DescribeEndpoint calls |",
            "| --- | --- | --- |",
        ]
        for waiter, lag in group["detection_lag_seconds"].items():
            lines.append(f"| {waiter} | {_spread(lag)} | {_spread(group['describe_calls'][waiter])} |")
        lines += ["", "| ratio (means) | value |", "| --- | --- |"]
        lines += [f"| {k} | {v:.3f} |" for k, v in group["ratios"].items() if v is not None]
        lines += ["", "| goal (issue 10) | met |", "| --- | --- |"]
        lines += [f"| {k} | {'yes' if v else '**NO**'} |" for k, v in group["goals"].items()]
        lines += ["", f"All goals met: **{'yes' if group['goal_met'] else 'NO'}**", ""]
    return "\n".join(lines)


def p4(report: dict[str, Any]) -> str:
    lines = [
        "## P4 history and prune in a busy account",
        "",
        f"{report['unrelated_configs']} unrelated endpoint configurations and {report['our_releases']} "
        f"releases of ours; `prune --keep {report['keep']}` deleted {report['configs_deleted_per_prune']} "
        f"configurations per run, {report['releases_left_after_prune']} releases left; history showed "
        f"{report['history_rows']} rows.",
        "",
        "| command | calls / run | reads | writes | ListEndpointConfigs pages | time / floor |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    ratios = report["ratios"]
    rows = [
        ("floor: one ListEndpointConfigs page (NameContains)", report["floor"], 1.0),
        (
            "every page, no NameContains (for comparison)",
            report["list_everything"],
            ratios["list everything time / floor"],
        ),
        ("`history --json`", report["history"], ratios["history time / floor"]),
        ("`prune --keep`", report["prune"], ratios["prune time / floor"]),
    ]
    for name, numbers, ratio in rows:
        lines.append(
            f"| {name} | {numbers['calls_per_run']:g} | {numbers['read_calls_per_run']:g} | "
            f"{numbers['write_calls_per_run']:g} | {numbers['list_endpoint_configs_pages_per_run']:g} | "
            f"{ratio:.2f}x |"
        )
    prune_ops = ", ".join(f"{op} {n:g}" for op, n in report["prune"]["operations_per_run"].items())
    lines += [
        "",
        f"prune's calls per run: {prune_ops}. Its time includes the lease's settle wait "
        f"({report.get('lease_settle_seconds', 2.0):g} s real, `DEPLOYER_LEASE_SETTLE_SECONDS`).",
        "",
    ]
    return "\n".join(lines)


def _mmm(stats: dict[str, float], digits: int = 1, unit: str = "") -> str:
    return f"{stats['median']:.{digits}f}{unit} ({stats['min']:.{digits}f} - {stats['max']:.{digits}f})"


def p3(report: dict[str, Any]) -> str:
    lines = [
        "## P3 plan with many endpoints",
        "",
        f"`terraform plan` with no changes on examples/many-endpoints, default parallelism, {report['runs']} "
        "measured plans per size (median (min - max)). The deployer's share: wall time during which at "
        "least one deployer ran, over the plan's wall time.",
        "",
        "| endpoints | plan wall | per endpoint | deployer runs | deployer busy | deployer runs summed | "
        "deployer share | AWS calls (deployer's) | writes | exit codes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for size in report["sizes"]:
        lines.append(
            f"| {size['endpoints']} | {_mmm(size['plan_wall_s'], unit=' s')} | "
            f"{size['plan_wall_per_endpoint_s']:.2f} s | {size['deployer_runs_per_plan']['median']:g} | "
            f"{_mmm(size['deployer_busy_s'], unit=' s')} | {_mmm(size['deployer_sum_s'], unit=' s')} | "
            f"{_mmm(size['deployer_share'], digits=2)} | "
            f"{size['aws_calls_per_plan']['median']:g} ({size['deployer_calls_per_plan']['median']:g}) | "
            f"{size['write_calls']} | {', '.join(map(str, size['exit_codes']))} |"
        )
    g = report["growth"]
    lines += [
        "",
        f"From {report['sizes'][0]['endpoints']} to {report['sizes'][-1]['endpoints']} endpoints "
        f"({g['endpoints_factor']:g}x): plan wall {g['plan_wall_factor']:.2f}x, deployer busy "
        f"{g['deployer_busy_factor']:.2f}x, deployer share {g['deployer_share_first']:.2f} -> "
        f"{g['deployer_share_last']:.2f}.",
        "",
    ]
    return "\n".join(lines)


def render(report: dict[str, Any]) -> str:
    parts = [
        "# Benchmark report",
        "",
        f"`{report['command']}`{' (quick)' if report.get('quick') else ''}. Generated by `make bench`; "
        "bench/README.md explains every line. Ratios and counts only: absolute times depend on the machine.",
        "",
    ]
    if "p1_plan_read" in report:
        parts.append(p1(report["p1_plan_read"]))
    if "p2_rollout" in report:
        parts.append(p2(report["p2_rollout"]))
    if "p3_plan_many" in report:
        parts.append(p3(report["p3_plan_many"]))
    if "p4_history_prune" in report:
        parts.append(p4(report["p4_history_prune"]))
    return "\n".join(parts)
