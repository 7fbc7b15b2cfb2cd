"""Every example, end to end: real Terraform and the real AWS provider against localaws (issue 4).

Each test walks one example through the acceptance steps, in order:
1. apply creates everything: endpoint InService, scalable targets, alarms with their metrics;
2. plan right after: no changes (-detailed-exitcode 0) and no write call in localaws;
3. apply with a new image: a blue/green rollout with the module's alarms in the DeploymentConfig;
   scaling targets and policies in place afterwards;
4. apply with a new image while a rollback alarm is in ALARM: fails with the reason, the endpoint serves
   the old configuration, the next plan writes nothing and warns;
5. destroy leaves nothing of the example in the localaws account;
6. proof by replay: every call Terraform and the deployer made in the walk is allowed by the module's CI
   policies (plan against the plan policy, apply and destroy against the apply policy; tests/iamproof).
(realtime-canary adds: an instance-type change of the autoscaled variant applies in one apply.)
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.e2e.example_support import (
    ARTIFACTS_BUCKET,
    REGION,
    REGISTRY,
    Clients,
    alarm_metrics,
    alarms,
    all_alarms,
    ensure_artifacts_bucket,
    leftovers,
    live_images,
    model_dir_files,
    push_image,
    scalable_targets,
    scaling_policies,
    snapshot,
    upload_model,
    writes_since,
)
from tests.iamproof.actions import Account
from tests.iamproof.prove import prove
from tests.iamproof.recorder import Recorder

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
VARIANT = "AllTraffic"
DESIRED_COUNT = "sagemaker:variant:DesiredInstanceCount"

# Deployment waits in the examples' own units (seconds of AWS time); localaws and the deployer run them
# at LOCALAWS_TIME_SCALE (0.01 in tests), so 60 s of AWS time is 0.6 s here.
FAST = {"termination_wait_seconds": 60}
ACCOUNT = Account("aws", "us-east-1", "123456789012")  # moto's default account


@dataclass(frozen=True)
class Scaled:
    """An autoscaled variant as Application Auto Scaling must show it."""

    min_capacity: int
    max_capacity: int
    metric: str  # the target-tracking metric (predefined type or customized metric name)
    step_from_zero: bool = False  # async scale to zero: the HasBacklogWithoutCapacity step policy


@dataclass
class Example:
    """What one example needs: its variables per release and what AWS must show."""

    directory: str
    endpoints: tuple[str, ...]
    variables: Callable[[int], dict[str, Any]]  # release number (1, 2, 3, ...) -> tfvars
    traffic: str  # BlueGreenUpdatePolicy.TrafficRoutingConfiguration.Type
    scaled: dict[str, Scaled] = field(default_factory=dict)  # endpoint -> its AllTraffic variant
    check_created: Callable[[Clients, dict[str, Any]], None] | None = None  # extra checks after step 1
    alarm_endpoint: str | None = None  # endpoint whose rollback alarm fires in step 4 (default: first)
    new_instance_type: str | None = None  # an instance-type change of the autoscaled variant after step 3
    canary_percent: int = 10  # CanarySize CAPACITY_PERCENT of a CANARY rollout
    # data capture switched on at the first sampling percentage, then changed to the second (after step 3)
    data_capture: tuple[int, int] | None = None
    # checks with the Terraform runner after steps 1 and 3 (state, role policies)
    check_state: Callable[[Clients, dict[str, Any], Any], None] | None = None


def resource_id(endpoint: str, variant: str = VARIANT) -> str:
    return f"endpoint/{endpoint}/variant/{variant}"


# --- the examples ------------------------------------------------------------------------------------


def common() -> dict[str, Any]:
    return {"region": "us-east-1", "python_executable": sys.executable}


# What the team keeps outside the async-whisper stack (the example reads both with data sources).
WHISPER_DIGEST_PARAMETER = "/whisper/e2e/image-digest"
WHISPER_DSN_SECRET = "whisper/e2e/sentry-dsn"
WHISPER_DSN = "https://0123456789abcdef0123456789abcdef@o0.ingest.sentry.io/42"  # must never reach AWS config


def async_whisper(c: Clients) -> Example:
    ssm = boto3.client("ssm", region_name=REGION)
    secrets = boto3.client("secretsmanager", region_name=REGION)
    secret_arn = secrets.create_secret(Name=WHISPER_DSN_SECRET, SecretString=WHISPER_DSN)["ARN"]

    def variables(release: int) -> dict[str, Any]:
        # CI's part of each release: push the image, then write its digest to the SSM parameter.
        uri, digest = push_image(c.ecr, "whisper-inference", "stable", seed=f"whisper-{release}")
        ssm.put_parameter(Name=WHISPER_DIGEST_PARAMETER, Value=digest, Type="String", Overwrite=True)
        return {
            **common(),
            **FAST,
            "image_repository": uri.rsplit(":", 1)[0],
            "image_digest_parameter": WHISPER_DIGEST_PARAMETER,
            "sentry_dsn_secret_name": WHISPER_DSN_SECRET,
            "bucket_force_destroy": True,
        }

    def check_secret(c: Clients, outputs: dict[str, Any], tf: Any) -> None:
        """The image comes from the SSM parameter; the DSN stays in Secrets Manager, read only by the role."""
        digest = ssm.get_parameter(Name=WHISPER_DIGEST_PARAMETER)["Parameter"]["Value"]
        assert outputs["image"] == f"{REGISTRY}/whisper-inference@{digest}"
        assert live_images(c, "whisper") == [outputs["image"]]
        assert outputs["sentry_dsn_secret_arn"] == secret_arn
        # Every model of the endpoint: the secret's ARN in the environment, never its value.
        models = [m["ModelName"] for m in c.sagemaker.list_models(MaxResults=100)["Models"]]
        assert models
        for name in models:
            model = c.sagemaker.describe_model(ModelName=name)
            for container in model.get("Containers") or [model["PrimaryContainer"]]:
                environment = container.get("Environment", {})
                assert environment.get("SENTRY_DSN_SECRET_ARN") == secret_arn
                assert WHISPER_DSN not in json.dumps(environment)
        # The state, raw (sensitive values included), and the plan's view of it.
        state = tf.run("state", "pull").stdout
        assert secret_arn in state  # the check looks at the right state
        assert WHISPER_DSN not in state
        assert WHISPER_DSN not in json.dumps(tf.show_json())
        # GetSecretValue: allowed on exactly this secret, by exactly one statement of the execution role.
        granted = [
            (policy, statement)
            for policy, document in role_policy_documents(c, outputs["execution_role_name"])
            for statement in document["Statement"]
            if statement["Effect"] == "Allow" and grants(statement, "secretsmanager:GetSecretValue")
        ]
        assert [(policy, _as_list(s["Resource"])) for policy, s in granted] == [
            ("read-sentry-dsn", [secret_arn])
        ]

    def check(c: Clients, outputs: dict[str, Any]) -> None:
        described = c.sagemaker.describe_endpoint(EndpointName="whisper")
        config = c.sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
        async_config = config["AsyncInferenceConfig"]
        assert async_config["OutputConfig"]["S3OutputPath"] == outputs["async_output_path"]
        notification = async_config["OutputConfig"]["NotificationConfig"]
        assert notification["SuccessTopic"] == outputs["success_topic_arn"]
        assert notification["ErrorTopic"] == outputs["error_topic_arn"]
        assert set(notification["IncludeInferenceResponseIn"]) == {
            "SUCCESS_NOTIFICATION_TOPIC",
            "ERROR_NOTIFICATION_TOPIC",
        }
        assert async_config["ClientConfig"]["MaxConcurrentInvocationsPerInstance"] == 1
        variant = config["ProductionVariants"][0]
        assert variant["InstanceType"] == "ml.g4dn.xlarge"
        assert variant["ContainerStartupHealthCheckTimeoutInSeconds"] == 1800
        assert variant["ModelDataDownloadTimeoutInSeconds"] == 1200
        # the team's own 4XX rollback alarm, as the write-up had it
        four_xx = alarms(c, ["whisper-4xx"])["whisper-4xx"]
        assert alarm_metrics(four_xx) == [
            ("AWS/SageMaker", "Invocation4XXErrors", {"EndpointName": "whisper", "VariantName": VARIANT})
        ]
        assert (four_xx["Statistic"], four_xx["Period"], four_xx["EvaluationPeriods"]) == ("Average", 600, 2)
        assert four_xx["TreatMissingData"] == "notBreaching"
        assert "whisper-4xx" in outputs["rollback_alarm_names"]

    return Example(
        directory="async-whisper",
        endpoints=("whisper",),
        variables=variables,
        traffic="ALL_AT_ONCE",
        scaled={"whisper": Scaled(0, 30, "ApproximateBacklogSizePerInstance", step_from_zero=True)},
        check_created=check,
        check_state=check_secret,
    )


def role_policy_documents(c: Clients, role: str) -> list[tuple[str, dict[str, Any]]]:
    """(name, document) of every inline and attached policy of ``role``."""
    found = []
    for name in c.iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = c.iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        found.append((name, _document(document)))
    for attached in c.iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        policy = c.iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        version = c.iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
        found.append((attached["PolicyName"], _document(version["PolicyVersion"]["Document"])))
    return found


def _document(document: Any) -> dict[str, Any]:
    return json.loads(urllib.parse.unquote(document)) if isinstance(document, str) else document


def grants(statement: Mapping[str, Any], action: str) -> bool:
    """Whether the statement's Action (with IAM wildcards) covers ``action``."""
    return any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in _as_list(statement.get("Action", [])))


def serverless_byoc(c: Clients) -> Example:
    model = upload_model(
        c.s3, "byoc/1.0.0/model.tar.gz", model_dir_files(EXAMPLES / "serverless-byoc" / "container" / "model")
    )

    def variables(release: int) -> dict[str, Any]:
        uri, _ = push_image(c.ecr, "byoc-inference", f"1.0.{release}")
        return {**common(), **FAST, "image": uri, "model_data_url": model, "bake_seconds": 60}

    def check(c: Clients, outputs: dict[str, Any]) -> None:
        config = c.sagemaker.describe_endpoint_config(EndpointConfigName=outputs["endpoint_config_name"])
        assert config["ProductionVariants"][0]["ServerlessConfig"] == {
            "MemorySizeInMB": 2048,
            "MaxConcurrency": 1,
        }
        assert "InstanceType" not in config["ProductionVariants"][0]

    return Example(
        directory="serverless-byoc",
        endpoints=("byoc-serverless",),
        variables=variables,
        traffic="ALL_AT_ONCE",
        check_created=check,
    )


def multi_container(c: Clients) -> Example:
    tf_model = upload_model(c.s3, "mnist/tensorflow/model.tar.gz", {"00000001/saved_model.pb": b"tf"})
    pt_model = upload_model(
        c.s3, "mnist/pytorch/model.tar.gz", {"model.pth": b"pt", "code/mnist.py": b"# mnist"}
    )

    def variables(release: int) -> dict[str, Any]:
        tf_uri, _ = push_image(c.ecr, "tensorflow-inference", f"2.13.{release}-cpu")
        pt_uri, _ = push_image(c.ecr, "pytorch-inference", "2.1-cpu-py310")  # unchanged: one container moves
        return {
            **common(),
            **FAST,
            "wait_interval_seconds": 60,
            "bake_seconds": 60,
            "pin_image_digests": True,  # the test's images are in this account's ECR
            "tensorflow_image": tf_uri,
            "tensorflow_model_data_url": tf_model,
            "pytorch_image": pt_uri,
            "pytorch_model_data_url": pt_model,
            "allowed_container_hostnames": ["tensorflow-mnist", "pytorch-*"],
            "denied_container_hostnames": ["pytorch-debug*"],
        }

    def check(c: Clients, outputs: dict[str, Any]) -> None:
        described = c.sagemaker.describe_endpoint(EndpointName="mnist-multi-container")
        config = c.sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
        assert config["ProductionVariants"][0]["InstanceType"] == "ml.c5.4xlarge"
        model = c.sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
        assert model["InferenceExecutionConfig"] == {"Mode": "Direct"}
        by_host = {ct["ContainerHostname"]: ct for ct in model["Containers"]}
        assert set(by_host) == {"tensorflow-mnist", "pytorch-mnist"}
        assert by_host["pytorch-mnist"]["Environment"]["SAGEMAKER_PROGRAM"] == "mnist.py"
        for container in by_host.values():
            assert "@sha256:" in container["Image"], "pin_image_digests must pin the tag to its digest"
        # the invoke policy: allow/deny by TargetContainerHostname (StringLike)
        policy = c.iam.get_policy(PolicyArn=outputs["invoke_policy_arn"])["Policy"]
        document = c.iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])[
            "PolicyVersion"
        ]["Document"]
        if isinstance(document, str):
            document = json.loads(urllib.parse.unquote(document))
        conditions = {
            (
                s["Effect"],
                tuple(sorted(_as_list(s["Condition"]["StringLike"]["sagemaker:TargetContainerHostname"]))),
            )
            for s in document["Statement"]
            if "StringLike" in s.get("Condition", {})
        }
        assert ("Allow", ("pytorch-*", "tensorflow-mnist")) in conditions
        assert ("Deny", ("pytorch-debug*",)) in conditions

    return Example(
        directory="multi-container",
        endpoints=("mnist-multi-container",),
        variables=variables,
        traffic="ALL_AT_ONCE",
        check_created=check,
    )


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def triton(c: Clients) -> Example:
    ensure_artifacts_bucket(c.s3)
    # The packaging script, for real: it uploads over HTTP to localaws (AWS_ENDPOINT_URL) and prints the URI.
    packed = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "triton" / "package_model.py"),
            str(EXAMPLES / "triton" / "model_repository"),
            "--triton-image",
            "24.05",  # release 1's image; its Python backend stub is Python 3.10, as the environment
            "--bucket",
            ARTIFACTS_BUCKET,
            "--prefix",
            "triton",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    model_uri = packed.stdout.strip()
    assert model_uri.startswith(f"s3://{ARTIFACTS_BUCKET}/triton/") and model_uri.endswith(
        "/ensemble_model.tar.gz"
    )
    key = model_uri.removeprefix(f"s3://{ARTIFACTS_BUCKET}/")
    assert c.s3.head_object(Bucket=ARTIFACTS_BUCKET, Key=key)["ContentLength"] > 0

    def variables(release: int) -> dict[str, Any]:
        uri, _ = push_image(c.ecr, "sagemaker-tritonserver", f"24.0{4 + release}-py3")
        return {
            **common(),
            **FAST,
            "wait_interval_seconds": 60,
            "triton_image": uri,
            "model_data_url": model_uri,
        }

    def check(c: Clients, outputs: dict[str, Any]) -> None:
        described = c.sagemaker.describe_endpoint(EndpointName="triton-ensemble")
        config = c.sagemaker.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
        model = c.sagemaker.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
        container = model.get("PrimaryContainer") or model["Containers"][0]
        assert container["Environment"]["SAGEMAKER_TRITON_DEFAULT_MODEL_NAME"] == "ensemble_model"
        assert container["ModelDataUrl"] == model_uri
        assert outputs["default_model_name"] == "ensemble_model"

    return Example(
        directory="triton",
        endpoints=("triton-ensemble",),
        variables=variables,
        traffic="ALL_AT_ONCE",
        check_created=check,
    )


def realtime_canary(c: Clients) -> Example:
    model = upload_model(c.s3, "fraud-scoring/2024.06.1/model.tar.gz", {"model.joblib": b"model"})

    def variables(release: int) -> dict[str, Any]:
        uri, _ = push_image(c.ecr, "fraud-scoring", f"2024.06.{release}")
        return {
            **common(),
            **FAST,
            "canary_wait_seconds": 60,
            "image": uri,
            "model_data_url": model,
            "instance_type": "ml.m5.xlarge",
        }  # the example's own fleet: 4 instances, a 25% canary (one instance), up to 12

    def check(c: Clients, outputs: dict[str, Any]) -> None:
        config = c.sagemaker.describe_endpoint_config(EndpointConfigName=outputs["endpoint_config_name"])
        assert config["ProductionVariants"][0]["InstanceType"] == "ml.m5.xlarge"
        assert config["ProductionVariants"][0]["InitialInstanceCount"] == 4

    return Example(
        directory="realtime-canary",
        endpoints=("fraud-scoring",),
        variables=variables,
        traffic="CANARY",
        scaled={"fraud-scoring": Scaled(4, 12, "SageMakerVariantInvocationsPerInstance")},
        check_created=check,
        new_instance_type="ml.m5.2xlarge",
        canary_percent=25,
        data_capture=(20, 50),
    )


def many_endpoints(c: Clients) -> Example:
    model = upload_model(c.s3, "shared/model.tar.gz", {"model.bin": b"m"})

    def variables(release: int) -> dict[str, Any]:
        fraud, _ = push_image(c.ecr, "fraud-scoring", f"v{release}")
        churn, _ = push_image(c.ecr, "churn-prediction", f"v{min(release, 2)}")  # step 4 moves only fraud
        return {
            **common(),
            **FAST,
            "wait_interval_seconds": 60,
            "endpoints": {
                "fraud-scoring": {
                    "image": fraud,
                    "model_data_url": model,
                    "instance_type": "ml.m5.xlarge",
                    "min_instances": 1,
                    "max_instances": 3,
                    "canary": True,
                },
                "churn-prediction": {"image": churn, "model_data_url": model, "instance_type": "ml.m5.large"},
            },
        }

    return Example(
        directory="many-endpoints",
        endpoints=("fraud-scoring", "churn-prediction"),
        variables=variables,
        traffic="CANARY",  # of fraud-scoring; churn-prediction is all at once (checked in the walk)
        scaled={"fraud-scoring": Scaled(1, 3, "SageMakerVariantInvocationsPerInstance")},
        alarm_endpoint="fraud-scoring",
    )


# --- the walk ------------------------------------------------------------------------------------------


def rollback_alarm_names(outputs: dict[str, Any], endpoint: str) -> list[str]:
    names = outputs["rollback_alarm_names"]
    return names[endpoint] if isinstance(names, dict) else names


def config_name(outputs: dict[str, Any], endpoint: str) -> str:
    if "endpoint_config_names" in outputs:
        return outputs["endpoint_config_names"][endpoint]
    return outputs["endpoint_config_name"]


def assert_endpoints_in_service(c: Clients, example: Example, outputs: dict[str, Any]) -> None:
    for endpoint in example.endpoints:
        described = c.sagemaker.describe_endpoint(EndpointName=endpoint)
        assert described["EndpointStatus"] == "InService", described.get("FailureReason")
        assert described["EndpointConfigName"] == config_name(outputs, endpoint)


def assert_alarms(c: Clients, example: Example, outputs: dict[str, Any]) -> None:
    for endpoint in example.endpoints:
        names = rollback_alarm_names(outputs, endpoint)
        found = alarms(c, names)
        assert set(found) == set(names), f"rollback alarms missing: {set(names) - set(found)}"
        metrics = {m for alarm in found.values() for (_ns, m, _d) in alarm_metrics(alarm)}
        assert {"Invocation5XXErrors", "ModelLatency"} <= metrics
        for alarm in found.values():
            for namespace, metric, dims in alarm_metrics(alarm):
                if metric in ("Invocation5XXErrors", "ModelLatency"):
                    assert namespace == "AWS/SageMaker"
                    assert dims == {"EndpointName": endpoint, "VariantName": VARIANT}, (
                        alarm["AlarmName"],
                        dims,
                    )


def assert_scaling(c: Clients, example: Example) -> None:
    targets = scalable_targets(c)
    expected_ids = {resource_id(endpoint) for endpoint in example.scaled}
    assert set(targets) == expected_ids, f"scalable targets {sorted(targets)} != {sorted(expected_ids)}"
    for endpoint, scaled in example.scaled.items():
        target = targets[resource_id(endpoint)]
        assert target["ScalableDimension"] == DESIRED_COUNT
        assert (target["MinCapacity"], target["MaxCapacity"]) == (scaled.min_capacity, scaled.max_capacity)
        policies = scaling_policies(c, resource_id(endpoint))
        tracking = [p for p in policies if p["PolicyType"] == "TargetTrackingScaling"]
        assert len(tracking) == 1, policies
        config = tracking[0]["TargetTrackingScalingPolicyConfiguration"]
        metric = config.get("PredefinedMetricSpecification", {}).get("PredefinedMetricType") or config[
            "CustomizedMetricSpecification"
        ].get("MetricName")
        assert metric == scaled.metric
        if scaled.metric == "ApproximateBacklogSizePerInstance":
            custom = config["CustomizedMetricSpecification"]
            assert custom["Namespace"] == "AWS/SageMaker"
            assert custom["Statistic"] == "Average"
            assert {d["Name"]: d["Value"] for d in custom["Dimensions"]} == {"EndpointName": endpoint}
        steps = [p for p in policies if p["PolicyType"] == "StepScaling"]
        if not scaled.step_from_zero:
            assert not steps
            continue
        assert len(steps) == 1, policies
        step = steps[0]["StepScalingPolicyConfiguration"]
        assert step["AdjustmentType"] == "ChangeInCapacity"
        assert step["StepAdjustments"] == [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}]
        assert step["Cooldown"] == 300
        backlog = [
            a
            for a in all_alarms(c).values()
            if ("AWS/SageMaker", "HasBacklogWithoutCapacity", {"EndpointName": endpoint}) in alarm_metrics(a)
        ]
        assert len(backlog) == 1, "one HasBacklogWithoutCapacity alarm"
        alarm = backlog[0]
        assert steps[0]["PolicyARN"] in alarm["AlarmActions"]
        assert (alarm["Statistic"], alarm["Period"], alarm["EvaluationPeriods"]) == ("Average", 60, 2)
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1.0, "GreaterThanOrEqualToThreshold")
        assert alarm["TreatMissingData"] == "missing"


def assert_quiet_plan(
    tf: Any, localaws: Any, variables: dict[str, Any], expect_exitcode: int | None = 0
) -> str:
    """A plan that writes nothing; returns its output."""
    start = len(localaws.calls())
    plan = tf.plan(variables)
    writes = writes_since(localaws.calls(), start)
    assert writes == [], f"plan wrote: {[(w['service'], w['operation']) for w in writes]}"
    if expect_exitcode is not None:
        assert plan.returncode == expect_exitcode, plan.stdout[-3000:]
    return plan.stdout + plan.stderr


def assert_rolled_out(c: Clients, example: Example, outputs: dict[str, Any], before: dict[str, str]) -> None:
    """Every endpoint serves a new configuration, reached by a blue/green update with the module's alarms."""
    for endpoint in example.endpoints:
        described = c.sagemaker.describe_endpoint(EndpointName=endpoint)
        assert described["EndpointStatus"] == "InService"
        assert described["EndpointConfigName"] == config_name(outputs, endpoint) != before[endpoint]
        deployment = described["LastDeploymentConfig"]
        rollback = {a["AlarmName"] for a in deployment["AutoRollbackConfiguration"]["Alarms"]}
        assert rollback == set(rollback_alarm_names(outputs, endpoint))
        routing = deployment["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
        expected = example.traffic if endpoint == example.endpoints[0] else "ALL_AT_ONCE"
        assert routing["Type"] == expected
        if expected == "CANARY":
            assert routing["CanarySize"] == {"Type": "CAPACITY_PERCENT", "Value": example.canary_percent}


# hashicorp/aws 5.x, aws_s3_bucket_lifecycle_configuration Create (internal/service/s3/
# bucket_lifecycle_configuration.go, waitLifecycleConfigEquals): after PutBucketLifecycleConfiguration it
# waits 10 s, then reads GetBucketLifecycleConfiguration every 5 s until 10 reads in a row equal what it wrote
# (rules and TransitionDefaultMinimumObjectSize); a read that differs starts the count again, and 3 minutes
# without 10 equal reads fail the create. So 10 reads is the floor, reached only when every read is equal.
LIFECYCLE_EQUAL_READS = 10


def assert_lifecycle_read_back_unchanged(calls: list[dict[str, Any]]) -> None:
    """localaws answers a lifecycle configuration as it was put: the provider's wait ends at its floor."""
    puts = [i for i, c in enumerate(calls) if c["operation"] == "PutBucketLifecycleConfiguration"]
    assert puts, "the apply put no lifecycle configuration"
    for i in puts:
        bucket = calls[i]["params"].get("Bucket")
        reads = [
            c
            for c in calls[i + 1 :]
            if c["operation"] == "GetBucketLifecycleConfiguration" and c["params"].get("Bucket") == bucket
        ]
        assert len(reads) == LIFECYCLE_EQUAL_READS, (bucket, len(reads))
        assert all(r["status"] == 200 for r in reads), [r["status"] for r in reads]


def assert_data_capture(
    c: Clients, endpoint: str, outputs: dict[str, Any], sampling: int, before: str
) -> None:
    """A new release serves, and DescribeEndpoint shows the capture at ``sampling`` percent into the
    module's bucket under data-capture/ (issue 13 item 2)."""
    live = c.sagemaker.describe_endpoint(EndpointName=endpoint)
    assert live["EndpointStatus"] == "InService"
    assert live["EndpointConfigName"] == config_name(outputs, endpoint) != before
    capture = live["DataCaptureConfig"]
    assert (capture["EnableCapture"], capture["CaptureStatus"]) == (True, "Started")
    assert capture["CurrentSamplingPercentage"] == sampling
    assert capture["DestinationS3Uri"].startswith("s3://") and capture["DestinationS3Uri"].endswith(
        "/data-capture/"
    )
    config = c.sagemaker.describe_endpoint_config(EndpointConfigName=live["EndpointConfigName"])
    assert config["DataCaptureConfig"]["InitialSamplingPercentage"] == sampling


def walk(example: Example, tf: Any, localaws: Any, c: Clients) -> None:
    before_apply = snapshot(c)

    # 1. apply creates everything
    tf.init()
    release = 1
    variables = example.variables(release)
    start = len(localaws.calls())
    tf.apply(variables)
    assert_lifecycle_read_back_unchanged(localaws.calls()[start:])
    outputs = tf.output()
    assert_endpoints_in_service(c, example, outputs)
    assert_alarms(c, example, outputs)
    assert_scaling(c, example)
    if example.check_created:
        example.check_created(c, outputs)
    if example.check_state:
        example.check_state(c, outputs, tf)

    # 2. plan right after: no changes, no write
    assert_quiet_plan(tf, localaws, variables)

    # 3. a new image rolls out blue/green with the module's alarms
    configs = {
        e: c.sagemaker.describe_endpoint(EndpointName=e)["EndpointConfigName"] for e in example.endpoints
    }
    release += 1
    variables = example.variables(release)
    start = len(localaws.calls())
    tf.apply(variables)
    updates = [
        call
        for call in localaws.calls()[start:]
        if call["service"] == "sagemaker" and call["operation"] == "UpdateEndpoint"
    ]
    assert {u["params"].get("EndpointName") for u in updates} == set(example.endpoints)
    outputs = tf.output()
    assert_rolled_out(c, example, outputs, configs)
    assert_scaling(c, example)
    assert_alarms(c, example, outputs)
    if example.check_state:
        example.check_state(c, outputs, tf)
    assert_quiet_plan(tf, localaws, variables)

    # (realtime-canary) an instance-type change of the autoscaled variant applies in one apply
    overrides: dict[str, Any] = {}
    if example.new_instance_type:
        overrides = {"instance_type": example.new_instance_type}
        variables = variables | overrides
        tf.apply(variables)
        outputs = tf.output()
        live = c.sagemaker.describe_endpoint(EndpointName=example.endpoints[0])
        assert live["EndpointStatus"] == "InService"
        assert live["EndpointConfigName"] == config_name(outputs, example.endpoints[0])
        config = c.sagemaker.describe_endpoint_config(EndpointConfigName=live["EndpointConfigName"])
        assert config["ProductionVariants"][0]["InstanceType"] == example.new_instance_type
        assert_scaling(c, example)
        assert_quiet_plan(tf, localaws, variables)

    # (realtime-canary) data capture switched on, then its sampling changed: each a rollout
    if example.data_capture:
        for sampling in example.data_capture:
            overrides["data_capture_sampling_percentage"] = sampling
            variables = variables | overrides
            before = c.sagemaker.describe_endpoint(EndpointName=example.endpoints[0])["EndpointConfigName"]
            tf.apply(variables)
            outputs = tf.output()
            assert_data_capture(c, example.endpoints[0], outputs, sampling, before)
            assert_scaling(c, example)
            assert_quiet_plan(tf, localaws, variables)

    # 4. a new image while a rollback alarm is in ALARM: the apply fails, the old release keeps serving
    failing = example.alarm_endpoint or example.endpoints[0]
    serving = c.sagemaker.describe_endpoint(EndpointName=failing)["EndpointConfigName"]
    images = live_images(c, failing)
    alarm_name = rollback_alarm_names(outputs, failing)[0]
    c.cloudwatch.set_alarm_state(AlarmName=alarm_name, StateValue="ALARM", StateReason="e2e: bad release")
    release += 1
    variables = example.variables(release) | overrides
    failed = tf.apply(variables, check=False)
    assert failed.returncode != 0, failed.stdout[-3000:]
    error = failed.stderr
    assert "Error" in error
    assert "roll" in error.lower() and (alarm_name in error or "ALARM" in error), error[-3000:]
    described = c.sagemaker.describe_endpoint(EndpointName=failing)
    assert described["EndpointStatus"] == "InService"
    assert described["EndpointConfigName"] == serving
    assert live_images(c, failing) == images
    try:
        assert_scaling(c, example)  # a rolled-back release keeps the old release's autoscaling
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- failed apply ---\n{failed.stdout[-6000:]}") from None
    text = assert_quiet_plan(tf, localaws, variables, expect_exitcode=None)
    assert "Warning" in text, text[-3000:]
    assert "rolled_back" in text or "rolled back" in text or "drift" in text, text[-3000:]

    # 5. destroy leaves nothing of the example
    c.cloudwatch.set_alarm_state(AlarmName=alarm_name, StateValue="OK", StateReason="e2e: cleanup")
    tf.destroy(variables)
    left = leftovers(before_apply, snapshot(c))
    assert left == {}, f"left behind after destroy: {left}"


EXAMPLE_NAMES = [
    "async-whisper",
    "serverless-byoc",
    "multi-container",
    "triton",
    "realtime-canary",
    "many-endpoints",
]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_end_to_end(name: str, localaws: Any, tf_workdir: Any) -> None:
    c = Clients.create()
    factories: dict[str, Callable[[], Example]] = {
        "async-whisper": lambda: async_whisper(c),
        "serverless-byoc": lambda: serverless_byoc(c),
        "multi-container": lambda: multi_container(c),
        "triton": lambda: triton(c),
        "realtime-canary": lambda: realtime_canary(c),
        "many-endpoints": lambda: many_endpoints(c),
    }
    example = factories[name]()
    tf = Recorder(tf_workdir(EXAMPLES / example.directory), localaws)
    walk(example, tf, localaws, c)
    assert_proven(name, tf)


def assert_proven(name: str, recorded: Recorder) -> None:
    """Proof by replay (issue 8): every call Terraform and the deployer made is allowed by the CI policies."""
    assert recorded.policies, "no CI policy documents in the state before destroy"
    proof = prove(recorded.windows, recorded.policies, ACCOUNT)
    assert not proof.denials, "denied by the module's CI policies:\n" + "\n".join(map(str, proof.denials))
    assert proof.count() > 0
    report = os.environ.get("IAMPROOF_REPORT")  # a directory: the counts docs/security.md quotes
    if report:
        counts = {"pairs": proof.count(), **{policy: len(pairs) for policy, pairs in proof.proven.items()}}
        (Path(report) / f"{name}.json").write_text(json.dumps(counts))


def test_every_example_is_covered() -> None:
    """A new example directory must get an end-to-end walk (the GitHub Actions roles are not an endpoint)."""
    on_disk = {d.name for d in EXAMPLES.iterdir() if d.is_dir() and any(d.glob("*.tf"))}
    assert on_disk - {"github-actions"} == set(EXAMPLE_NAMES)
