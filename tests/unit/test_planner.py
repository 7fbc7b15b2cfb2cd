"""The planner's decisions (pure functions): requests, capacity carry-over, autoscaling, DeploymentConfig,
verdict, retention; and the read path's judgement of tags + DescribeEndpoint."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from deployer import planner, reader
from deployer.release import TAG_HOTFIX, TAG_LAST_ROLLOUT, TAG_ROLLOUT_ID, config_name, release_id
from deployer.spec import parse_spec

IMAGE = "123456789012.dkr.ecr.eu-north-1.amazonaws.com/whisper:1"


def doc(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "schema_version": 1,
        "endpoint_name": "whisper",
        "region": "eu-north-1",
        "execution_role_arn": "arn:aws:iam::123456789012:role/whisper",
        "variants": [
            {
                "name": "AllTraffic",
                "containers": [{"image": IMAGE, "model_data_url": "s3://bucket/whisper.tar.gz"}],
                "instance_type": "ml.g4dn.xlarge",
                "initial_instance_count": 2,
                "container_startup_health_check_timeout_seconds": 1800,
                "model_data_download_timeout_seconds": 1200,
            }
        ],
        "deployment": {"rollback_alarms": ["whisper-5xx", "whisper-latency"]},
    }
    base.update(changes)
    return base


def deploy(**fields: Any):
    d = doc()
    d["deployment"].update(fields)
    return parse_spec(d).deployment


def live(*variants: tuple[str, int | None], weights: dict[str, float] | None = None) -> dict[str, Any]:
    out = []
    for name, count in variants:
        summary: dict[str, Any] = {"VariantName": name, "DesiredWeight": (weights or {}).get(name, 1.0)}
        if count is None:
            summary["CurrentServerlessConfig"] = {"MemorySizeInMB": 2048, "MaxConcurrency": 1}
        else:
            summary["DesiredInstanceCount"] = count
        out.append(summary)
    return {"EndpointName": "whisper", "EndpointConfigName": "whisper-old", "ProductionVariants": out}


# --------------------------------------------------------------------------------------- DeploymentConfig


def test_all_at_once_carries_wait_interval_and_alarms():
    config = planner.deployment_config(deploy(traffic="all_at_once", termination_wait_seconds=120))
    assert config == {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0},
            "TerminationWaitInSeconds": 120,
            "MaximumExecutionTimeoutInSeconds": 3600,
        },
        "AutoRollbackConfiguration": {
            "Alarms": [{"AlarmName": "whisper-5xx"}, {"AlarmName": "whisper-latency"}]
        },
    }


def test_canary_and_linear_sizes_are_capacity_percent():
    canary = planner.deployment_config(deploy(traffic="canary", canary_percent=10, wait_interval_seconds=300))
    routing = canary["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    assert routing == {
        "Type": "CANARY",
        "WaitIntervalInSeconds": 300,
        "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 10},
    }
    linear = planner.deployment_config(deploy(traffic="linear", linear_step_percent=25))
    routing = linear["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    assert (
        routing["LinearStepSize"] == {"Type": "CAPACITY_PERCENT", "Value": 25} and "CanarySize" not in routing
    )


def test_rolling_policy():
    config = planner.deployment_config(
        deploy(
            strategy="rolling", rolling_batch_percent=20, rollback_batch_percent=50, wait_interval_seconds=60
        )
    )
    assert config["RollingUpdatePolicy"] == {
        "MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 20},
        "WaitIntervalInSeconds": 60,
        "MaximumExecutionTimeoutInSeconds": 3600,
        "RollbackMaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 50},
    }
    assert "BlueGreenUpdatePolicy" not in config


def test_alarms_can_be_left_out_for_our_own_rollback():
    assert "AutoRollbackConfiguration" not in planner.deployment_config(deploy(), alarms=())
    assert planner.deployment_config(deploy(), alarms=["x"])["AutoRollbackConfiguration"] == {
        "Alarms": [{"AlarmName": "x"}]
    }


# --------------------------------------------------------------------------------------- capacity


@pytest.mark.parametrize(("live_count", "expected"), [(4, 4), (1, 1), (0, 1)])
def test_new_config_takes_the_live_desired_count_clamped_to_one(live_count, expected):
    spec = parse_spec(doc())
    request = planner.config_request(spec, live(("AllTraffic", live_count)))
    assert request["ProductionVariants"][0]["InitialInstanceCount"] == expected


def test_a_new_endpoint_or_new_variant_uses_the_spec_count():
    spec = parse_spec(doc())
    assert planner.config_request(spec, None)["ProductionVariants"][0]["InitialInstanceCount"] == 2
    assert (
        planner.config_request(spec, live(("Other", 7)))["ProductionVariants"][0]["InitialInstanceCount"] == 2
    )


def test_config_request_shape():
    d = doc(kms_key_arn="arn:aws:kms:eu-north-1:123456789012:key/abc-123")
    d["async_inference"] = {
        "output_path": "s3://bucket/async/output/",
        "failure_path": "s3://bucket/async/failure/",
        "success_topic_arn": "arn:aws:sns:eu-north-1:123456789012:ok",
        "error_topic_arn": "arn:aws:sns:eu-north-1:123456789012:err",
        "include_inference_response_in": ["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"],
        "max_concurrent_invocations_per_instance": 1,
    }
    spec = parse_spec(d)
    request = planner.config_request(spec, None)
    release = release_id(spec)
    assert request["EndpointConfigName"] == config_name("whisper", release)
    assert request["KmsKeyId"] == "arn:aws:kms:eu-north-1:123456789012:key/abc-123"
    assert request["ProductionVariants"] == [
        {
            "VariantName": "AllTraffic",
            "ModelName": f"{config_name('whisper', release)}-m0",
            "InitialVariantWeight": 1.0,
            "InstanceType": "ml.g4dn.xlarge",
            "InitialInstanceCount": 2,
            "ContainerStartupHealthCheckTimeoutInSeconds": 1800,
            "ModelDataDownloadTimeoutInSeconds": 1200,
        }
    ]
    assert request["AsyncInferenceConfig"] == {
        "OutputConfig": {
            "S3OutputPath": "s3://bucket/async/output/",
            "S3FailurePath": "s3://bucket/async/failure/",
            "NotificationConfig": {
                "SuccessTopic": "arn:aws:sns:eu-north-1:123456789012:ok",
                "ErrorTopic": "arn:aws:sns:eu-north-1:123456789012:err",
                "IncludeInferenceResponseIn": ["SUCCESS_NOTIFICATION_TOPIC", "ERROR_NOTIFICATION_TOPIC"],
            },
        },
        "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 1},
    }


def test_serverless_variant_has_no_instance_fields():
    d = doc()
    d["variants"][0] = {
        "name": "AllTraffic",
        "containers": [{"image": IMAGE}],
        "serverless": {"memory_size_mb": 2048, "max_concurrency": 1},
    }
    pv = planner.config_request(parse_spec(d), live(("AllTraffic", None)))["ProductionVariants"][0]
    assert pv["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 1}
    assert "InstanceType" not in pv and "InitialInstanceCount" not in pv


def test_multi_container_model_request():
    d = doc()
    d["variants"][0]["containers"] = [
        {"image": "123456789012.dkr.ecr.eu-north-1.amazonaws.com/tf:1", "hostname": "tensorflow-mnist"},
        {"image": "123456789012.dkr.ecr.eu-north-1.amazonaws.com/pt:1", "hostname": "pytorch-mnist"},
    ]
    d["variants"][0]["inference_execution_mode"] = "Direct"
    d["variants"][0]["instance_type"] = "ml.c5.4xlarge"
    (model,) = planner.model_requests(parse_spec(d))
    assert model.params["InferenceExecutionConfig"] == {"Mode": "Direct"}
    assert [c["ContainerHostname"] for c in model.params["Containers"]] == [
        "tensorflow-mnist",
        "pytorch-mnist",
    ]
    assert "PrimaryContainer" not in model.params


# --------------------------------------------------------------------------------------- UpdateEndpoint


def test_same_named_variants_retain_live_properties():
    request = planner.update_request(
        "whisper", "cfg", [{"VariantName": "AllTraffic"}], live(("AllTraffic", 4)), {"x": 1}
    )
    assert request == {
        "EndpointName": "whisper",
        "EndpointConfigName": "cfg",
        "DeploymentConfig": {"x": 1},
        "RetainAllVariantProperties": True,
    }


def test_renamed_variant_cannot_retain():
    request = planner.update_request("whisper", "cfg", [{"VariantName": "New"}], live(("AllTraffic", 4)), {})
    assert "RetainAllVariantProperties" not in request


def test_changed_weights_come_from_the_new_config():
    target = [
        {"VariantName": "A", "InitialVariantWeight": 0.9},
        {"VariantName": "B", "InitialVariantWeight": 0.1},
    ]
    request = planner.update_request(
        "whisper", "cfg", target, live(("A", 1), ("B", 1), weights={"A": 0.5, "B": 0.5}), {}
    )
    assert request["RetainAllVariantProperties"] is True
    assert request["ExcludeRetainedVariantProperties"] == [{"VariantPropertyType": "DesiredWeight"}]


def test_a_lone_variants_changed_weight_comes_from_the_new_config():
    target = [{"VariantName": "AllTraffic", "InitialVariantWeight": 0.5}]
    request = planner.update_request("whisper", "cfg", target, live(("AllTraffic", 1)), {})
    assert request["ExcludeRetainedVariantProperties"] == [{"VariantPropertyType": "DesiredWeight"}]


# --------------------------------------------------------------------------------------- autoscaling

LIVE_VARIANTS = [
    {"VariantName": "AllTraffic", "InstanceType": "ml.m5.large"},
    {"VariantName": "Shadow", "InstanceType": "ml.m5.large"},
]


def targets(*names: str) -> list[dict[str, str]]:
    return [
        {
            "ResourceId": f"endpoint/whisper/variant/{n}",
            "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
        }
        for n in names
    ]


def test_model_only_change_keeps_scalable_targets():
    new = copy.deepcopy(LIVE_VARIANTS)
    assert (
        planner.variants_to_deregister("whisper", LIVE_VARIANTS, new, targets("AllTraffic", "Shadow")) == ()
    )


def test_instance_type_change_and_removal_need_deregistration():
    new = [{"VariantName": "AllTraffic", "InstanceType": "ml.c5.xlarge"}]
    assert planner.variants_to_deregister("whisper", LIVE_VARIANTS, new, targets("AllTraffic", "Shadow")) == (
        "AllTraffic",
        "Shadow",
    )


def test_unregistered_variants_and_other_endpoints_are_left_alone():
    new = [{"VariantName": "AllTraffic", "InstanceType": "ml.c5.xlarge"}]
    other = [{"ResourceId": "endpoint/whisper-2/variant/AllTraffic", "ScalableDimension": "d"}]
    assert planner.variants_to_deregister("whisper", LIVE_VARIANTS, new, other) == ()


def test_moving_to_serverless_needs_deregistration():
    new = [{"VariantName": "AllTraffic", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 1}}]
    assert planner.variants_to_deregister("whisper", LIVE_VARIANTS[:1], new, targets("AllTraffic")) == (
        "AllTraffic",
    )


# --------------------------------------------------------------------------------------- verdict


@pytest.mark.parametrize(
    ("describe", "outcome"),
    [
        ({"EndpointStatus": "InService", "EndpointConfigName": "new"}, "succeeded"),
        (
            {"EndpointStatus": "InService", "EndpointConfigName": "old", "FailureReason": "alarm"},
            "rolled_back",
        ),
        ({"EndpointStatus": "InService", "EndpointConfigName": "old"}, "rolled_back"),
        ({"EndpointStatus": "Failed", "EndpointConfigName": "new", "FailureReason": "ping"}, "failed"),
        ({"EndpointStatus": "UpdateRollbackFailed", "EndpointConfigName": "new"}, "failed"),
        ({"EndpointStatus": "OutOfService", "EndpointConfigName": "new"}, "failed"),
        ({"EndpointStatus": "Updating", "EndpointConfigName": "old"}, "in_progress"),
        (None, "failed"),
    ],
)
def test_verdict_is_the_configuration_served(describe, outcome):
    assert planner.verdict("new", "", describe).outcome == outcome


def test_a_stale_failure_reason_is_not_the_reason():
    stale = planner.verdict(
        "new",
        "old trouble",
        {"EndpointStatus": "InService", "EndpointConfigName": "old", "FailureReason": "old trouble"},
    )
    fresh = planner.verdict(
        "new",
        "old trouble",
        {"EndpointStatus": "InService", "EndpointConfigName": "old", "FailureReason": "alarm x"},
    )
    assert "old trouble" not in stale.reason and "alarm x" in fresh.reason


def test_retention_keeps_newest_and_protected():
    configs = [(f"c{i}", f"r{i}") for i in range(9, -1, -1)]  # newest first
    doomed = planner.releases_to_prune(configs, 3, {"c2", ""})
    assert [name for name, _ in doomed] == ["c6", "c5", "c4", "c3", "c1", "c0"]


# --------------------------------------------------------------------------------------- read path


def endpoint(status: str, config: str, **extra: Any) -> dict[str, Any]:
    return {
        "EndpointName": "whisper",
        "EndpointArn": "arn:x",
        "EndpointStatus": status,
        "EndpointConfigName": config,
        **extra,
    }


def test_in_progress_record_is_judged_once_settled():
    tags = {TAG_LAST_ROLLOUT: "in_progress", reader.TAG_TARGET_CONFIG: "new"}
    assert reader.last_rollout(reader.Live("whisper", endpoint("Updating", "old"), tags))[0] == "in_progress"
    assert reader.last_rollout(reader.Live("whisper", endpoint("InService", "new"), tags))[0] == "succeeded"
    assert reader.last_rollout(reader.Live("whisper", endpoint("InService", "old"), tags))[0] == "rolled_back"
    assert reader.last_rollout(reader.Live("whisper", endpoint("Failed", "new"), tags))[0] == "failed"


def test_drift_from_config_hotfix_pending_and_absence():
    spec = parse_spec(doc())
    desired = config_name("whisper", release_id(spec))
    assert reader.drift(reader.Live("whisper", endpoint("InService", desired), {}), desired) is False
    assert reader.drift(reader.Live("whisper", endpoint("InService", "other"), {}), desired) is True
    assert (
        reader.drift(reader.Live("whisper", endpoint("InService", desired), {TAG_HOTFIX: "abc"}), desired)
        is True
    )
    pending = endpoint("Updating", desired, PendingDeploymentSummary={"EndpointConfigName": "x"})
    assert reader.drift(reader.Live("whisper", pending, {}), desired) is True
    assert reader.drift(reader.Live("whisper", None, {}), desired) is True


def test_result_map_is_flat_strings_and_deferred_on_drift():
    spec = parse_spec(doc())
    result = reader.result_map(
        spec, reader.Live("whisper", endpoint("InService", "other"), {TAG_ROLLOUT_ID: "r"})
    )
    assert all(isinstance(v, str) for v in result.values())
    assert result["action"] == "deferred" and result["drift"] == "true" and result["last_rollout"] == "none"
    missing = reader.result_map(spec, reader.Live("whisper", None, {}))
    assert missing["status"] == "" and missing["endpoint_arn"] == "" and missing["action"] == "deferred"


# ------------------------------------------------------------ capacity: who owns the count (issue 7, 2)


def test_live_count_is_carried_over_only_for_autoscaled_variants():
    spec = parse_spec(doc())  # initial_instance_count 2
    described = live(("AllTraffic", 5))
    owned = planner.config_request(spec, described, autoscaled={"AllTraffic"})
    assert owned["ProductionVariants"][0]["InitialInstanceCount"] == 5
    unowned = planner.config_request(spec, described, autoscaled=set())
    assert unowned["ProductionVariants"][0]["InitialInstanceCount"] == 2


def test_a_count_change_of_a_variant_without_autoscaling_is_not_retained():
    target = [{"VariantName": "AllTraffic", "InitialInstanceCount": 2, "InitialVariantWeight": 1.0}]
    request = planner.update_request("whisper", "cfg", target, live(("AllTraffic", 5)), {}, autoscaled=set())
    assert request["RetainAllVariantProperties"] is True
    assert request["ExcludeRetainedVariantProperties"] == [{"VariantPropertyType": "DesiredInstanceCount"}]
    scaled = planner.update_request(
        "whisper", "cfg", target, live(("AllTraffic", 5)), {}, autoscaled={"AllTraffic"}
    )
    assert "ExcludeRetainedVariantProperties" not in scaled


def test_provisioned_concurrency_is_carried_over_only_when_autoscaled():
    spec = parse_spec(
        doc(
            variants=[
                {
                    "name": "AllTraffic",
                    "containers": [{"image": IMAGE}],
                    "serverless": {
                        "memory_size_mb": 2048,
                        "max_concurrency": 10,
                        "provisioned_concurrency": 2,
                    },
                }
            ]
        )
    )
    described = {
        "ProductionVariants": [
            {
                "VariantName": "AllTraffic",
                "CurrentServerlessConfig": {
                    "MemorySizeInMB": 2048,
                    "MaxConcurrency": 10,
                    "ProvisionedConcurrency": 7,
                },
            }
        ]
    }
    owned = planner.config_request(spec, described, autoscaled={"AllTraffic"})
    assert owned["ProductionVariants"][0]["ServerlessConfig"]["ProvisionedConcurrency"] == 7
    unowned = planner.config_request(spec, described, autoscaled=set())
    assert unowned["ProductionVariants"][0]["ServerlessConfig"]["ProvisionedConcurrency"] == 2
