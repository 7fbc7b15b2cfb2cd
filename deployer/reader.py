"""The read path (what ``terraform plan`` triggers): Describe/List calls only, never a write.

For an endpoint that already serves the spec this costs exactly 2 API calls: DescribeEndpoint and
ListTags on its ARN. Everything else (drift, last rollout, the result map) is computed from those two
answers. This module imports neither the planner's write helpers nor the executor.

Endpoint state lives in tags on the endpoint, encoded by ``deployer.state`` (keys and outcomes there).

An endpoint that does not exist: the rollout id counts as acted on when a resource of the spec's release
carries it in its ``rollout-id`` tag: the endpoint configuration (written before CreateEndpoint) or the
first model (written by CreateModel, the first write of a new endpoint's rollout); the answer is then
``action=deferred``, ``status=""``, ``drift=true`` and the outcome recorded there (``refused`` with AWS's
reason, ...) or ``interrupted``. A rollout id with no trace at all whose plan is older than this read's
(``not_applied``) is never rolled out by a read either: see ``deployer.operations``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deployer.aws import is_not_found
from deployer.release import config_name, model_name, release_id
from deployer.spec import RESERVED_TAG_PREFIX, Spec
from deployer.state import (  # noqa: F401  (re-exported: the read path's callers use reader.TAG_*)
    OUTCOMES,
    PREPARING,
    TAG_ALARMS,
    TAG_FAILED_RELEASES,
    TAG_HOTFIX,
    TAG_LAST_ROLLOUT,
    TAG_LAST_ROLLOUT_REASON,
    TAG_POLICY,
    TAG_PREVIOUS_CONFIG,
    TAG_ROLLOUT_ID,
    TAG_TARGET_CONFIG,
    EndpointState,
    decode_tags,
)
from deployer.waiter import IN_PROGRESS, TERMINAL_FAILED


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
    """ListTags, every page, with the deployer's own values decoded (``deployer.state.decode_tags``)."""
    tags: dict[str, str] = {}
    kwargs: dict[str, Any] = {"ResourceArn": arn, "MaxResults": 100}
    while True:
        answer = sagemaker.list_tags(**kwargs)
        tags.update({t["Key"]: t.get("Value", "") for t in answer.get("Tags", [])})
        token = answer.get("NextToken")
        if not token:
            return decode_tags(tags)
        kwargs["NextToken"] = token


def read_endpoint(sagemaker: Any, name: str) -> Live:
    """DescribeEndpoint, then ListTags on its ARN: 2 calls (1 when the endpoint does not exist)."""
    describe = describe_endpoint(sagemaker, name)
    if describe is None:
        return Live(name, None, {})
    return Live(name, describe, list_tags(sagemaker, describe["EndpointArn"]))


def release_trace(sagemaker: Any, spec: Spec, rollout_id: str) -> EndpointState | None:
    """For a missing endpoint: the state tags of the spec's release resource that carries this rollout id
    (its endpoint configuration, else its first model: the first write of a new endpoint's rollout), or
    None when neither does (DescribeEndpointConfig/DescribeModel + ListTags; read only)."""
    release = release_id(spec)
    for describe, arn_key in (
        (
            lambda: sagemaker.describe_endpoint_config(
                EndpointConfigName=config_name(spec.endpoint_name, release)
            ),
            "EndpointConfigArn",
        ),
        (lambda: sagemaker.describe_model(ModelName=model_name(spec.endpoint_name, release, 0)), "ModelArn"),
    ):
        try:
            found = describe()
        except Exception as error:
            if is_not_found(error):
                continue
            raise
        state = EndpointState.from_tags(list_tags(sagemaker, found[arn_key]))
        if state.rollout_id == rollout_id:
            return state
    return None


def rollout_recorded_on_release(sagemaker: Any, spec: Spec, rollout_id: str) -> bool:
    """For a missing endpoint: does one of the spec's release resources carry this rollout id?"""
    return release_trace(sagemaker, spec, rollout_id) is not None


def trace_outcome(trace: EndpointState) -> tuple[str, str]:
    """(outcome, reason) of a new endpoint's rollout from its trace on the release (the endpoint is
    missing): what the rollout recorded there, else ``interrupted`` (stopped before CreateEndpoint)."""
    if trace.last_rollout in OUTCOMES and trace.last_rollout not in ("in_progress", "none", "succeeded"):
        return trace.last_rollout, trace.reason
    return "interrupted", (
        f"interrupted: the rollout {trace.rollout_id} stopped before CreateEndpoint; "
        f"the endpoint was not created; {RETRY}"
    )


RETRY = (
    "a plan never retries a rollout: retry it with "
    "terraform apply -replace='module.<name>.terraform_data.rollout[0]' (or change the desired state)"
)


def not_applied(rollout_id: str, planned_at: str) -> tuple[str, str]:
    """(outcome, reason) of a rollout id planned before this read's plan that left no trace: its apply
    stopped before the first write was recorded (AWS refused that write, or the apply was killed)."""
    return "interrupted", (
        f"interrupted: the apply of rollout {rollout_id} (planned at {planned_at}) stopped before it "
        "recorded anything: AWS refused its first write or the apply was stopped (its error is in that "
        f"apply's output); nothing was changed; {RETRY}"
    )


def last_rollout(live: Live) -> tuple[str, str]:
    """(outcome, reason) of the last rollout, from our tags and the endpoint as it is now.

    A rollout recorded as in progress, timed out or interrupted (SIGINT/SIGTERM) whose endpoint has
    settled (the deployer was stopped or timed out while AWS finished the work) is judged here as the
    executor would have: by the configuration served, once its update was accepted; before that
    (``phase=preparing``) the endpoint never changed and the rollout was ``interrupted`` (or stays
    ``timed_out``).
    """
    if not live.exists:
        return ("none", "") if not live.state.last_rollout else ("failed", "the endpoint does not exist")
    state = live.state
    if not state.last_rollout:
        return "none", ""
    if state.last_rollout not in ("in_progress", "timed_out", "interrupted"):
        outcome = state.last_rollout if state.last_rollout in OUTCOMES else "none"
        return outcome, state.reason
    if live.status in IN_PROGRESS or live.pending_config:
        return state.last_rollout, state.reason
    reason = str((live.describe or {}).get("FailureReason", "") or "")
    if live.status in TERMINAL_FAILED:
        return "failed", f"endpoint is {live.status}: {reason or 'no failure reason given'}"
    if state.target_config and live.config_name != state.target_config:
        if state.phase == PREPARING:
            if state.last_rollout in ("timed_out", "interrupted"):
                return state.last_rollout, state.reason
            return "interrupted", (
                f"interrupted: the deployer stopped before its update to {state.target_config} was "
                f"accepted; {live.config_name} is still served and nothing was changed; run the rollout "
                "again (terraform apply, or sagemaker-rollout apply)"
            )
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
    trace: EndpointState | None = None,
    last: tuple[str, str] | None = None,
) -> dict[str, str]:
    """The flat string map of SPEC §5 + region, release_models, autoscaling_deregistered.
    ``trace``: a missing endpoint's rollout as recorded on its release; ``last``: (outcome, reason)
    decided by the caller."""
    release = release_id(spec)
    desired = config_name(spec.endpoint_name, release)
    drifted = drift(live, desired)
    if last is not None:
        outcome, reason = last
    elif trace is not None and not live.exists:
        outcome, reason = trace_outcome(trace)
    else:
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
