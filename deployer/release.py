"""Releases: the content hash of a spec and the SageMaker resource names derived from it.

A release is the set of models and the endpoint configuration built from one spec. Its id is a hash of
exactly the parts of the spec that shape those resources, so that a change of deployment policy, tags or
retention is not a new release, and a new image is. Names are deterministic (a re-run after a crash finds
what the first run created) and fit SageMaker's 63-character name pattern.
"""

from __future__ import annotations

import hashlib
import json
import re

from deployer.spec import RESERVED_TAG_PREFIX, Spec

# Endpoint state tags are encoded by deployer.state; re-exported here for the resource tags' readers.
from deployer.state import (  # noqa: F401
    TAG_ENDPOINT,
    TAG_HOTFIX,
    TAG_LAST_ROLLOUT,
    TAG_LAST_ROLLOUT_REASON,
    TAG_MANAGED_BY,
    TAG_MANAGED_BY_VALUE,
    TAG_ROLLOUT_ID,
    TAG_SPEC_RELEASE,
)

# Tags the deployer writes (the prefix is refused in user tags by deployer.spec).
TAG_RELEASE = f"{RESERVED_TAG_PREFIX}release"

RELEASE_LENGTH = 12
MAX_NAME = 63
# Longest variant index suffix: "-m9" (at most 10 variants, SageMaker's ProductionVariantList limit).
_MODEL_SUFFIX = len("-m9")
# The prefix must leave room for "-<release>" and the model suffix.
MAX_PREFIX = MAX_NAME - 1 - RELEASE_LENGTH - _MODEL_SUFFIX
_ENDPOINT_HASH = 6
_RELEASE = re.compile(rf"[0-9a-f]{{{RELEASE_LENGTH}}}")
_SAGEMAKER_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")


def release_document(spec: Spec) -> dict[str, object]:
    """The parts of a spec that shape its models and endpoint configuration (what the release id hashes)."""
    document = spec.to_document()
    shaped = {
        "region": document["region"],
        "execution_role_arn": document["execution_role_arn"],
        "variants": document["variants"],
        "async_inference": document["async_inference"],
        "kms_key_arn": document["kms_key_arn"],
    }
    # Data capture is part of the endpoint configuration; only when set, so that the release id of a spec
    # without it stays what it was before the field existed.
    if "data_capture" in document:
        shaped["data_capture"] = document["data_capture"]
    return shaped


def release_id(spec: Spec) -> str:
    """12 lowercase hex characters: sha256 of the canonical JSON of ``release_document(spec)``."""
    canonical = json.dumps(release_document(spec), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:RELEASE_LENGTH]


def name_prefix(endpoint_name: str) -> str:
    """What every model and configuration name of this endpoint starts with (for ``NameContains``).

    The endpoint name itself when it fits; otherwise its first characters plus a short hash of the full
    name, so that two long endpoint names sharing a beginning still get distinct names.
    """
    if len(endpoint_name) <= MAX_PREFIX:
        stem = endpoint_name
    else:
        digest = hashlib.sha256(endpoint_name.encode("utf-8")).hexdigest()[:_ENDPOINT_HASH]
        head = endpoint_name[: MAX_PREFIX - 1 - _ENDPOINT_HASH].rstrip("-")
        stem = f"{head}-{digest}"
    return f"{stem}-"


def config_name(endpoint_name: str, release: str) -> str:
    _check_release(release)
    return f"{name_prefix(endpoint_name)}{release}"


def model_name(endpoint_name: str, release: str, variant_index: int) -> str:
    _check_release(release)
    if not 0 <= variant_index <= 9:
        raise ValueError(f"variant index 0 to 9 (got {variant_index})")
    return f"{name_prefix(endpoint_name)}{release}-m{variant_index}"


def release_from_name(endpoint_name: str, name: str) -> str | None:
    """The release id in a configuration or model name of this endpoint, else None."""
    prefix = name_prefix(endpoint_name)
    if not name.startswith(prefix):
        return None
    rest = name[len(prefix) :]
    release, _, suffix = rest.partition("-")
    if not _RELEASE.fullmatch(release):
        return None
    if suffix and not re.fullmatch(r"m[0-9]", suffix):
        return None
    if "-" in rest and not suffix:
        return None
    return release


def is_valid_name(name: str) -> bool:
    """SageMaker's endpoint / configuration / model name rule: the pattern and at most 63 characters."""
    return len(name) <= MAX_NAME and _SAGEMAKER_NAME.fullmatch(name) is not None


def resource_tags(endpoint_name: str, release: str) -> list[dict[str, str]]:
    """The tags every model and configuration of a release carries (SageMaker's Tags shape)."""
    return [
        {"Key": TAG_MANAGED_BY, "Value": TAG_MANAGED_BY_VALUE},
        {"Key": TAG_ENDPOINT, "Value": endpoint_name},
        {"Key": TAG_RELEASE, "Value": release},
    ]


def _check_release(release: str) -> None:
    if not _RELEASE.fullmatch(release):
        raise ValueError(f"a release id is {RELEASE_LENGTH} lowercase hex characters (got {release!r})")
