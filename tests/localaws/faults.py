"""Fault injection: throttling, server errors and latency, reproducible with a seed; named refusals."""

from __future__ import annotations

import fnmatch
import json
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


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


@dataclass(frozen=True)
class Refusal:
    """Answer ``service``'s ``operation`` with the AWS error ``code`` (deterministic, unlike the rates).

    ``match``: top-level request parameters that must equal the given values (shell-style wildcards, e.g.
    ``{"ModelName": "ep-*"}``); ``times``: how many calls to refuse (0: every call until cleared).
    """

    service: str
    operation: str
    code: str
    message: str = ""
    status: int = 400
    times: int = 0
    match: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("service", "operation", "code"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ValueError(f"a refusal needs a non-empty {name}")
        if not 400 <= self.status <= 599:
            raise ValueError(f"a refusal's status must be an HTTP error (400-599), got {self.status}")
        if self.times < 0:
            raise ValueError(f"a refusal's times must be >= 0 (0: until cleared), got {self.times}")

    def matches(self, service: str, operation: str, params: Mapping[str, Any]) -> bool:
        if (service, operation) != (self.service, self.operation):
            return False
        return all(
            key in params and fnmatch.fnmatchcase(str(params[key]), str(pattern))
            for key, pattern in self.match.items()
        )

    def spent(self) -> Refusal | None:
        """This refusal after one use: None once its ``times`` are used up."""
        if self.times == 0:
            return self
        if self.times == 1:
            return None
        return Refusal(**{**self.as_dict(), "times": self.times - 1})

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "operation": self.operation,
            "code": self.code,
            "message": self.message,
            "status": self.status,
            "times": self.times,
            "match": dict(self.match),
        }


def refusals_from(value: Any) -> tuple[Refusal, ...]:
    """Refusals from a JSON string (``LOCALAWS_REFUSALS``), a list of objects or of Refusal values."""
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else []
    if isinstance(value, (Refusal, Mapping)):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ValueError("refusals must be a list of {service, operation, code, ...} objects")
    refusals = []
    for item in value:
        if isinstance(item, Refusal):
            refusals.append(item)
            continue
        if not isinstance(item, Mapping):
            raise ValueError(f"a refusal must be an object, got {item!r}")
        unknown = sorted(set(item) - {"service", "operation", "code", "message", "status", "times", "match"})
        if unknown:
            raise ValueError(f"unknown refusal field(s): {', '.join(unknown)}")
        match = item.get("match") or {}
        if not isinstance(match, Mapping):
            raise ValueError("a refusal's match must be an object of parameter: value")
        refusals.append(
            Refusal(
                service=str(item.get("service") or ""),
                operation=str(item.get("operation") or ""),
                code=str(item.get("code") or ""),
                message=str(item.get("message") or ""),
                status=int(item.get("status", 400)),
                times=int(item.get("times", 0)),
                match={str(k): str(v) for k, v in match.items()},
            )
        )
    return tuple(refusals)
