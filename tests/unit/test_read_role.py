"""The deployer's reads (all a plan does) never use the write role (issue 8 item 2).

``terraform_apply`` makes the read runtime from ``plan_assume_role_arn`` (or the runner's own credentials) and
the write runtime from ``assume_role_arn`` only when there is a rollout to make.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from deployer import executor, operations, reader
from deployer.spec import parse_spec
from deployer.state import EndpointState
from tests.unit.test_protocol import SPEC_TEXT

WRITE = "arn:aws:iam::123456789012:role/deployer"
READ = "arn:aws:iam::123456789012:role/reader"


@pytest.fixture
def roles(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    made: list[str | None] = []

    def make_runtime(endpoint_name, region, assume_role_arn=None, **_):
        made.append(assume_role_arn)
        return SimpleNamespace(role=assume_role_arn, clients=SimpleNamespace(sagemaker=object()))

    absent = SimpleNamespace(exists=False)
    monkeypatch.setattr(operations, "make_runtime", make_runtime)
    monkeypatch.setattr(reader, "read_endpoint", lambda sm, name: absent)
    monkeypatch.setattr(reader, "result_map", lambda spec, live, **_: {"endpoint_name": spec.endpoint_name})
    return made


def test_a_read_only_call_uses_the_plan_role_and_never_makes_the_write_runtime(roles, monkeypatch):
    monkeypatch.setattr(reader, "release_trace", lambda sm, spec, rid: EndpointState(rollout_id=rid))
    operations.terraform_apply(parse_spec(SPEC_TEXT), "r-1", assume_role_arn=WRITE, plan_assume_role_arn=READ)
    assert roles == [READ]


def test_without_a_plan_role_the_reads_use_the_runners_own_credentials(roles, monkeypatch):
    monkeypatch.setattr(reader, "release_trace", lambda sm, spec, rid: EndpointState(rollout_id=rid))
    operations.terraform_apply(parse_spec(SPEC_TEXT), "r-1", assume_role_arn=WRITE)
    assert roles == [None]


def test_a_rollout_writes_with_the_write_role(roles, monkeypatch):
    used = []
    monkeypatch.setattr(reader, "release_trace", lambda sm, spec, rid: None)

    def roll_out(rt, spec, live, *, rollout_id):
        used.append(rt.role)
        return SimpleNamespace(live=live, action="created", deregistered=())

    def require_alarms(rt, alarms):  # checked before the lease, with the role that will write
        used.append(rt.role)

    monkeypatch.setattr(executor, "roll_out", roll_out)
    monkeypatch.setattr(executor, "require_alarms", require_alarms)
    operations.terraform_apply(parse_spec(SPEC_TEXT), "r-1", assume_role_arn=WRITE, plan_assume_role_arn=READ)
    assert roles == [READ, WRITE]
    assert used == [WRITE, WRITE]
