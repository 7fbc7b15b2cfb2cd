"""Application Auto Scaling around a rollout: snapshot what is registered, put it back if the rollout fails.

DeregisterScalableTarget deletes the target's scaling policies and scheduled actions (Application Auto
Scaling API reference, "DeregisterScalableTarget"). A rollout that deregisters targets (an instance-type
change, docs/aws-behaviour.md) and then does not succeed (refused, rolled back, failed) must leave the
endpoint scaling as it did before: ``snapshot`` before deregistering, ``restore`` on the way out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

NAMESPACE = "sagemaker"
POLICY_CONFIGS = (
    "TargetTrackingScalingPolicyConfiguration",
    "StepScalingPolicyConfiguration",
    "PredictiveScalingPolicyConfiguration",
)
ACTION_FIELDS = ("Schedule", "Timezone", "StartTime", "EndTime", "ScalableTargetAction")


@dataclass(frozen=True)
class Target:
    """One scalable target with everything DeregisterScalableTarget deletes along with it."""

    resource_id: str
    dimension: str
    register: Mapping[str, Any]  # RegisterScalableTarget arguments that recreate it
    policies: tuple[Mapping[str, Any], ...]  # PutScalingPolicy arguments
    actions: tuple[Mapping[str, Any], ...]  # PutScheduledAction arguments


@dataclass(frozen=True)
class Snapshot:
    targets: tuple[Target, ...] = ()

    @property
    def resource_ids(self) -> tuple[str, ...]:
        return tuple(t.resource_id for t in self.targets)


NOTHING = Snapshot()


def _pages(call: Any, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        answer = call(**kwargs)
        found += answer.get(key, [])
        token = answer.get("NextToken")
        if not token:
            return found
        kwargs["NextToken"] = token


def _tags(client: Any, arn: str) -> dict[str, str]:
    if not arn:
        return {}
    try:
        return dict(client.list_tags_for_resource(ResourceARN=arn).get("Tags", {}))
    except Exception:  # tags are best effort: a role without ListTagsForResource still restores scaling
        return {}


def _target(client: Any, found: Mapping[str, Any]) -> Target:
    key = {
        "ServiceNamespace": NAMESPACE,
        "ResourceId": found["ResourceId"],
        "ScalableDimension": found["ScalableDimension"],
    }
    register: dict[str, Any] = {
        **key,
        "MinCapacity": found["MinCapacity"],
        "MaxCapacity": found["MaxCapacity"],
    }
    if found.get("SuspendedState"):
        register["SuspendedState"] = found["SuspendedState"]
    tags = _tags(client, str(found.get("ScalableTargetARN", "")))
    if tags:
        register["Tags"] = tags
    policies = tuple(
        {
            **key,
            "PolicyName": p["PolicyName"],
            "PolicyType": p["PolicyType"],
            **{c: p[c] for c in POLICY_CONFIGS if c in p},
        }
        for p in _pages(client.describe_scaling_policies, "ScalingPolicies", **key)
    )
    actions = tuple(
        {
            **key,
            "ScheduledActionName": a["ScheduledActionName"],
            **{f: a[f] for f in ACTION_FIELDS if f in a},
        }
        for a in _pages(client.describe_scheduled_actions, "ScheduledActions", **key)
    )
    return Target(found["ResourceId"], found["ScalableDimension"], register, policies, actions)


def snapshot(client: Any, targets: Iterable[Mapping[str, Any]]) -> Snapshot:
    """Read the policies and scheduled actions of ``targets`` (DescribeScalableTargets entries)."""
    return Snapshot(tuple(_target(client, t) for t in targets))


def restore(client: Any, taken: Snapshot) -> list[str]:
    """Register every target of the snapshot again, then put its policies and scheduled actions back.

    Idempotent: RegisterScalableTarget updates an existing target, PutScalingPolicy and
    PutScheduledAction replace one of the same name. Returns the resource ids restored."""
    for target in taken.targets:
        client.register_scalable_target(**target.register)
        for policy in target.policies:
            client.put_scaling_policy(**policy)
        for action in target.actions:
            client.put_scheduled_action(**action)
    return list(taken.resource_ids)
