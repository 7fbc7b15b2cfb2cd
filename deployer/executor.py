"""The write path: releases, rollouts, rollbacks, pruning and destruction, each verified.

Order of a rollout (issue 3, docs/aws-behaviour.md):

1. record the rollout on the endpoint (AddTags: rollout id, ``in_progress``, target configuration)
   before any other write, so that an interrupted run is never retried by a plan-time read;
2. wait, bounded by ``deployment.timeout_seconds``, until the endpoint is settled;
3. create the release's models and configuration (idempotent: "already exists" means reuse); a write
   AWS refuses before the endpoint moved deletes what this run created (retention never sees it);
4. deregister the scalable targets the update would break;
5. CreateEndpoint, or UpdateEndpoint with the full DeploymentConfig;
6. wait, then judge: success only if the endpoint serves the configuration we asked for;
7. record the outcome on the endpoint; with ``bake_seconds`` watch the rollback alarms and roll back
   ourselves if one fires; after success only, prune beyond ``keep_releases``.

A deadline raises ``RolloutTimeout`` and undoes nothing (the tags keep saying ``in_progress``; the read
path judges the endpoint once it settles). SIGINT/SIGTERM (``deployer.interrupt``) raise ``Interrupted``
at the next wait or before the move; the rollout records ``interrupted`` with whether SageMaker had
accepted the update (then it carries on with its guardrails: nothing is cancelled).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deployer import interrupt, planner, reader, scaling
from deployer import state as rollout_state
from deployer.aws import (
    error_code,
    error_message,
    is_already_exists,
    is_not_found,
    is_retryable,
    is_role_not_assumable,
)
from deployer.errors import Interrupted, InvalidInput, RolloutFailed, RolloutTimeout
from deployer.release import (
    TAG_ENDPOINT,
    TAG_HOTFIX,
    TAG_LAST_ROLLOUT,
    TAG_LAST_ROLLOUT_REASON,
    TAG_MANAGED_BY,
    TAG_MANAGED_BY_VALUE,
    TAG_ROLLOUT_ID,
    config_name,
    model_name,
    name_prefix,
    release_from_name,
    release_id,
    resource_tags,
)
from deployer.spec import Spec
from deployer.state import as_tags
from deployer.waiter import Runtime, WaitTimeout, endpoint_settled, poll, settle_pace

MAX_FAILED_RELEASES = 12


# ---------------------------------------------------------------------------------------------------
# Tags (their values are encoded by deployer.state: as_tags)


def add_tags(rt: Runtime, arn: str, tags: Mapping[str, str]) -> None:
    if tags:
        rt.clients.sagemaker.add_tags(ResourceArn=arn, Tags=as_tags(tags))


def delete_tags(rt: Runtime, arn: str, keys: Iterable[str]) -> None:
    keys = list(keys)
    if keys:
        rt.clients.sagemaker.delete_tags(ResourceArn=arn, TagKeys=keys)


POLICY_KEYS = (
    ("strategy", "strategy"),
    ("traffic", "traffic"),
    ("canary", "canary_percent"),
    ("linear", "linear_step_percent"),
    ("wait", "wait_interval_seconds"),
    ("term", "termination_wait_seconds"),
    ("max", "max_execution_timeout_seconds"),
    ("batch", "rolling_batch_percent"),
    ("rbatch", "rollback_batch_percent"),
    ("bake", "bake_seconds"),
    ("timeout", "timeout_seconds"),
)


def policy_tag(spec: Spec) -> str:
    """The deployment policy and retention in one tag value (CLI rollback and hotfix reuse them)."""
    d = spec.deployment
    items = [f"{short}={getattr(d, field)}" for short, field in POLICY_KEYS]
    return " ".join([*items, f"keep={spec.keep_releases}"])


def alarms_tag(spec: Spec) -> str:
    """The rollback alarm names, space-separated, when no name has a space and they fit one tag value."""
    names = spec.deployment.rollback_alarms
    joined = " ".join(names)
    if any(" " in n for n in names) or not rollout_state.encoded_fits(joined):
        return ""
    return joined


def endpoint_tags(spec: Spec) -> dict[str, str]:
    """Tags of an endpoint we manage: ours plus the user's (SPEC §3 ``tags``)."""
    tags = {TAG_MANAGED_BY: TAG_MANAGED_BY_VALUE, TAG_ENDPOINT: spec.endpoint_name}
    tags.update(dict(spec.tags))
    tags[reader.TAG_POLICY] = policy_tag(spec)
    tags[reader.TAG_ALARMS] = alarms_tag(spec)
    return tags


def removed_user_tags(live: reader.Live, spec: Spec) -> list[str]:
    """User tag keys on the endpoint that the spec no longer has (the spec's ``tags`` are authoritative;
    ``sagemaker-rollout:`` and ``aws:`` keys are never the user's)."""
    return sorted(set(live.user_tags) - set(dict(spec.tags)))


def failed_list(state: reader.EndpointState, release: str) -> str:
    releases = [r for r in state.failed_releases if r != release] + [release]
    return " ".join(releases[-MAX_FAILED_RELEASES:])


# ---------------------------------------------------------------------------------------------------
# Waiting


def _describe_or_none(rt: Runtime, name: str) -> dict[str, Any] | None:
    return reader.describe_endpoint(rt.clients.sagemaker, name)


def _show(rt: Runtime, name: str):
    def on_poll(describe: Mapping[str, Any] | None) -> None:
        if describe is None:
            rt.progress.live(f"{name}: gone")
            return
        parts = [f"{name}: {describe.get('EndpointStatus')} on {describe.get('EndpointConfigName')}"]
        pending = describe.get("PendingDeploymentSummary") or {}
        if pending:
            parts.append(f"-> {pending.get('EndpointConfigName')}")
            statuses = []
            for v in pending.get("ProductionVariants", []) or []:
                for s in v.get("VariantStatus", []) or []:
                    statuses.append(f"{v.get('VariantName')}:{s.get('Status')}")
            if statuses:
                parts.append("(" + ", ".join(statuses) + ")")
        rt.progress.live(" ".join(parts))

    return on_poll


def wait_settled(rt: Runtime, name: str, deadline: float, doing: str) -> dict[str, Any] | None:
    """Poll DescribeEndpoint until settled (or gone); ``RolloutTimeout`` at the deadline."""
    try:
        return poll(
            lambda: _describe_or_none(rt, name),
            endpoint_settled,
            clock=rt.clock,
            schedule=rt.schedule,
            timeout_seconds=rt.remaining(deadline),
            on_poll=_show(rt, name),
            is_transient=is_retryable,
            pace=lambda describe, wait: settle_pace(describe, wait, scale=rt.scale),
        )
    except WaitTimeout as timeout:
        status = (timeout.last or {}).get("EndpointStatus", "unknown")
        message = f"{name}: still {status} at the deadline while {doing}; nothing was undone"
        rt.progress.info(message)
        raise RolloutTimeout(
            message, f"`sagemaker-rollout watch {name}` follows it until it settles"
        ) from None
    finally:
        rt.progress.done()


def wait_gone(rt: Runtime, name: str, deadline: float) -> None:
    try:
        poll(
            lambda: _describe_or_none(rt, name),
            lambda d: d is None,
            clock=rt.clock,
            schedule=rt.schedule,
            timeout_seconds=rt.remaining(deadline),
            on_poll=_show(rt, name),
            is_transient=is_retryable,
        )
    except WaitTimeout:
        raise RolloutTimeout(
            f"{name}: still not deleted at the deadline; nothing was undone",
            f"`sagemaker-rollout status {name}` shows whether it is gone; run the destroy again if not",
        ) from None
    finally:
        rt.progress.done()


# ---------------------------------------------------------------------------------------------------
# Releases


@dataclass(frozen=True)
class Release:
    config_name: str
    config_arn: str
    variants: tuple[Mapping[str, Any], ...]  # ProductionVariants as created (or as found)
    created: bool
    created_models: tuple[str, ...] = ()  # the models this run created (not the reused ones)
    data_capture: Mapping[str, Any] | None = None  # DataCaptureConfig as created (or as found)


# IAM is eventually consistent: a role created a moment ago (by the same apply) may not be assumable yet, and
# SageMaker refuses CreateModel with "Could not assume role" until it is
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
# Retried for as long as the AWS provider waits for IAM propagation (internal/service/iam: 2 minutes).
ROLE_PROPAGATION_SECONDS = 120.0


def create_model(rt: Runtime, name: str, tags: list[dict[str, str]], params: Mapping[str, Any]) -> None:
    """CreateModel, retried (1, 2, 4 ... 15 s apart) while SageMaker cannot assume the execution role yet; a
    role that never becomes assumable (wrong trust policy, missing) fails after ROLE_PROPAGATION_SECONDS
    with AWS's message, which names the role and the principal it must trust."""
    deadline = rt.deadline(ROLE_PROPAGATION_SECONDS)
    delay = 1.0
    while True:
        try:
            rt.clients.sagemaker.create_model(ModelName=name, Tags=tags, **params)
            return
        except Exception as error:
            if not is_role_not_assumable(error) or rt.remaining(deadline) <= 0:
                raise
            rt.progress.info(
                f"SageMaker cannot assume {params.get('ExecutionRoleArn')} yet (IAM propagation); "
                f"retrying CreateModel {name} in {delay:g} s"
            )
            rt.clock.sleep(min(delay, rt.remaining(deadline)) * rt.scale)
            delay = min(delay * 2, 15.0)


def ensure_release(
    rt: Runtime, spec: Spec, live_describe: Mapping[str, Any] | None, extra_tags: Mapping[str, str]
) -> Release:
    """Create the release's models and configuration, reusing whatever a previous run created.
    ``extra_tags`` go on the configuration and on the models this run creates (for a new endpoint: the
    rollout id, so that its first write already records it). On an existing endpoint a write AWS refuses
    deletes what this run created first (a model no configuration refers to is outside retention: no
    prune would ever delete it); a new endpoint's release keeps them, they carry the refusal's record."""
    sm = rt.clients.sagemaker
    release = release_id(spec)
    tags = resource_tags(spec.endpoint_name, release) + as_tags(dict(spec.tags))
    created: list[str] = []
    try:
        for model in planner.model_requests(spec, release):
            try:
                create_model(rt, model.name, tags + as_tags(extra_tags), model.params)
                created.append(model.name)
                rt.progress.info(f"created model {model.name}")
            except Exception as error:
                if not is_already_exists(error):
                    raise
                rt.progress.info(f"reusing model {model.name}")
        request = planner.config_request(
            spec,
            live_describe,
            release,
            autoscaled=autoscaled_variants(rt, spec.endpoint_name, live_describe),
        )
        name = request["EndpointConfigName"]
        try:
            arn = sm.create_endpoint_config(Tags=tags + as_tags(extra_tags), **request)["EndpointConfigArn"]
            rt.progress.info(f"created endpoint configuration {name}")
            return Release(
                name,
                arn,
                tuple(request["ProductionVariants"]),
                True,
                tuple(created),
                request.get("DataCaptureConfig"),
            )
        except Exception as error:
            if not is_already_exists(error):
                raise
    except Exception as error:
        if refused(error) and live_describe is not None:
            discard(rt, Release("", "", (), False, tuple(created)))
        raise
    found = sm.describe_endpoint_config(EndpointConfigName=name)
    rt.progress.info(f"reusing endpoint configuration {name}")
    add_tags(rt, found["EndpointConfigArn"], extra_tags)
    return Release(
        name,
        found["EndpointConfigArn"],
        tuple(found.get("ProductionVariants", [])),
        False,
        tuple(created),
        found.get("DataCaptureConfig"),
    )


def discard(rt: Runtime, built: Release) -> None:
    """Delete what this run created for a release the endpoint never moved to (after a refusal); a
    failure to delete is reported, never hides the refusal."""
    sm = rt.clients.sagemaker
    doomed = [(sm.delete_endpoint_config, {"EndpointConfigName": built.config_name})] if built.created else []
    doomed += [(sm.delete_model, {"ModelName": m}) for m in built.created_models]
    for call, kwargs in doomed:
        what = next(iter(kwargs.values()))
        try:
            _delete_quietly(call, **kwargs)
            rt.progress.info(f"deleted {what}: the rollout was refused")
        except Exception as error:
            rt.progress.info(f"could not delete {what}: {error_message(error)}")


def autoscaled_variants(
    rt: Runtime, endpoint: str, live_describe: Mapping[str, Any] | None
) -> frozenset[str]:
    """Live variants that are registered scalable targets: the autoscaler owns their capacity (write path
    only; DescribeScalableTargets)."""
    names = [s["VariantName"] for s in (live_describe or {}).get("ProductionVariants", []) or []]
    if not names:
        return frozenset()
    targets = scalable_targets(rt, endpoint, names)
    return frozenset(planner.variant_of_resource_id(endpoint, t.get("ResourceId", "")) for t in targets) - {
        None
    }


def config_variants(rt: Runtime, name: str) -> tuple[Mapping[str, Any], ...] | None:
    """ProductionVariants of a configuration, None when it does not exist."""
    found = config_description(rt, name)
    return None if found is None else tuple(found.get("ProductionVariants", []))


def config_description(rt: Runtime, name: str) -> Mapping[str, Any] | None:
    """DescribeEndpointConfig, None when it does not exist."""
    if not name:
        return None
    try:
        return rt.clients.sagemaker.describe_endpoint_config(EndpointConfigName=name)
    except Exception as error:
        if is_not_found(error):
            return None
        raise


# ---------------------------------------------------------------------------------------------------
# Autoscaling


def scalable_targets(rt: Runtime, endpoint: str, variants: Iterable[str] | None = None) -> list[dict]:
    """Registered SageMaker scalable targets of this endpoint's variants (all of them when None)."""
    client = rt.clients.autoscaling
    kwargs: dict[str, Any] = {"ServiceNamespace": planner.AUTOSCALING_NAMESPACE}
    if variants is not None:
        ids = [planner.resource_id(endpoint, v) for v in variants]
        if not ids:
            return []
        kwargs["ResourceIds"] = ids
    targets: list[dict] = []
    while True:
        answer = client.describe_scalable_targets(**kwargs)
        targets += [
            t
            for t in answer.get("ScalableTargets", [])
            if planner.variant_of_resource_id(endpoint, t.get("ResourceId", "")) is not None
        ]
        token = answer.get("NextToken")
        if not token:
            return targets
        kwargs["NextToken"] = token


def deregister(
    rt: Runtime, endpoint: str, variants: Sequence[str], targets: Iterable[Mapping[str, Any]]
) -> None:
    for target in targets:
        if planner.variant_of_resource_id(endpoint, target["ResourceId"]) in variants:
            rt.clients.autoscaling.deregister_scalable_target(
                ServiceNamespace=planner.AUTOSCALING_NAMESPACE,
                ResourceId=target["ResourceId"],
                ScalableDimension=target["ScalableDimension"],
            )
            rt.progress.info(f"deregistered {target['ResourceId']} ({target['ScalableDimension']})")


# ---------------------------------------------------------------------------------------------------
# Create / update and verdict


@dataclass(frozen=True)
class Moved:
    """What one CreateEndpoint/UpdateEndpoint led to."""

    verdict: planner.Verdict
    describe: Mapping[str, Any] | None
    deregistered: tuple[str, ...] = ()
    scaling_before: scaling.Snapshot = scaling.NOTHING


def _busy(error: BaseException) -> bool:
    return error_code(error) in {"ValidationException", "ValidationError"} and "in-progress" in error_message(
        error
    ).lower().replace("in progress", "in-progress")


def update_to(
    rt: Runtime,
    endpoint: str,
    target_config: str,
    target_variants: Sequence[Mapping[str, Any]],
    deployment: Mapping[str, Any],
    describe: Mapping[str, Any],
    deadline: float,
    *,
    target_capture: Mapping[str, Any] | None = None,
) -> Moved:
    """Deregister what the update would break, UpdateEndpoint, wait, judge; scaling put back unless the
    update succeeded (the snapshot travels in ``Moved`` for a later alarm rollback). ``target_capture``:
    the target configuration's DataCaptureConfig (a change is excluded from the retained properties)."""
    live_found = config_description(rt, str(describe.get("EndpointConfigName", ""))) or {}
    live_variants = tuple(live_found.get("ProductionVariants", []))
    capture_changed = planner.data_capture_changed(
        live_found.get("DataCaptureConfig"), target_capture, describe.get("DataCaptureConfig")
    )
    targets = scalable_targets(rt, endpoint, [v["VariantName"] for v in live_variants])
    drop = planner.variants_to_deregister(endpoint, live_variants, target_variants, targets)
    dropped = [t for t in targets if planner.variant_of_resource_id(endpoint, t["ResourceId"]) in drop]
    taken = scaling.snapshot(rt.clients.autoscaling, dropped)
    deregister(rt, endpoint, drop, targets)
    reason_before = str(describe.get("FailureReason", "") or "")
    registered = {
        planner.variant_of_resource_id(endpoint, t.get("ResourceId", "")) or "" for t in targets
    } - {""}
    try:
        describe = _send_update(
            rt,
            endpoint,
            target_config,
            target_variants,
            deployment,
            describe,
            deadline,
            autoscaled=frozenset(registered),
            capture_changed=capture_changed,
        )
    except Exception:
        # Refused (or timed out waiting for another actor) before our update started: put scaling back.
        restore_scaling(rt, endpoint, taken)
        raise
    rt.progress.info(f"{endpoint}: updating to {target_config}")
    add_tags(rt, str(describe.get("EndpointArn", "")), rollout_state.update_accepted())
    after = wait_settled(rt, endpoint, deadline, f"updating to {target_config}")
    verdict = planner.verdict(target_config, reason_before, after)
    if verdict.outcome != "succeeded":
        restore_scaling(rt, endpoint, taken)
    return Moved(verdict, after, drop, taken)


def restore_scaling(rt: Runtime, endpoint: str, taken: scaling.Snapshot) -> None:
    """After a rollout that did not succeed: the scalable targets, policies and scheduled actions it
    deregistered are registered again (a failure to do so is reported, never hides the rollout's)."""
    if not taken.targets:
        return
    try:
        restored = scaling.restore(rt.clients.autoscaling, taken)
        rt.progress.info(f"{endpoint}: autoscaling restored for {', '.join(restored)}")
    except Exception as error:
        rt.progress.info(
            f"{endpoint}: could not restore autoscaling for {', '.join(taken.resource_ids)}: "
            f"{error_message(error)}"
        )


def _send_update(
    rt: Runtime,
    endpoint: str,
    target_config: str,
    target_variants: Sequence[Mapping[str, Any]],
    deployment: Mapping[str, Any],
    describe: Mapping[str, Any],
    deadline: float,
    *,
    autoscaled: frozenset[str] | None = None,
    capture_changed: bool = False,
) -> Mapping[str, Any]:
    """UpdateEndpoint, waiting (bounded) while another actor's update is in progress; the describe the
    request was built from."""
    sm = rt.clients.sagemaker
    request = planner.update_request(
        endpoint,
        target_config,
        target_variants,
        describe,
        deployment,
        autoscaled=autoscaled,
        capture_changed=capture_changed,
    )
    while True:
        interrupt.check(f"before UpdateEndpoint to {target_config}")
        try:
            sm.update_endpoint(**request)
            break
        except Exception as error:
            if _busy(error):
                # Another actor started an update between our look and our call: wait again, bounded.
                if rt.remaining(deadline) <= 0:
                    raise RolloutTimeout(
                        f"{endpoint}: still busy with another update at the deadline; nothing was changed",
                        f"`sagemaker-rollout watch {endpoint}` until it settles, then run this again",
                    ) from None
                rt.clock.sleep(rt.schedule.interval(0))
                describe = wait_settled(rt, endpoint, deadline, "waiting for another update to finish") or {}
                continue
            raise
    return describe


def create(rt: Runtime, spec: Spec, target_config: str, tags: Mapping[str, str], deadline: float) -> Moved:
    interrupt.check(f"before CreateEndpoint on {target_config}")
    rt.clients.sagemaker.create_endpoint(
        EndpointName=spec.endpoint_name,
        EndpointConfigName=target_config,
        DeploymentConfig=planner.deployment_config(spec.deployment),
        Tags=as_tags(tags),
    )
    rt.progress.info(f"{spec.endpoint_name}: creating on {target_config}")
    after = wait_settled(rt, spec.endpoint_name, deadline, f"creating on {target_config}")
    return Moved(planner.verdict(target_config, "", after), after)


# ---------------------------------------------------------------------------------------------------
# Rollout


@dataclass(frozen=True)
class Outcome:
    action: str  # created | updated | unchanged
    deregistered: tuple[str, ...]
    live: reader.Live


def roll_out(
    rt: Runtime,
    spec: Spec,
    live: reader.Live,
    *,
    rollout_id: str | None = None,
    hotfix: bool = False,
) -> Outcome:
    """Roll the endpoint to the spec's release (see the module docstring for the order)."""
    require_alarms(rt, spec.deployment.rollback_alarms)
    release = release_id(spec)
    target = config_name(spec.endpoint_name, release)
    deadline = rt.deadline(spec.deployment.timeout_seconds)
    start_tags = rollout_state.started(target, rollout_id, live.config_name)
    try:
        describe = _begin(rt, spec, live, start_tags, deadline)
        if _serves(describe, target):
            return _unchanged(rt, spec, live.state, describe, target, hotfix=hotfix)
        action, old_live, moved = _move(rt, spec, describe, start_tags, rollout_id, deadline, hotfix=hotfix)
    except Interrupted as stop:
        reason = record_interrupted(rt, spec, live, target, stop, rollout_id)
        raise Interrupted(f"{spec.endpoint_name}: {reason}", stop.signum) from None
    except RolloutTimeout as timeout:
        record_outcome(rt, live.arn, "timed_out", f"timed out: {timeout}")
        raise
    except (InvalidInput, RolloutFailed):
        raise
    except Exception as error:
        outcome, reason = refusal(error, live.config_name)
        record_outcome(rt, live.arn, outcome, reason)
        if not live.arn and rollout_id:
            record_on_release(rt, spec, rollout_id, outcome, reason)
        raise
    arn = str((moved.describe or {}).get("EndpointArn", live.arn))
    if moved.verdict.outcome != "succeeded":
        record_failure(rt, arn, live.state, release, moved.verdict)
        raise RolloutFailed(
            f"{spec.endpoint_name}: rollout to {target} {moved.verdict.outcome.replace('_', ' ')}: "
            f"{moved.verdict.reason}"
        )
    _succeeded(rt, spec, live.state, arn, old_live, target, hotfix=hotfix)
    try:
        if spec.deployment.bake_seconds > 0 and old_live and old_live != target:
            bake(rt, spec, old_live, live.state, arn, hotfix=hotfix, scaling_before=moved.scaling_before)
        interrupt.check("before pruning")
        prune(rt, spec.endpoint_name, spec.keep_releases, {target, old_live or live.state.previous_config})
    except Interrupted as stop:
        reason = record_interrupted(rt, spec, live, target, stop, rollout_id)
        raise Interrupted(f"{spec.endpoint_name}: {reason}", stop.signum) from None
    return Outcome(action, moved.deregistered, reader.read_endpoint(rt.clients.sagemaker, spec.endpoint_name))


def _begin(
    rt: Runtime, spec: Spec, live: reader.Live, start_tags: Mapping[str, str], deadline: float
) -> dict[str, Any] | None:
    """Step 1-2: record the rollout on an existing endpoint, wait until it settles; a Failed endpoint is
    deleted (DeleteEndpoint is the only operation possible, SageMaker API, EndpointStatus)."""
    name = spec.endpoint_name
    if live.describe is None:
        return None
    removed = removed_user_tags(live, spec)
    if not removed:
        add_tags(rt, live.arn, {**start_tags, **endpoint_tags(spec)})
    else:
        # The rollout's record first; then the user tags the spec no longer has go before the new ones
        # come (SageMaker allows 50 tags per resource), never the deployer's state tags (deployer/state.py).
        add_tags(rt, live.arn, dict(start_tags))
        delete_tags(rt, live.arn, removed)
        add_tags(rt, live.arn, endpoint_tags(spec))
    describe = wait_settled(rt, name, deadline, "waiting for the endpoint to settle before the rollout")
    if describe is not None and describe.get("EndpointStatus") == "Failed":
        rt.progress.info(f"{name}: Failed ({describe.get('FailureReason', '')}); deleting, then creating")
        rt.clients.sagemaker.delete_endpoint(EndpointName=name)
        wait_gone(rt, name, deadline)
        return None
    return describe


def _serves(describe: Mapping[str, Any] | None, target: str) -> bool:
    return (
        describe is not None
        and describe.get("EndpointConfigName") == target
        and planner.verdict(target, "", describe).outcome == "succeeded"
    )


def _unchanged(
    rt: Runtime,
    spec: Spec,
    state: reader.EndpointState,
    describe: Mapping[str, Any],
    target: str,
    *,
    hotfix: bool,
) -> Outcome:
    arn = describe["EndpointArn"]
    done = rollout_state.finished("succeeded")
    # A run of this release that SageMaker finished after the deployer died (SIGKILL) recorded neither
    # the configuration it replaced as previous nor pruned: both are done here.
    unfinished = state.last_rollout in ("in_progress", "interrupted", "timed_out")
    if unfinished and state.target_config == target and state.from_config not in ("", target):
        done[reader.TAG_PREVIOUS_CONFIG] = state.from_config
    add_tags(rt, arn, done)
    if state.hotfix and not hotfix:
        delete_tags(rt, arn, [TAG_HOTFIX])
    rt.progress.info(f"{spec.endpoint_name}: already serves {target}")
    previous = done.get(reader.TAG_PREVIOUS_CONFIG, state.previous_config)
    prune(rt, spec.endpoint_name, spec.keep_releases, {target, previous})
    return Outcome("unchanged", (), reader.read_endpoint(rt.clients.sagemaker, spec.endpoint_name))


def _move(
    rt: Runtime,
    spec: Spec,
    describe: Mapping[str, Any] | None,
    start_tags: Mapping[str, str],
    rollout_id: str | None,
    deadline: float,
    *,
    hotfix: bool,
) -> tuple[str, str, Moved]:
    """Steps 3-6: the release's resources, then CreateEndpoint or UpdateEndpoint, waited for and judged."""
    target = config_name(spec.endpoint_name, release_id(spec))
    config_tags = {TAG_ROLLOUT_ID: rollout_id} if rollout_id and describe is None else {}
    interrupt.check("before creating the release")
    built = ensure_release(rt, spec, describe, config_tags)
    if describe is None:
        # A refused CreateEndpoint keeps the release: it carries the refusal's record (release_trace).
        tags = {**endpoint_tags(spec), **start_tags}
        if hotfix:
            tags[TAG_HOTFIX] = release_id(spec)
        return "created", "", create(rt, spec, target, tags, deadline)
    try:
        moved = update_to(
            rt,
            spec.endpoint_name,
            target,
            built.variants,
            planner.deployment_config(spec.deployment),
            describe,
            deadline,
            target_capture=built.data_capture,
        )
    except Exception as error:
        # Only a refusal of the call that would move the endpoint (or of the deregistration before it):
        # after UpdateEndpoint was accepted the configuration is the endpoint's, whatever fails next.
        if refused(error) and getattr(error, "operation_name", "") in BEFORE_THE_MOVE:
            discard(rt, built)
        raise
    return "updated", str(describe.get("EndpointConfigName", "")), moved


def _succeeded(
    rt: Runtime,
    spec: Spec,
    state: reader.EndpointState,
    arn: str,
    old_live: str,
    target: str,
    *,
    hotfix: bool,
) -> None:
    """Step 7: record the success (previous configuration, hotfix marker)."""
    done = rollout_state.finished("succeeded")
    if old_live and old_live != target:
        done[reader.TAG_PREVIOUS_CONFIG] = old_live
    if hotfix:
        done[TAG_HOTFIX] = release_id(spec)
    add_tags(rt, arn, done)
    if not hotfix and state.hotfix:
        delete_tags(rt, arn, [TAG_HOTFIX])
    rt.progress.info(f"{spec.endpoint_name}: serves {target}")


BEFORE_THE_MOVE = frozenset({"UpdateEndpoint", "DeregisterScalableTarget"})
WRITE_PREFIXES = ("Create", "Update", "Delete", "Add", "Register", "Deregister", "Put")


def refusal(error: BaseException, serving: str) -> tuple[str, str]:
    """(outcome, reason) of an error that ended a rollout: ``refused`` when AWS (or botocore's parameter
    validation) refused one of our writes, so the endpoint did not change; ``failed`` otherwise."""
    operation = str(getattr(error, "operation_name", "") or "")
    still = f"; the endpoint still serves {serving}" if serving else ""
    if type(error).__name__ == "ParamValidationError":
        return "refused", f"refused: the request was invalid ({error}){still}"
    code = error_code(error)
    if code and operation.startswith(WRITE_PREFIXES):
        return "refused", f"refused: AWS refused {operation}: {code}: {error_message(error)}{still}"
    return "failed", f"failed: {type(error).__name__}: {error_message(error)}{still}"


def refused(error: BaseException) -> bool:
    """Whether AWS (or botocore's parameter validation) refused one of our writes."""
    return refusal(error, "")[0] == "refused"


def record_outcome(rt: Runtime, arn: str, outcome: str, reason: str) -> None:
    """Record how a rollout ended on the endpoint; a failure to record never hides the rollout's."""
    rt.progress.info(f"rollout {outcome}: {reason}")
    if not arn:
        return
    try:
        add_tags(rt, arn, rollout_state.finished(outcome, reason))
    except Exception as error:
        rt.progress.info(f"could not record the outcome on the endpoint: {error_message(error)}")


def record_interrupted(
    rt: Runtime,
    spec: Spec,
    live: reader.Live,
    target: str,
    stop: Interrupted,
    rollout_id: str | None,
) -> str:
    """Record a rollout stopped by SIGINT/SIGTERM: ``interrupted``, and whether SageMaker had accepted the
    update (then it carries on with its guardrails and the read path judges it once it settles); the
    reason recorded."""
    try:
        now = reader.read_endpoint(rt.clients.sagemaker, spec.endpoint_name)
    except Exception as error:
        rt.progress.info(f"could not read the endpoint to record the interruption: {error_message(error)}")
        now = live
    if now.exists and target in (now.config_name, now.pending_config):
        reason = (
            f"{stop}; SageMaker had accepted the update to {target} and carries it on with its "
            "guardrails (nothing was cancelled); status and the next plan judge it once it settles"
        )
    else:
        still = f"{now.config_name} is still served" if now.exists else "the endpoint was not created"
        reason = (
            f"{stop} before the update to {target} was accepted; {still} and nothing was changed; run the "
            "rollout again (sagemaker-rollout deploy, or terraform apply -replace of the rollout)"
        )
    record_outcome(rt, now.arn or live.arn, "interrupted", reason)
    if not now.exists and rollout_id:
        record_on_release(rt, spec, rollout_id, "interrupted", reason)
    return reason


def record_on_release(rt: Runtime, spec: Spec, rollout_id: str, outcome: str, reason: str) -> None:
    """A new endpoint's rollout that ended before CreateEndpoint: record its id and outcome on the
    release's configuration and first model when they exist (the read path reports it from there)."""
    sm = rt.clients.sagemaker
    release = release_id(spec)
    tags = {TAG_ROLLOUT_ID: rollout_id, **rollout_state.finished(outcome, reason)}
    for describe, arn_key in (
        (
            lambda: sm.describe_endpoint_config(EndpointConfigName=config_name(spec.endpoint_name, release)),
            "EndpointConfigArn",
        ),
        (lambda: sm.describe_model(ModelName=model_name(spec.endpoint_name, release, 0)), "ModelArn"),
    ):
        try:
            add_tags(rt, describe()[arn_key], tags)
        except Exception as error:
            if not is_not_found(error):
                rt.progress.info(f"could not record the outcome on the release: {error_message(error)}")


def record_failure(
    rt: Runtime, arn: str, state: reader.EndpointState, release: str, verdict: planner.Verdict
) -> None:
    rt.progress.info(f"rollout {verdict.outcome}: {verdict.reason}")
    if not arn:
        return
    try:
        add_tags(
            rt,
            arn,
            {
                TAG_LAST_ROLLOUT: verdict.outcome,
                TAG_LAST_ROLLOUT_REASON: verdict.reason,
                reader.TAG_FAILED_RELEASES: failed_list(state, release),
            },
        )
    except Exception as error:  # the endpoint may be gone; the reason still reaches the caller
        rt.progress.info(f"could not record the outcome on the endpoint: {error_message(error)}")


# ---------------------------------------------------------------------------------------------------
# Bake and rollback


ALARM_TYPES = ["MetricAlarm", "CompositeAlarm"]


def describe_alarms(rt: Runtime, alarms: Sequence[str]) -> list[Mapping[str, Any]]:
    """Metric and composite alarms of these names (DescribeAlarms returns metric alarms only unless
    AlarmTypes names both; CloudWatch API reference, DescribeAlarms)."""
    if not alarms:
        return []
    found: list[Mapping[str, Any]] = []
    kwargs: dict[str, Any] = {"AlarmNames": list(alarms), "AlarmTypes": ALARM_TYPES}
    while True:
        answer = rt.clients.cloudwatch.describe_alarms(**kwargs)
        found += list(answer.get("MetricAlarms", []) or []) + list(answer.get("CompositeAlarms", []) or [])
        token = answer.get("NextToken")
        if not token:
            return found
        kwargs["NextToken"] = token


def alarms_in_alarm(rt: Runtime, alarms: Sequence[str]) -> list[str]:
    return sorted(a["AlarmName"] for a in describe_alarms(rt, alarms) if a.get("StateValue") == "ALARM")


def require_alarms(rt: Runtime, alarms: Sequence[str]) -> None:
    """Refuse (exit 1, before any write) rollback alarms that do not exist: a missing alarm would
    otherwise read as OK and guard nothing."""
    if not alarms:
        return
    known = {a["AlarmName"] for a in describe_alarms(rt, alarms)}
    missing = [a for a in alarms if a not in known]
    if missing:
        raise InvalidInput(
            f"deployment.rollback_alarms: no such CloudWatch alarm {', '.join(missing)} "
            f"in {rt.clients.region}; nothing was written",
            "create the alarm in that region first (or remove it from rollback_alarms), then run again",
        )


def bake(
    rt: Runtime,
    spec: Spec,
    old_live: str,
    state: reader.EndpointState,
    arn: str,
    *,
    hotfix: bool = False,
    scaling_before: scaling.Snapshot = scaling.NOTHING,
) -> None:
    """Watch the rollback alarms for ``bake_seconds``; one in ALARM: roll back to ``old_live`` and restore
    the endpoint's tags as they were before the rollout (previous configuration, hotfix marker) and the
    autoscaling the rollout deregistered (``scaling_before``)."""
    name = spec.endpoint_name
    alarms = spec.deployment.rollback_alarms
    rt.progress.info(f"{name}: baking {spec.deployment.bake_seconds} s, watching {', '.join(alarms)}")
    try:
        firing = poll(
            lambda: alarms_in_alarm(rt, alarms),
            bool,
            clock=rt.clock,
            schedule=rt.schedule,
            timeout_seconds=spec.deployment.bake_seconds,
            is_transient=is_retryable,
        )
    except WaitTimeout:
        rt.progress.info(f"{name}: bake passed, no alarm fired")
        return
    reason = f"alarm {', '.join(firing)} in ALARM during the bake; rolled back to {old_live}"
    rt.progress.info(f"{name}: {reason}")
    add_tags(rt, arn, rollout_state.started(old_live))
    describe = reader.describe_endpoint(rt.clients.sagemaker, name) or {}
    # The firing alarm must not guard the way back (SageMaker would roll the rollback back).
    deployment = planner.deployment_config(spec.deployment, alarms=())
    old_found = config_description(rt, old_live) or {}
    variants = tuple(old_found.get("ProductionVariants", []))
    deadline = rt.deadline(spec.deployment.timeout_seconds)
    moved = update_to(
        rt,
        name,
        old_live,
        variants,
        deployment,
        describe,
        deadline,
        target_capture=old_found.get("DataCaptureConfig"),
    )
    restore_scaling(rt, name, scaling_before)
    release = release_id(spec)
    if moved.verdict.outcome != "succeeded":
        why = f"{reason}, but: {moved.verdict.reason}"
        record_failure(rt, arn, state, release, planner.Verdict("failed", why))
        raise RolloutFailed(f"{name}: {why}")
    add_tags(
        rt,
        arn,
        {
            TAG_LAST_ROLLOUT: "rolled_back",
            TAG_LAST_ROLLOUT_REASON: reason,
            reader.TAG_PREVIOUS_CONFIG: state.previous_config,
            reader.TAG_FAILED_RELEASES: failed_list(state, release),
            **({TAG_HOTFIX: state.hotfix} if state.hotfix else {}),
        },
    )
    if hotfix and not state.hotfix:
        delete_tags(rt, arn, [TAG_HOTFIX])
    raise RolloutFailed(f"{name}: {reason}")


def rollback(
    rt: Runtime, live: reader.Live, to_config: str, deployment: Mapping[str, Any], timeout_seconds: int
) -> reader.Live:
    """Update the endpoint to a retained configuration, with guardrails, and verify it."""
    name = live.name
    deadline = rt.deadline(timeout_seconds)
    to_found = config_description(rt, to_config)
    variants = None if to_found is None else tuple(to_found.get("ProductionVariants", []))
    if variants is None:
        raise InvalidInput(
            f"to: configuration {to_config} does not exist",
            f"`sagemaker-rollout history {name}` lists the retained configurations",
        )
    add_tags(
        rt,
        live.arn,
        rollout_state.started(to_config),
    )
    describe = wait_settled(rt, name, deadline, "waiting for the endpoint to settle") or {}
    old_live = str(describe.get("EndpointConfigName", ""))
    moved = update_to(
        rt,
        name,
        to_config,
        variants,
        deployment,
        describe,
        deadline,
        target_capture=(to_found or {}).get("DataCaptureConfig"),
    )
    state = live.state
    if moved.verdict.outcome != "succeeded":
        release = release_from_name(name, to_config) or ""
        record_failure(rt, live.arn, state, release, moved.verdict)
        raise RolloutFailed(
            f"{name}: rollback to {to_config} {moved.verdict.outcome.replace('_', ' ')}: "
            f"{moved.verdict.reason}"
        )
    done = {TAG_LAST_ROLLOUT: "succeeded", TAG_LAST_ROLLOUT_REASON: f"rolled back from {old_live}"}
    if old_live != to_config:
        done[reader.TAG_PREVIOUS_CONFIG] = old_live
    add_tags(rt, live.arn, done)
    if state.hotfix:
        delete_tags(rt, live.arn, [TAG_HOTFIX])
    return reader.read_endpoint(rt.clients.sagemaker, name)


# ---------------------------------------------------------------------------------------------------
# Retention and cleanup


def our_configs(rt: Runtime, endpoint: str) -> list[dict[str, Any]]:
    """Our configurations of this endpoint, newest first (ListEndpointConfigs sorts by creation time)."""
    sm = rt.clients.sagemaker
    kwargs: dict[str, Any] = {
        "NameContains": name_prefix(endpoint),
        "SortBy": "CreationTime",
        "SortOrder": "Descending",
        "MaxResults": 100,
    }
    found: list[dict[str, Any]] = []
    while True:
        answer = sm.list_endpoint_configs(**kwargs)
        configs = answer.get("EndpointConfigs", [])
        found += [c for c in configs if release_from_name(endpoint, c["EndpointConfigName"])]
        token = answer.get("NextToken")
        if not token:
            break
        kwargs["NextToken"] = token
    return sorted(found, key=lambda c: c.get("CreationTime", 0), reverse=True)


def our_models(rt: Runtime, endpoint: str) -> list[str]:
    sm = rt.clients.sagemaker
    kwargs: dict[str, Any] = {"NameContains": name_prefix(endpoint), "MaxResults": 100}
    names: list[str] = []
    while True:
        answer = sm.list_models(**kwargs)
        models = answer.get("Models", [])
        names += [m["ModelName"] for m in models if release_from_name(endpoint, m["ModelName"])]
        token = answer.get("NextToken")
        if not token:
            return names
        kwargs["NextToken"] = token


def _delete_quietly(call: Any, **kwargs: Any) -> None:
    try:
        call(**kwargs)
    except Exception as error:
        if not is_not_found(error):
            raise


def prune(rt: Runtime, endpoint: str, keep: int, protected: Iterable[str]) -> list[str]:
    """Delete configurations (and their models) beyond the ``keep`` newest, never a protected one nor
    the live or pending configuration as DescribeEndpoint shows them right now, nor the one the endpoint's
    ``target-config`` tag names (what the current, or a concurrent, operation rolls out).

    Models of ours (tagged so) whose release has no configuration left are deleted too: what a run killed
    between CreateModel and CreateEndpointConfig, or between deleting a configuration and its models,
    left behind (docs/reliability.md)."""
    now = reader.read_endpoint(rt.clients.sagemaker, endpoint)
    live = dict(now.describe or {})
    pending = (live.get("PendingDeploymentSummary") or {}).get("EndpointConfigName", "")
    targeted = {now.state.target_config, now.state.previous_config}
    shield = ({p for p in protected if p} | {live.get("EndpointConfigName", ""), pending} | targeted) - {""}
    configs = [
        (c["EndpointConfigName"], release_from_name(endpoint, c["EndpointConfigName"]) or "")
        for c in our_configs(rt, endpoint)
    ]
    doomed = planner.releases_to_prune(configs, keep, shield)
    kept_releases = {rel for n, rel in configs if (n, rel) not in doomed}
    doomed_releases = {rel for _, rel in doomed} - kept_releases
    for config, _ in doomed:
        _delete_quietly(rt.clients.sagemaker.delete_endpoint_config, EndpointConfigName=config)
        rt.progress.info(f"pruned endpoint configuration {config}")
    shielded = {release_from_name(endpoint, name) for name in shield} - {None}
    for model in our_models(rt, endpoint):
        release = release_from_name(endpoint, model)
        orphan = release not in kept_releases and release not in shielded and release not in doomed_releases
        if release in doomed_releases or (orphan and _managed_model(rt, endpoint, model)):
            _delete_quietly(rt.clients.sagemaker.delete_model, ModelName=model)
            rt.progress.info(f"pruned model {model}")
    return [c for c, _ in doomed]


def _managed_model(rt: Runtime, endpoint: str, name: str) -> bool:
    try:
        arn = rt.clients.sagemaker.describe_model(ModelName=name)["ModelArn"]
    except Exception as error:
        if is_not_found(error):
            return False
        raise
    return _managed_arn(rt, endpoint, arn)


def managed_configs_and_models(rt: Runtime, endpoint: str) -> tuple[list[str], list[str]]:
    """The configurations and models named like this endpoint's releases whose tags say they are ours
    (``state.is_managed``): a look-alike name alone is never enough to delete a resource."""
    sm = rt.clients.sagemaker
    configs = [
        c["EndpointConfigName"]
        for c in our_configs(rt, endpoint)
        if _managed_arn(rt, endpoint, c.get("EndpointConfigArn"))
    ]
    models = []
    for name in our_models(rt, endpoint):
        try:
            arn = sm.describe_model(ModelName=name)["ModelArn"]
        except Exception as error:
            if is_not_found(error):
                continue
            raise
        if _managed_arn(rt, endpoint, arn):
            models.append(name)
    return configs, models


def _managed_arn(rt: Runtime, endpoint: str, arn: str | None) -> bool:
    return bool(arn) and rollout_state.is_managed(reader.list_tags(rt.clients.sagemaker, arn), endpoint)


def destroy(rt: Runtime, endpoint: str, timeout_seconds: int) -> dict[str, list[str]]:
    """Deregister scalable targets, delete the endpoint (waiting until it is gone), then every
    configuration and model of ours for it (tagged as ours: ``managed_configs_and_models``). Whether the
    endpoint itself may be deleted is decided before (``operations.destroy``)."""
    sm = rt.clients.sagemaker
    deadline = rt.deadline(timeout_seconds)
    targets = scalable_targets(rt, endpoint)
    deregister(
        rt,
        endpoint,
        [planner.variant_of_resource_id(endpoint, t["ResourceId"]) or "" for t in targets],
        targets,
    )
    describe = reader.describe_endpoint(sm, endpoint)
    deleted_endpoint: list[str] = []
    if describe is not None:
        wait_settled(rt, endpoint, deadline, "waiting for the endpoint to settle before deleting it")
        try:
            sm.delete_endpoint(EndpointName=endpoint)
        except Exception as error:
            if not is_not_found(error):
                raise
        rt.progress.info(f"{endpoint}: deleting")
        wait_gone(rt, endpoint, deadline)
        deleted_endpoint.append(endpoint)
    configs, models = managed_configs_and_models(rt, endpoint)
    for config in configs:
        _delete_quietly(sm.delete_endpoint_config, EndpointConfigName=config)
    for model in models:
        _delete_quietly(sm.delete_model, ModelName=model)
    rt.progress.info(f"{endpoint}: deleted {len(configs)} configurations and {len(models)} models")
    return {
        "endpoint": deleted_endpoint,
        "configs": configs,
        "models": models,
        "deregistered": [t["ResourceId"] for t in targets],
    }
