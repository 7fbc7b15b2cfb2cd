"""Application Auto Scaling gaps of moto that the AWS provider and SageMaker need.

- Tagging (TagResource, UntagResource, ListTagsForResource on a scalable target ARN, and ``Tags`` given to
  RegisterScalableTarget): moto 5.2 has none of it, and hashicorp/aws 5.x reads a target's tags after every
  create. Source: Application Auto Scaling API reference, "TagResource" / "ListTagsForResource"
  (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_ListTagsForResource.html); an unknown
  ARN answers ``ResourceNotFoundException``.
- DeregisterScalableTarget deletes the target's scaling policies (and their target-tracking alarms) and
  scheduled actions; moto keeps them. Source: AWS-FACTS.md "Application Auto Scaling"; API reference
  "DeregisterScalableTarget" ("Deregistering a scalable target deletes the scaling policies and the
  scheduled actions that are associated with it").
- The ``sagemaker:variant:DesiredProvisionedConcurrency`` scalable dimension (serverless provisioned
  concurrency), which moto's enum lacks. Source: AWS-FACTS.md "Application Auto Scaling"; API reference
  "RegisterScalableTarget", ScalableDimension.
"""

from __future__ import annotations

import threading
from enum import Enum
from typing import Any

TAG_OPERATIONS = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})
EXTRA_DIMENSIONS = {
    "SAGEMAKER_VARIANT_DESIRED_PROVISIONED_CONCURRENCY": "sagemaker:variant:DesiredProvisionedConcurrency",
    "SAGEMAKER_INFERENCE_COMPONENT_DESIRED_COPY_COUNT": "sagemaker:inference-component:DesiredCopyCount",
}


class AutoscalingError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def extend_moto_dimensions() -> None:
    """Teach moto's validation the SageMaker dimensions it lacks (idempotent)."""
    from moto.applicationautoscaling import models, responses

    current = models.ScalableDimensionValueSet
    members = {member.name: member.value for member in current}
    if all(name in members for name in EXTRA_DIMENSIONS):
        return
    extended = Enum("ScalableDimensionValueSet", {**members, **EXTRA_DIMENSIONS})  # type: ignore[misc]
    models.ScalableDimensionValueSet = extended  # type: ignore[misc]
    responses.ScalableDimensionValueSet = extended  # type: ignore[misc]


def _backend(account: str, region: str) -> Any:
    from moto.applicationautoscaling.models import applicationautoscaling_backends

    return applicationautoscaling_backends[account][region]


def _targets(account: str, region: str) -> list[Any]:
    return [target for by_id in _backend(account, region).targets.values() for target in by_id.values()]


def deregistered(account: str, region: str, request: dict[str, Any]) -> None:
    """After moto deregistered a target: delete its policies and scheduled actions, as AWS does."""
    backend = _backend(account, region)
    key = (request.get("ServiceNamespace"), request.get("ResourceId"), request.get("ScalableDimension"))

    def owned(item: Any) -> bool:
        return (item.service_namespace, item.resource_id, item.scalable_dimension) == key

    for policy in [p for p in backend.policies.values() if owned(p)]:
        backend.delete_scaling_policy(policy.policy_name, *key)
    backend.scheduled_actions = [a for a in backend.scheduled_actions if not owned(a)]


class AutoscalingTags:
    """Tags of scalable targets, keyed by target ARN; the target itself lives in moto."""

    def __init__(self) -> None:
        self._tags: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._tags.clear()

    def registered(self, account: str, region: str, request: dict[str, Any]) -> None:
        """After moto registered a target: keep the ``Tags`` of the request under the target's ARN."""
        arn = self._arn_of(account, region, request)
        if arn and request.get("Tags"):
            with self._lock:
                self._tags.setdefault(arn, {}).update(request["Tags"])

    def call(self, account: str, region: str, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        arn = request.get("ResourceARN", "")
        if arn not in {target.arn for target in _targets(account, region)}:
            raise AutoscalingError("ResourceNotFoundException", f"No scalable target found for {arn}")
        with self._lock:
            tags = self._tags.setdefault(arn, {})
            if operation == "TagResource":
                tags.update(request.get("Tags") or {})
            elif operation == "UntagResource":
                for key in request.get("TagKeys") or []:
                    tags.pop(key, None)
            return {"Tags": dict(tags)} if operation == "ListTagsForResource" else {}

    @staticmethod
    def _arn_of(account: str, region: str, request: dict[str, Any]) -> str:
        for target in _targets(account, region):
            if (target.resource_id, target.scalable_dimension) == (
                request.get("ResourceId"),
                request.get("ScalableDimension"),
            ):
                return target.arn
        return ""
