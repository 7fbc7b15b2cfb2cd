"""The read path (what ``terraform plan`` triggers): Describe/List calls only, never a write.

For an endpoint that already serves the spec this costs exactly 2 API calls: DescribeEndpoint and
ListTags on its ARN. Everything else (drift, last rollout, the result map) is computed from those two
answers. This module imports neither the planner's write helpers nor the executor.

Endpoint state lives in tags on the endpoint (keys below, all under ``sagemaker-rollout:``):
``rollout-id`` (last Terraform rollout id acted on), ``last-rollout`` (+ ``-reason``), ``target-config``
(what the last rollout asked for), ``previous-config`` (the rollback target), ``hotfix`` (release id of a
hotfix made outside Terraform), ``failed-releases`` and ``policy`` (bake/timeout/retention, for CLI
operations that have no spec).

An endpoint that does not exist: the rollout id counts as acted on when the endpoint configuration of
the spec's release carries it in its ``rollout-id`` tag (the create path writes it there before
CreateEndpoint); the answer is then ``action=deferred``, ``status=""``, ``drift=true``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deployer.aws import is_not_found
from deployer.release import (
    TAG_HOTFIX,
    TAG_LAST_ROLLOUT,
    TAG_LAST_ROLLOUT_REASON,
    TAG_ROLLOUT_ID,
    config_name,
    model_name,
    release_id,
)
from deployer.spec import RESERVED_TAG_PREFIX, Spec
from deployer.waiter import IN_PROGRESS, TERMINAL_FAILED

TAG_TARGET_CONFIG = f"{RESERVED_TAG_PREFIX}target-config"
TAG_PREVIOUS_CONFIG = f"{RESERVED_TAG_PREFIX}previous-config"
TAG_FAILED_RELEASES = f"{RESERVED_TAG_PREFIX}failed-releases"
TAG_POLICY = f"{RESERVED_TAG_PREFIX}policy"
TAG_ALARMS = f"{RESERVED_TAG_PREFIX}alarms"

OUTCOMES = ("succeeded", "rolled_back", "failed", "in_progress", "none")


@dataclass(frozen=True)
class EndpointState:
    """What our tags on the endpoint say."""

    rollout_id: str = ""
    last_rollout: str = ""
    reason: str = ""
    target_config: str = ""
    previous_config: str = ""
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
            target_config=tags.get(TAG_TARGET_CONFIG, ""),
            previous_config=tags.get(TAG_PREVIOUS_CONFIG, ""),
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


@dataclass(frozen=True)
class Live:
    """The endpoint as DescribeEndpoint (None: it does not exist) and ListTags show it."""

    name: str
    describe: Mapping[str, Any] | None
    tags: Mapping[str, str]

    @property
    def exists(self) -> bool:
        return self.describe is not None

    @property
    def state(self) -> EndpointState:
        return EndpointState.from_tags(self.tags)

    @property
    def status(self) -> str:
        return str((self.describe or {}).get("EndpointStatus", ""))

    @property
    def config_name(self) -> str:
        return str((self.describe or {}).get("EndpointConfigName", ""))

    @property
    def arn(self) -> str:
        return str((self.describe or {}).get("EndpointArn", ""))

    @property
    def pending_config(self) -> str:
        pending = (self.describe or {}).get("PendingDeploymentSummary") or {}
        return str(pending.get("EndpointConfigName", ""))

    @property
    def user_tags(self) -> dict[str, str]:
        return {
            k: v
            for k, v in self.tags.items()
            if not k.startswith(RESERVED_TAG_PREFIX) and not k.startswith("aws:")
        }


def describe_endpoint(sagemaker: Any, name: str) -> dict[str, Any] | None:
    try:
        answer = sagemaker.describe_endpoint(EndpointName=name)
    except Exception as error:
        if is_not_found(error):
            return None
        raise
    answer.pop("ResponseMetadata", None)
    return answer


def list_tags(sagemaker: Any, arn: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    kwargs: dict[str, Any] = {"ResourceArn": arn, "MaxResults": 100}
    while True:
        answer = sagemaker.list_tags(**kwargs)
        tags.update({t["Key"]: t.get("Value", "") for t in answer.get("Tags", [])})
        token = answer.get("NextToken")
        if not token:
            return tags
        kwargs["NextToken"] = token


def read_endpoint(sagemaker: Any, name: str) -> Live:
    """DescribeEndpoint, then ListTags on its ARN: 2 calls (1 when the endpoint does not exist)."""
    describe = describe_endpoint(sagemaker, name)
    if describe is None:
        return Live(name, None, {})
    return Live(name, describe, list_tags(sagemaker, describe["EndpointArn"]))


def rollout_recorded_on_release(sagemaker: Any, spec: Spec, rollout_id: str) -> bool:
    """For a missing endpoint: does the spec's release configuration carry this rollout id?"""
    try:
        config = sagemaker.describe_endpoint_config(
            EndpointConfigName=config_name(spec.endpoint_name, release_id(spec))
        )
    except Exception as error:
        if is_not_found(error):
            return False
        raise
    return list_tags(sagemaker, config["EndpointConfigArn"]).get(TAG_ROLLOUT_ID, "") == rollout_id


def last_rollout(live: Live) -> tuple[str, str]:
    """(outcome, reason) of the last rollout, from our tags and the endpoint as it is now.

    A rollout recorded as in progress whose endpoint has settled (the deployer was stopped or timed out
    while AWS finished the work) is judged here as the executor would have: by the configuration served.
    """
    if not live.exists:
        return ("none", "") if not live.state.last_rollout else ("failed", "the endpoint does not exist")
    state = live.state
    if not state.last_rollout:
        return "none", ""
    if state.last_rollout != "in_progress":
        outcome = state.last_rollout if state.last_rollout in OUTCOMES else "none"
        return outcome, state.reason
    if live.status in IN_PROGRESS or live.pending_config:
        return "in_progress", state.reason
    reason = str((live.describe or {}).get("FailureReason", "") or "")
    if live.status in TERMINAL_FAILED:
        return "failed", f"endpoint is {live.status}: {reason or 'no failure reason given'}"
    if state.target_config and live.config_name != state.target_config:
        kept = f"SageMaker kept {live.config_name} instead of {state.target_config}"
        return "rolled_back", f"{kept}: {reason}" if reason else kept
    return "succeeded", ""


def drift(live: Live, desired_config: str) -> bool:
    """True unless the endpoint serves ``desired_config``, settled and healthy, with no hotfix on top."""
    if not live.exists:
        return True
    return (
        live.config_name != desired_config
        or live.status in TERMINAL_FAILED
        or bool(live.pending_config)
        or bool(live.state.hotfix)
    )


def result_map(
    spec: Spec,
    live: Live,
    *,
    action: str | None = None,
    deregistered: tuple[str, ...] = (),
) -> dict[str, str]:
    """The flat string map of SPEC §5 + region, release_models, autoscaling_deregistered."""
    release = release_id(spec)
    desired = config_name(spec.endpoint_name, release)
    drifted = drift(live, desired)
    outcome, reason = last_rollout(live)
    if action is None:
        action = "deferred" if drifted else "unchanged"
    return {
        "endpoint_name": spec.endpoint_name,
        "endpoint_arn": live.arn,
        "endpoint_config_name": live.config_name,
        "release": release,
        "previous_endpoint_config_name": live.state.previous_config,
        "variant_names": json.dumps([v.name for v in spec.variants], separators=(",", ":")),
        "action": action,
        "status": live.status,
        "drift": "true" if drifted else "false",
        "last_rollout": outcome,
        "last_rollout_reason": reason,
        "region": spec.region,
        "release_models": json.dumps(
            [model_name(spec.endpoint_name, release, i) for i in range(len(spec.variants))],
            separators=(",", ":"),
        ),
        "autoscaling_deregistered": json.dumps(list(deregistered), separators=(",", ":")),
    }
