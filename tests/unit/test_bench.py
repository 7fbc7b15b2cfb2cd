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


def test_p3_deployer_busy_time_is_the_union_of_the_runs():
    from bench import plan_many

    assert plan_many.busy_seconds([]) == 0
    # Two overlapping runs and one apart: 0-3 and 5-6.
    assert plan_many.busy_seconds([(2.0, 3.0), (0.0, 2.5), (5.0, 6.0)]) == pytest.approx(4.0)
    assert plan_many.busy_seconds([(0.0, 4.0), (1.0, 2.0)]) == pytest.approx(4.0)


def test_p3_figures_share_and_growth_come_from_the_samples(tmp_path):
    from bench import markdown, plan_many

    log = tmp_path / "runs.log"
    log.write_text("1000000000 3000000000\n2000000000 4000000000\n")
    assert plan_many.read_intervals(log) == [(1.0, 3.0), (2.0, 4.0)]
    assert plan_many.read_intervals(tmp_path / "absent.log") == []

    def sample(wall, intervals):
        return {
            "wall_s": wall,
            "intervals": intervals,
            "calls": 50,
            "deployer_calls": 2,
            "writes": 0,
            "exit_code": 0,
        }

    one = plan_many.summarise(1, [sample(10.0, [(0.0, 1.0)]), sample(12.0, [(0.0, 1.5)])])
    assert one["deployer_share"]["median"] == pytest.approx((0.1 + 1.5 / 12) / 2)
    assert one["deployer_runs_per_plan"]["median"] == 1
    ten = plan_many.summarise(10, [sample(20.0, [(0.0, 4.0)] * 10)])
    assert ten["deployer_busy_s"]["median"] == 4.0
    assert ten["deployer_sum_s"]["median"] == 40.0
    assert ten["plan_wall_per_endpoint_s"] == 2.0
    growth = plan_many.growth([one, ten])
    assert growth["endpoints_factor"] == 10
    assert growth["plan_wall_factor"] == pytest.approx(20.0 / 11.0)
    assert growth["deployer_share_last"] == pytest.approx(0.2)
    text = markdown.p3({"runs": 2, "sizes": [one, ten], "growth": growth})
    assert text.startswith("## P3") and "| 10 |" in text
