"""All SageMaker hosting state of one localaws, per account and region, behind one lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..config import Config
from .records import Endpoint, EndpointConfig, Model


@dataclass
class Region:
    models: dict[str, Model] = field(default_factory=dict)
    configs: dict[str, EndpointConfig] = field(default_factory=dict)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    tags: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # ARN -> Tags


class Store:
    def __init__(self, config: Callable[[], Config]) -> None:
        self.lock = threading.RLock()
        self.config = config
        self._regions: dict[tuple[str, str], Region] = {}
        self._last_timestamp = 0.0
        self._last_real = time.monotonic()
        self._sim = 0.0
        self._transitions: list[dict[str, Any]] = []

    def region(self, account: str, region: str) -> Region:
        return self._regions.setdefault((account, region), Region())

    def regions(self) -> list[tuple[tuple[str, str], Region]]:
        return list(self._regions.items())

    def reset(self) -> None:
        with self.lock:
            self._regions.clear()
            self._transitions.clear()

    def transitions(self) -> list[dict[str, Any]]:
        """Every change of an endpoint's phase since the last reset, in order (see ``observe``)."""
        with self.lock:
            return [dict(t) for t in self._transitions]

    def observe(self, account: str, region: str, name: str, before: Phase, endpoint: Endpoint | None) -> None:
        """Record the endpoint's phase if it differs from ``before``: when SageMaker (localaws) moved it,
        in wall-clock and simulated seconds, so a benchmark can tell how late a poller saw it."""
        after = phase(endpoint)
        if after == before:
            return
        status, config, pending = after
        self._transitions.append(
            {
                "account": account,
                "region": region,
                "endpoint": name,
                "status": status,
                "endpoint_config_name": config,
                "pending_config_name": pending,
                "time": time.time(),
                "sim_time": self.sim_time(),
            }
        )

    def timestamp(self) -> float:
        """Wall-clock time for CreationTime/LastModifiedTime, strictly increasing (stable sorting)."""
        now = max(time.time(), self._last_timestamp + 0.001)
        self._last_timestamp = now
        return now

    def sim_time(self) -> float:
        """Simulated seconds since start: real time divided by the time scale in force while it passed
        (so a changed time scale also speeds up or slows down waits already running)."""
        with self.lock:
            real = time.monotonic()
            self._sim += (real - self._last_real) / self.config().time_scale
            self._last_real = real
            return self._sim


Phase = tuple[str | None, str | None, str | None]


def phase(endpoint: Endpoint | None) -> Phase:
    """What a transition record compares: status, live configuration, pending configuration (all None
    once the endpoint is gone)."""
    if endpoint is None or endpoint.deleted:
        return (None, None, None)
    return (endpoint.status, endpoint.config_name, endpoint.pending.config_name if endpoint.pending else None)
