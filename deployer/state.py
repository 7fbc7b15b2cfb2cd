r"""The endpoint's state tags: their keys, what a rollout writes at each step, and how a read decodes them.

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

Tag values: SageMaker allows letters, separators, numbers and ``_.:/=+-@`` in a tag value, at most 256
characters: ``^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$``
(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Tag.html).
The values of the deployer's own tags (keys under ``sagemaker-rollout:``) are written with
``encode_value`` and read back with ``decode_value`` (``as_tags`` / ``decode_tags``): ``+`` is the escape
character, and every character outside that set (``+`` itself included) becomes ``+XX`` per UTF-8 byte
(upper-case hex), so a reason such as ``alarm(s) [whisper-5xx] went into ALARM`` reads back unchanged. A
value whose encoding would pass 256 characters keeps its longest prefix that fits with ``...`` appended.
Values written by older deployers (which replaced such characters with spaces) read back as they were.
The user's tags (``Spec.tags``, validated against the same pattern) are written as they are.
"""

from __future__ import annotations

import re
import unicodedata
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

# ---------------------------------------------------------------------------------------------------
# Tag value encoding

TAG_VALUE_MAX = 256
ESCAPE = "+"
ELLIPSIS = "..."
_PUNCTUATION = "_.:/=+-@"
_ESCAPES = re.compile(r"(?:\+[0-9A-F]{2})+")


def tag_char_ok(ch: str) -> bool:
    r"""Whether SageMaker's tag value pattern allows ``ch``: ``\p{L}``, ``\p{Z}``, ``\p{N}``, ``_.:/=+-@``."""
    return ch in _PUNCTUATION or unicodedata.category(ch)[0] in "LZN"


def _length(text: str) -> int:
    """Length as AWS counts it, conservatively: UTF-16 code units (a character beyond U+FFFF counts 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _escaped(ch: str) -> str:
    if ch != ESCAPE and tag_char_ok(ch):
        return ch
    return "".join(f"{ESCAPE}{byte:02X}" for byte in ch.encode("utf-8", "surrogatepass"))


def encode_value(text: str) -> str:
    """``text`` as a valid tag value that ``decode_value`` turns back into ``text``; when the encoding would
    pass ``TAG_VALUE_MAX`` characters, the longest prefix that fits followed by ``...``."""
    pieces = [_escaped(ch) for ch in str(text)]
    encoded = "".join(pieces)
    if _length(encoded) <= TAG_VALUE_MAX:
        return encoded
    room = TAG_VALUE_MAX - len(ELLIPSIS)
    kept: list[str] = []
    for piece in pieces:
        room -= _length(piece)
        if room < 0:
            break
        kept.append(piece)
    return "".join(kept) + ELLIPSIS


def encoded_fits(text: str) -> bool:
    """Whether ``text`` survives ``encode_value`` whole (no truncation)."""
    return _length("".join(_escaped(ch) for ch in str(text))) <= TAG_VALUE_MAX


def _unescape(run: re.Match[str]) -> str:
    try:
        return bytes.fromhex(run.group(0).replace(ESCAPE, "")).decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:  # not ours (an older deployer's value with a literal "+XX"): as it is
        return run.group(0)


def decode_value(value: str) -> str:
    """The text ``encode_value`` encoded (a value without escapes, such as an older deployer's, as is)."""
    return _ESCAPES.sub(_unescape, value) if ESCAPE in value else value


def is_state_key(key: str) -> bool:
    """The deployer's own tag keys (their values are encoded); the user's and ``aws:`` keys are not."""
    return key.startswith(RESERVED_TAG_PREFIX)


def as_tags(mapping: Mapping[str, str]) -> list[dict[str, str]]:
    """SageMaker's ``Tags`` list: the deployer's values encoded, the user's (validated by the spec) as is."""
    return [{"Key": k, "Value": encode_value(v) if is_state_key(k) else v} for k, v in mapping.items()]


def decode_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """Tags as ListTags returned them, with the deployer's values decoded."""
    return {k: decode_value(v) if is_state_key(k) else v for k, v in tags.items()}


# ---------------------------------------------------------------------------------------------------
# Outcomes and what each step writes

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
