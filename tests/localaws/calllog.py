"""The ordered log of every AWS call localaws answered (control calls excluded)."""

from __future__ import annotations

import copy
import threading
import time
from typing import Any


class CallLog:
    """Thread-safe, append-only until cleared. Entries: service, operation, params, write, status, and
    ``time`` (wall-clock seconds since the epoch when the call arrived)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []

    def append(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Record a call when it arrives (so the order is arrival order); returns the stored entry."""
        stored = dict(entry)
        stored.setdefault("time", time.time())
        with self._lock:
            self._entries.append(stored)
        return stored

    def set_status(self, entry: dict[str, Any], status: int) -> None:
        with self._lock:
            entry["status"] = status

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
