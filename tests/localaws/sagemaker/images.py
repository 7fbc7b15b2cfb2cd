"""Container images: the digest SageMaker resolves a tag to, and the simulated health-check failure."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any


def resolve(image: str, registry: Callable[[str], str | None] | None = None) -> str:
    """``repo@sha256:<hex>``: kept when already pinned; else the digest the registry (localaws' ECR) has
    for the tag; else derived deterministically from the reference."""
    if "@sha256:" in image:
        return image
    repository = image
    last_slash = image.rfind("/")
    tag_colon = image.rfind(":")
    if tag_colon > last_slash:
        repository = image[:tag_colon]
    digest = registry(image) if registry else None
    return f"{repository}@{digest or 'sha256:' + hashlib.sha256(image.encode()).hexdigest()}"


def containers(model: dict[str, Any]) -> list[dict[str, Any]]:
    """The model's containers: ``Containers`` or ``[PrimaryContainer]``."""
    if model.get("Containers"):
        return list(model["Containers"])
    return [model["PrimaryContainer"]] if model.get("PrimaryContainer") else []


def model_images(model: dict[str, Any]) -> list[str]:
    return [container["Image"] for container in containers(model) if container.get("Image")]


def deployed_images(
    images: list[str], resolved_at: float, registry: Callable[[str], str | None] | None = None
) -> list[dict[str, Any]]:
    return [
        {"SpecifiedImage": image, "ResolvedImage": resolve(image, registry), "ResolutionTime": resolved_at}
        for image in images
    ]


def failing(images: list[str], marker: str) -> bool:
    """A container whose image reference holds the failure marker never passes its ping health check."""
    return bool(marker) and any(marker in image for image in images)
