"""Fault injection: throttling, server errors and latency, reproducible with a seed."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    """What to do with one call: ``kind`` is "" (answer normally), "throttle" or "error"."""

    kind: str = ""
    status: int = 200
    code: str = ""
    message: str = ""


NO_FAULT = Fault()
THROTTLE = Fault("throttle", 400, "ThrottlingException", "Rate exceeded")
ERRORS = (
    Fault("error", 500, "InternalFailure", "The request processing has failed because of an unknown error."),
    Fault("error", 503, "ServiceUnavailable", "Service is unavailable. Try again later."),
)


class FaultInjector:
    """Draws one number per call from a seedable RNG: below ``throttle_rate`` throttles, the next
    ``error_rate`` of the range fails with 500 or 503 (alternating)."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._errors = 0

    def reseed(self, seed: int | None) -> None:
        with self._lock:
            self._random = random.Random(seed)
            self._errors = 0

    def decide(self, throttle_rate: float, error_rate: float) -> Fault:
        if throttle_rate <= 0 and error_rate <= 0:
            return NO_FAULT
        with self._lock:
            draw = self._random.random()
            if draw < throttle_rate:
                return THROTTLE
            if draw < throttle_rate + error_rate:
                fault = ERRORS[self._errors % len(ERRORS)]
                self._errors += 1
                return fault
        return NO_FAULT
