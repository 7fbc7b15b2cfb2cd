"""Acceptance 1-9 and 15 of issue 3: rollouts through the Terraform entry point, against localaws.

Each test asserts AWS state (Describe calls on localaws) and the localaws call log.
"""

from __future__ import annotations

import copy
import json

import pytest

from deployer import operations
from deployer.errors import InvalidInput, RolloutFailed, RolloutTimeout
from deployer.release import TAG_MANAGED_BY, TAG_RELEASE, config_name, release_id
from deployer.spec import parse_spec
from tests.integration.test_deployer_support import (
    clients,
    document,
    endpoint,
    image,
    in_background,
    put_alarm,
    register_target,
    rollback_alarm,  # noqa: F401 (fixture)
    runtime,
    spec,
    wait_for,
    with_deployment,
    with_variant,
    writes,
)
from tests.integration.test_deployer_support import (
    operation_names as ops,
)

RESULT_KEYS = {
    "endpoint_name",
    "endpoint_arn",
    "endpoint_config_name",
    "release",
    "previous_endpoint_config_name",
    "variant_names",
    "action",
    "status",
    "drift",
    "last_rollout",
    "last_rollout_reason",
    "region",
    "release_models",
    "autoscaling_deregistered",
}

pytestmark = pytest.mark.usefixtures("rollback_alarm")


def apply(spec_value, rollout_id):
    rt, _ = runtime(spec_value.endpoint_name)
    return operations.terraform_apply(spec_value, rollout_id, runtime=rt)


def test_create_new_endpoint_in_service_with_the_result_map(localaws):
    first = spec(tag="v1")
    result = apply(first, "rollout-1")

    sm = clients().sagemaker
    live = endpoint(sm)
    target = config_name("whisper", release_id(first))
    assert live["EndpointStatus"] == "InService"
    assert live["EndpointConfigName"] == target
    assert set(result) == RESULT_KEYS and all(isinstance(v, str) for v in result.values())
    assert result["endpoint_arn"] == live["EndpointArn"]
    assert result["endpoint_config_name"] == target
    assert result["release"] == release_id(first)
    assert result["action"] == "created"
    assert result["status"] == "InService"
    assert result["drift"] == "false"
    assert result["last_rollout"] == "succeeded"
    assert result["previous_endpoint_config_name"] == ""
    assert json.loads(result["variant_names"]) == ["AllTraffic"]
    assert json.loads(result["release_models"]) == [f"{target}-m0"]
    assert json.loads(result["autoscaling_deregistered"]) == []
    # Everything we created is tagged as ours with its release id.
    model = sm.describe_model(ModelName=f"{target}-m0")
    model_tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=model["ModelArn"])["Tags"]}
    assert model_tags[TAG_MANAGED_BY] == "sagemaker-rollout" and model_tags[TAG_RELEASE] == release_id(first)
    assert model["PrimaryContainer"]["Image"] == image("v1")
    # The call log: models, then the configuration, then the endpoint.
    written = ops(writes(localaws.calls()))
    assert (
        written.index("CreateModel") < written.index("CreateEndpointConfig") < written.index("CreateEndpoint")
    )


def test_same_spec_same_rollout_id_reads_only(localaws):
    first = spec(tag="v1")
    created = apply(first, "rollout-1")
    before = len(localaws.calls())

    again = apply(first, "rollout-1")

    calls = localaws.calls()[before:]
    assert writes(calls) == []
    assert len(calls) <= 2
    assert again["action"] == "unchanged" and again["drift"] == "false"
    assert {k: v for k, v in again.items() if k != "action"} == {
        k: v for k, v in created.items() if k != "action"
    }
    # Stable between two plan-time reads of an unchanged endpoint.
    assert apply(first, "rollout-1") == again


def test_new_image_new_rollout_id_updates_with_guardrails_and_keeps_previous(localaws):
    first = spec(tag="v1")
    apply(first, "rollout-1")
    second = parse_spec(
        with_deployment(document(tag="v2"), traffic="canary", canary_percent=20, wait_interval_seconds=30)
    )
    before = len(localaws.calls())

    result = apply(second, "rollout-2")

    sm = clients().sagemaker
    live = endpoint(sm)
    old, new = config_name("whisper", release_id(first)), config_name("whisper", release_id(second))
    assert live["EndpointConfigName"] == new and live["EndpointStatus"] == "InService"
    assert result["action"] == "updated" and result["previous_endpoint_config_name"] == old
    sm.describe_endpoint_config(EndpointConfigName=old)  # retained as the previous release
    deployed = live["LastDeploymentConfig"]
    routing = deployed["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    assert routing == {
        "Type": "CANARY",
        "WaitIntervalInSeconds": 30,
        "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 20},
    }
    assert deployed["AutoRollbackConfiguration"]["Alarms"] == [{"AlarmName": "whisper-5xx"}]
    written = ops(writes(localaws.calls()[before:]))
    assert written[0] == "AddTags"  # the rollout id is recorded before any other write
    assert written.count("UpdateEndpoint") == 1


def test_alarm_during_update_rolls_back_exit_2_and_next_read_writes_nothing(localaws):
    c = clients()
    put_alarm(c.cloudwatch, "whisper-5xx")
    first = spec(tag="v1")
    apply(first, "rollout-1")
    # A bake after the shift (termination wait) for SageMaker's own alarm watch.
    second = parse_spec(with_deployment(document(tag="v2"), termination_wait_seconds=600))

    def fire_when_updating() -> None:
        wait_for(lambda: endpoint(c.sagemaker)["EndpointStatus"] == "Updating")
        c.cloudwatch.set_alarm_state(AlarmName="whisper-5xx", StateValue="ALARM", StateReason="test")

    in_background(fire_when_updating)
    with pytest.raises(RolloutFailed) as failure:
        apply(second, "rollout-2")

    assert failure.value.exit_code == 2
    live = endpoint(c.sagemaker)
    assert live["EndpointStatus"] == "InService"
    assert live["EndpointConfigName"] == config_name("whisper", release_id(first))
    before = len(localaws.calls())
    read = apply(second, "rollout-2")
    assert writes(localaws.calls()[before:]) == []
    # SageMaker's reason reads back whole from the endpoint's tags (deployer.state encodes the brackets).
    assert read["last_rollout"] == "rolled_back"
    assert "alarm(s) [whisper-5xx] went into ALARM" in read["last_rollout_reason"]
    assert read["drift"] == "true" and read["action"] == "deferred"
    rt, _ = runtime()
    shown = operations.status("whisper", rt)
    assert shown["last_rollout"] == "rolled_back" and "[whisper-5xx]" in shown["last_rollout_reason"]


def test_autoscaled_count_survives_a_model_only_update(localaws):
    c = clients()
    apply(spec(tag="v1"), "rollout-1")
    register_target(c.autoscaling)
    c.sagemaker.update_endpoint_weights_and_capacities(
        EndpointName="whisper",
        DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 4}],
    )
    wait_for(lambda: endpoint(c.sagemaker)["EndpointStatus"] == "InService")

    second = spec(tag="v2")
    result = apply(second, "rollout-2")

    live = endpoint(c.sagemaker)
    assert (
        live["EndpointConfigName"]
        == result["endpoint_config_name"]
        == config_name("whisper", release_id(second))
    )
    assert live["ProductionVariants"][0]["DesiredInstanceCount"] == 4
    assert live["ProductionVariants"][0]["CurrentInstanceCount"] == 4
    config = c.sagemaker.describe_endpoint_config(EndpointConfigName=result["endpoint_config_name"])
    assert config["ProductionVariants"][0]["InitialInstanceCount"] == 4
    assert json.loads(result["autoscaling_deregistered"]) == []
    assert "DeregisterScalableTarget" not in ops(localaws.calls())


def test_instance_type_change_on_autoscaled_variant_deregisters_first(localaws):
    c = clients()
    apply(spec(tag="v1"), "rollout-1")
    register_target(c.autoscaling)
    bigger = parse_spec(with_variant(document(tag="v1"), instance_type="ml.c5.xlarge"))
    before = len(localaws.calls())

    result = apply(bigger, "rollout-2")

    assert json.loads(result["autoscaling_deregistered"]) == ["AllTraffic"]
    assert endpoint(c.sagemaker)["EndpointConfigName"] == config_name("whisper", release_id(bigger))
    assert c.autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []
    written = ops(writes(localaws.calls()[before:]))
    assert written.index("DeregisterScalableTarget") < written.index("UpdateEndpoint")


def test_async_endpoint_scaled_to_zero_updates_with_initial_count_one(localaws):
    c = clients()
    async_doc = document(tag="v1")
    async_doc["async_inference"] = {
        "output_path": "s3://speech-async/output/",
        "failure_path": "s3://speech-async/failure/",
        "max_concurrent_invocations_per_instance": 1,
    }
    apply(parse_spec(async_doc), "rollout-1")
    c.sagemaker.update_endpoint_weights_and_capacities(
        EndpointName="whisper",
        DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 0}],
    )
    wait_for(lambda: endpoint(c.sagemaker)["EndpointStatus"] == "InService")
    assert endpoint(c.sagemaker)["ProductionVariants"][0]["DesiredInstanceCount"] == 0

    async_doc["variants"][0]["containers"][0]["image"] = image("v2")
    second = parse_spec(async_doc)
    result = apply(second, "rollout-2")

    assert result["last_rollout"] == "succeeded"
    assert endpoint(c.sagemaker)["EndpointConfigName"] == config_name("whisper", release_id(second))
    config = c.sagemaker.describe_endpoint_config(EndpointConfigName=result["endpoint_config_name"])
    assert config["ProductionVariants"][0]["InitialInstanceCount"] == 1
    assert config["AsyncInferenceConfig"]["OutputConfig"]["S3OutputPath"] == "s3://speech-async/output/"


def _other_actor_update(sm, tag: str) -> str:
    """Another actor updates the endpoint to a configuration of its own (not ours)."""
    sm.create_model(
        ModelName=f"manual-{tag}",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/speech-sagemaker",
        PrimaryContainer={"Image": image(tag)},
    )
    sm.create_endpoint_config(
        EndpointConfigName=f"manual-{tag}",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": f"manual-{tag}",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sm.update_endpoint(EndpointName="whisper", EndpointConfigName=f"manual-{tag}")
    return f"manual-{tag}"


def test_busy_endpoint_waits_then_proceeds(localaws):
    sm = clients().sagemaker
    apply(spec(tag="v1"), "rollout-1")
    localaws.configure(provision_seconds=150)
    _other_actor_update(sm, "other")
    assert endpoint(sm)["EndpointStatus"] == "Updating"
    second = spec(tag="v2")
    before = len(localaws.calls())

    result = apply(second, "rollout-2")

    assert result["last_rollout"] == "succeeded"
    assert endpoint(sm)["EndpointConfigName"] == config_name("whisper", release_id(second))
    assert (
        result["previous_endpoint_config_name"] == "manual-other"
    )  # the other actor's update finished first
    calls = localaws.calls()[before:]
    assert ops(writes(calls)).count("UpdateEndpoint") == 1


def test_busy_endpoint_past_the_deadline_exits_3_and_undoes_nothing(localaws):
    sm = clients().sagemaker
    apply(spec(tag="v1"), "rollout-1")
    localaws.configure(provision_seconds=3000)
    other = _other_actor_update(sm, "slow")
    impatient = parse_spec(with_deployment(document(tag="v2"), timeout_seconds=60))
    before = len(localaws.calls())

    with pytest.raises(RolloutTimeout) as timeout:
        apply(impatient, "rollout-2")

    assert timeout.value.exit_code == 3
    live = endpoint(sm)
    assert live["EndpointStatus"] == "Updating"
    assert live["PendingDeploymentSummary"]["EndpointConfigName"] == other
    # Only the lease, the rollout record, then its outcome: timed out waiting for the other actor (issue 7
    # item 6), and the lease released.
    assert ops(writes(localaws.calls()[before:])) == ["AddTags", "AddTags", "AddTags", "DeleteTags"]
    read = operations.status("whisper", runtime()[0])
    assert read["last_rollout"] == "timed_out"
    assert read["last_rollout_reason"].startswith("timed out:") and "deadline" in read["last_rollout_reason"]


def test_bake_alarm_after_in_service_rolls_back_ourselves(localaws):
    c = clients()
    put_alarm(c.cloudwatch, "whisper-5xx")
    first = spec(tag="v1")
    apply(first, "rollout-1")
    baked = parse_spec(with_deployment(document(tag="v2"), bake_seconds=1800))
    new = config_name("whisper", release_id(baked))

    def fire_when_live() -> None:
        wait_for(lambda: endpoint(c.sagemaker)["EndpointConfigName"] == new)
        c.cloudwatch.set_alarm_state(AlarmName="whisper-5xx", StateValue="ALARM", StateReason="test")

    in_background(fire_when_live)
    with pytest.raises(RolloutFailed) as failure:
        apply(baked, "rollout-2")

    assert failure.value.exit_code == 2 and "whisper-5xx" in str(failure.value)
    live = endpoint(c.sagemaker)
    assert live["EndpointStatus"] == "InService"
    assert live["EndpointConfigName"] == config_name("whisper", release_id(first))
    updates = [x for x in localaws.calls() if x["operation"] == "UpdateEndpoint"]
    assert [u["params"]["EndpointConfigName"] for u in updates] == [
        new,
        config_name("whisper", release_id(first)),
    ]
    c.cloudwatch.set_alarm_state(AlarmName="whisper-5xx", StateValue="OK", StateReason="test")
    read = apply(baked, "rollout-2")
    assert read["last_rollout"] == "rolled_back" and read["drift"] == "true"


def test_failing_image_is_rolled_back_by_sagemaker_and_reported(localaws):
    sm = clients().sagemaker
    first = spec(tag="v1")
    apply(first, "rollout-1")
    broken = spec(tag="fail-health-check")

    with pytest.raises(RolloutFailed):
        apply(broken, "rollout-2")

    assert endpoint(sm)["EndpointConfigName"] == config_name("whisper", release_id(first))
    read = apply(broken, "rollout-2")
    assert read["last_rollout"] == "rolled_back" and read["last_rollout_reason"]


def test_throttling_and_server_errors_still_converge_without_duplicates(localaws):
    localaws.configure(throttle_rate=0.3, error_rate=0.05, seed=7)
    first, second = spec(tag="v1"), spec(tag="v2")

    created = apply(first, "rollout-1")
    updated = apply(second, "rollout-2")

    localaws.configure(throttle_rate=0.0, error_rate=0.0)
    sm = clients().sagemaker
    assert created["action"] == "created" and updated["action"] == "updated"
    assert endpoint(sm)["EndpointConfigName"] == config_name("whisper", release_id(second))
    configs = [x["EndpointConfigName"] for x in sm.list_endpoint_configs()["EndpointConfigs"]]
    models = [x["ModelName"] for x in sm.list_models()["Models"]]
    assert sorted(configs) == sorted(config_name("whisper", release_id(s)) for s in (first, second))
    assert len(models) == 2
    throttled = [x for x in localaws.calls() if x.get("status") == 400]
    assert throttled  # faults were really injected


def test_failed_create_is_reported_then_replaced_by_the_next_rollout(localaws):
    sm = clients().sagemaker
    broken = spec(tag="fail-health-check")
    with pytest.raises(RolloutFailed):
        apply(broken, "rollout-1")
    assert endpoint(sm)["EndpointStatus"] == "Failed"
    before = len(localaws.calls())
    read = apply(broken, "rollout-1")  # the next plan: reported, not retried
    assert writes(localaws.calls()[before:]) == []
    assert read["last_rollout"] == "failed" and read["drift"] == "true" and read["status"] == "Failed"

    fixed = spec(tag="v2")
    result = apply(fixed, "rollout-2")

    assert result["action"] == "created" and result["last_rollout"] == "succeeded"
    assert endpoint(sm)["EndpointConfigName"] == config_name("whisper", release_id(fixed))
    assert ops(writes(localaws.calls()[before:])).count("DeleteEndpoint") == 1


def _serverless_document(tag: str) -> dict:
    doc = document(tag=tag)
    doc["variants"][0] = {
        "name": "AllTraffic",
        "containers": [{"image": image(tag, "byoc")}],
        "serverless": {"memory_size_mb": 2048, "max_concurrency": 1},
    }
    return doc


def test_serverless_endpoint_rolls_forward(localaws):
    sm = clients().sagemaker
    apply(parse_spec(_serverless_document("v1")), "rollout-1")
    second = parse_spec(_serverless_document("v2"))

    result = apply(second, "rollout-2")

    assert result["last_rollout"] == "succeeded"
    live = endpoint(sm)
    assert live["EndpointConfigName"] == config_name("whisper", release_id(second))
    config = sm.describe_endpoint_config(EndpointConfigName=live["EndpointConfigName"])
    assert config["ProductionVariants"][0]["ServerlessConfig"] == {
        "MemorySizeInMB": 2048,
        "MaxConcurrency": 1,
    }


def test_multi_container_direct_endpoint_rolls_forward(localaws):
    sm = clients().sagemaker
    doc = document(tag="v1")
    doc["variants"][0].update(
        containers=[
            {"image": image("v1", "tensorflow-serving"), "hostname": "tensorflow-mnist"},
            {"image": image("v1", "pytorch-serving"), "hostname": "pytorch-mnist"},
        ],
        inference_execution_mode="Direct",
        instance_type="ml.c5.4xlarge",
    )
    apply(parse_spec(doc), "rollout-1")
    doc["variants"][0]["containers"][1]["image"] = image("v2", "pytorch-serving")
    second = parse_spec(doc)

    result = apply(second, "rollout-2")

    assert result["last_rollout"] == "succeeded"
    model = sm.describe_model(ModelName=json.loads(result["release_models"])[0])
    assert model["InferenceExecutionConfig"] == {"Mode": "Direct"}
    assert [c["Image"] for c in model["Containers"]] == [
        image("v1", "tensorflow-serving"),
        image("v2", "pytorch-serving"),
    ]


def test_missing_endpoint_with_the_rollout_recorded_on_its_release_is_read_only(localaws):
    """A run that created the release but died before CreateEndpoint: the next plan must not write."""
    from deployer import executor
    from deployer.release import TAG_ROLLOUT_ID

    first = spec(tag="v1")
    rt, _ = runtime()
    executor.ensure_release(rt, first, None, {TAG_ROLLOUT_ID: "rollout-1"})
    before = len(localaws.calls())

    read = apply(first, "rollout-1")

    calls = localaws.calls()[before:]
    assert writes(calls) == [] and len(calls) <= 3
    assert read["action"] == "deferred" and read["status"] == "" and read["drift"] == "true"
    created = apply(first, "rollout-2")  # the next change rolls out, reusing the release
    assert created["action"] == "created"
    assert endpoint(clients().sagemaker)["EndpointStatus"] == "InService"
    assert ops(writes(localaws.calls()[before:])).count("CreateModel") == 1  # tried once, already existed


def test_timed_out_rollout_is_judged_by_the_next_read_once_settled(localaws):
    sm = clients().sagemaker
    apply(spec(tag="v1"), "rollout-1")
    localaws.configure(provision_seconds=400)
    slow = parse_spec(with_deployment(document(tag="v2"), timeout_seconds=60))

    with pytest.raises(RolloutTimeout):
        apply(slow, "rollout-2")

    before = len(localaws.calls())
    during = apply(slow, "rollout-2")
    assert during["last_rollout"] == "timed_out" and during["status"] == "Updating"
    wait_for(lambda: endpoint(sm)["EndpointStatus"] == "InService")
    after = apply(slow, "rollout-2")
    assert writes(localaws.calls()[before:]) == []
    assert after["last_rollout"] == "succeeded" and after["drift"] == "false"
    assert after["endpoint_config_name"] == config_name("whisper", release_id(slow))


def test_assume_role_arn_is_assumed_through_sts(localaws):
    role = "arn:aws:iam::123456789012:role/sagemaker-deployer"

    result = operations.terraform_apply(spec(tag="v1"), "rollout-1", assume_role_arn=role)

    assert result["action"] == "created"
    calls = [c for c in localaws.calls() if c["operation"] != "PutMetricAlarm"]  # the fixture's alarm
    # Reads may come first (the plan path's session); the write role is assumed before any write.
    assume = next(i for i, c in enumerate(calls) if c["operation"] == "AssumeRole")
    assert all(not c["write"] for c in calls[:assume])
    assert ops(calls, "AssumeRole") == ["AssumeRole"]  # one session for the whole run


@pytest.mark.parametrize(
    ("policy", "key"),
    [
        (
            {"strategy": "rolling", "rolling_batch_percent": 50, "wait_interval_seconds": 10},
            "RollingUpdatePolicy",
        ),
        (
            {"traffic": "linear", "linear_step_percent": 50, "wait_interval_seconds": 10},
            "BlueGreenUpdatePolicy",
        ),
    ],
)
def test_rolling_and_linear_policies_are_accepted_and_recorded(localaws, policy, key):
    first = parse_spec(with_deployment(with_variant(document(tag="v1"), initial_instance_count=2), **policy))
    apply(first, "rollout-1")
    second = parse_spec(with_deployment(with_variant(document(tag="v2"), initial_instance_count=2), **policy))

    result = apply(second, "rollout-2")

    live = endpoint(clients().sagemaker)
    assert result["last_rollout"] == "succeeded"
    assert live["EndpointConfigName"] == config_name("whisper", release_id(second))
    assert key in live["LastDeploymentConfig"]
    assert live["ProductionVariants"][0]["CurrentInstanceCount"] == 2


def _ab_document(tag: str, weights: tuple[float, float]) -> dict:
    doc = document(tag=tag)
    base = doc["variants"][0]
    doc["variants"] = [
        {**copy.deepcopy(base), "name": name, "initial_weight": weight}
        for name, weight in zip(("A", "B"), weights, strict=True)
    ]
    return doc


def test_weight_change_on_a_multi_variant_endpoint_rolls_out_to_the_spec_weights(localaws):
    """Issue 7 item 1: an A/B weight change sends ExcludeRetainedVariantProperties with the API's member
    name (VariantPropertyType) and the live DesiredWeights end equal to the spec."""
    apply(parse_spec(_ab_document("v1", (0.5, 0.5))), "rollout-1")
    second = parse_spec(_ab_document("v1", (0.9, 0.1)))
    before = len(localaws.calls())

    result = apply(second, "rollout-2")

    live = endpoint(clients().sagemaker)
    assert result["last_rollout"] == "succeeded"
    assert live["EndpointStatus"] == "InService"
    assert live["EndpointConfigName"] == config_name("whisper", release_id(second))
    weights = {v["VariantName"]: v["DesiredWeight"] for v in live["ProductionVariants"]}
    assert weights == {"A": 0.9, "B": 0.1}
    assert ops(writes(localaws.calls()[before:])).count("UpdateEndpoint") == 1


def test_weight_change_of_a_lone_variant_rolls_out_to_the_spec_weight(localaws):
    """Issue 7: on a one-variant endpoint 1.0 -> 0.5 exited 0 with the live DesiredWeight still 1.0 (the
    weight was taken from the new configuration on multi-variant endpoints only). AWS takes DesiredWeight
    from InitialVariantWeight whatever the variant count (API VariantProperty); a lone variant serves all
    traffic at any weight > 0."""
    apply(spec(tag="v1"), "rollout-1")
    half = parse_spec(with_variant(document(tag="v1"), initial_weight=0.5))

    result = apply(half, "rollout-2")

    live = endpoint(clients().sagemaker)
    assert result["last_rollout"] == "succeeded"
    assert live["EndpointConfigName"] == config_name("whisper", release_id(half))
    assert live["ProductionVariants"][0]["DesiredWeight"] == 0.5


def test_instance_count_change_of_a_variant_without_autoscaling_rolls_out(localaws):
    """Issue 7 item 2: without a registered scalable target the spec's initial_instance_count wins (the
    live count used to be carried over and the change silently ignored)."""
    c = clients()
    apply(spec(tag="v1"), "rollout-1")
    assert endpoint(c.sagemaker)["ProductionVariants"][0]["DesiredInstanceCount"] == 1
    more = parse_spec(with_variant(document(tag="v1"), initial_instance_count=3))

    result = apply(more, "rollout-2")

    live = endpoint(c.sagemaker)
    assert result["last_rollout"] == "succeeded"
    assert live["EndpointConfigName"] == config_name("whisper", release_id(more))
    assert live["ProductionVariants"][0]["DesiredInstanceCount"] == 3
    assert live["ProductionVariants"][0]["CurrentInstanceCount"] == 3


def _scaling_state(autoscaling) -> tuple:
    """Targets, policies and scheduled actions of the endpoint, without server-made fields."""
    targets = autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    policies = autoscaling.describe_scaling_policies(ServiceNamespace="sagemaker")["ScalingPolicies"]
    actions = autoscaling.describe_scheduled_actions(ServiceNamespace="sagemaker")["ScheduledActions"]
    return (
        sorted((t["ResourceId"], t["MinCapacity"], t["MaxCapacity"]) for t in targets),
        sorted(
            (p["PolicyName"], p["ResourceId"], json.dumps(p["TargetTrackingScalingPolicyConfiguration"]))
            for p in policies
        ),
        sorted(
            (a["ScheduledActionName"], a["Schedule"], json.dumps(a["ScalableTargetAction"])) for a in actions
        ),
    )


def _autoscale(autoscaling) -> tuple:
    """A registered target with a target-tracking policy and a scheduled action; their state."""
    register_target(autoscaling, high=6)
    autoscaling.put_scaling_policy(
        PolicyName="invocations",
        ServiceNamespace="sagemaker",
        ResourceId="endpoint/whisper/variant/AllTraffic",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
            },
        },
    )
    autoscaling.put_scheduled_action(
        ServiceNamespace="sagemaker",
        ScheduledActionName="nightly",
        ResourceId="endpoint/whisper/variant/AllTraffic",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        Schedule="cron(0 22 * * ? *)",
        ScalableTargetAction={"MinCapacity": 1, "MaxCapacity": 2},
    )
    state = _scaling_state(autoscaling)
    assert state[0] and state[1] and state[2]
    return state


def test_failed_instance_type_change_restores_autoscaling(localaws):
    """Issue 7 item 7: a rollout that deregistered targets and then did not succeed puts them back."""
    c = clients()
    apply(spec(tag="v1"), "rollout-1")
    before = _autoscale(c.autoscaling)
    broken = parse_spec(with_variant(document(tag="fail-health-check"), instance_type="ml.c5.xlarge"))
    calls = len(localaws.calls())

    with pytest.raises(RolloutFailed):
        apply(broken, "rollout-2")

    written = ops(writes(localaws.calls()[calls:]))
    assert "DeregisterScalableTarget" in written  # the rollout really took autoscaling away first
    assert endpoint(c.sagemaker)["EndpointConfigName"] == config_name("whisper", release_id(spec(tag="v1")))
    assert _scaling_state(c.autoscaling) == before


def test_alarm_rollback_of_an_instance_type_change_restores_autoscaling(localaws):
    """Issue 7 item 7: our bake rollback puts back the scaling the forward update deregistered."""
    c = clients()
    put_alarm(c.cloudwatch, "whisper-5xx")
    first = spec(tag="v1")
    apply(first, "rollout-1")
    before = _autoscale(c.autoscaling)
    doc = with_variant(document(tag="v2"), instance_type="ml.c5.xlarge")
    baked = parse_spec(with_deployment(doc, bake_seconds=1800))
    new = config_name("whisper", release_id(baked))

    def fire_when_live() -> None:
        wait_for(lambda: endpoint(c.sagemaker)["EndpointConfigName"] == new)
        c.cloudwatch.set_alarm_state(AlarmName="whisper-5xx", StateValue="ALARM", StateReason="test")

    in_background(fire_when_live)
    with pytest.raises(RolloutFailed):
        apply(baked, "rollout-2")

    assert endpoint(c.sagemaker)["EndpointConfigName"] == config_name("whisper", release_id(first))
    assert _scaling_state(c.autoscaling) == before


def test_a_missing_rollback_alarm_is_refused_before_any_write(localaws):
    """Issue 7 item 8: an alarm name that does not exist used to read as OK and guard nothing."""
    apply(spec(tag="v1"), "rollout-1")
    missing = parse_spec(with_deployment(document(tag="v2"), rollback_alarms=["whisper-5xx", "no-such"]))
    before = len(localaws.calls())

    with pytest.raises(InvalidInput, match="no-such"):
        apply(missing, "rollout-2")

    assert writes(localaws.calls()[before:]) == []
    assert endpoint(clients().sagemaker)["EndpointConfigName"] == config_name("whisper", release_id(spec()))


@pytest.mark.parametrize("operation", ["CreateModel", "CreateEndpointConfig", "UpdateEndpoint"])
def test_a_refused_write_is_reported_as_refused_not_rolled_back(localaws, operation):
    """Issue 7 item 6: AWS refusing a write before the endpoint changed reads later as ``refused``."""
    first = spec(tag="v1")
    apply(first, "rollout-1")
    localaws.refuse("sagemaker", operation, code="ResourceLimitExceeded", message="quota of 0", times=1)

    with pytest.raises(Exception, match="ResourceLimitExceeded"):
        apply(spec(tag="v2"), "rollout-2")

    live = endpoint(clients().sagemaker)
    assert live["EndpointConfigName"] == config_name("whisper", release_id(first))
    read = operations.status("whisper", runtime()[0])
    assert read["last_rollout"] == "refused"
    assert read["last_rollout_reason"].startswith(f"refused: AWS refused {operation}: ResourceLimitExceeded")


def test_a_rollout_killed_before_its_update_reads_as_interrupted(localaws, monkeypatch):
    """Issue 7 item 6: a deployer stopped before UpdateEndpoint (a kill) reads as ``interrupted``."""
    from deployer import executor

    first = spec(tag="v1")
    apply(first, "rollout-1")

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt  # not an Exception: nothing is recorded, as with SIGKILL

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(executor, "ensure_release", killed)
        apply(spec(tag="v2"), "rollout-2")

    assert endpoint(clients().sagemaker)["EndpointConfigName"] == config_name("whisper", release_id(first))
    read = operations.status("whisper", runtime()[0])
    assert read["last_rollout"] == "interrupted"
    assert (
        read["last_rollout_reason"].startswith("interrupted:")
        and "nothing was changed" in (read["last_rollout_reason"])
    )


def _our_resources(sm) -> tuple[list[str], list[str]]:
    models = sorted(m["ModelName"] for m in sm.list_models(MaxResults=100)["Models"])
    configs = sorted(
        c["EndpointConfigName"] for c in sm.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]
    )
    return models, configs


@pytest.mark.parametrize(
    ("operation", "match"),
    [
        ("CreateEndpointConfig", None),
        ("UpdateEndpoint", None),
        ("CreateModel", {"ModelName": "*-m1"}),  # the second variant's model: the first was created
    ],
)
def test_a_refused_rollout_leaves_no_model_or_configuration_behind(localaws, operation, match):
    """Issue 7, spec state machine seed 853587743: a refused CreateEndpointConfig left the release's model
    behind, outside retention (no configuration refers to it, so no prune ever deleted it)."""
    sm = clients().sagemaker
    first = parse_spec(_ab_document("v1", (0.5, 0.5)))
    apply(first, "rollout-1")
    before = _our_resources(sm)
    localaws.refuse("sagemaker", operation, code="ResourceLimitExceeded", message="quota of 0", match=match)

    with pytest.raises(Exception, match="ResourceLimitExceeded"):
        apply(parse_spec(_ab_document("v2", (0.5, 0.5))), "rollout-2")

    localaws.clear_refusals()
    assert endpoint(sm)["EndpointConfigName"] == config_name("whisper", release_id(first))
    assert _our_resources(sm) == before
    assert operations.status("whisper", runtime()[0])["last_rollout"] == "refused"


def _endpoint_tags(sm) -> dict[str, str]:
    arn = endpoint(sm)["EndpointArn"]
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn, MaxResults=100)["Tags"]}


def test_removed_user_tags_leave_the_endpoint_and_never_push_it_past_50(localaws):
    """Issue 7 item 9: a user tag removed from the spec stayed on the endpoint; replacing 35 user tags by
    35 others then exceeded SageMaker's 50 tags per resource (AddTags refused). The deployer's own tags
    stay."""
    sm = clients().sagemaker
    apply(spec(tag="v1", tags={f"old{i}": "x" for i in range(35)}), "rollout-1")
    ours_before = {k for k in _endpoint_tags(sm) if k.startswith("sagemaker-rollout:")}

    result = apply(spec(tag="v1", tags={f"new{i}": "y" for i in range(35)}), "rollout-2")

    tags = _endpoint_tags(sm)
    assert result["last_rollout"] == "succeeded"
    assert {k for k in tags if not k.startswith("sagemaker-rollout:")} == {f"new{i}" for i in range(35)}
    assert ours_before <= set(tags)

    apply(spec(tag="v2", tags={"team": "speech"}), "rollout-3")

    tags = _endpoint_tags(sm)
    assert {k for k in tags if not k.startswith("sagemaker-rollout:")} == {"team"}
    assert ours_before <= set(tags)


def _composite_rollback_alarm(cloudwatch, state: str) -> str:
    """A composite alarm over the fixture's metric alarm, in ``state`` (localaws does not evaluate rules)."""
    cloudwatch.put_composite_alarm(AlarmName="whisper-health", AlarmRule='ALARM("whisper-5xx")')
    cloudwatch.set_alarm_state(AlarmName="whisper-health", StateValue=state, StateReason="test")
    return "whisper-health"


def _bake_watches(calls, alarm: str) -> list[dict]:
    return [
        c for c in calls if c["operation"] == "DescribeAlarms" and c["params"].get("AlarmNames") == [alarm]
    ]


def test_a_composite_rollback_alarm_in_alarm_during_the_bake_rolls_back(localaws):
    """Issue 7 item 8: DescribeAlarms without AlarmTypes returns metric alarms only, so a composite
    rollback alarm was invisible to the bake watch (and is now refused as missing)."""
    c = clients()
    composite = _composite_rollback_alarm(c.cloudwatch, "OK")
    first = spec(tag="v1")
    apply(first, "rollout-1")
    baked = parse_spec(with_deployment(document(tag="v2"), bake_seconds=1800, rollback_alarms=[composite]))
    new = config_name("whisper", release_id(baked))

    def fire_when_live() -> None:
        wait_for(lambda: endpoint(c.sagemaker)["EndpointConfigName"] == new)
        c.cloudwatch.set_alarm_state(AlarmName=composite, StateValue="ALARM", StateReason="test")

    in_background(fire_when_live)
    with pytest.raises(RolloutFailed) as failure:
        apply(baked, "rollout-2")

    assert failure.value.exit_code == 2 and composite in str(failure.value)
    live = endpoint(c.sagemaker)
    assert live["EndpointStatus"] == "InService"
    assert live["EndpointConfigName"] == config_name("whisper", release_id(first))
    updates = [
        x["params"]["EndpointConfigName"] for x in localaws.calls() if x["operation"] == "UpdateEndpoint"
    ]
    assert updates == [new, config_name("whisper", release_id(first))]
    read = operations.status("whisper", runtime()[0])
    assert read["last_rollout"] == "rolled_back" and composite in read["last_rollout_reason"]


def test_a_composite_rollback_alarm_that_stays_ok_lets_the_bake_pass(localaws):
    c = clients()
    composite = _composite_rollback_alarm(c.cloudwatch, "OK")
    apply(spec(tag="v1"), "rollout-1")
    baked = parse_spec(with_deployment(document(tag="v2"), bake_seconds=120, rollback_alarms=[composite]))
    before = len(localaws.calls())

    result = apply(baked, "rollout-2")

    live = endpoint(c.sagemaker)
    assert live["EndpointConfigName"] == config_name("whisper", release_id(baked))
    assert live["EndpointStatus"] == "InService"
    assert result["last_rollout"] == "succeeded"
    assert live["LastDeploymentConfig"]["AutoRollbackConfiguration"]["Alarms"] == [{"AlarmName": composite}]
    calls = localaws.calls()[before:]
    update = next(i for i, x in enumerate(calls) if x["operation"] == "UpdateEndpoint")
    assert _bake_watches(calls[update:], composite)  # the bake really read the composite alarm
