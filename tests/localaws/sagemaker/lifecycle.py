"""The simulated SageMaker hosting lifecycle: what create, update, scaling and delete do over time.

Each function returns a job body (see jobs.py). They run under the store lock, stepped by the ticker.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..config import Config
from . import moto_bridge
from .jobs import AlarmFired, ExecutionTimeout, JobBody, Wait
from .records import Endpoint, Fleet, Pending
from .store import Region

Timestamp = Callable[[], float]


class HealthCheckFailed(Exception):
    def __init__(self, variant: str) -> None:
        super().__init__(variant)
        self.variant = variant


def health_check_reason(variant: str) -> str:
    return (
        f"The primary container for production variant {variant} did not pass the ping health check. "
        "Please check CloudWatch logs for this endpoint."
    )


def alarm_reason(alarms: list[str]) -> str:
    names = ", ".join(alarms)
    return (
        f"Auto rollback triggered: CloudWatch alarm(s) [{names}] went into ALARM state during the deployment."
    )


TIMEOUT_REASON = "The deployment exceeded MaximumExecutionTimeoutInSeconds and was rolled back."


def set_status(fleets: list[Fleet], status: str | None, now: float) -> None:
    for fleet in fleets:
        fleet.status = [{"Status": status, "StartTime": now}] if status else []


def settle(fleets: list[Fleet]) -> None:
    for fleet in fleets:
        fleet.current_count = fleet.desired_count
        fleet.current_weight = fleet.desired_weight
        fleet.status = []


# ------------------------------------------------------------------------------------------------ create


def create(endpoint: Endpoint, config: Callable[[], Config], timestamp: Timestamp) -> JobBody:
    set_status(endpoint.fleets, "Creating", timestamp())
    yield Wait(config().create_seconds)
    failing = [fleet for fleet in endpoint.fleets if fleet.failing]
    endpoint.modified = timestamp()
    if failing:
        endpoint.status = "Failed"
        endpoint.failure_reason = health_check_reason(failing[0].name)
        set_status(endpoint.fleets, None, endpoint.modified)
        return
    settle(endpoint.fleets)
    settle(endpoint.shadow_fleets)
    endpoint.status = "InService"


# ------------------------------------------------------------------------------------------------ update


def traffic_steps(routing: dict[str, Any], capacity: int) -> list[float]:
    """Fractions of traffic on the new fleet after each shift (last one 1.0)."""
    kind = routing.get("Type", "ALL_AT_ONCE")
    if kind == "CANARY":
        return [min(_fraction(routing["CanarySize"], capacity), 1.0), 1.0]
    if kind == "LINEAR":
        step = max(_fraction(routing["LinearStepSize"], capacity), 0.01)
        steps = []
        shifted = 0.0
        while shifted < 1.0 - 1e-9:
            shifted = min(shifted + step, 1.0)
            steps.append(shifted)
        return steps
    return [1.0]


def _fraction(size: dict[str, Any], capacity: int) -> float:
    if size["Type"] == "INSTANCE_COUNT":
        return size["Value"] / max(capacity, 1)
    return size["Value"] / 100.0


def _shift(endpoint: Endpoint, pending: Pending, fraction: float) -> None:
    for fleet in endpoint.fleets:
        fleet.current_weight = fleet.desired_weight * (1.0 - fraction)
    for fleet in pending.fleets:
        fleet.current_weight = fleet.desired_weight * fraction


def blue_green(
    endpoint: Endpoint,
    pending: Pending,
    policy: dict[str, Any],
    config: Callable[[], Config],
    timestamp: Timestamp,
) -> JobBody:
    """Provision the green fleet; shift traffic: ALL_AT_ONCE then a bake (WaitIntervalInSeconds), CANARY
    the canary share, a bake, then the rest, LINEAR step by step with a bake after each step; then wait
    TerminationWaitInSeconds and terminate the blue fleet. Alarms are watched from start to end."""
    routing = policy.get("TrafficRoutingConfiguration", {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0})
    wait_interval = routing.get("WaitIntervalInSeconds", 0)
    try:
        set_status(pending.fleets, "Creating", timestamp())
        yield Wait(config().provision_seconds, watch=True)
        _check_health(pending.fleets)
        for fleet in pending.fleets:
            fleet.current_count = fleet.desired_count
        capacity = sum(fleet.desired_count for fleet in pending.fleets)
        kind = routing.get("Type", "ALL_AT_ONCE")
        steps = traffic_steps(routing, capacity)
        for index, fraction in enumerate(steps):
            set_status(pending.fleets, "ActivatingTraffic", timestamp())
            _shift(endpoint, pending, fraction)
            if kind == "LINEAR":  # each step deactivates the same share of the blue fleet
                for fleet in endpoint.fleets:
                    fleet.current_count = math.ceil(fleet.desired_count * (1.0 - fraction) - 1e-9)
            if kind == "CANARY" and index == len(steps) - 1:
                break  # the bake is after the canary step; the remainder shifts once it passed
            set_status(pending.fleets, "Baking", timestamp())
            yield Wait(wait_interval, watch=True)
        set_status(pending.fleets, "Baking", timestamp())
        yield Wait(policy.get("TerminationWaitInSeconds", 0), watch=True)
    except (AlarmFired, HealthCheckFailed, ExecutionTimeout) as error:
        yield from _roll_back(endpoint, pending, _reason(error), 1, config, timestamp)
        return
    _finish(endpoint, pending, timestamp)


def rolling(
    endpoint: Endpoint,
    pending: Pending,
    policy: dict[str, Any],
    config: Callable[[], Config],
    timestamp: Timestamp,
) -> JobBody:
    """Replace the fleet batch by batch: provision a batch, move its share of traffic, terminate as many
    old instances, bake WaitIntervalInSeconds. A rollback restores RollbackMaximumBatchSize at a time."""
    green = pending.fleets[0]
    blue = next((fleet for fleet in endpoint.fleets if fleet.name == green.name), endpoint.fleets[0])
    total = max(green.desired_count, 1)
    batch = batch_size(policy["MaximumBatchSize"], total)
    done = 0
    try:
        while done < total:
            count = min(batch, total - done)
            set_status([green], "Creating", timestamp())
            yield Wait(config().provision_seconds, watch=True)
            _check_health([green])
            done += count
            green.current_count = done
            set_status([green], "ActivatingTraffic", timestamp())
            _shift(endpoint, pending, done / total)
            blue.current_count = max(blue.desired_count - done, 0)
            set_status([green], "Baking", timestamp())
            yield Wait(policy.get("WaitIntervalInSeconds", 0), watch=True)
    except (AlarmFired, HealthCheckFailed, ExecutionTimeout) as error:
        rollback_size = policy.get("RollbackMaximumBatchSize")
        batches = math.ceil(max(done, 1) / batch_size(rollback_size, total)) if rollback_size else 1
        yield from _roll_back(endpoint, pending, _reason(error), batches, config, timestamp)
        return
    _finish(endpoint, pending, timestamp)


def batch_size(size: dict[str, Any], total: int) -> int:
    if size["Type"] == "INSTANCE_COUNT":
        return max(int(size["Value"]), 1)
    return max(math.floor(total * size["Value"] / 100.0), 1)


def _check_health(fleets: list[Fleet]) -> None:
    failing = [fleet for fleet in fleets if fleet.failing]
    if failing:
        raise HealthCheckFailed(failing[0].name)


def _reason(error: Exception) -> str:
    if isinstance(error, AlarmFired):
        return alarm_reason(error.alarms)
    if isinstance(error, HealthCheckFailed):
        return health_check_reason(error.variant)
    return TIMEOUT_REASON


def _roll_back(
    endpoint: Endpoint,
    pending: Pending,
    reason: str,
    batches: int,
    config: Callable[[], Config],
    timestamp: Timestamp,
) -> JobBody:
    """Traffic back to the blue fleet, green fleet terminated; ends InService on the old configuration
    (or, with ``fail_rollbacks``, UpdateRollbackFailed with both fleets serving)."""
    if config().fail_rollbacks:
        yield Wait(config().rollback_seconds)
        _shift(endpoint, pending, 0.5)
        endpoint.pending = None
        endpoint.status = "UpdateRollbackFailed"
        endpoint.failure_reason = f"{reason} The automatic rollback failed."
        endpoint.modified = timestamp()
        return
    set_status(pending.fleets, "Deleting", timestamp())
    _shift(endpoint, pending, 0.0)
    for fleet in endpoint.fleets:
        fleet.current_count = fleet.desired_count
    for _ in range(batches):
        yield Wait(config().rollback_seconds)
    settle(endpoint.fleets)
    endpoint.pending = None
    endpoint.status = "InService"
    endpoint.failure_reason = reason if config().rollback_failure_reason else ""
    endpoint.modified = timestamp()


def _finish(endpoint: Endpoint, pending: Pending, timestamp: Timestamp) -> None:
    settle(pending.fleets)
    settle(pending.shadow_fleets)
    endpoint.config_name = pending.config_name
    endpoint.fleets = pending.fleets
    endpoint.shadow_fleets = pending.shadow_fleets
    endpoint.async_config = pending.async_config
    endpoint.data_capture = pending.data_capture
    endpoint.pending = None
    endpoint.status = "InService"
    endpoint.failure_reason = ""
    endpoint.modified = timestamp()


# ------------------------------------------------------------------------------- capacity and deletion


def change_capacity(endpoint: Endpoint, config: Callable[[], Config], timestamp: Timestamp) -> JobBody:
    """UpdateEndpointWeightsAndCapacities: Updating while instances start or stop, then InService."""
    yield Wait(config().weights_seconds)
    for fleet in endpoint.fleets:
        if fleet.desired_serverless is not None:
            fleet.serverless = dict(fleet.desired_serverless)
    settle(endpoint.fleets)
    endpoint.status = "InService"
    endpoint.modified = timestamp()


def delete(endpoint: Endpoint, region: Region, config: Callable[[], Config]) -> JobBody:
    """Deleting, then gone; Application Auto Scaling deregisters the endpoint's scalable targets."""
    yield Wait(config().delete_seconds)
    if region.endpoints.get(endpoint.name) is endpoint:
        del region.endpoints[endpoint.name]
    region.tags.pop(endpoint.arn, None)
    endpoint.deleted = True
    moto_bridge.deregister_endpoint_targets(endpoint.account, endpoint.region, endpoint.name)
