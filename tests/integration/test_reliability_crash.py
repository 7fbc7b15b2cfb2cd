"""Crash suite (issue 10): the deployer, a real process, SIGKILLed at each step of a rollout.

The apply runs as Terraform runs it (``python -m deployer external``, the apply of the plan that created
the rollout id) and is killed the moment localaws's call log shows the chosen call arriving: the call is
then in flight and nothing after it was sent. Afterwards, on localaws's state:

- the endpoint settles InService, serving the old configuration or (once UpdateEndpoint got through) the
  new one, and ``status`` says ``interrupted`` for the first, ``succeeded`` (what SageMaker finished) for
  the second;
- the next ``terraform plan`` (the same rollout id, a later plan time) writes nothing and reports the same;
- while the dead run's lease lasts, another deployer exits 5 having written nothing; once it expired, the
  retry (``terraform apply -replace``: a new rollout id) converges: the new release InService, recorded as
  succeeded, no lease left, no configuration or model beyond ``keep_releases``.
"""

from __future__ import annotations

import json
import signal
from typing import Any

import pytest

from deployer import operations
from deployer.spec import parse_spec
from tests.integration import reliability_support as rs
from tests.integration.test_deployer_support import (
    clients,
    rollback_alarm,  # noqa: F401 (fixture)
    runtime,
    writes,
)

pytestmark = pytest.mark.usefixtures("rollback_alarm")

# (point, what the call log shows when the kill is sent, the last call the run sent, what is served
# afterwards: "old", "new" or None for either, deployment changes of the new release)
POINTS = [
    ("after recording the rollout", rs.recorded, None, "old", {}),
    ("during CreateModel", rs.after("CreateModel"), "CreateModel", "old", {}),
    ("during CreateEndpointConfig", rs.after("CreateEndpointConfig"), "CreateEndpointConfig", "old", {}),
    ("during UpdateEndpoint", rs.after("UpdateEndpoint"), "UpdateEndpoint", None, {}),
    ("while waiting for the update", rs.after("UpdateEndpoint", "DescribeEndpoint"), None, "new", {}),
    ("during the bake", rs.after("UpdateEndpoint", "DescribeAlarms"), None, "new", {"bake_seconds": 200}),
    ("while pruning", rs.after("DeleteEndpointConfig"), "DeleteEndpointConfig", "new", {}),
]
# Every call of the killed run is held this long: the kill lands while the call that triggered it is in
# flight, so nothing after it is sent (asserted below).
LATENCY_MS = 40


def retry(value: dict[str, Any], rollout_id: str) -> dict[str, str]:
    """``terraform apply -replace`` of the rollout: a new rollout id, rolled out (in process)."""
    rt, _ = runtime(rs.NAME)
    return operations.terraform_apply(parse_spec(value), rollout_id, runtime=rt)


@pytest.mark.parametrize(
    ("point", "reached", "last", "serves", "deployment"), POINTS, ids=[p[0] for p in POINTS]
)
def test_a_rollout_killed_at_any_step_converges_on_retry(
    localaws, tmp_path, point, reached, last, serves, deployment
):
    sm = clients().sagemaker
    rs.deploy_in_process("v1")
    rs.deploy_in_process("v2")
    old, new = rs.target("v2"), rs.target("v3", **deployment)
    localaws.configure(provision_seconds=100)  # the update lasts about 1 s of real time
    value = rs.doc("v3", **deployment)

    localaws.configure(latency_ms=LATENCY_MS)
    since = len(localaws.calls())
    apply = rs.start(tmp_path, ["external"], rs.query(value, "rollout-3"))
    rs.stop_when(localaws, apply, reached, since)
    assert apply.wait(timeout=30) == -signal.SIGKILL
    localaws.configure(latency_ms=0)
    if last:
        assert localaws.calls()[-1]["operation"] == last, [c["operation"] for c in localaws.calls()[since:]]

    described = rs.settled(rs.clients().sagemaker)
    assert described["EndpointStatus"] == "InService"
    serving = described["EndpointConfigName"]
    assert serving in ({old, new} if serves is None else {old if serves == "old" else new})
    expected = "succeeded" if serving == new else "interrupted"
    assert rs.status()["last_rollout"] == expected, (point, rs.status())
    read = rs.plan_read(localaws, value, "rollout-3")
    assert (read["last_rollout"], read["endpoint_config_name"]) == (expected, serving)
    if expected == "interrupted":
        assert (
            "run the rollout again" in read["last_rollout_reason"] or "retry" in read["last_rollout_reason"]
        )

    rs.expire_lease(sm)
    result = retry(value, "rollout-3b")
    assert result["endpoint_config_name"] == new
    rs.converged(sm, new)


def test_the_dead_runs_lease_holds_off_another_deployer_until_it_expires(localaws, tmp_path):
    sm = clients().sagemaker
    rs.deploy_in_process("v1")
    localaws.configure(provision_seconds=200)
    value = rs.doc("v2")
    since = len(localaws.calls())
    apply = rs.start(tmp_path, ["external"], rs.query(value, "rollout-2"))
    rs.stop_when(localaws, apply, rs.after("UpdateEndpoint", "DescribeEndpoint"), since)
    apply.wait(timeout=30)
    (tmp_path / "v3.json").write_text(json.dumps(rs.doc("v3")))

    before = len(localaws.calls())
    since = len(localaws.calls())
    other = rs.start(tmp_path, ["deploy", "--spec", "v3.json"])
    assert other.wait(timeout=60) == 5, rs.stderr_of(tmp_path)
    assert writes(localaws.calls()[before:]) == []
    assert "holds the endpoint's lease" in rs.stderr_of(tmp_path)

    rs.settled(sm)
    rs.expire_lease(sm)
    rs.deploy_in_process("v3")
    rs.converged(sm, rs.target("v3"))


@pytest.mark.parametrize("operation", ["CreateModel", "CreateEndpointConfig", "CreateEndpoint"])
def test_a_first_rollout_killed_before_the_endpoint_exists_converges(localaws, tmp_path, operation):
    sm = clients().sagemaker
    value = rs.doc("v1")
    since = len(localaws.calls())
    apply = rs.start(tmp_path, ["external"], rs.query(value, "rollout-1"))
    rs.stop_when(localaws, apply, rs.after(operation), since)
    apply.wait(timeout=30)

    read = rs.plan_read(localaws, value, "rollout-1")
    if sm.list_endpoints()["Endpoints"]:  # the kill landed once CreateEndpoint was on its way
        rs.settled(sm)
        assert rs.plan_read(localaws, value, "rollout-1")["last_rollout"] == "succeeded"
    else:
        assert read["last_rollout"] == "interrupted", read
        assert read["action"] == "deferred"

    retry(value, "rollout-1b")
    rs.converged(sm, rs.target("v1"))


def test_a_destroy_killed_while_deleting_is_finished_by_the_next_destroy(localaws, tmp_path):
    sm = clients().sagemaker
    rs.deploy_in_process("v1")
    rs.deploy_in_process("v2")
    since = len(localaws.calls())
    destroy = rs.start(tmp_path, ["destroy", rs.NAME])
    rs.stop_when(localaws, destroy, rs.after("DeleteEndpoint"), since)
    destroy.wait(timeout=30)

    if sm.list_endpoints()["Endpoints"]:
        rs.expire_lease(sm)
    rt, _ = runtime(rs.NAME)
    operations.destroy(rs.NAME, rt)

    assert sm.list_endpoints()["Endpoints"] == []
    assert rs.releases(sm) == (set(), set())
