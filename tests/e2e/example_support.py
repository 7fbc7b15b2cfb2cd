"""Helpers of the examples' end-to-end suite: images and artifacts in localaws, AWS state snapshots.

Everything here reads or seeds localaws through plain boto3 over HTTP (``AWS_ENDPOINT_URL`` is set by
the ``localaws`` fixture); nothing inspects Terraform's or the deployer's log text.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

ACCOUNT = "123456789012"
REGION = "us-east-1"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
ARTIFACTS_BUCKET = "e2e-model-artifacts"


@dataclass(frozen=True)
class Clients:
    sagemaker: Any
    autoscaling: Any
    cloudwatch: Any
    ecr: Any
    s3: Any
    iam: Any
    sns: Any
    kms: Any
    logs: Any

    @classmethod
    def create(cls) -> Clients:
        def client(name: str) -> Any:
            return boto3.client(name, region_name=REGION)

        return cls(
            sagemaker=client("sagemaker"),
            autoscaling=client("application-autoscaling"),
            cloudwatch=client("cloudwatch"),
            ecr=client("ecr"),
            s3=client("s3"),
            iam=client("iam"),
            sns=client("sns"),
            kms=client("kms"),
            logs=client("logs"),
        )


# --- seeding ----------------------------------------------------------------------------------------


def _manifest(seed: str) -> str:
    digest = "sha256:" + hashlib.sha256(seed.encode()).hexdigest()
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1,
                "digest": digest,
            },
            "layers": [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 1,
                    "digest": digest,
                }
            ],
        }
    )


def push_image(ecr: Any, repository: str, tag: str, seed: str | None = None) -> tuple[str, str]:
    """Push an image manifest under ``repository:tag`` (moving the tag when it exists).

    Returns ``(uri by tag, digest)``."""
    with contextlib.suppress(ecr.exceptions.RepositoryAlreadyExistsException):
        ecr.create_repository(repositoryName=repository)
    try:
        image = ecr.put_image(
            repositoryName=repository, imageManifest=_manifest(seed or f"{repository}:{tag}"), imageTag=tag
        )
        digest = image["image"]["imageId"]["imageDigest"]
    except ecr.exceptions.ImageAlreadyExistsException:  # the same image pushed again: ECR keeps it as is
        found = ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
        digest = found["imageDetails"][0]["imageDigest"]
    return f"{REGISTRY}/{repository}:{tag}", digest


def ensure_artifacts_bucket(s3: Any) -> None:
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        s3.create_bucket(Bucket=ARTIFACTS_BUCKET)


def upload_model(s3: Any, key: str, files: Mapping[str, bytes]) -> str:
    """A model tar.gz in the test's own artifacts bucket (not the module's); returns its S3 URI."""
    ensure_artifacts_bucket(s3)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    s3.put_object(Bucket=ARTIFACTS_BUCKET, Key=key, Body=buffer.getvalue())
    return f"s3://{ARTIFACTS_BUCKET}/{key}"


def model_dir_files(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


# --- reading state ----------------------------------------------------------------------------------


def writes_since(calls: list[dict[str, Any]], start: int) -> list[dict[str, Any]]:
    return [c for c in calls[start:] if c.get("write")]


def scalable_targets(c: Clients) -> dict[str, dict[str, Any]]:
    pages = c.autoscaling.get_paginator("describe_scalable_targets").paginate(ServiceNamespace="sagemaker")
    return {t["ResourceId"]: t for page in pages for t in page["ScalableTargets"]}


def scaling_policies(c: Clients, resource_id: str) -> list[dict[str, Any]]:
    return c.autoscaling.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=resource_id)[
        "ScalingPolicies"
    ]


def alarms(c: Clients, names: Iterable[str]) -> dict[str, dict[str, Any]]:
    found = c.cloudwatch.describe_alarms(AlarmNames=list(names))
    return {a["AlarmName"]: a for a in found["MetricAlarms"]} | {
        a["AlarmName"]: a for a in found.get("CompositeAlarms", [])
    }


def all_alarms(c: Clients) -> dict[str, dict[str, Any]]:
    pages = c.cloudwatch.get_paginator("describe_alarms").paginate()
    return {a["AlarmName"]: a for page in pages for a in page["MetricAlarms"]}


def dimensions(alarm: Mapping[str, Any]) -> dict[str, str]:
    return {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}


def alarm_metrics(alarm: Mapping[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """(namespace, metric, dimensions) of a plain alarm or of each metric of a metric-math alarm."""
    if alarm.get("MetricName"):
        return [(alarm["Namespace"], alarm["MetricName"], dimensions(alarm))]
    found = []
    for query in alarm.get("Metrics", []):
        metric = query.get("MetricStat", {}).get("Metric")
        if metric:
            found.append((metric["Namespace"], metric["MetricName"], dimensions(metric)))
    return found


def live_images(c: Clients, endpoint: str) -> list[str]:
    """The images of the configuration the endpoint serves (from its models, as SageMaker runs them)."""
    described = c.sagemaker.describe_endpoint(EndpointName=endpoint)
    config = c.sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    images = []
    for variant in config["ProductionVariants"]:
        model = c.sagemaker.describe_model(ModelName=variant["ModelName"])
        containers = model.get("Containers") or [model["PrimaryContainer"]]
        images += [container["Image"] for container in containers]
    return images


def snapshot(c: Clients) -> dict[str, set[str]]:
    """What exists in the localaws account, by kind (used to prove that destroy leaves nothing)."""
    sm = c.sagemaker
    buckets = {b["Name"] for b in c.s3.list_buckets()["Buckets"]}
    topics = {t["TopicArn"] for page in c.sns.get_paginator("list_topics").paginate() for t in page["Topics"]}
    roles = {r["RoleName"] for page in c.iam.get_paginator("list_roles").paginate() for r in page["Roles"]}
    policies = {
        p["Arn"]
        for page in c.iam.get_paginator("list_policies").paginate(Scope="Local")
        for p in page["Policies"]
    }
    keys = set()
    for page in c.kms.get_paginator("list_keys").paginate():
        for key in page["Keys"]:
            meta = c.kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            if meta["KeyState"] not in ("PendingDeletion", "Disabled") and meta.get("KeyManager") != "AWS":
                keys.add(key["KeyId"])
    log_groups = {
        g["logGroupName"]
        for page in c.logs.get_paginator("describe_log_groups").paginate()
        for g in page["logGroups"]
    }
    policies_aas = {
        p["PolicyARN"]
        for page in c.autoscaling.get_paginator("describe_scaling_policies").paginate(
            ServiceNamespace="sagemaker"
        )
        for p in page["ScalingPolicies"]
    }
    return {
        "endpoints": {e["EndpointName"] for e in sm.list_endpoints(MaxResults=100)["Endpoints"]},
        "endpoint_configs": {
            e["EndpointConfigName"] for e in sm.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]
        },
        "models": {m["ModelName"] for m in sm.list_models(MaxResults=100)["Models"]},
        "scalable_targets": set(scalable_targets(c)),
        "scaling_policies": policies_aas,
        "alarms": set(all_alarms(c)),
        "buckets": buckets,
        "topics": topics,
        "roles": roles,
        "policies": policies,
        "kms_keys": keys,
        "log_groups": log_groups,
    }


def leftovers(before: Mapping[str, set[str]], after: Mapping[str, set[str]]) -> dict[str, set[str]]:
    return {
        kind: after[kind] - before.get(kind, set()) for kind in after if after[kind] - before.get(kind, set())
    }
