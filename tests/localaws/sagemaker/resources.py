"""Models, endpoint configurations and tags: the hosting resources that have no lifecycle."""

from __future__ import annotations

import copy
import time
import unicodedata
from typing import Any

from . import listing, moto_bridge, validation, views
from .context import RESOURCE_KINDS, Context, with_token
from .errors import SageMakerError, already_exists, constraint, not_found
from .records import EndpointConfig, Model

# ---------------------------------------------------------------------------------------------- models


def create_model(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    name = validation.name(request.get("ModelName"), "modelName")
    arn = ctx.arn("model", name)
    if name in ctx.region.models:
        raise already_exists("model", arn)
    if not request.get("PrimaryContainer") and not request.get("Containers"):
        raise SageMakerError("Either PrimaryContainer or Containers must be specified.")
    containers = request.get("Containers") or []
    if len(containers) > 15:
        raise constraint(len(containers), "containers", "Member must have length less than or equal to 15")
    assumable(ctx, request.get("ExecutionRoleArn"))
    document = {key: copy.deepcopy(value) for key, value in request.items() if key != "Tags"}
    check_tags(request.get("Tags", []))
    ctx.region.models[name] = Model(name, arn, ctx.store.timestamp(), document)
    set_tags(ctx, arn, request.get("Tags", []))
    return {"ModelArn": arn}


def assumable(ctx: Context, role_arn: str | None) -> None:
    """SageMaker assumes the execution role at CreateModel and refuses the call when it cannot: the role does
    not trust ``sagemaker.amazonaws.com``, or it is too new for IAM, which is eventually consistent (a role
    created ``iam_propagation_seconds`` ago or less). Only roles held in moto's IAM are checked."""
    found = moto_bridge.role_in_iam(role_arn) if role_arn else None
    if found is None:
        return
    created, trusts_sagemaker = found
    config = ctx.store.config()
    propagating = time.time() - created < config.iam_propagation_seconds * config.time_scale
    if propagating or not trusts_sagemaker:
        raise SageMakerError(
            f"Could not assume role {role_arn}. Please ensure that the role exists and allows principal "
            "'sagemaker.amazonaws.com' to assume the role."
        )


def describe_model(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    return views.describe_model(ctx.model(request["ModelName"]))


def delete_model(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    """Allowed even while an endpoint uses the model (as on AWS)."""
    model = ctx.model(request["ModelName"])
    del ctx.region.models[model.name]
    ctx.region.tags.pop(model.arn, None)
    return {}


def list_models(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    page, token = listing.filter_and_page(
        list(ctx.region.models.values()),
        request,
        lambda m: {"name": m.name, "created": m.created},
        ("Name", "CreationTime"),
    )
    return with_token({"Models": [views.model_summary(m) for m in page]}, token)


# ------------------------------------------------------------------------------ endpoint configurations


def create_endpoint_config(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    name = validation.name(request.get("EndpointConfigName"), "endpointConfigName")
    arn = ctx.arn("endpoint-config", name)
    if name in ctx.region.configs:
        raise already_exists("endpoint configuration", arn)
    variants = request.get("ProductionVariants") or []
    if not 1 <= len(variants) <= 10:
        raise constraint(len(variants), "productionVariants", "Member must have length between 1 and 10")
    seen: set[str] = set()
    document = {key: copy.deepcopy(value) for key, value in request.items() if key != "Tags"}
    for index, variant in enumerate(document["ProductionVariants"]):
        path = f"productionVariants.{index + 1}"
        variant_name = validation.name(variant.get("VariantName"), f"{path}.variantName")
        if variant_name in seen:
            raise SageMakerError(
                f"Variant names must be unique. Found duplicate variant name {variant_name}."
            )
        seen.add(variant_name)
        ctx.model(variant.get("ModelName", ""))
        if variant.get("ServerlessConfig"):
            if variant.get("InstanceType"):
                raise SageMakerError(
                    f"Variant {variant_name}: ServerlessConfig cannot be combined with InstanceType."
                )
            validation.serverless(variant["ServerlessConfig"], f"{path}.serverlessConfig")
        else:
            if not variant.get("InstanceType"):
                raise SageMakerError(f"Variant {variant_name}: InstanceType or ServerlessConfig is required.")
            validation.in_range(
                variant.get("InitialInstanceCount", 0), f"{path}.initialInstanceCount", 1, 10**6
            )
            variant.setdefault("InitialVariantWeight", 1.0)
    if document.get("DataCaptureConfig"):
        validation.data_capture_config(document["DataCaptureConfig"])
    check_tags(request.get("Tags", []))
    ctx.region.configs[name] = EndpointConfig(name, arn, ctx.store.timestamp(), document)
    set_tags(ctx, arn, request.get("Tags", []))
    return {"EndpointConfigArn": arn}


def describe_endpoint_config(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    return views.describe_endpoint_config(ctx.endpoint_config(request["EndpointConfigName"]))


def delete_endpoint_config(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    """Allowed even while an endpoint serves or deploys the configuration (as on AWS)."""
    config = ctx.endpoint_config(request["EndpointConfigName"])
    del ctx.region.configs[config.name]
    ctx.region.tags.pop(config.arn, None)
    return {}


def list_endpoint_configs(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    page, token = listing.filter_and_page(
        list(ctx.region.configs.values()),
        request,
        lambda c: {"name": c.name, "created": c.created},
        ("Name", "CreationTime"),
    )
    return with_token({"EndpointConfigs": [views.endpoint_config_summary(c) for c in page]}, token)


# ------------------------------------------------------------------------------------------------- tags


def owns_arn(arn: str) -> bool:
    """Whether a tagging call is about a hosting resource of ours (else moto answers it)."""
    parts = arn.split(":", 5)
    return len(parts) == 6 and parts[2] == "sagemaker" and parts[5].split("/", 1)[0] in RESOURCE_KINDS


def _tagged(ctx: Context, arn: str) -> str:
    kind, _, lowered = arn.split(":", 5)[5].partition("/")
    collection = {
        "model": ctx.region.models,
        "endpoint-config": ctx.region.configs,
        "endpoint": ctx.region.endpoints,
    }[kind]
    for record in collection.values():
        if record.arn == arn:
            return arn
    raise not_found(RESOURCE_KINDS[kind], arn) if lowered else SageMakerError(f"Invalid ARN {arn}.")


# Tag (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Tag.html): Key 1-128 and Value 0-256
# characters, both matching ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$; anything else is a ValidationException.
TAG_PUNCTUATION = "_.:/=+-@"
TAG_PATTERN = r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$"


def _tag_text_ok(text: str) -> bool:
    return all(ch in TAG_PUNCTUATION or unicodedata.category(ch)[0] in "LZN" for ch in text)


def check_tags(tags: list[dict[str, str]]) -> None:
    """Raise the service's ValidationException for a tag key or value outside the Tag shape's rules (a
    Create* call checks its Tags before it creates anything)."""
    for index, tag in enumerate(tags, start=1):
        key, value = str(tag.get("Key", "")), str(tag.get("Value", ""))
        for field, text, low, high in (("key", key, 1, 128), ("value", value, 0, 256)):
            path = f"tags.{index}.member.{field}"
            if not low <= len(text) <= high:
                raise constraint(text, path, f"Member must have length between {low} and {high}")
            if not _tag_text_ok(text):
                raise constraint(text, path, f"Member must satisfy regular expression pattern: {TAG_PATTERN}")


def set_tags(ctx: Context, arn: str, tags: list[dict[str, str]]) -> None:
    check_tags(tags)
    current = {tag["Key"]: tag["Value"] for tag in ctx.region.tags.get(arn, [])}
    current.update({tag["Key"]: tag.get("Value", "") for tag in tags})
    if len(current) > 50:
        raise SageMakerError("A resource can have at most 50 tags.")
    ctx.region.tags[arn] = [{"Key": key, "Value": value} for key, value in current.items()]


def add_tags(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    arn = _tagged(ctx, request["ResourceArn"])
    set_tags(ctx, arn, request.get("Tags", []))
    return {"Tags": copy.deepcopy(request.get("Tags", []))}


def list_tags(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    arn = _tagged(ctx, request["ResourceArn"])
    tags = ctx.region.tags.get(arn, [])
    start = int(request.get("NextToken") or 0)
    size = int(request.get("MaxResults", 50))
    out: dict[str, Any] = {"Tags": copy.deepcopy(tags[start : start + size])}
    return with_token(out, str(start + size) if start + size < len(tags) else None)


def delete_tags(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    arn = _tagged(ctx, request["ResourceArn"])
    keys = set(request.get("TagKeys", []))
    ctx.region.tags[arn] = [tag for tag in ctx.region.tags.get(arn, []) if tag["Key"] not in keys]
    return {}
