"""Concurrency suite (issue 10): two deployer processes started at once on one endpoint. The in-process
cases (a live lease, simultaneous claims in threads) are in test_deployer_lease.py; here they are real
processes, as two CI jobs or a CLI hotfix during a Terraform apply would be.
"""

from __future__ import annotations

import json

import pytest

from deployer.state import TAG_LEASE_OWNER
from tests.integration import reliability_support as rs
from tests.integration.test_deployer_support import (
    clients,
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
