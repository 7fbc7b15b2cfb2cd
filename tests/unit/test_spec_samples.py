"""Spec documents for tests: valid ones of every endpoint kind, and malformed ones with the field each
must be refused for. Shared by the unit tests and tests/integration/test_invalid_input.py."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from deployer.spec import MAX_USER_TAGS

ACCOUNT = "123456789012"
REGION = "us-east-1"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/whisper:1.0"
DIGEST_IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/whisper@sha256:" + "ab" * 32
ROLE = f"arn:aws:iam::{ACCOUNT}:role/whisper-sagemaker"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:whisper"


def realtime(endpoint_name: str = "whisper") -> dict[str, Any]:
    """A real-time, instance-based endpoint with the fields a user would write."""
    return {
        "schema_version": 1,
        "endpoint_name": endpoint_name,
        "region": REGION,
        "execution_role_arn": ROLE,
        "variants": [
            {
                "name": "AllTraffic",
                "containers": [
                    {
                        "image": IMAGE,
                        "model_data_url": "s3://models-bucket/whisper/model.tar.gz",
                        "environment": {"STAGE": "prod", "SENTRY_DSN": "https://key@sentry.example/1"},
                    }
                ],
                "instance_type": "ml.g4dn.xlarge",
                "initial_instance_count": 1,
                "container_startup_health_check_timeout_seconds": 1800,
                "model_data_download_timeout_seconds": 1200,
            }
        ],
        "deployment": {
            "strategy": "blue_green",
            "traffic": "canary",
            "canary_percent": 10,
            "wait_interval_seconds": 300,
            "rollback_alarms": ["whisper-5xx", "whisper-model-latency"],
        },
        "keep_releases": 3,
        "tags": {"team": "speech"},
    }


def asynchronous() -> dict[str, Any]:
    doc = realtime()
    doc["async_inference"] = {
        "output_path": "s3://whisper-bucket/async/output/",
        "failure_path": "s3://whisper-bucket/async/failure/",
        "success_topic_arn": f"{TOPIC}-success",
        "error_topic_arn": f"{TOPIC}-error",
        "include_inference_response_in": ["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"],
        "max_concurrent_invocations_per_instance": 1,
        "kms_key_id": None,
    }
    return doc


def serverless() -> dict[str, Any]:
    doc = realtime("byoc")
    variant = doc["variants"][0]
    for key in ("instance_type", "initial_instance_count"):
        del variant[key]
    variant["serverless"] = {"memory_size_mb": 2048, "max_concurrency": 1}
    doc["deployment"] = {
        "strategy": "blue_green",
        "traffic": "all_at_once",
        "bake_seconds": 60,
        "rollback_alarms": ["byoc-5xx"],
    }
    return doc


def multi_container(count: int = 2) -> dict[str, Any]:
    doc = realtime("mnist")
    variant = doc["variants"][0]
    variant["instance_type"] = "ml.c5.4xlarge"
    variant["inference_execution_mode"] = "Direct"
    variant["containers"] = [
        {"image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/model{i}:1", "hostname": f"model-{i}"}
        for i in range(count)
    ]
    return doc


def two_variants() -> dict[str, Any]:
    doc = realtime()
    second = copy.deepcopy(doc["variants"][0])
    second["name"] = "Challenger"
    second["initial_weight"] = 0.1
    doc["variants"].append(second)
    return doc


Mutation = Callable[[dict[str, Any]], Any]


def _set(path: str, value: Any) -> Mutation:
    """A mutation that sets (or, with value DELETE, removes) a dotted path; list indexes are numbers."""

    def mutate(doc: dict[str, Any]) -> None:
        parts = path.split(".")
        node: Any = doc
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        last = parts[-1]
        if value is DELETE:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


DELETE = object()
V0 = "variants.0"
C0 = "variants.0.containers.0"

# (case id, base document factory, mutation, the field path the error must name)
# fmt: off
MALFORMED: list[tuple[str, Callable[[], dict[str, Any]], Mutation, str]] = [
    ("endpoint-name-64-chars", realtime, _set("endpoint_name", "e" * 64), "endpoint_name"),
    ("endpoint-name-underscore", realtime, _set("endpoint_name", "my_endpoint"), "endpoint_name"),
    ("endpoint-name-missing", realtime, _set("endpoint_name", DELETE), "endpoint_name"),
    ("endpoint-name-number", realtime, _set("endpoint_name", 7), "endpoint_name"),
    ("unknown-top-level-field", realtime, _set("endpoint", "x"), "endpoint"),
    ("unknown-variant-field", realtime, _set(f"{V0}.instance_typ", "ml.m5.large"),
     "variants[0].instance_typ"),
    ("unknown-container-field", realtime, _set(f"{C0}.command", ["serve"]),
     "variants[0].containers[0].command"),
    ("unknown-deployment-field", realtime, _set("deployment.canary", 10), "deployment.canary"),
    ("region-shape", realtime, _set("region", "Europe"), "region"),
    ("execution-role-missing", realtime, _set("execution_role_arn", DELETE), "execution_role_arn"),
    ("execution-role-user-arn", realtime, _set("execution_role_arn", f"arn:aws:iam::{ACCOUNT}:user/bob"),
     "execution_role_arn"),
    ("variants-empty", realtime, _set("variants", []), "variants"),
    ("variants-not-array", realtime, _set("variants", {"name": "AllTraffic"}), "variants"),
    ("variants-eleven", realtime, lambda d: d.update(variants=[
        dict(d["variants"][0], name=f"v{i}") for i in range(11)]), "variants"),
    ("variant-name-duplicate", two_variants, _set("variants.1.name", "AllTraffic"), "variants[1].name"),
    ("variant-name-pattern", realtime, _set(f"{V0}.name", "-AllTraffic"), "variants[0].name"),
    ("containers-sixteen", lambda: multi_container(16), lambda d: None, "variants[0].containers"),
    ("containers-empty", realtime, _set(f"{V0}.containers", []), "variants[0].containers"),
    ("multi-container-without-mode", multi_container, _set(f"{V0}.inference_execution_mode", DELETE),
     "variants[0].inference_execution_mode"),
    ("execution-mode-unknown", multi_container, _set(f"{V0}.inference_execution_mode", "Parallel"),
     "variants[0].inference_execution_mode"),
    ("direct-without-hostname", multi_container, _set(f"{V0}.containers.1.hostname", DELETE),
     "variants[0].containers[1].hostname"),
    ("hostname-duplicate", multi_container, _set(f"{V0}.containers.1.hostname", "model-0"),
     "variants[0].containers[1].hostname"),
    ("hostname-pattern", realtime, _set(f"{C0}.hostname", "my.host"), "variants[0].containers[0].hostname"),
    ("multi-container-on-gpu", multi_container, _set(f"{V0}.instance_type", "ml.g5.xlarge"),
     "variants[0].instance_type"),
    ("image-empty", realtime, _set(f"{C0}.image", ""), "variants[0].containers[0].image"),
    ("image-without-registry", realtime, _set(f"{C0}.image", "whisper:latest"),
     "variants[0].containers[0].image"),
    ("image-with-space", realtime, _set(f"{C0}.image", IMAGE + " x"), "variants[0].containers[0].image"),
    ("image-too-long", realtime, _set(f"{C0}.image", IMAGE[:-4] + "a" * 250 + ":1"),
     "variants[0].containers[0].image"),
    ("image-missing", realtime, _set(f"{C0}.image", DELETE), "variants[0].containers[0].image"),
    ("model-data-https", realtime, _set(f"{C0}.model_data_url", "https://example.com/model.tar.gz"),
     "variants[0].containers[0].model_data_url"),
    ("model-data-no-key", realtime, _set(f"{C0}.model_data_url", "s3://models-bucket"),
     "variants[0].containers[0].model_data_url"),
    ("model-data-not-archive", realtime, _set(f"{C0}.model_data_url", "s3://models-bucket/whisper/"),
     "variants[0].containers[0].model_data_url"),
    ("model-data-version-empty", realtime, _set(f"{C0}.model_data_version", ""),
     "variants[0].containers[0].model_data_version"),
    ("model-data-version-space", realtime, _set(f"{C0}.model_data_version", "3HL4 kqtJ"),
     "variants[0].containers[0].model_data_version"),
    ("model-data-version-too-long", realtime, _set(f"{C0}.model_data_version", "v" * 1025),
     "variants[0].containers[0].model_data_version"),
    ("model-data-version-number", realtime, _set(f"{C0}.model_data_version", 7),
     "variants[0].containers[0].model_data_version"),
    ("env-over-32-kb", realtime, _set(f"{C0}.environment", {f"K{i}": "v" * 1000 for i in range(40)}),
     "variants[0].containers"),
    ("env-aws-credentials", realtime, _set(f"{C0}.environment.AWS_SECRET_ACCESS_KEY", "x"),
     "variants[0].containers[0].environment['AWS_SECRET_ACCESS_KEY']"),
    ("env-key-pattern", realtime, _set(f"{C0}.environment.1STAGE", "x"),
     "variants[0].containers[0].environment['1STAGE']"),
    ("env-value-number", realtime, _set(f"{C0}.environment.WORKERS", 4),
     "variants[0].containers[0].environment['WORKERS']"),
    ("env-value-too-long", realtime, _set(f"{C0}.environment.BIG", "x" * 1025),
     "variants[0].containers[0].environment['BIG']"),
    ("env-101-entries", realtime, _set(f"{C0}.environment", {f"K{i}": "v" for i in range(101)}),
     "variants[0].containers[0].environment"),
    ("env-not-object", realtime, _set(f"{C0}.environment", ["STAGE=prod"]),
     "variants[0].containers[0].environment"),
    ("instance-type-missing", realtime, _set(f"{V0}.instance_type", DELETE), "variants[0].instance_type"),
    ("instance-type-shape", realtime, _set(f"{V0}.instance_type", "m5.xlarge"), "variants[0].instance_type"),
    ("instance-count-zero", realtime, _set(f"{V0}.initial_instance_count", 0),
     "variants[0].initial_instance_count"),
    ("instance-count-string", realtime, _set(f"{V0}.initial_instance_count", "1"),
     "variants[0].initial_instance_count"),
    ("instance-count-fraction", realtime, _set(f"{V0}.initial_instance_count", 1.5),
     "variants[0].initial_instance_count"),
    ("instance-count-boolean", realtime, _set(f"{V0}.initial_instance_count", True),
     "variants[0].initial_instance_count"),
    ("weight-negative", realtime, _set(f"{V0}.initial_weight", -0.5), "variants[0].initial_weight"),
    ("weights-all-zero", realtime, _set(f"{V0}.initial_weight", 0), "variants"),
    ("startup-timeout-low", realtime, _set(f"{V0}.container_startup_health_check_timeout_seconds", 30),
     "variants[0].container_startup_health_check_timeout_seconds"),
    ("download-timeout-high", realtime, _set(f"{V0}.model_data_download_timeout_seconds", 3601),
     "variants[0].model_data_download_timeout_seconds"),
    ("volume-too-big", realtime, _set(f"{V0}.volume_size_gb", 513), "variants[0].volume_size_gb"),
    ("serverless-memory-1500", serverless, _set(f"{V0}.serverless.memory_size_mb", 1500),
     "variants[0].serverless.memory_size_mb"),
    ("serverless-memory-8192", serverless, _set(f"{V0}.serverless.memory_size_mb", 8192),
     "variants[0].serverless.memory_size_mb"),
    ("serverless-concurrency-201", serverless, _set(f"{V0}.serverless.max_concurrency", 201),
     "variants[0].serverless.max_concurrency"),
    ("serverless-provisioned-above-max", serverless, _set(f"{V0}.serverless.provisioned_concurrency", 2),
     "variants[0].serverless.provisioned_concurrency"),
    ("serverless-unknown-field", serverless, _set(f"{V0}.serverless.memory", 2048),
     "variants[0].serverless.memory"),
    ("serverless-with-instance-type", serverless, _set(f"{V0}.instance_type", "ml.m5.large"),
     "variants[0].instance_type"),
    ("serverless-with-async", serverless,
     lambda d: d.update(async_inference=asynchronous()["async_inference"]), "async_inference"),
    ("serverless-two-variants", serverless, lambda d: d["variants"].append(
        dict(d["variants"][0], name="Second")), "variants[0].serverless"),
    ("rolling-on-serverless", serverless, _set("deployment.strategy", "rolling"), "deployment.strategy"),
    ("rolling-multi-variant", two_variants, lambda d: d.update(deployment={"strategy": "rolling"}),
     "deployment.strategy"),
    ("rolling-with-canary", realtime, _set("deployment.strategy", "rolling"), "deployment.traffic"),
    ("strategy-unknown", realtime, _set("deployment.strategy", "red_black"), "deployment.strategy"),
    ("traffic-unknown", realtime, _set("deployment.traffic", "gradual"), "deployment.traffic"),
    ("canary-51-percent", realtime, _set("deployment.canary_percent", 51), "deployment.canary_percent"),
    ("canary-0-percent", realtime, _set("deployment.canary_percent", 0), "deployment.canary_percent"),
    ("linear-5-percent", realtime, _set("deployment.linear_step_percent", 5),
     "deployment.linear_step_percent"),
    ("rolling-batch-60", realtime, _set("deployment.rolling_batch_percent", 60),
     "deployment.rolling_batch_percent"),
    ("rollback-batch-4", realtime, _set("deployment.rollback_batch_percent", 4),
     "deployment.rollback_batch_percent"),
    ("wait-interval-3601", realtime, _set("deployment.wait_interval_seconds", 3601),
     "deployment.wait_interval_seconds"),
    ("termination-wait-negative", realtime, _set("deployment.termination_wait_seconds", -1),
     "deployment.termination_wait_seconds"),
    ("max-execution-599", realtime, _set("deployment.max_execution_timeout_seconds", 599),
     "deployment.max_execution_timeout_seconds"),
    ("max-execution-28801", realtime, _set("deployment.max_execution_timeout_seconds", 28801),
     "deployment.max_execution_timeout_seconds"),
    ("timeout-59", realtime, _set("deployment.timeout_seconds", 59), "deployment.timeout_seconds"),
    ("bake-3601", realtime, _set("deployment.bake_seconds", 3601), "deployment.bake_seconds"),
    ("bake-without-alarms", serverless, _set("deployment.rollback_alarms", []), "deployment.bake_seconds"),
    ("alarms-eleven", realtime, _set("deployment.rollback_alarms", [f"alarm-{i}" for i in range(11)]),
     "deployment.rollback_alarms"),
    ("alarm-name-256", realtime, _set("deployment.rollback_alarms", ["a" * 256]),
     "deployment.rollback_alarms[0]"),
    ("alarm-name-blank", realtime, _set("deployment.rollback_alarms", ["ok", "  "]),
     "deployment.rollback_alarms[1]"),
    ("alarms-not-array", realtime, _set("deployment.rollback_alarms", "whisper-5xx"),
     "deployment.rollback_alarms"),
    ("deployment-not-object", realtime, _set("deployment", "blue_green"), "deployment"),
    ("keep-releases-1", realtime, _set("keep_releases", 1), "keep_releases"),
    ("keep-releases-51", realtime, _set("keep_releases", 51), "keep_releases"),
    ("tag-aws-prefix", realtime, _set("tags.aws:team", "x"), "tags['aws:team']"),
    ("tag-reserved-prefix", realtime, _set("tags.sagemaker-rollout:release", "x"),
     "tags['sagemaker-rollout:release']"),
    ("tags-over-limit", realtime, _set("tags", {f"k{i}": "v" for i in range(MAX_USER_TAGS + 1)}), "tags"),
    ("tag-value-number", realtime, _set("tags.team", 5), "tags['team']"),
    ("tag-key-129", realtime, _set("tags", {"k" * 129: "v"}), f"tags[{'k' * 129!r}]"),
    ("async-output-not-s3", asynchronous, _set("async_inference.output_path", "/tmp/out"),
     "async_inference.output_path"),
    ("async-output-missing", asynchronous, _set("async_inference.output_path", DELETE),
     "async_inference.output_path"),
    ("async-topic-shape", asynchronous, _set("async_inference.success_topic_arn", "arn:aws:sns:...:whisper"),
     "async_inference.success_topic_arn"),
    ("async-include-without-topic", asynchronous, _set("async_inference.error_topic_arn", None),
     "async_inference.include_inference_response_in[1]"),
    ("async-include-unknown", asynchronous, _set("async_inference.include_inference_response_in", ["BOTH"]),
     "async_inference.include_inference_response_in[0]"),
    ("async-concurrency-0", asynchronous, _set("async_inference.max_concurrent_invocations_per_instance", 0),
     "async_inference.max_concurrent_invocations_per_instance"),
    ("kms-key-arn-shape", realtime, _set("kms_key_arn", "alias/my-key"), "kms_key_arn"),
    ("schema-version-2", realtime, _set("schema_version", 2), "schema_version"),
    ("spec-not-object", lambda: [realtime()], lambda d: None, "spec"),
]
# fmt: on


def malformed_document(case: tuple[str, Callable[[], Any], Mutation, str]) -> Any:
    _, factory, mutate, _ = case
    doc = factory()
    mutate(doc)
    return doc


# Malformed JSON text (not documents): (case id, text, field)
MALFORMED_TEXT: list[tuple[str, str, str]] = [
    ("not-json", "{endpoint_name: whisper}", "spec"),
    ("duplicate-key", '{"endpoint_name": "a", "endpoint_name": "b"}', "spec"),
    ("nan", json.dumps(realtime()).replace('"keep_releases": 3', '"keep_releases": NaN'), "spec"),
]
