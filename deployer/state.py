"""The endpoint's state tags: their keys, what a rollout writes at each step, and how a read decodes them.

The one place that encodes rollout state on the endpoint (all keys under ``sagemaker-rollout:``):
``rollout-id`` (last Terraform rollout id acted on), ``last-rollout`` (one of ``OUTCOMES`` or
``in_progress``) with ``last-rollout-reason``, ``phase`` (``preparing`` until UpdateEndpoint/CreateEndpoint
was accepted, then ``updating``), ``target-config`` (what the last rollout asked for), ``from-config``
(what was served when it began), ``previous-config`` (the rollback target), ``hotfix``,
``failed-releases``, ``policy`` and ``alarms``; ``lease-owner`` and
``lease-expires`` (the lease of ``deployer.lease``); ``managed-by`` and ``endpoint`` (``is_managed``).

Outcomes (``last_rollout``): ``succeeded``; ``refused`` (AWS refused a Create*/UpdateEndpoint call or its
parameters, before the endpoint changed); ``interrupted`` (the deployer stopped before its update was
accepted); ``timed_out`` (the deadline passed waiting for another actor or for the update);
``rolled_back`` (SageMaker's auto-rollback or our alarm rollback: the previous release is live);
``failed`` (anything else); ``in_progress``; ``none``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from deployer.spec import RESERVED_TAG_PREFIX

# Ownership: the endpoint and every model and configuration the deployer creates carry these two.
TAG_MANAGED_BY = f"{RESERVED_TAG_PREFIX}managed-by"
TAG_MANAGED_BY_VALUE = "sagemaker-rollout"
TAG_ENDPOINT = f"{RESERVED_TAG_PREFIX}endpoint"
TAG_ROLLOUT_ID = f"{RESERVED_TAG_PREFIX}rollout-id"
TAG_SPEC_RELEASE = f"{RESERVED_TAG_PREFIX}spec-release"
TAG_LAST_ROLLOUT = f"{RESERVED_TAG_PREFIX}last-rollout"
TAG_LAST_ROLLOUT_REASON = f"{RESERVED_TAG_PREFIX}last-rollout-reason"
TAG_PHASE = f"{RESERVED_TAG_PREFIX}phase"
TAG_HOTFIX = f"{RESERVED_TAG_PREFIX}hotfix"
TAG_TARGET_CONFIG = f"{RESERVED_TAG_PREFIX}target-config"
TAG_PREVIOUS_CONFIG = f"{RESERVED_TAG_PREFIX}previous-config"
# The configuration the endpoint served when the rollout began: the rollback target a killed run that
# SageMaker finished never recorded (the next run of the same release records it as previous-config).
TAG_FROM_CONFIG = f"{RESERVED_TAG_PREFIX}from-config"
TAG_FAILED_RELEASES = f"{RESERVED_TAG_PREFIX}failed-releases"
TAG_POLICY = f"{RESERVED_TAG_PREFIX}policy"
# The lease (deployer/lease.py): who writes to the endpoint now, and until when (Unix seconds, wall clock).
TAG_LEASE_OWNER = f"{RESERVED_TAG_PREFIX}lease-owner"
TAG_LEASE_EXPIRES = f"{RESERVED_TAG_PREFIX}lease-expires"
LEASE_KEYS = (TAG_LEASE_OWNER, TAG_LEASE_EXPIRES)
TAG_ALARMS = f"{RESERVED_TAG_PREFIX}alarms"

OUTCOMES = (
    "succeeded",
    "refused",
    "interrupted",
    "timed_out",
    "rolled_back",
    "failed",
    "in_progress",
    "none",
)
PREPARING = "preparing"
UPDATING = "updating"


def started(target_config: str, rollout_id: str | None = None, from_config: str = "") -> dict[str, str]:
    """Tags of a rollout that has begun and not yet had its update accepted (``from_config``: what the
    endpoint served then)."""
    tags = {
        TAG_LAST_ROLLOUT: "in_progress",
        TAG_LAST_ROLLOUT_REASON: "",
        TAG_PHASE: PREPARING,
        TAG_TARGET_CONFIG: target_config,
    }
    if rollout_id:
        tags[TAG_ROLLOUT_ID] = rollout_id
    if from_config:
        tags[TAG_FROM_CONFIG] = from_config
    return tags


def update_accepted() -> dict[str, str]:
    """Tags once SageMaker accepted our UpdateEndpoint (from here a settled endpoint is judged)."""
    return {TAG_PHASE: UPDATING}


def finished(outcome: str, reason: str = "") -> dict[str, str]:
    """Tags of a rollout that ended with ``outcome`` (one of ``OUTCOMES``)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown rollout outcome {outcome!r}")
    return {TAG_LAST_ROLLOUT: outcome, TAG_LAST_ROLLOUT_REASON: reason}


def lease_tags(owner: str, expires_at: float) -> dict[str, str]:
    """Tags of a lease held by ``owner`` until ``expires_at`` (Unix seconds)."""
    return {TAG_LEASE_OWNER: owner, TAG_LEASE_EXPIRES: str(int(expires_at))}


@dataclass(frozen=True)
class Lease:
    """The lease the endpoint's tags record (``owner`` empty: none)."""

    owner: str = ""
    expires_at: float = 0.0

    @classmethod
    def from_tags(cls, tags: Mapping[str, str]) -> Lease:
        expires = tags.get(TAG_LEASE_EXPIRES, "")
        expires_at = float(expires) if expires.isdigit() else 0.0
        return cls(owner=tags.get(TAG_LEASE_OWNER, ""), expires_at=expires_at)

    def live_for_other(self, owner: str, now: float) -> bool:
        """Held by someone else and not expired at ``now``."""
        return bool(self.owner) and self.owner != owner and self.expires_at > now


def is_managed(tags: Mapping[str, str], endpoint: str) -> bool:
    """Whether a resource with these tags is the deployer's, for ``endpoint``: ``managed-by`` is ours and
    ``endpoint`` (when present) names it. ``destroy`` deletes nothing else without ``--force``."""
    if tags.get(TAG_MANAGED_BY) != TAG_MANAGED_BY_VALUE:
        return False
    return tags.get(TAG_ENDPOINT, endpoint) == endpoint


@dataclass(frozen=True)
class EndpointState:
    """What our tags on the endpoint say."""

    rollout_id: str = ""
    last_rollout: str = ""
    reason: str = ""
    phase: str = ""
    target_config: str = ""
    previous_config: str = ""
    from_config: str = ""
    hotfix: str = ""
    failed_releases: tuple[str, ...] = ()
    policy: str = ""
    alarms: tuple[str, ...] = ()

    @classmethod
    def from_tags(cls, tags: Mapping[str, str]) -> EndpointState:
        return cls(
            rollout_id=tags.get(TAG_ROLLOUT_ID, ""),
            last_rollout=tags.get(TAG_LAST_ROLLOUT, ""),
            reason=tags.get(TAG_LAST_ROLLOUT_REASON, ""),
            phase=tags.get(TAG_PHASE, ""),
            target_config=tags.get(TAG_TARGET_CONFIG, ""),
            previous_config=tags.get(TAG_PREVIOUS_CONFIG, ""),
            from_config=tags.get(TAG_FROM_CONFIG, ""),
            hotfix=tags.get(TAG_HOTFIX, ""),
            failed_releases=tuple(tags.get(TAG_FAILED_RELEASES, "").split()),
            policy=tags.get(TAG_POLICY, ""),
            alarms=tuple(tags.get(TAG_ALARMS, "").split()),
        )

    def policy_items(self) -> dict[str, str]:
        """``policy`` tag as a map (``strategy=blue_green wait=0 ... keep=3``)."""
        items = {}
        for item in self.policy.split():
            name, _, value = item.partition("=")
            items[name] = value
        return items

    def policy_value(self, key: str, default: int) -> int:
        value = self.policy_items().get(key, "")
        return int(value) if value.isdigit() else default
