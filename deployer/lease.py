"""The endpoint lease: one deployer at a time writes to an endpoint.

A write operation (rollout, rollback, hotfix, prune, destroy) takes the lease before its first write and
holds it to the end, also on failure: an owner unique to this run and an expiry, recorded on the endpoint
as tags (``deployer.state``: ``lease-owner``, ``lease-expires``, Unix seconds of the wall clock).

Taking it is check-then-verify, since SageMaker tags have no compare-and-set: read the tags; a lease of
another owner that has not expired refuses (``LeaseHeld``, exit 5, nothing written); otherwise write ours,
wait ``settle`` seconds (longer than a competitor needs from its check to its write), re-read and confirm
we are the owner. Of two deployers that both saw no lease, the later write wins and the earlier one backs
off at its verify, having written only its lease claim (overwritten by the winner). An expired lease
(a killed run) is taken over. A thread renews the lease every third of its duration during long waits;
it is released at the end only if it is still ours.

The plan-time read never takes a lease (it never writes). A new endpoint has nothing to tag until
CreateEndpoint: two concurrent creates are decided by SageMaker (the second CreateEndpoint is refused).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from deployer import reader
from deployer import state as endpoint_state
from deployer.errors import LeaseHeld
from deployer.waiter import Runtime

DEFAULT_SECONDS = 900.0
DEFAULT_SETTLE_SECONDS = 2.0
_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9_.:/=+\-@]")


def new_owner() -> str:
    """Unique per run: host, process and a random part (tag-value safe, at most 256 characters)."""
    host = _TAG_UNSAFE.sub("-", socket.gethostname())[:120] or "host"
    return f"{host}/{os.getpid()}/{uuid.uuid4().hex[:12]}"


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    try:
        return float(value) if value else default
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    """Lease duration and settle wait, real seconds (``DEPLOYER_LEASE_SECONDS``,
    ``DEPLOYER_LEASE_SETTLE_SECONDS``)."""

    seconds: float = DEFAULT_SECONDS
    settle: float = DEFAULT_SETTLE_SECONDS

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(
            seconds=_seconds("DEPLOYER_LEASE_SECONDS", DEFAULT_SECONDS),
            settle=_seconds("DEPLOYER_LEASE_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS),
        )


def _refusal(endpoint: str, held: endpoint_state.Lease, doing: str) -> LeaseHeld:
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(held.expires_at))
    return LeaseHeld(
        f"{endpoint}: another deployer ({held.owner}) holds the endpoint's lease until {until}; "
        f"not starting {doing}, nothing written",
        f"`sagemaker-rollout status {endpoint}` shows what it is doing; retry when it has finished "
        "(or once the lease expires)",
    )


def acquire(
    rt: Runtime,
    live: reader.Live,
    owner: str,
    doing: str,
    settings: Settings,
    *,
    now: Callable[[], float] = time.time,
) -> reader.Live:
    """Take the lease on an existing endpoint (check, write, settle, verify); returns the endpoint as read
    after the lease is ours. Raises ``LeaseHeld`` when another owner holds a live lease."""
    from deployer.executor import add_tags

    held = endpoint_state.Lease.from_tags(live.tags)
    if held.live_for_other(owner, now()):
        raise _refusal(live.name, held, doing)
    if held.owner and held.owner != owner:
        rt.progress.info(f"{live.name}: taking over the expired lease of {held.owner}")
    add_tags(rt, live.arn, endpoint_state.lease_tags(owner, now() + settings.seconds))
    time.sleep(settings.settle)
    fresh = reader.read_endpoint(rt.clients.sagemaker, live.name)
    if not fresh.exists:  # deleted meanwhile (a destroy SageMaker was finishing): nothing left to lease
        return fresh
    winner = endpoint_state.Lease.from_tags(fresh.tags)
    if winner.owner != owner:
        raise _refusal(live.name, winner, doing)
    return fresh


def release(rt: Runtime, endpoint: str, arn: str, owner: str) -> None:
    """Remove the lease tags if the lease is still ours (an endpoint that is gone has nothing to release)."""
    from deployer.aws import is_not_found
    from deployer.executor import delete_tags

    try:
        tags = reader.list_tags(rt.clients.sagemaker, arn)
        if endpoint_state.Lease.from_tags(tags).owner == owner:
            delete_tags(rt, arn, endpoint_state.LEASE_KEYS)
    except Exception as error:
        if not is_not_found(error) and not _gone(error):
            rt.progress.info(f"{endpoint}: could not release the lease: {error}")


def _gone(error: BaseException) -> bool:
    return "Could not find" in str(error) or "does not exist" in str(error)


class _Renewer:
    """Renews the lease every third of its duration until stopped (only while it is still ours)."""

    def __init__(self, rt: Runtime, endpoint: str, arn: str, owner: str, settings: Settings) -> None:
        self._rt, self._endpoint, self._arn, self._owner, self._settings = rt, endpoint, arn, owner, settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{endpoint}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        from deployer.executor import add_tags

        while not self._stop.wait(self._settings.seconds / 3):
            try:
                tags = reader.list_tags(self._rt.clients.sagemaker, self._arn)
                if endpoint_state.Lease.from_tags(tags).owner != self._owner:
                    self._rt.progress.info(f"{self._endpoint}: the lease was taken over; not renewing it")
                    return
                expires = time.time() + self._settings.seconds
                add_tags(self._rt, self._arn, endpoint_state.lease_tags(self._owner, expires))
            except Exception as error:  # the endpoint may be gone (destroy); the operation decides
                if self._stop.is_set():
                    return
                self._rt.progress.info(f"{self._endpoint}: lease renewal failed: {error}")


@contextlib.contextmanager
def held(
    rt: Runtime, live: reader.Live, doing: str, settings: Settings | None = None
) -> Iterator[reader.Live]:
    """Hold the endpoint's lease for a write operation; yields the endpoint as read once the lease is ours
    (the same ``live`` when the endpoint does not exist yet: nothing to tag)."""
    if not live.exists:
        yield live
        return
    settings = settings or Settings.from_environment()
    owner = new_owner()
    fresh = acquire(rt, live, owner, doing, settings)
    renewer = _Renewer(rt, live.name, live.arn, owner, settings)
    renewer.start()
    try:
        yield fresh
    finally:
        renewer.stop()
        release(rt, live.name, live.arn, owner)
