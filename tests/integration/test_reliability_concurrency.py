"""Concurrency suite (issue 10): two deployer processes started at once on one endpoint. The in-process
cases (a live lease, simultaneous claims in threads) are in test_deployer_lease.py; here they are real
processes, as two CI jobs or a CLI hotfix during a Terraform apply would be.
"""

from __future__ import annotations

import json
import signal

import pytest

from deployer.state import TAG_LEASE_OWNER
from tests.integration import reliability_support as rs
from tests.integration.test_deployer_support import (
    clients,
    image,
    operation_names,
    rollback_alarm,  # noqa: F401 (fixture)
    writes,
)

pytestmark = pytest.mark.usefixtures("rollback_alarm")


def test_two_deployers_started_at_once_one_rolls_out_the_other_exits_5(localaws, tmp_path):
    sm = clients().sagemaker
    rs.deploy_in_process("v1")
    since = len(localaws.calls())
    runs = {}
    for tag in ("v2", "v3"):
        folder = tmp_path / tag
        folder.mkdir()
        (folder / "spec.json").write_text(json.dumps(rs.doc(tag)))
        runs[tag] = (folder, rs.start(folder, ["deploy", "--spec", "spec.json"]))
    codes = {tag: process.wait(timeout=120) for tag, (_, process) in runs.items()}

    assert sorted(codes.values()) == [0, 5], {t: rs.stderr_of(f) for t, (f, _) in runs.items()}
    winner = next(t for t, c in codes.items() if c == 0)
    loser = next(t for t, c in codes.items() if c == 5)
    assert "holds the endpoint's lease" in rs.stderr_of(runs[loser][0])
    calls = localaws.calls()[since:]
    lost = rs.target(loser).removeprefix(f"{rs.NAME}-")
    # The loser wrote at most its lease claim: no resource of its release, no rollout record of it.
    assert not any(lost in json.dumps(c["params"]) + json.dumps(c.get("tags") or {}) for c in writes(calls))
    assert operation_names(writes(calls), "UpdateEndpoint") == ["UpdateEndpoint"]
    assert TAG_LEASE_OWNER not in rs.tags(sm)
    rs.converged(sm, rs.target(winner))


def test_a_cli_hotfix_during_a_terraform_apply_exits_5_and_writes_nothing(localaws, tmp_path):
    sm = clients().sagemaker
    rs.deploy_in_process("v1")
    localaws.configure(provision_seconds=300)
    (tmp_path / "apply").mkdir()
    since = len(localaws.calls())
    apply = rs.start(tmp_path / "apply", ["external"], rs.query(rs.doc("v2"), "rollout-2"))
    rs.wait_for_calls(localaws, rs.after("UpdateEndpoint", "DescribeEndpoint"), since)

    (tmp_path / "hotfix").mkdir()
    before = len(localaws.calls())
    hotfix = rs.start(tmp_path / "hotfix", ["deploy", rs.NAME, "--image", image("hotfix")])
    assert hotfix.wait(timeout=60) == 5, rs.stderr_of(tmp_path / "hotfix")
    assert "holds the endpoint's lease" in rs.stderr_of(tmp_path / "hotfix")
    during = localaws.calls()[before:]
    assert not any(image("hotfix") in json.dumps(c) for c in during)
    assert not {"CreateModel", "CreateEndpointConfig", "UpdateEndpoint"} & set(
        operation_names(writes(during))
    )

    assert apply.wait(timeout=120) == 0, rs.stderr_of(tmp_path / "apply")
    rs.converged(sm, rs.target("v2"))
    assert rs.tags(sm).get("sagemaker-rollout:rollout-id") == "rollout-2"


def test_a_rollback_during_a_prune_exits_5_and_the_prune_finishes(localaws, tmp_path):
    sm = clients().sagemaker
    for tag in ("v1", "v2", "v3"):
        rs.deploy_in_process(tag, keep=3)
    (tmp_path / "prune").mkdir()
    since = len(localaws.calls())
    # Every answer 0.5 s late while the prune runs: its first deletion is answered well after the call log
    # shows it, so the SIGSTOP lands mid-prune on any load (with --keep 1 only a DeleteModel and the lease's
    # release follow it).
    localaws.configure(latency_ms=500)
    prune = rs.start(tmp_path / "prune", ["prune", rs.NAME, "--keep", "1"])
    # Paused (SIGSTOP) the moment its first deletion arrives: it holds the lease, mid-prune.
    rs.stop_when(localaws, prune, rs.after("DeleteEndpointConfig"), since, signal.SIGSTOP)
    localaws.configure(latency_ms=0)
    try:
        (tmp_path / "rollback").mkdir()
        before = len(localaws.calls())
        rollback = rs.start(tmp_path / "rollback", ["rollback", rs.NAME])
        assert rollback.wait(timeout=60) == 5, rs.stderr_of(tmp_path / "rollback")
        assert writes(localaws.calls()[before:]) == []
    finally:
        prune.send_signal(signal.SIGCONT)
    assert prune.wait(timeout=60) == 0, rs.stderr_of(tmp_path / "prune")

    assert sm.describe_endpoint(EndpointName=rs.NAME)["EndpointConfigName"] == rs.target("v3")
    assert rs.releases(sm) == ({rs.release("v2"), rs.release("v3")},) * 2
    assert TAG_LEASE_OWNER not in rs.tags(sm)
