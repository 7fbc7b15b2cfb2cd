"""The waiter with a fake clock: schedule, scaling, deadline, transient errors; and progress output."""

from __future__ import annotations

import io

import pytest
from botocore.exceptions import ClientError

from deployer.aws import is_retryable
from deployer.progress import Progress
from deployer.waiter import (
    MIN_REAL_INTERVAL,
    Schedule,
    WaitTimeout,
    endpoint_settled,
    poll,
    settle_pace,
    time_scale,
)


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


def sequence(values):
    it = iter(values)
    return lambda: next(it)


def throttled() -> ClientError:
    return ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "DescribeEndpoint"
    )


def test_first_look_is_immediate():
    clock = FakeClock()
    assert poll(
        lambda: "InService", lambda s: s == "InService", clock=clock, schedule=Schedule(), timeout_seconds=60
    ) == ("InService")
    assert clock.sleeps == []


def test_quick_first_looks_then_slower_never_under_five_seconds():
    clock = FakeClock()
    statuses = ["Updating"] * 9 + ["InService"]
    poll(
        sequence(statuses), lambda s: s == "InService", clock=clock, schedule=Schedule(), timeout_seconds=3600
    )
    assert clock.sleeps == [5.0, 5.0, 10.0, 15.0, 20.0, 30.0, 30.0, 30.0, 30.0]
    assert min(clock.sleeps) >= MIN_REAL_INTERVAL


def test_intervals_and_deadline_are_scaled():
    clock = FakeClock()
    with pytest.raises(WaitTimeout) as timeout:
        poll(
            lambda: "Updating",
            lambda s: False,
            clock=clock,
            schedule=Schedule(scale=0.01),
            timeout_seconds=100,
        )
    assert timeout.value.last == "Updating"
    assert clock.sleeps[:3] == pytest.approx([0.05, 0.05, 0.1])
    assert clock.t == pytest.approx(1.0)  # 100 s scaled by 0.01


def test_a_last_look_happens_at_the_deadline():
    clock = FakeClock()
    looks: list[float] = []

    def fetch() -> str:
        looks.append(clock.t)
        return "Updating"

    with pytest.raises(WaitTimeout):
        poll(fetch, lambda s: False, clock=clock, schedule=Schedule(), timeout_seconds=12)
    assert looks == [0.0, 5.0, 10.0, 12.0]


def test_throttling_on_a_poll_backs_off_instead_of_failing():
    clock = FakeClock()
    answers = [throttled(), throttled(), "InService"]

    def fetch() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    result = poll(
        fetch,
        lambda s: True,
        clock=clock,
        schedule=Schedule(),
        timeout_seconds=600,
        is_transient=is_retryable,
    )
    assert result == "InService"
    assert clock.sleeps == [10.0, 20.0]  # doubled each time


def test_other_errors_are_raised():
    def fetch() -> str:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "DescribeEndpoint")

    with pytest.raises(ClientError):
        poll(
            fetch,
            lambda s: True,
            clock=FakeClock(),
            schedule=Schedule(),
            timeout_seconds=60,
            is_transient=is_retryable,
        )


@pytest.mark.parametrize(
    ("describe", "settled"),
    [
        (None, True),
        ({"EndpointStatus": "InService"}, True),
        ({"EndpointStatus": "Failed"}, True),
        ({"EndpointStatus": "UpdateRollbackFailed"}, True),
        ({"EndpointStatus": "Updating"}, False),
        ({"EndpointStatus": "SystemUpdating"}, False),
        ({"EndpointStatus": "RollingBack"}, False),
        ({"EndpointStatus": "Creating"}, False),
        ({"EndpointStatus": "Deleting"}, False),
        ({"EndpointStatus": "InService", "PendingDeploymentSummary": {"EndpointConfigName": "x"}}, False),
    ],
)
def test_settled_statuses(describe, settled):
    assert endpoint_settled(describe) is settled


@pytest.mark.parametrize(
    ("raw", "scale"), [(None, 1.0), ("0.01", 0.01), ("2", 2.0), ("junk", 1.0), ("-1", 1.0)]
)
def test_time_scale_from_environment(raw, scale):
    assert time_scale({} if raw is None else {"DEPLOYER_TIME_SCALE": raw}) == scale


def test_progress_timestamped_lines_off_a_terminal_and_a_log_file(tmp_path):
    stream = io.StringIO()
    log = tmp_path / "deep" / "whisper.log"
    progress = Progress(stream=stream, log_path=log, tty=False)
    progress.live("whisper: Updating")
    progress.info("whisper: serves x")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].endswith("Z whisper: Updating") and lines[0][:4].isdigit()
    assert log.read_text().count("\n") == 2


def test_progress_live_line_on_a_terminal_is_rewritten():
    stream = io.StringIO()
    progress = Progress(stream=stream, log_path=None, tty=True)
    progress.live("Updating 1")
    progress.live("Updating 2")
    progress.info("done")
    text = stream.getvalue()
    assert text.count("\r") == 2 and text.endswith("Updating 2\ndone\n")


def test_progress_does_not_repeat_an_unchanged_status_and_keeps_a_timeline():
    stream = io.StringIO()
    progress = Progress(stream=stream, log_path=None, tty=False)
    for _ in range(3):
        progress.live("whisper: Updating (AllTraffic:Creating)")
    progress.live("whisper: InService")
    progress.info("whisper: serves x")
    progress.live("whisper: InService")
    assert len(stream.getvalue().splitlines()) == 4
    assert [line.split(" ", 1)[1] for line in progress.timeline] == [
        "whisper: Updating (AllTraffic:Creating)",
        "whisper: InService",
        "whisper: serves x",
        "whisper: InService",
    ]


def test_log_files_are_one_per_endpoint_and_run_and_only_where_asked(tmp_path):
    from deployer.progress import cli_log_path, log_file

    path = log_file(tmp_path, "whisper", "5d2c/7f0e:1", now=0)
    assert path == tmp_path / "whisper-19700101T000000Z-5d2c_7f0e_1.log"
    assert cli_log_path("whisper", "deploy", {}) is None
    chosen = cli_log_path("whisper", "deploy", {"SAGEMAKER_ROLLOUT_LOG_DIR": str(tmp_path)})
    assert chosen is not None and chosen.parent == tmp_path and chosen.name.endswith("-deploy.log")


def updating(status: str, started: float, wait: int = 60, termination: int = 120) -> dict:
    """A DescribeEndpoint of a canary update whose pending variant is in ``status`` since ``started``."""
    return {
        "EndpointStatus": "Updating",
        "PendingDeploymentSummary": {
            "EndpointConfigName": "v2",
            "ProductionVariants": [
                {"VariantName": "AllTraffic", "VariantStatus": [{"Status": status, "StartTime": started}]}
            ],
        },
        "LastDeploymentConfig": {
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {"Type": "CANARY", "WaitIntervalInSeconds": wait},
                "TerminationWaitInSeconds": termination,
            }
        },
    }


def test_a_bake_is_polled_just_after_it_is_due_not_on_the_schedule():
    # Baking since t=1000 with a 60 s bake and a 120 s termination wait: the phase ends at 1060 or 1120.
    assert settle_pace(updating("Baking", 1000.0), 30.0, scale=1.0, now=1010.0) == pytest.approx(51.0)
    # 1061 passed without a change: one look 5 s later, then the next announced moment.
    assert settle_pace(updating("Baking", 1000.0), 30.0, scale=1.0, now=1062.0) == MIN_REAL_INTERVAL
    assert settle_pace(updating("Baking", 1000.0), 30.0, scale=1.0, now=1067.0) == pytest.approx(54.0)
    # The last announced moment passed: twice at 5 s, then the schedule.
    assert settle_pace(updating("Baking", 1000.0), 30.0, scale=1.0, now=1122.0) == MIN_REAL_INTERVAL
    assert settle_pace(updating("Baking", 1000.0), 30.0, scale=1.0, now=1127.0) == MIN_REAL_INTERVAL
    assert settle_pace(updating("Baking", 1000.0), 30.0, scale=1.0, now=1132.0) == 30.0
    # Scaled like every other interval (StartTime is SageMaker's wall clock, the waits are scaled).
    assert settle_pace(updating("Baking", 1000.0), 0.3, scale=0.01, now=1000.1) == pytest.approx(0.51)


def test_with_rollback_alarms_no_wait_is_longer_than_the_schedule():
    """An alarm can end a bake at any moment (SageMaker rolls back): it is seen as soon as before."""
    watched = updating("Baking", 1000.0, wait=600, termination=600)
    watched["LastDeploymentConfig"]["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": "5xx"}]}
    assert settle_pace(watched, 30.0, scale=1.0, now=1010.0) == 30.0
    assert settle_pace(watched, 30.0, scale=1.0, now=1590.0) == pytest.approx(11.0)  # the due is nearer
    unwatched = updating("Baking", 1000.0, wait=600, termination=600)
    assert settle_pace(unwatched, 30.0, scale=1.0, now=1010.0) == pytest.approx(591.0)


def test_provisioning_follows_the_schedule_capped_so_the_first_bake_is_not_missed():
    assert settle_pace(updating("Creating", 1000.0), 30.0, scale=1.0, now=1010.0) == 30.0
    short = updating("Creating", 1000.0, wait=10, termination=10)
    assert settle_pace(short, 30.0, scale=1.0, now=1010.0) == 10.0
    none = updating("Creating", 1000.0, wait=0, termination=0)
    assert settle_pace(none, 30.0, scale=1.0, now=1010.0) == 30.0


def test_without_an_announced_phase_the_schedule_applies():
    assert settle_pace({"EndpointStatus": "Updating"}, 20.0, scale=1.0, now=0.0) == 20.0
    assert settle_pace(None, 20.0, scale=1.0, now=0.0) == 20.0
    stale = updating("Baking", 1000.0)  # both waits long over (a stuck phase, or skewed clocks)
    assert settle_pace(stale, 20.0, scale=1.0, now=5000.0) == 20.0
    no_config = dict(updating("Baking", 1000.0), LastDeploymentConfig={})
    assert settle_pace(no_config, 20.0, scale=1.0, now=1010.0) == 20.0


def test_pace_replaces_the_scheduled_wait_but_not_the_back_off_after_throttling():
    clock = FakeClock()
    values = iter(["a", throttled(), "b", "done"])

    def fetch():
        value = next(values)
        if isinstance(value, Exception):
            raise value
        return value

    poll(
        fetch,
        lambda v: v == "done",
        clock=clock,
        schedule=Schedule(),
        timeout_seconds=3600,
        is_transient=is_retryable,
        pace=lambda value, wait: 1.0,
    )
    assert clock.sleeps == [1.0, 10.0, 1.0]
