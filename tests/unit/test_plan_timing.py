"""Issue 7 item 3: how the deployer tells the apply that created a rollout id from any later plan."""

from __future__ import annotations

from datetime import datetime

from deployer.operations import Timing

PLANNED = "2026-12-03T11:00:00Z"


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_only_the_creating_plan_and_its_apply_may_roll_out():
    assert not Timing(PLANNED, PLANNED).later_plan  # the apply of the plan that created the id
    assert Timing(PLANNED, "2026-12-03T11:00:01Z").later_plan  # any later plan or refresh
    assert Timing(PLANNED, "2026-12-03T10:59:59Z").later_plan  # another machine's clock behind: still not
    assert not Timing(None, PLANNED).later_plan and not Timing().later_plan  # no timestamps: the old rule


def test_the_first_write_waits_until_the_plan_second_is_over():
    """plantimestamp() has 1 s resolution: a plan started after the wait never has the same time."""
    slept: list[float] = []
    Timing(PLANNED, PLANNED).wait_past_plan_second(lambda: _epoch(PLANNED) + 0.25, slept.append)
    assert slept == [0.75]
    slept.clear()
    Timing(PLANNED, PLANNED).wait_past_plan_second(lambda: _epoch(PLANNED) + 30, slept.append)
    assert slept == []  # the usual case: the apply runs well after its plan
    Timing(PLANNED, PLANNED).wait_past_plan_second(lambda: _epoch(PLANNED) - 3600, slept.append)
    assert slept == []  # a clock far behind the plan's: never a long sleep
