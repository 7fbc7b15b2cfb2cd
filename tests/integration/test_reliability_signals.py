"""Interrupt suite (issue 10): SIGINT (Ctrl-C, a CI cancellation's first signal) and SIGTERM to a running
deployer, a real process. It stops waiting, records ``interrupted`` and why on the endpoint, releases its
lease and exits 128 + the signal (130, 143); an UpdateEndpoint SageMaker accepted is never cancelled, and
the endpoint ends where SageMaker's own guardrails take it (docs/cli.md, docs/reliability.md).
"""

from __future__ import annotations

import json
import signal

import pytest

from deployer.state import TAG_LEASE_OWNER
from tests.integration import reliability_support as rs
from tests.integration.test_deployer_support import (
    clients,
    operation_names,
    rollback_alarm,  # noqa: F401 (fixture)
)

pytestmark = pytest.mark.usefixtures("rollback_alarm")
REASON = "sagemaker-rollout:last-rollout-reason"
LAST = "sagemaker-rollout:last-rollout"


def test_sigterm_while_sagemaker_updates_records_interrupted_and_lets_the_update_finish(localaws, tmp_path):
    sm = clients().sagemaker
    rs.deploy_in_process("v1")
    localaws.configure(provision_seconds=300)
    (tmp_path / "v2.json").write_text(json.dumps(rs.doc("v2")))
    since = len(localaws.calls())
    deploy = rs.start(tmp_path, ["deploy", "--spec", "v2.json"])
    rs.stop_when(localaws, deploy, rs.after("UpdateEndpoint", "DescribeEndpoint"), since, signal.SIGTERM)

    assert deploy.wait(timeout=30) == 143, rs.stderr_of(tmp_path)
    left = rs.tags(sm)
    assert left[LAST] == "interrupted", left
    assert "SageMaker had accepted the update" in left[REASON]
    assert TAG_LEASE_OWNER not in left
    assert endpoint_pending(sm) == rs.target("v2")  # still updating: nothing was cancelled
    calls = localaws.calls()[since:]
    assert operation_names(calls, "UpdateEndpoint") == ["UpdateEndpoint"]
    assert "DeleteEndpoint" not in operation_names(calls)

    assert rs.settled(sm)["EndpointConfigName"] == rs.target("v2")
    assert rs.status()["last_rollout"] == "succeeded"  # what SageMaker finished
    rs.deploy_in_process("v2")  # the next run: no lease to wait for, converges
    rs.converged(sm, rs.target("v2"))


def test_sigint_before_the_update_changes_nothing_and_says_so(localaws, tmp_path):
    sm = clients().sagemaker
    rs.deploy_in_process("v1")
    localaws.configure(weights_seconds=300)
    # Another actor's capacity change: the deployer waits for it to settle before it rolls out.
    sm.update_endpoint_weights_and_capacities(
        EndpointName=rs.NAME,
        DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredWeight": 1.0}],
    )
    (tmp_path / "v2.json").write_text(json.dumps(rs.doc("v2")))
    since = len(localaws.calls())
    deploy = rs.start(tmp_path, ["deploy", "--spec", "v2.json"])
    rs.stop_when(
        localaws, deploy, lambda c: rs.recorded(c) and "DescribeEndpoint" in str(c), since, signal.SIGINT
    )

    assert deploy.wait(timeout=30) == 130, rs.stderr_of(tmp_path)
    assert "interrupted by SIGINT" in rs.stderr_of(tmp_path)
    calls = localaws.calls()[since:]
    assert not {"CreateModel", "CreateEndpointConfig", "UpdateEndpoint"} & set(operation_names(calls))
    left = rs.tags(sm)
    assert left[LAST] == "interrupted" and "nothing was changed" in left[REASON], left
    assert TAG_LEASE_OWNER not in left
    assert rs.settled(sm)["EndpointConfigName"] == rs.target("v1")
    assert rs.status()["last_rollout"] == "interrupted"

    rs.deploy_in_process("v2")
    rs.converged(sm, rs.target("v2"))


def endpoint_pending(sm) -> str:
    described = sm.describe_endpoint(EndpointName=rs.NAME)
    return (described.get("PendingDeploymentSummary") or {}).get("EndpointConfigName", "")


def test_sigint_to_terraforms_external_program_says_why_and_the_next_plan_reports_what_sagemaker_did(
    localaws, tmp_path
):
    """Ctrl-C in ``terraform apply`` reaches the external program (one process group); its error line is
    what Terraform shows; the next plan writes nothing and reports the outcome."""
    sm = clients().sagemaker
    rs.deploy_in_process("v1")
    localaws.configure(provision_seconds=300)
    value = rs.doc("v2")
    since = len(localaws.calls())
    apply = rs.start(tmp_path, ["external"], rs.query(value, "rollout-2"))
    rs.stop_when(localaws, apply, rs.after("UpdateEndpoint", "DescribeEndpoint"), since, signal.SIGINT)

    assert apply.wait(timeout=30) == 130
    first = rs.stderr_of(tmp_path).splitlines()[0]
    assert first.startswith("whisper: interrupted by SIGINT") and "SageMaker had accepted" in first, first
    assert (tmp_path / "stdout").read_text() == ""  # Terraform gets no result: the apply fails
    assert TAG_LEASE_OWNER not in rs.tags(sm)
    during = rs.plan_read(localaws, value, "rollout-2")
    assert during["last_rollout"] == "interrupted" and during["status"] == "Updating", during

    rs.settled(sm)
    after = rs.plan_read(localaws, value, "rollout-2")
    assert (after["last_rollout"], after["drift"]) == ("succeeded", "false"), after
    assert after["endpoint_config_name"] == rs.target("v2")
