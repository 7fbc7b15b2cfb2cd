"""localaws settings: one frozen value, read from the environment and changed at run time."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .faults import Refusal, refusals_from

ENV_PREFIX = "LOCALAWS_"


@dataclass(frozen=True)
class Config:
    """Every knob of localaws. Durations are simulated seconds, multiplied by ``time_scale``."""

    time_scale: float = 1.0
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    latency_ms: float = 0.0
    seed: int | None = None
    # SageMaker hosting lifecycle (simulated seconds).
    create_seconds: float = 60.0
    provision_seconds: float = 60.0
    delete_seconds: float = 10.0
    # IAM is eventually consistent: a role created less than this long ago cannot be assumed by SageMaker yet.
    iam_propagation_seconds: float = 10.0
    weights_seconds: float = 10.0
    rollback_seconds: float = 10.0
    failure_marker: str = "fail-health-check"
    # AWS may leave FailureReason empty after an automatic rollback (AWS-FACTS.md): False simulates that.
    rollback_failure_reason: bool = True
    # True: every rollback fails and the endpoint ends UpdateRollbackFailed (a mix of old and new).
    fail_rollbacks: bool = False
    # Real seconds between two lifecycle ticks (alarms are read on every tick).
    tick_seconds: float = 0.01
    # Named operations answered with a given AWS error (faults.Refusal), in order; the first match wins.
    refusals: tuple[Refusal, ...] = ()

    def __post_init__(self) -> None:
        for name in ("throttle_rate", "error_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.time_scale <= 0:
            raise ValueError(f"time_scale must be > 0, got {self.time_scale}")
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name.endswith(("_seconds", "_ms")) and value < 0:
                raise ValueError(f"{field.name} must be >= 0, got {value}")

    def replace(self, **changes: Any) -> Config:
        """A copy with ``changes`` applied; unknown names and bad values raise ValueError."""
        known = {field.name: field for field in dataclasses.fields(self)}
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise ValueError(f"unknown localaws setting(s): {', '.join(unknown)}")
        converted = {name: _convert(known[name], value) for name, value in changes.items()}
        return dataclasses.replace(self, **converted)

    def as_dict(self) -> dict[str, Any]:
        values = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        values["refusals"] = [refusal.as_dict() for refusal in self.refusals]
        return values


def _convert(field: dataclasses.Field[Any], value: Any) -> Any:
    if field.name == "refusals":
        try:
            return refusals_from(value or [])
        except (TypeError, ValueError) as error:
            raise ValueError(f"refusals: {error}") from error
    if value is None:
        if field.name == "seed":
            return None
        raise ValueError(f"{field.name} cannot be null")
    kind = field.type if isinstance(field.type, str) else getattr(field.type, "__name__", "")
    try:
        if kind.startswith("bool"):
            return _boolean(value)
        if kind.startswith("float"):
            return float(value)
        if kind.startswith("int"):
            return int(value)
        return str(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{field.name}: {error}") from error


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a boolean: {value!r}")


def from_env(environ: Mapping[str, str], **overrides: Any) -> Config:
    """``LOCALAWS_<NAME>`` for every setting (e.g. LOCALAWS_TIME_SCALE), then ``overrides``."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(Config):
        raw = environ.get(ENV_PREFIX + field.name.upper())
        if raw not in (None, ""):
            values[field.name] = raw
    values.update(overrides)
    return Config().replace(**values)
