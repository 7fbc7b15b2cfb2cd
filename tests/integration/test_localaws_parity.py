"""localaws parity with the API reference (issue 13 item 5): DescribeEndpoint's DataCaptureConfig and
ShadowProductionVariants, S3 operations sharing a REST route, the default bucket encryption."""

from __future__ import annotations

import pytest

from tests.localaws import testkit as kit

CAPTURE = {
    "EnableCapture": True,
    "InitialSamplingPercentage": 20,
    "DestinationS3Uri": "s3://captures/data-capture/",
    "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
    "CaptureContentTypeHeader": {"JsonContentTypes": ["application/json"]},
}


@pytest.fixture
def sm(localaws):
    localaws.configure(time_scale=0.001, create_seconds=50, provision_seconds=100)
    return kit.client(localaws.url, "sagemaker")


def _config(sm, name: str, capture: dict | None = None, shadow: bool = False) -> str:
    kit.create_model(sm, name)
    variant = {"ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
    production = [{"VariantName": "AllTraffic", **variant}]
    args: dict = {"EndpointConfigName": name, "ProductionVariants": production}
    if capture is not None:
        args["DataCaptureConfig"] = capture
    if shadow:
        kit.create_model(sm, f"{name}-shadow")
        args["ShadowProductionVariants"] = [
            {**variant, "VariantName": "Shadow", "ModelName": f"{name}-shadow", "InitialVariantWeight": 1.0}
        ]
    sm.create_endpoint_config(**args)
    return name


def test_describe_endpoint_shows_the_data_capture_summary_of_its_configuration(sm):
    kit.in_service(sm, "ep", _config(sm, "v1", CAPTURE))
    described = sm.describe_endpoint(EndpointName="ep")
    assert described["DataCaptureConfig"] == {
        "EnableCapture": True,
        "CaptureStatus": "Started",
        "CurrentSamplingPercentage": 20,
        "DestinationS3Uri": "s3://captures/data-capture/",
    }


def test_data_capture_defaults_to_enabled_and_a_disabled_one_is_stopped_with_its_key(sm):
    kit.in_service(sm, "on", _config(sm, "v1", {k: v for k, v in CAPTURE.items() if k != "EnableCapture"}))
    assert sm.describe_endpoint(EndpointName="on")["DataCaptureConfig"]["CaptureStatus"] == "Started"
    off = {**CAPTURE, "EnableCapture": False, "KmsKeyId": "alias/capture"}
    kit.in_service(sm, "off", _config(sm, "v2", off))
    summary = sm.describe_endpoint(EndpointName="off")["DataCaptureConfig"]
    assert (summary["EnableCapture"], summary["CaptureStatus"], summary["KmsKeyId"]) == (
        False,
        "Stopped",
        "alias/capture",
    )


def test_an_endpoint_without_data_capture_has_no_summary(sm):
    kit.in_service(sm, "ep", _config(sm, "v1"))
    assert "DataCaptureConfig" not in sm.describe_endpoint(EndpointName="ep")


def test_an_update_changes_the_capture_only_when_not_retained(sm):
    """RetainAllVariantProperties keeps the live data capture unless ExcludeRetainedVariantProperties
    names DataCaptureConfig (API reference, UpdateEndpoint and VariantProperty)."""
    kit.in_service(sm, "ep", _config(sm, "v1", CAPTURE))
    _config(sm, "v2", {**CAPTURE, "InitialSamplingPercentage": 55})
    sm.update_endpoint(EndpointName="ep", EndpointConfigName="v2", RetainAllVariantProperties=True)
    kit.wait_for(sm, "ep", lambda d: d["EndpointStatus"] == "InService" and d["EndpointConfigName"] == "v2")
    assert sm.describe_endpoint(EndpointName="ep")["DataCaptureConfig"]["CurrentSamplingPercentage"] == 20
    _config(sm, "v3", {**CAPTURE, "InitialSamplingPercentage": 70})
    sm.update_endpoint(
        EndpointName="ep",
        EndpointConfigName="v3",
        RetainAllVariantProperties=True,
        ExcludeRetainedVariantProperties=[{"VariantPropertyType": "DataCaptureConfig"}],
    )
    kit.wait_for(sm, "ep", lambda d: d["EndpointStatus"] == "InService" and d["EndpointConfigName"] == "v3")
    assert sm.describe_endpoint(EndpointName="ep")["DataCaptureConfig"]["CurrentSamplingPercentage"] == 70
    _config(sm, "v4")
    sm.update_endpoint(EndpointName="ep", EndpointConfigName="v4")
    kit.wait_for(sm, "ep", lambda d: d["EndpointStatus"] == "InService" and d["EndpointConfigName"] == "v4")
    assert "DataCaptureConfig" not in sm.describe_endpoint(EndpointName="ep")


def test_describe_endpoint_lists_shadow_variants_as_variant_summaries(sm):
    kit.in_service(sm, "ep", _config(sm, "v1", shadow=True))
    described = sm.describe_endpoint(EndpointName="ep")
    (shadow,) = described["ShadowProductionVariants"]
    assert shadow["VariantName"] == "Shadow"
    assert (shadow["CurrentInstanceCount"], shadow["DesiredInstanceCount"]) == (1, 1)
    assert shadow["DeployedImages"][0]["SpecifiedImage"].endswith(":v1-shadow")
    assert [v["VariantName"] for v in described["ProductionVariants"]] == ["AllTraffic"]
    _config(sm, "v2")
    sm.update_endpoint(EndpointName="ep", EndpointConfigName="v2")
    pending = kit.wait_for(sm, "ep", lambda d: "PendingDeploymentSummary" in d)["PendingDeploymentSummary"]
    assert "ShadowProductionVariants" not in pending
    done = kit.wait_for(sm, "ep", lambda d: d["EndpointStatus"] == "InService")
    assert "ShadowProductionVariants" not in done


def test_s3_operations_sharing_a_route_are_logged_by_their_own_name(localaws):
    s3 = kit.client(localaws.url, "s3")
    s3.create_bucket(Bucket="route-bucket")
    s3.put_object(Bucket="route-bucket", Key="a/b.txt", Body=b"x")
    upload = s3.create_multipart_upload(Bucket="route-bucket", Key="big")["UploadId"]
    s3.abort_multipart_upload(Bucket="route-bucket", Key="big", UploadId=upload)
    s3.delete_object(Bucket="route-bucket", Key="a/b.txt")
    s3.delete_bucket(Bucket="route-bucket")
    logged = [(c["operation"], c["params"].get("Key")) for c in localaws.calls()]
    assert logged[2:] == [
        ("CreateMultipartUpload", "big"),
        ("AbortMultipartUpload", "big"),
        ("DeleteObject", "a/b.txt"),
        ("DeleteBucket", None),
    ]


def test_a_new_bucket_reports_the_default_sse_s3_encryption(localaws):
    s3 = kit.client(localaws.url, "s3")
    s3.create_bucket(Bucket="plain-bucket")
    sse_s3 = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
    default = {"Rules": [sse_s3]}
    assert s3.get_bucket_encryption(Bucket="plain-bucket")["ServerSideEncryptionConfiguration"] == default
    kms = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/k"}
    s3.put_bucket_encryption(
        Bucket="plain-bucket",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": kms, "BucketKeyEnabled": True}]
        },
    )
    (rule,) = s3.get_bucket_encryption(Bucket="plain-bucket")["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == kms
    s3.delete_bucket_encryption(Bucket="plain-bucket")
    assert s3.get_bucket_encryption(Bucket="plain-bucket")["ServerSideEncryptionConfiguration"] == default
    assert localaws.calls()[1]["status"] == 200
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.get_bucket_encryption(Bucket="no-such-bucket")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"InitialSamplingPercentage": 101}, "dataCaptureConfig.initialSamplingPercentage"),
        ({"DestinationS3Uri": "/tmp/capture"}, "dataCaptureConfig.destinationS3Uri"),
        (
            {"CaptureOptions": [{"CaptureMode": "Request"}]},
            "dataCaptureConfig.captureOptions.1.member.captureMode",
        ),
        (
            {"CaptureContentTypeHeader": {"CsvContentTypes": [f"text/c{i}" for i in range(11)]}},
            "dataCaptureConfig.captureContentTypeHeader.csvContentTypes",
        ),
        (
            {"CaptureContentTypeHeader": {"JsonContentTypes": ["json"]}},
            "dataCaptureConfig.captureContentTypeHeader.jsonContentTypes.1.member",
        ),
    ],
)
def test_data_capture_limits_are_checked_by_the_service(sm, change, path):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as refused:
        _config(sm, "bad", {**CAPTURE, **change})
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert f"at '{path}' failed to satisfy constraint" in error["Message"]
    assert sm.list_endpoint_configs(NameContains="bad")["EndpointConfigs"] == []
