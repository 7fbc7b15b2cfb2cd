"""localaws: deletion rules, List* filters/sort/pages and tags of models, configurations and endpoints."""

from __future__ import annotations

import math
import time
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError

from tests.localaws import testkit as kit


@pytest.fixture
def sm(localaws):
    localaws.configure(time_scale=0.001, create_seconds=50, provision_seconds=50, delete_seconds=200)
    return kit.client(localaws.url, "sagemaker")


def test_delete_endpoint_refused_while_in_progress_then_deleting_then_gone(localaws, sm):
    localaws.configure(create_seconds=300)
    kit.release(sm, "v1")
    sm.create_endpoint(EndpointName="ep", EndpointConfigName="v1")
    with pytest.raises(ClientError) as error:
        sm.delete_endpoint(EndpointName="ep")
    assert error.value.response["Error"]["Message"] == (
        f'Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:{kit.ACCOUNT}:endpoint/ep".'
    )
    kit.wait_status(sm, "ep", "InService")
    sm.delete_endpoint(EndpointName="ep")
    assert sm.describe_endpoint(EndpointName="ep")["EndpointStatus"] == "Deleting"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            sm.describe_endpoint(EndpointName="ep")
        except ClientError as gone:
            assert "Could not find endpoint" in gone.response["Error"]["Message"]
            break
        time.sleep(0.01)
    else:
        pytest.fail("endpoint never went away")
    assert sm.list_endpoints()["Endpoints"] == []


def test_failed_endpoint_can_only_be_deleted(sm):
    kit.release(sm, "bad", image=f"{kit.IMAGE}:fail-health-check")
    sm.create_endpoint(EndpointName="ep", EndpointConfigName="bad")
    assert kit.settled(sm, "ep")["EndpointStatus"] == "Failed"
    kit.release(sm, "good")
    with pytest.raises(ClientError):
        sm.update_endpoint(EndpointName="ep", EndpointConfigName="good")
    sm.delete_endpoint(EndpointName="ep")
    assert sm.describe_endpoint(EndpointName="ep")["EndpointStatus"] == "Deleting"


def test_deleting_an_endpoint_deregisters_its_scalable_targets(localaws, sm):
    autoscaling = kit.client(localaws.url, "application-autoscaling")
    kit.release(sm, "v1")
    kit.in_service(sm, "ep", "v1")
    autoscaling.register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId="endpoint/ep/variant/AllTraffic",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        MinCapacity=1,
        MaxCapacity=2,
    )
    sm.delete_endpoint(EndpointName="ep")
    deadline = time.monotonic() + 10
    while sm.list_endpoints()["Endpoints"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"] == []


def test_config_and_model_in_use_can_be_deleted_as_on_aws(sm):
    kit.release(sm, "v1")
    kit.in_service(sm, "ep", "v1")
    sm.delete_endpoint_config(EndpointConfigName="v1")
    sm.delete_model(ModelName="v1")
    described = sm.describe_endpoint(EndpointName="ep")
    assert described["EndpointStatus"] == "InService"
    assert described["EndpointConfigName"] == "v1"
    with pytest.raises(ClientError) as error:
        sm.describe_endpoint_config(EndpointConfigName="v1")
    assert "Could not find endpoint configuration" in error.value.response["Error"]["Message"]
    # ... and then an update to a configuration whose model is gone fails.
    kit.create_model(sm, "v2")
    kit.create_config(sm, "v2", "v2")
    sm.delete_model(ModelName="v2")
    with pytest.raises(ClientError) as update:
        sm.update_endpoint(EndpointName="ep", EndpointConfigName="v2")
    assert "Could not find model" in update.value.response["Error"]["Message"]


def test_list_endpoint_configs_filters_sorts_and_pages(sm):
    kit.create_model(sm, "m")
    for name in ("app-r1", "app-r2"):
        kit.create_config(sm, name, "m")
    # botocore sends CreationTime filters in whole seconds: put a second boundary between the two pairs.
    boundary = math.floor(time.time()) + 1
    time.sleep(boundary - time.time() + 0.01)
    for name in ("other-r1", "app-r3"):
        kit.create_config(sm, name, "m")
    names = [c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]]
    assert names == ["app-r3", "other-r1", "app-r2", "app-r1"]  # CreationTime, Descending by default
    app = sm.list_endpoint_configs(NameContains="app-", SortBy="Name", SortOrder="Ascending")
    assert [c["EndpointConfigName"] for c in app["EndpointConfigs"]] == ["app-r1", "app-r2", "app-r3"]
    moment = datetime.fromtimestamp(boundary, tz=timezone.utc)
    before = sm.list_endpoint_configs(CreationTimeBefore=moment)["EndpointConfigs"]
    assert [c["EndpointConfigName"] for c in before] == ["app-r2", "app-r1"]
    after = sm.list_endpoint_configs(CreationTimeAfter=moment, SortOrder="Ascending")["EndpointConfigs"]
    assert [c["EndpointConfigName"] for c in after] == ["other-r1", "app-r3"]
    first = sm.list_endpoint_configs(MaxResults=3)
    assert len(first["EndpointConfigs"]) == 3
    second = sm.list_endpoint_configs(MaxResults=3, NextToken=first["NextToken"])
    assert [c["EndpointConfigName"] for c in second["EndpointConfigs"]] == ["app-r1"]
    assert "NextToken" not in second
    pages = sm.get_paginator("list_endpoint_configs").paginate(PaginationConfig={"PageSize": 1})
    assert len([c for page in pages for c in page["EndpointConfigs"]]) == 4


def test_list_models_and_endpoints(sm):
    kit.release(sm, "a")
    kit.release(sm, "b")
    kit.in_service(sm, "ep-a", "a")
    assert [m["ModelName"] for m in sm.list_models(NameContains="b")["Models"]] == ["b"]
    (endpoint,) = sm.list_endpoints(StatusEquals="InService")["Endpoints"]
    assert endpoint["EndpointName"] == "ep-a"
    assert sm.list_endpoints(StatusEquals="Failed")["Endpoints"] == []


def test_tags_on_models_configs_and_endpoints(sm):
    kit.create_model(sm, "m")
    arn = sm.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "m",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 1,
            }
        ],
        Tags=[{"Key": "release", "Value": "r1"}],
    )["EndpointConfigArn"]
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "release", "Value": "r1"}]
    endpoint_arn = sm.create_endpoint(EndpointName="ep", EndpointConfigName="c")["EndpointArn"]
    sm.add_tags(
        ResourceArn=endpoint_arn, Tags=[{"Key": "rollout", "Value": "1"}, {"Key": "team", "Value": "x"}]
    )
    sm.add_tags(ResourceArn=endpoint_arn, Tags=[{"Key": "rollout", "Value": "2"}])
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=endpoint_arn)["Tags"]}
    assert tags == {"rollout": "2", "team": "x"}
    sm.delete_tags(ResourceArn=endpoint_arn, TagKeys=["team"])
    assert sm.list_tags(ResourceArn=endpoint_arn)["Tags"] == [{"Key": "rollout", "Value": "2"}]
    with pytest.raises(ClientError):
        sm.list_tags(ResourceArn=f"arn:aws:sagemaker:us-east-1:{kit.ACCOUNT}:endpoint/nope")
