"""The desired-state document (SPEC §3): parse, validate and hold it as frozen dataclasses.

Everything here runs before any AWS call, on every ``terraform plan``: it imports only the standard
library. Every rule names the field it checks (``variants[0].containers[1].image``) and the limit behind
it; docs/spec.md lists each rule with the SageMaker API reference it comes from. A ``null`` value means
"not set" everywhere (Terraform's ``jsonencode`` writes optional attributes as ``null``).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from deployer.errors import InvalidInput

SCHEMA_VERSION = 1
DEFAULT_VARIANT_NAME = "AllTraffic"
# Tag keys the deployer writes itself start with this prefix; users may not set them (deployer.release).
RESERVED_TAG_PREFIX = "sagemaker-rollout:"
# SageMaker allows 50 tags per resource (TagList, max 50); the deployer keeps 15 for its own tags
# (the endpoint carries about a dozen state tags, see deployer.release and deployer.reader).
MAX_USER_TAGS = 35
# ContainerDefinition.Environment: all keys and values of a model's containers together.
MAX_ENVIRONMENT_BYTES = 32 * 1024

STRATEGIES = ("blue_green", "rolling")
TRAFFIC_MODES = ("all_at_once", "canary", "linear")
EXECUTION_MODES = ("Direct", "Serial")
NOTIFICATION_TOPICS = ("SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC")
# DataCaptureConfig (SageMaker API reference, botocore's sagemaker service model): CaptureMode Input / Output.
CAPTURE_OPTIONS = ("input", "output")
# CaptureContentTypeHeader: CsvContentTypes / JsonContentTypes, 1 to 10 of 1 to 256 characters each.
MAX_CAPTURE_CONTENT_TYPES = 10
_CAPTURE_CONTENT_TYPE = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*\/[a-zA-Z0-9](-*[a-zA-Z0-9.])*")

# Patterns of the SageMaker API reference (botocore service model), anchored by fullmatch.
_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
_ROLE_ARN = re.compile(r"arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_SNS_ARN = re.compile(r"arn:aws[a-z\-]*:sns:[a-z0-9\-]*:[0-9]{12}:[a-zA-Z0-9_.-]+")
_KMS_ARN = re.compile(r"arn:aws[a-z\-]*:kms:[a-z0-9\-]+:\d{12}:(key/[a-zA-Z0-9-]+|alias/[a-zA-Z0-9/_-]+)")
_KMS_KEY_ID = re.compile(r"[a-zA-Z0-9:/_-]+")
_ENV_KEY = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_INSTANCE_TYPE = re.compile(r"ml\.[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+")
_GPU_FAMILY = re.compile(r"ml\.[gp]\d")
_S3_BUCKET = r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]"
_S3_OBJECT = re.compile(rf"s3://{_S3_BUCKET}/[^\s]+")
# S3 version ids are opaque URL-safe strings; ETags are quoted hex, "-<parts>" for multipart uploads.
_MODEL_DATA_VERSION = re.compile(r"[\x21-\x7e]{1,1024}")
_S3_PREFIX = re.compile(rf"s3://{_S3_BUCKET}(/[^\s]*)?")
# registry/repository[:tag][@digest]: the image path forms ContainerDefinition.Image accepts.
_IMAGE = re.compile(
    r"(?P<registry>[a-zA-Z0-9](?:[a-zA-Z0-9.\-]*[a-zA-Z0-9])?(?::\d+)?)"
    r"/(?P<repository>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[a-f0-9]{64}))?"
)
# VpcConfig.Subnets / SecurityGroupIds: 1-16 and 1-5 ids, each at most 32 characters of [-0-9a-zA-Z]
# (API VpcConfig); the deployer also wants the EC2 id shapes so that a swapped list fails here.
_SUBNET_ID = re.compile(r"subnet-[0-9a-z]+")
_SECURITY_GROUP_ID = re.compile(r"sg-[0-9a-z]+")
MAX_SUBNETS = 16
MAX_SECURITY_GROUPS = 5
_TAG_PUNCTUATION = frozenset("_.:/=+-@ ")
_CREDENTIAL_VARIABLES = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"})


# ---------------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class Container:
    image: str
    model_data_url: str | None = None
    environment: tuple[tuple[str, str], ...] = ()
    hostname: str | None = None
    # The S3 version id (or ETag) of the object at model_data_url: a changed object is a new release.
    model_data_version: str | None = None

    def to_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "image": self.image,
            "model_data_url": self.model_data_url,
            "environment": dict(self.environment),
            "hostname": self.hostname,
        }
        # Only when given: the release id hashes this document, and a spec without a version must keep the
        # release id it had before the field existed.
        if self.model_data_version is not None:
            document["model_data_version"] = self.model_data_version
        return document


@dataclass(frozen=True)
class Serverless:
    memory_size_mb: int
    max_concurrency: int
    provisioned_concurrency: int | None = None

    def to_document(self) -> dict[str, Any]:
        return {
            "memory_size_mb": self.memory_size_mb,
            "max_concurrency": self.max_concurrency,
            "provisioned_concurrency": self.provisioned_concurrency,
        }


@dataclass(frozen=True)
class VpcConfig:
    """CreateModel.VpcConfig: the subnets and security groups of the model's network interfaces."""

    subnets: tuple[str, ...]
    security_group_ids: tuple[str, ...]

    def to_document(self) -> dict[str, Any]:
        return {"subnets": list(self.subnets), "security_group_ids": list(self.security_group_ids)}


@dataclass(frozen=True)
class Variant:
    name: str
    containers: tuple[Container, ...]
    inference_execution_mode: str | None = None
    instance_type: str | None = None
    initial_instance_count: int | None = None
    initial_weight: float = 1.0
    serverless: Serverless | None = None
    container_startup_health_check_timeout_seconds: int | None = None
    model_data_download_timeout_seconds: int | None = None
    volume_size_gb: int | None = None
    # CreateModel.VpcConfig and CreateModel.EnableNetworkIsolation (the variant's model).
    vpc_config: VpcConfig | None = None
    enable_network_isolation: bool = False

    def to_document(self) -> dict[str, Any]:
        document = self._base_document()
        # Only when set: the release id hashes this document, and a spec without them keeps the release
        # id it had before the fields existed.
        if self.vpc_config is not None:
            document["vpc_config"] = self.vpc_config.to_document()
        if self.enable_network_isolation:
            document["enable_network_isolation"] = True
        return document

    def _base_document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "containers": [c.to_document() for c in self.containers],
            "inference_execution_mode": self.inference_execution_mode,
            "instance_type": self.instance_type,
            "initial_instance_count": self.initial_instance_count,
            "initial_weight": self.initial_weight,
            "serverless": self.serverless.to_document() if self.serverless else None,
            "container_startup_health_check_timeout_seconds": (
                self.container_startup_health_check_timeout_seconds
            ),
            "model_data_download_timeout_seconds": self.model_data_download_timeout_seconds,
            "volume_size_gb": self.volume_size_gb,
        }


@dataclass(frozen=True)
class AsyncInference:
    output_path: str
    failure_path: str | None = None
    success_topic_arn: str | None = None
    error_topic_arn: str | None = None
    include_inference_response_in: tuple[str, ...] = ()
    max_concurrent_invocations_per_instance: int | None = None
    kms_key_id: str | None = None

    def to_document(self) -> dict[str, Any]:
        return {
            "output_path": self.output_path,
            "failure_path": self.failure_path,
            "success_topic_arn": self.success_topic_arn,
            "error_topic_arn": self.error_topic_arn,
            "include_inference_response_in": list(self.include_inference_response_in),
            "max_concurrent_invocations_per_instance": self.max_concurrent_invocations_per_instance,
            "kms_key_id": self.kms_key_id,
        }


@dataclass(frozen=True)
class DataCapture:
    """Endpoint-level DataCaptureConfig (SageMaker API reference, DataCaptureConfig)."""

    destination_s3_uri: str
    enable: bool = True
    initial_sampling_percentage: int = 20
    capture_options: tuple[str, ...] = CAPTURE_OPTIONS
    kms_key_id: str | None = None
    csv_content_types: tuple[str, ...] = ()
    json_content_types: tuple[str, ...] = ()

    def to_document(self) -> dict[str, Any]:
        return {
            "enable": self.enable,
            "initial_sampling_percentage": self.initial_sampling_percentage,
            "capture_options": list(self.capture_options),
            "destination_s3_uri": self.destination_s3_uri,
            "kms_key_id": self.kms_key_id,
            "capture_content_type_header": {
                "csv_content_types": list(self.csv_content_types),
                "json_content_types": list(self.json_content_types),
            },
        }


@dataclass(frozen=True)
class Deployment:
    strategy: str = "blue_green"
    traffic: str = "all_at_once"
    canary_percent: int = 10
    linear_step_percent: int = 20
    wait_interval_seconds: int = 0
    termination_wait_seconds: int = 300
    max_execution_timeout_seconds: int = 3600
    rolling_batch_percent: int = 25
    rollback_batch_percent: int = 100
    rollback_alarms: tuple[str, ...] = ()
    bake_seconds: int = 0
    timeout_seconds: int = 7200

    def to_document(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "traffic": self.traffic,
            "canary_percent": self.canary_percent,
            "linear_step_percent": self.linear_step_percent,
            "wait_interval_seconds": self.wait_interval_seconds,
            "termination_wait_seconds": self.termination_wait_seconds,
            "max_execution_timeout_seconds": self.max_execution_timeout_seconds,
            "rolling_batch_percent": self.rolling_batch_percent,
            "rollback_batch_percent": self.rollback_batch_percent,
            "rollback_alarms": list(self.rollback_alarms),
            "bake_seconds": self.bake_seconds,
            "timeout_seconds": self.timeout_seconds,
        }


@dataclass(frozen=True)
class Spec:
    schema_version: int
    endpoint_name: str
    region: str
    execution_role_arn: str
    variants: tuple[Variant, ...]
    async_inference: AsyncInference | None = None
    kms_key_arn: str | None = None
    deployment: Deployment = Deployment()
    keep_releases: int = 3
    tags: tuple[tuple[str, str], ...] = ()
    data_capture: DataCapture | None = None

    def to_document(self) -> dict[str, Any]:
        """The canonical JSON-able document: every field present, maps as objects, ``parse_spec`` inverse.
        ``data_capture`` only when set (a spec without it keeps the release id it had before it existed)."""
        document = self._base_document()
        if self.data_capture is not None:
            document["data_capture"] = self.data_capture.to_document()
        return document

    def _base_document(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "endpoint_name": self.endpoint_name,
            "region": self.region,
            "execution_role_arn": self.execution_role_arn,
            "variants": [v.to_document() for v in self.variants],
            "async_inference": self.async_inference.to_document() if self.async_inference else None,
            "kms_key_arn": self.kms_key_arn,
            "deployment": self.deployment.to_document(),
            "keep_releases": self.keep_releases,
            "tags": dict(self.tags),
        }

    def variant(self, name: str) -> Variant | None:
        return next((v for v in self.variants if v.name == name), None)

    def with_image(self, variant: str | None, hostname: str | None, image: str) -> Spec:
        """The same spec with one container's image replaced (the hotfix of SPEC §6).

        ``variant`` may be omitted when the endpoint has one variant, ``hostname`` when that variant has
        one container; otherwise the choice is ambiguous and refused.
        """
        _image(image, "image")
        if variant is None:
            if len(self.variants) != 1:
                names = ", ".join(v.name for v in self.variants)
                raise InvalidInput(f"variant: the endpoint has several variants ({names}); name one")
            index = 0
        else:
            index = next((i for i, v in enumerate(self.variants) if v.name == variant), -1)
            if index < 0:
                names = ", ".join(v.name for v in self.variants)
                raise InvalidInput(f"variant: no variant named {variant!r} (variants: {names})")
        target = self.variants[index]
        if hostname is None:
            if len(target.containers) != 1:
                raise InvalidInput(
                    f"container: variant {target.name!r} has {len(target.containers)} containers; "
                    "name one by its hostname"
                )
            slot = 0
        else:
            slot = next((i for i, c in enumerate(target.containers) if c.hostname == hostname), -1)
            if slot < 0:
                known = ", ".join(str(c.hostname) for c in target.containers)
                raise InvalidInput(
                    f"container: no container with hostname {hostname!r} in variant {target.name!r} "
                    f"(hostnames: {known})"
                )
        containers = list(target.containers)
        containers[slot] = replace(containers[slot], image=image)
        variants = list(self.variants)
        variants[index] = replace(target, containers=tuple(containers))
        return replace(self, variants=tuple(variants))


# ---------------------------------------------------------------------------------------------------
# Parsing


def parse_spec(source: str | bytes | Mapping[str, Any]) -> Spec:
    """Parse and validate a spec document (JSON text or an already decoded object).

    Raises ``InvalidInput("<field path>: <rule>")`` on the first problem found.
    """
    document = load_json(source, "spec") if isinstance(source, (str, bytes)) else source
    return _spec(document)


def load_json(text: str | bytes, what: str) -> Any:
    """Strict JSON: duplicate keys, NaN and Infinity are refused (each would be silently lossy)."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise InvalidInput(f"{what}: duplicate key {key!r} in JSON")
            result[key] = value
        return result

    def no_constant(name: str) -> Any:
        raise InvalidInput(f"{what}: {name} is not a JSON number")

    try:
        return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constant)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{what}: not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{what}: not valid UTF-8") from None


class _Object:
    """One JSON object being read: refuses unknown keys up front, then hands out values by key."""

    def __init__(self, value: Any, path: str, allowed: Iterable[str]) -> None:
        where = path or "spec"
        if not isinstance(value, Mapping):
            raise InvalidInput(f"{where}: must be a JSON object (got {json_kind(value)})")
        allowed = tuple(allowed)
        for key in value:
            if not isinstance(key, str):
                raise InvalidInput(f"{where}: keys must be strings (got {json_kind(key)})")
            if key not in allowed:
                raise InvalidInput(f"{self._join(path, key)}: unknown field{_suggest(key, allowed)}")
        self._value = value
        self._path = path

    @staticmethod
    def _join(path: str, key: str) -> str:
        return f"{path}.{key}" if path else key

    def path(self, key: str) -> str:
        return self._join(self._path, key)

    def get(self, key: str) -> Any:
        """The value, or None when the key is absent or null."""
        return self._value.get(key)

    def required(self, key: str) -> Any:
        value = self._value.get(key)
        if value is None:
            raise InvalidInput(f"{self.path(key)}: required")
        return value


def _spec(document: Any) -> Spec:
    obj = _Object(
        document,
        "",
        (
            "schema_version",
            "endpoint_name",
            "region",
            "execution_role_arn",
            "variants",
            "async_inference",
            "kms_key_arn",
            "deployment",
            "keep_releases",
            "tags",
            "data_capture",
        ),
    )
    schema_version = _integer(_default(obj.get("schema_version"), SCHEMA_VERSION), "schema_version")
    if schema_version != SCHEMA_VERSION:
        raise InvalidInput(
            f"schema_version: this deployer reads version {SCHEMA_VERSION} (got {schema_version})"
        )
    endpoint_name = _sagemaker_name(obj.required("endpoint_name"), "endpoint_name")
    region = _string(obj.required("region"), "region")
    if not _REGION.fullmatch(region):
        raise InvalidInput(f"region: must be an AWS Region code such as eu-north-1 (got {region!r})")
    role = _string(obj.required("execution_role_arn"), "execution_role_arn")
    if not (20 <= len(role) <= 2048 and _ROLE_ARN.fullmatch(role)):
        raise InvalidInput(
            f"execution_role_arn: must be an IAM role ARN arn:aws:iam::<12-digit account>:role/<name> "
            f"(got {_show(role)})"
        )
    variants = _variants(obj.required("variants"), "variants")
    async_value = obj.get("async_inference")
    async_inference = None if async_value is None else _async(async_value, "async_inference")
    kms_key_arn = _optional(obj.get("kms_key_arn"), "kms_key_arn", _kms_arn)
    deployment = _deployment(_default(obj.get("deployment"), {}), "deployment")
    keep_releases = _integer(_default(obj.get("keep_releases"), 3), "keep_releases", 2, 50)
    tags = _tags(_default(obj.get("tags"), {}), "tags")
    data_capture = _optional(obj.get("data_capture"), "data_capture", _data_capture)

    spec = Spec(
        schema_version=schema_version,
        endpoint_name=endpoint_name,
        region=region,
        execution_role_arn=role,
        variants=variants,
        async_inference=async_inference,
        kms_key_arn=kms_key_arn,
        deployment=deployment,
        keep_releases=keep_releases,
        tags=tags,
        data_capture=data_capture,
    )
    _cross_checks(spec)
    return spec


def _variants(value: Any, path: str) -> tuple[Variant, ...]:
    items = _array(value, path)
    if not 1 <= len(items) <= 10:
        raise InvalidInput(f"{path}: 1 to 10 variants (got {len(items)})")
    variants = tuple(_variant(item, f"{path}[{i}]") for i, item in enumerate(items))
    seen: set[str] = set()
    for i, variant in enumerate(variants):
        if variant.name in seen:
            raise InvalidInput(f"{path}[{i}].name: duplicate variant name {variant.name!r}")
        seen.add(variant.name)
    if all(v.initial_weight == 0 for v in variants):
        raise InvalidInput(f"{path}: at least one variant needs an initial_weight above 0")
    return variants


def _variant(value: Any, path: str) -> Variant:
    obj = _Object(
        value,
        path,
        (
            "name",
            "containers",
            "inference_execution_mode",
            "instance_type",
            "initial_instance_count",
            "initial_weight",
            "serverless",
            "container_startup_health_check_timeout_seconds",
            "model_data_download_timeout_seconds",
            "volume_size_gb",
            "vpc_config",
            "enable_network_isolation",
        ),
    )
    name = _sagemaker_name(_default(obj.get("name"), DEFAULT_VARIANT_NAME), obj.path("name"))
    containers = _containers(obj.required("containers"), obj.path("containers"))
    mode = _optional(
        obj.get("inference_execution_mode"), obj.path("inference_execution_mode"), _execution_mode
    )
    if len(containers) > 1 and mode is None:
        raise InvalidInput(
            f"{obj.path('inference_execution_mode')}: required with several containers (Direct or Serial)"
        )
    if mode == "Direct":
        for i, container in enumerate(containers):
            if container.hostname is None:
                raise InvalidInput(f"{obj.path('containers')}[{i}].hostname: required in Direct mode")

    serverless_value = obj.get("serverless")
    serverless = None if serverless_value is None else _serverless(serverless_value, obj.path("serverless"))
    instance_type = _optional(obj.get("instance_type"), obj.path("instance_type"), _instance_type)
    count_value = obj.get("initial_instance_count")
    count = None if count_value is None else _integer(count_value, obj.path("initial_instance_count"), 1)
    volume_value = obj.get("volume_size_gb")
    volume = None if volume_value is None else _integer(volume_value, obj.path("volume_size_gb"), 1, 512)
    if serverless is not None:
        for key, given in (
            ("instance_type", instance_type),
            ("initial_instance_count", count),
            ("volume_size_gb", volume),
        ):
            if given is not None:
                raise InvalidInput(
                    f"{obj.path(key)}: not allowed with serverless (a variant is one or the other)"
                )
        if len(containers) > 1:
            raise InvalidInput(f"{obj.path('containers')}: a serverless variant has exactly one container")
        _no_network_fields_with_serverless(obj)
    else:
        if instance_type is None:
            raise InvalidInput(f"{obj.path('instance_type')}: required unless the variant is serverless")
        if count is None:
            count = 1
        if len(containers) > 1 and _GPU_FAMILY.match(instance_type):
            raise InvalidInput(
                f"{obj.path('instance_type')}: multi-container models do not run on GPU instances "
                f"(got {instance_type})"
            )

    weight = _weight(_default(obj.get("initial_weight"), 1.0), obj.path("initial_weight"))
    startup = obj.get("container_startup_health_check_timeout_seconds")
    download = obj.get("model_data_download_timeout_seconds")
    return Variant(
        name=name,
        containers=containers,
        inference_execution_mode=mode,
        instance_type=instance_type,
        initial_instance_count=count,
        initial_weight=weight,
        serverless=serverless,
        container_startup_health_check_timeout_seconds=(
            None
            if startup is None
            else _integer(startup, obj.path("container_startup_health_check_timeout_seconds"), 60, 3600)
        ),
        model_data_download_timeout_seconds=(
            None
            if download is None
            else _integer(download, obj.path("model_data_download_timeout_seconds"), 60, 3600)
        ),
        volume_size_gb=volume,
        vpc_config=_optional(obj.get("vpc_config"), obj.path("vpc_config"), _vpc_config),
        enable_network_isolation=_boolean(
            _default(obj.get("enable_network_isolation"), False), obj.path("enable_network_isolation")
        ),
    )


def _no_network_fields_with_serverless(obj: _Object) -> None:
    """DG "Serverless Inference": serverless endpoints support neither VPC configuration nor network
    isolation."""
    for key in ("vpc_config", "enable_network_isolation"):
        if obj.get(key) not in (None, False):
            raise InvalidInput(
                f"{obj.path(key)}: not allowed with serverless (serverless endpoints support neither VPC "
                "configuration nor network isolation)"
            )


def _vpc_config(value: Any, path: str) -> VpcConfig:
    obj = _Object(value, path, ("subnets", "security_group_ids"))
    subnets = _id_list(obj.required("subnets"), obj.path("subnets"), _SUBNET_ID, "subnet", MAX_SUBNETS)
    groups = _id_list(
        obj.required("security_group_ids"),
        obj.path("security_group_ids"),
        _SECURITY_GROUP_ID,
        "sg",
        MAX_SECURITY_GROUPS,
    )
    return VpcConfig(subnets=subnets, security_group_ids=groups)


def _id_list(value: Any, path: str, pattern: re.Pattern[str], kind: str, most: int) -> tuple[str, ...]:
    """1 to ``most`` unique EC2 ids ``<kind>-<letters, digits>`` of at most 32 characters, in order."""
    items = _array(value, path)
    if not 1 <= len(items) <= most:
        raise InvalidInput(f"{path}: 1 to {most} ids (got {len(items)})")
    seen: set[str] = set()
    for i, item in enumerate(items):
        _matching(
            item, f"{path}[{i}]", pattern, 32, f"an id {kind}-<letters and digits> of at most 32 characters"
        )
        if item in seen:
            raise InvalidInput(f"{path}[{i}]: duplicate id {item!r}")
        seen.add(item)
    return tuple(items)


def _boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{path}: must be true or false (got {json_kind(value)})")
    return value


def _containers(value: Any, path: str) -> tuple[Container, ...]:
    items = _array(value, path)
    if not items:
        raise InvalidInput(f"{path}: at least 1 container")
    if len(items) > 15:
        raise InvalidInput(f"{path}: at most 15 containers (got {len(items)})")
    containers = tuple(_container(item, f"{path}[{i}]") for i, item in enumerate(items))
    size = sum(_bytes(k) + _bytes(v) for c in containers for k, v in c.environment)
    if size > MAX_ENVIRONMENT_BYTES:
        raise InvalidInput(
            f"{path}: the environment variables of all containers together are at most 32 KB "
            f"(got {size} bytes)"
        )
    seen: set[str] = set()
    for i, container in enumerate(containers):
        if container.hostname is None:
            continue
        if container.hostname in seen:
            raise InvalidInput(f"{path}[{i}].hostname: duplicate hostname {container.hostname!r}")
        seen.add(container.hostname)
    return containers


def _container(value: Any, path: str) -> Container:
    obj = _Object(value, path, ("image", "model_data_url", "environment", "hostname", "model_data_version"))
    image = _image(obj.required("image"), obj.path("image"))
    model_data_url = _optional(obj.get("model_data_url"), obj.path("model_data_url"), _model_data_url)
    environment = _environment(_default(obj.get("environment"), {}), obj.path("environment"))
    hostname = _optional(obj.get("hostname"), obj.path("hostname"), _sagemaker_name)
    version = _optional(obj.get("model_data_version"), obj.path("model_data_version"), _model_data_version)
    if version is not None and model_data_url is None:
        raise InvalidInput(f"{obj.path('model_data_version')}: only with model_data_url (the object it pins)")
    return Container(
        image=image,
        model_data_url=model_data_url,
        environment=environment,
        hostname=hostname,
        model_data_version=version,
    )


def _serverless(value: Any, path: str) -> Serverless:
    obj = _Object(value, path, ("memory_size_mb", "max_concurrency", "provisioned_concurrency"))
    memory = _integer(obj.required("memory_size_mb"), obj.path("memory_size_mb"))
    if memory not in (1024, 2048, 3072, 4096, 5120, 6144):
        raise InvalidInput(f"{obj.path('memory_size_mb')}: 1024 to 6144 in steps of 1024 (got {memory})")
    max_concurrency = _integer(obj.required("max_concurrency"), obj.path("max_concurrency"), 1, 200)
    provisioned_value = obj.get("provisioned_concurrency")
    provisioned = None
    if provisioned_value is not None:
        provisioned = _integer(provisioned_value, obj.path("provisioned_concurrency"), 1, 200)
        if provisioned > max_concurrency:
            raise InvalidInput(
                f"{obj.path('provisioned_concurrency')}: at most max_concurrency "
                f"({max_concurrency}) (got {provisioned})"
            )
    return Serverless(
        memory_size_mb=memory, max_concurrency=max_concurrency, provisioned_concurrency=provisioned
    )


def _async(value: Any, path: str) -> AsyncInference:
    obj = _Object(
        value,
        path,
        (
            "output_path",
            "failure_path",
            "success_topic_arn",
            "error_topic_arn",
            "include_inference_response_in",
            "max_concurrent_invocations_per_instance",
            "kms_key_id",
        ),
    )
    output_path = _s3_prefix(obj.required("output_path"), obj.path("output_path"))
    failure_path = _optional(obj.get("failure_path"), obj.path("failure_path"), _s3_prefix)
    success = _optional(obj.get("success_topic_arn"), obj.path("success_topic_arn"), _sns_arn)
    error = _optional(obj.get("error_topic_arn"), obj.path("error_topic_arn"), _sns_arn)
    include_path = obj.path("include_inference_response_in")
    include = _array(_default(obj.get("include_inference_response_in"), []), include_path)
    topics: list[str] = []
    for i, item in enumerate(include):
        topic = _choice(item, f"{include_path}[{i}]", NOTIFICATION_TOPICS)
        if topic in topics:
            raise InvalidInput(f"{include_path}[{i}]: duplicate {topic}")
        needed = success if topic == "SUCCESS_NOTIFICATION_TOPIC" else error
        if needed is None:
            field = "success_topic_arn" if topic == "SUCCESS_NOTIFICATION_TOPIC" else "error_topic_arn"
            raise InvalidInput(f"{include_path}[{i}]: {topic} needs {obj.path(field)}")
        topics.append(topic)
    concurrency_value = obj.get("max_concurrent_invocations_per_instance")
    concurrency = (
        None
        if concurrency_value is None
        else _integer(concurrency_value, obj.path("max_concurrent_invocations_per_instance"), 1, 1000)
    )
    kms_key_id = _optional(obj.get("kms_key_id"), obj.path("kms_key_id"), _kms_key_id)
    return AsyncInference(
        output_path=output_path,
        failure_path=failure_path,
        success_topic_arn=success,
        error_topic_arn=error,
        include_inference_response_in=tuple(topics),
        max_concurrent_invocations_per_instance=concurrency,
        kms_key_id=kms_key_id,
    )


def _data_capture(value: Any, path: str) -> DataCapture:
    """DataCaptureConfig: InitialSamplingPercentage 0-100, CaptureOptions Input / Output (each once),
    DestinationS3Uri an S3 URI of at most 512 characters, KmsKeyId the KmsKeyId pattern, content types
    1-10 each matching the CsvContentType / JsonContentType pattern (botocore's sagemaker model)."""
    obj = _Object(
        value,
        path,
        (
            "enable",
            "initial_sampling_percentage",
            "capture_options",
            "destination_s3_uri",
            "kms_key_id",
            "capture_content_type_header",
        ),
    )
    enable = _default(obj.get("enable"), True)
    if not isinstance(enable, bool):
        raise InvalidInput(f"{obj.path('enable')}: must be true or false (got {json_kind(enable)})")
    sampling = _integer(
        _default(obj.get("initial_sampling_percentage"), 20), obj.path("initial_sampling_percentage"), 0, 100
    )
    options_path = obj.path("capture_options")
    options_value = _array(_default(obj.get("capture_options"), list(CAPTURE_OPTIONS)), options_path)
    if not 1 <= len(options_value) <= len(CAPTURE_OPTIONS):
        raise InvalidInput(f"{options_path}: 1 or 2 of input, output (got {len(options_value)})")
    options: list[str] = []
    for i, item in enumerate(options_value):
        option = _choice(item, f"{options_path}[{i}]", CAPTURE_OPTIONS)
        if option in options:
            raise InvalidInput(f"{options_path}[{i}]: duplicate {option}")
        options.append(option)
    destination = _s3_prefix(obj.required("destination_s3_uri"), obj.path("destination_s3_uri"))
    kms_key_id = _optional(obj.get("kms_key_id"), obj.path("kms_key_id"), _kms_key_id)
    header_path = obj.path("capture_content_type_header")
    header = _Object(
        _default(obj.get("capture_content_type_header"), {}),
        header_path,
        ("csv_content_types", "json_content_types"),
    )
    csv = _content_types(header.get("csv_content_types"), header.path("csv_content_types"))
    json_types = _content_types(header.get("json_content_types"), header.path("json_content_types"))
    return DataCapture(
        destination_s3_uri=destination,
        enable=enable,
        initial_sampling_percentage=sampling,
        capture_options=tuple(options),
        kms_key_id=kms_key_id,
        csv_content_types=csv,
        json_content_types=json_types,
    )


def _content_types(value: Any, path: str) -> tuple[str, ...]:
    """Up to 10 MIME types such as text/csv (an empty list: SageMaker's defaults)."""
    items = _array(_default(value, []), path)
    if len(items) > MAX_CAPTURE_CONTENT_TYPES:
        raise InvalidInput(f"{path}: at most {MAX_CAPTURE_CONTENT_TYPES} content types (got {len(items)})")
    found: list[str] = []
    for i, item in enumerate(items):
        text = _matching(
            item,
            f"{path}[{i}]",
            _CAPTURE_CONTENT_TYPE,
            256,
            "a content type such as text/csv or application/json",
        )
        if text in found:
            raise InvalidInput(f"{path}[{i}]: duplicate {text}")
        found.append(text)
    return tuple(found)


def _deployment(value: Any, path: str) -> Deployment:
    obj = _Object(value, path, tuple(Deployment().to_document()))
    strategy = _choice(_default(obj.get("strategy"), "blue_green"), obj.path("strategy"), STRATEGIES)
    traffic = _choice(_default(obj.get("traffic"), "all_at_once"), obj.path("traffic"), TRAFFIC_MODES)
    if strategy == "rolling" and traffic != "all_at_once":
        raise InvalidInput(
            f"{obj.path('traffic')}: {traffic} applies to blue_green only (strategy is rolling)"
        )
    # A canary or linear shift, or a rolling batch, with no wait in between watches nothing.
    default_wait = 0 if (strategy, traffic) == ("blue_green", "all_at_once") else 300

    def number(key: str, default: int, low: int, high: int) -> int:
        return _integer(_default(obj.get(key), default), obj.path(key), low, high)

    alarms_path = obj.path("rollback_alarms")
    alarms = tuple(
        _alarm_name(item, f"{alarms_path}[{i}]")
        for i, item in enumerate(_array(_default(obj.get("rollback_alarms"), []), alarms_path))
    )
    if len(alarms) > 10:
        raise InvalidInput(f"{alarms_path}: at most 10 alarms (got {len(alarms)})")
    for i, alarm in enumerate(alarms):
        if alarm in alarms[:i]:
            raise InvalidInput(f"{alarms_path}[{i}]: duplicate alarm {alarm!r}")
    bake = number("bake_seconds", 0, 0, 3600)
    if bake > 0 and not alarms:
        raise InvalidInput(f"{obj.path('bake_seconds')}: watching needs at least one of {alarms_path}")
    linear_step = number("linear_step_percent", 20, 10, 50)
    wait = number("wait_interval_seconds", default_wait, 0, 3600)
    termination = number("termination_wait_seconds", 300, 0, 3600)
    timeout = number("max_execution_timeout_seconds", 3600, 600, 28800)
    if strategy == "blue_green":
        # BlueGreenUpdatePolicy (SageMaker API reference): the timeout "should be larger than the total
        # waiting time specified in TerminationWaitInSeconds and WaitIntervalInSeconds". Counted
        # conservatively: one wait per traffic shift.
        shifts = {"all_at_once": 1, "canary": 2}.get(traffic) or -(-100 // linear_step)
        waiting = termination + wait * shifts
        if timeout <= waiting:
            raise InvalidInput(
                f"{obj.path('max_execution_timeout_seconds')}: must exceed termination_wait_seconds + "
                f"{shifts} x wait_interval_seconds for {traffic} = {waiting} (got {timeout})"
            )
    return Deployment(
        strategy=strategy,
        traffic=traffic,
        canary_percent=number("canary_percent", 10, 1, 50),
        linear_step_percent=linear_step,
        wait_interval_seconds=wait,
        termination_wait_seconds=termination,
        max_execution_timeout_seconds=timeout,
        rolling_batch_percent=number("rolling_batch_percent", 25, 5, 50),
        rollback_batch_percent=number("rollback_batch_percent", 100, 5, 100),
        rollback_alarms=alarms,
        bake_seconds=bake,
        timeout_seconds=number("timeout_seconds", 7200, 60, 86400),
    )


def _cross_checks(spec: Spec) -> None:
    """Rules that involve more than one part of the document."""
    serverless = [i for i, v in enumerate(spec.variants) if v.serverless is not None]
    if serverless and len(spec.variants) > 1:
        raise InvalidInput(
            f"variants[{serverless[0]}].serverless: a serverless endpoint has exactly one variant "
            f"(got {len(spec.variants)})"
        )
    if serverless and spec.async_inference is not None:
        raise InvalidInput("async_inference: not allowed on a serverless endpoint")
    if spec.deployment.strategy == "rolling":
        if serverless:
            raise InvalidInput("deployment.strategy: rolling is not allowed for a serverless endpoint")
        if len(spec.variants) > 1:
            raise InvalidInput(
                f"deployment.strategy: rolling is not allowed for a multi-variant endpoint "
                f"(got {len(spec.variants)} variants)"
            )


# ---------------------------------------------------------------------------------------------------
# Leaf rules: each takes the raw value and its field path, returns the checked value or raises.


def json_kind(value: Any) -> str:
    """The JSON name of a value's type, for error messages (``got number``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _show(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _suggest(key: str, allowed: tuple[str, ...]) -> str:
    import difflib  # only on the error path

    close = difflib.get_close_matches(key, allowed, n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(allowed)})"


def _default(value: Any, default: Any) -> Any:
    return default if value is None else value


def _optional(value: Any, path: str, rule: Any) -> Any:
    return None if value is None else rule(value, path)


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{path}: must be a string (got {json_kind(value)})")
    return value


def _array(value: Any, path: str) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise InvalidInput(f"{path}: must be an array (got {json_kind(value)})")
    return list(value)


def _integer(value: Any, path: str, low: int | None = None, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{path}: must be a whole number (got {json_kind(value)} {value!r})")
    if low is not None and high is not None and not low <= value <= high:
        raise InvalidInput(f"{path}: {low} to {high} (got {value})")
    if low is not None and value < low:
        raise InvalidInput(f"{path}: at least {low} (got {value})")
    return value


def _weight(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput(f"{path}: must be a number (got {json_kind(value)})")
    if not math.isfinite(value) or value < 0:
        raise InvalidInput(f"{path}: a finite number >= 0 (got {value!r})")
    return float(value)


def _choice(value: Any, path: str, choices: tuple[str, ...]) -> str:
    text = _string(value, path)
    if text not in choices:
        raise InvalidInput(f"{path}: one of {', '.join(choices)} (got {_show(text)})")
    return text


def _sagemaker_name(value: Any, path: str) -> str:
    text = _string(value, path)
    if len(text) > 63:
        raise InvalidInput(f"{path}: at most 63 characters (got {len(text)})")
    if not _NAME.fullmatch(text):
        raise InvalidInput(
            f"{path}: letters, digits and hyphens, starting and ending with a letter or digit "
            f"(got {_show(text)})"
        )
    return text


def _execution_mode(value: Any, path: str) -> str:
    return _choice(value, path, EXECUTION_MODES)


def _instance_type(value: Any, path: str) -> str:
    text = _string(value, path)
    if not _INSTANCE_TYPE.fullmatch(text):
        raise InvalidInput(f"{path}: a SageMaker instance type such as ml.m5.xlarge (got {_show(text)})")
    return text


def _image(value: Any, path: str) -> str:
    text = _string(value, path)
    if not text:
        raise InvalidInput(f"{path}: must not be empty")
    if len(text) > 255:
        raise InvalidInput(f"{path}: at most 255 characters (got {len(text)})")
    match = _IMAGE.fullmatch(text)
    registry = match.group("registry") if match else ""
    if not match or not ("." in registry or ":" in registry or registry == "localhost"):
        raise InvalidInput(
            f"{path}: a registry/repository[:tag][@sha256:digest] image URI such as "
            f"123456789012.dkr.ecr.eu-north-1.amazonaws.com/model:1.0 (got {_show(text)})"
        )
    return text


def _matching(value: Any, path: str, pattern: re.Pattern[str], max_length: int, rule: str) -> str:
    """A string of at most ``max_length`` characters that ``pattern`` matches whole; ``rule`` says what."""
    text = _string(value, path)
    if len(text) > max_length or not pattern.fullmatch(text):
        raise InvalidInput(f"{path}: {rule} (got {_show(text)})")
    return text


def _model_data_url(value: Any, path: str) -> str:
    text = _matching(
        value, path, _S3_OBJECT, 1024, "an S3 object URI s3://bucket/key of at most 1024 characters"
    )
    if not text.endswith(".tar.gz"):
        raise InvalidInput(f"{path}: must name a gzip compressed tar archive (.tar.gz) (got {_show(text)})")
    return text


def _model_data_version(value: Any, path: str) -> str:
    """An S3 version id or an ETag (quoted or not): 1 to 1024 visible ASCII characters."""
    return _matching(
        value, path, _MODEL_DATA_VERSION, 1024, "an S3 version id or ETag: 1 to 1024 visible ASCII characters"
    )


def _s3_prefix(value: Any, path: str) -> str:
    return _matching(value, path, _S3_PREFIX, 512, "an S3 URI s3://bucket/prefix of at most 512 characters")


def _sns_arn(value: Any, path: str) -> str:
    return _matching(
        value, path, _SNS_ARN, 2048, "an SNS topic ARN arn:aws:sns:<region>:<12-digit account>:<topic>"
    )


def _kms_arn(value: Any, path: str) -> str:
    return _matching(
        value,
        path,
        _KMS_ARN,
        2048,
        "a KMS key or alias ARN arn:aws:kms:<region>:<12-digit account>:key/<id>",
    )


def _kms_key_id(value: Any, path: str) -> str:
    return _matching(value, path, _KMS_KEY_ID, 2048, "a KMS key id, key ARN, alias name or alias ARN")


def _alarm_name(value: Any, path: str) -> str:
    text = _string(value, path)
    if not 1 <= len(text) <= 255 or not text.strip() or "\n" in text or "\r" in text:
        raise InvalidInput(f"{path}: a CloudWatch alarm name of 1 to 255 characters, on one line")
    return text


def _environment(value: Any, path: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{path}: must be a JSON object of strings (got {json_kind(value)})")
    if len(value) > 100:
        raise InvalidInput(f"{path}: at most 100 variables (got {len(value)})")
    pairs = []
    for key, item in value.items():
        where = f"{path}[{key!r}]"
        if not isinstance(key, str) or not key or _bytes(key) > 1024 or not _ENV_KEY.fullmatch(key):
            raise InvalidInput(
                f"{where}: a variable name is a letter or _ then letters, digits or _ "
                "(at most 1024 characters)"
            )
        if key.upper() in _CREDENTIAL_VARIABLES:
            raise InvalidInput(
                f"{where}: AWS credentials do not belong in the spec (Terraform stores it in state and "
                "SageMaker shows it in the model); the container gets its credentials from execution_role_arn"
            )
        if not isinstance(item, str):
            raise InvalidInput(f"{where}: must be a string (got {json_kind(item)})")
        if _bytes(item) > 1024:
            raise InvalidInput(f"{where}: at most 1024 bytes (got {_bytes(item)})")
        pairs.append((key, item))
    return tuple(sorted(pairs))


def _bytes(text: str) -> int:
    return len(text.encode("utf-8"))


def _tag_text_ok(text: str) -> bool:
    return all(ch in _TAG_PUNCTUATION or unicodedata.category(ch)[0] in "LZN" for ch in text)


def _tags(value: Any, path: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{path}: must be a JSON object of strings (got {json_kind(value)})")
    if len(value) > MAX_USER_TAGS:
        raise InvalidInput(
            f"{path}: at most {MAX_USER_TAGS} tags (SageMaker allows 50 and the deployer keeps "
            f"{50 - MAX_USER_TAGS}) (got {len(value)})"
        )
    pairs = []
    for key, item in value.items():
        where = f"{path}[{key!r}]"
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or not _tag_text_ok(key):
            raise InvalidInput(f"{where}: a tag key is 1 to 128 letters, digits, spaces or _.:/=+-@")
        if key.lower().startswith("aws:"):
            raise InvalidInput(f"{where}: the aws: prefix is reserved by AWS")
        if key.startswith(RESERVED_TAG_PREFIX):
            raise InvalidInput(
                f"{where}: the {RESERVED_TAG_PREFIX} prefix is reserved for the deployer's own tags"
            )
        if not isinstance(item, str):
            raise InvalidInput(f"{where}: must be a string (got {json_kind(item)})")
        if len(item) > 256 or not _tag_text_ok(item):
            raise InvalidInput(f"{where}: a tag value is at most 256 letters, digits, spaces or _.:/=+-@")
        pairs.append((key, item))
    return tuple(sorted(pairs))
