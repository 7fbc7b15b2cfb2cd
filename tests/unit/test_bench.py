"""The benchmark's code paths in a tiny configuration (so they cannot rot) and its arithmetic. No timing is
asserted: the figures are a report (bench/README.md)."""

from __future__ import annotations

import json

import pytest

from bench import rollout
from bench.__main__ import main


def test_the_benchmark_runs_end_to_end_in_a_tiny_configuration(tmp_path):
    report_json, report_md = tmp_path / "report.json", tmp_path / "report.md"

    assert main(["--tiny", "--json", str(report_json), "--markdown", str(report_md)]) == 0

    report = json.loads(report_json.read_text())
    assert report["p1_plan_read"]["write_calls_during_reads"] == 0
    summary = report["p2_rollout"]["summary"]
    assert set(summary) == {u.name for u in rollout.TINY_UPDATES} | {"all updates"}
    for group in summary.values():
        assert set(group["detection_lag_seconds"]) == {rollout.DEPLOYER, *rollout.POLLERS}
        assert all(calls["min"] >= 1 for calls in group["describe_calls"].values())
        assert all(lag["min"] >= 0 for lag in group["detection_lag_seconds"].values())
    busy = report["p4_history_prune"]
    assert busy["floor"]["calls_per_run"] == 1
    assert busy["history"]["list_endpoint_configs_pages_per_run"] == 1
    assert busy["history_rows"] == busy["our_releases"]
    assert busy["releases_left_after_prune"] < busy["our_releases"]
    text = report_md.read_text()
    for heading in ("## P1", "## P2", "## P4"):
        assert heading in text


def test_lag_and_calls_come_from_localaws_records():
    agents = {name: rollout.agent(name) for name in rollout.POLLERS}
    transitions = [
        {"endpoint": "ep", "status": "InService", "pending_config_name": None, "time": 1.0},
        {"endpoint": "ep", "status": "Updating", "pending_config_name": "v2", "time": 10.0},
        {"endpoint": "other", "status": "InService", "pending_config_name": None, "time": 12.0},
        {"endpoint": "ep", "status": "InService", "pending_config_name": None, "time": 20.0},
    ]

    def describe(at: float, agent: str, endpoint: str = "ep") -> dict:
        return {
            "operation": "DescribeEndpoint",
            "params": {"EndpointName": endpoint},
            "time": at,
            "user_agent": f"Boto3/1 Botocore/1 {agent}",
        }

    five = agents[rollout.FIVE]
    calls = [
        describe(9.0, "sagemaker-rollout"),  # before the update: not counted
        describe(10.5, "sagemaker-rollout"),
        describe(19.0, "sagemaker-rollout"),
        describe(20.4, "sagemaker-rollout"),  # the detecting call
        describe(25.0, "sagemaker-rollout"),  # after detection: not counted
        describe(11.0, five),
        describe(16.0, five),
        describe(21.0, five),
        describe(21.0, five, endpoint="other"),
    ]
    start, settled, lag, counts = rollout.observe(calls, transitions, "ep", 0.1, agents)
    assert (start, settled) == (10.0, 20.0)
    assert lag[rollout.DEPLOYER] == pytest.approx(4.0)  # 0.4 s real at scale 0.1
    assert counts[rollout.DEPLOYER] == 3
    assert lag[rollout.FIVE] == pytest.approx(10.0)
    assert counts[rollout.FIVE] == 3
    assert rollout.BOTO3 not in lag


def test_goals_are_judged_on_the_means():
    def observation(run, mine, boto3, sdk, five, calls_mine, calls_five):
        lag = {rollout.DEPLOYER: mine, rollout.BOTO3: boto3, rollout.SDK: sdk, rollout.FIVE: five}
        calls = {rollout.DEPLOYER: calls_mine, rollout.BOTO3: 5, rollout.SDK: 5, rollout.FIVE: calls_five}
        return rollout.Observation("u", run, 100.0, lag, calls)

    met = rollout.summarize([observation(0, 1.0, 15.0, 15.0, 2.5, 10, 60)])["u"]
    assert met["goal_met"] and met["ratios"][f"deployer calls / {rollout.FIVE}"] == round(10 / 60, 3)
    slow = rollout.summarize([observation(0, 4.0, 15.0, 15.0, 2.5, 10, 60)])["u"]
    assert not slow["goal_met"]
    assert slow["goals"] == {
        "lag <= 1/5 of the boto3 waiter's": False,
        "lag <= 1/5 of the SDK wait's": False,
        "lag <= 1.5x the 5 s poller's": False,
        "calls <= 1/3 of the 5 s poller's": True,
    }
