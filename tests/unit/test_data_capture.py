"""Data capture (issue 13 item 2): the spec's ``data_capture`` validated before any AWS call, its
DataCaptureConfig checked against botocore's SageMaker model, its place in the release id, and the
UpdateEndpoint that excludes DataCaptureConfig from the retained properties when it changes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from deployer import planner
from deployer.errors import InvalidInput
from deployer.release import release_id
from deployer.spec import parse_spec
from tests.unit.test_planner import doc, live
from tests.unit.test_release import RELEASE_IDS_WITHOUT_MODEL_DATA_VERSION
from tests.unit.test_requests_model import assert_valid
from tests.unit.test_spec_samples import asynchronous, multi_container, realtime, two_variants

CAPTURE: dict[str, Any] = {
    "enable": True,
    "initial_sampling_percentage": 25,
    "capture_options": ["input", "output"],
    "destination_s3_uri": "s3://whisper-bucket/data-capture/",
    "kms_key_id": "arn:aws:kms:eu-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "capture_content_type_header": {
        "csv_content_types": ["text/csv"],
        "json_content_types": ["application/json", "application/jsonlines"],
    },
}


def with_capture(**changes: Any) -> dict[str, Any]:
    capture = copy.deepcopy(CAPTURE)
    capture.update(changes)
    return doc(data_capture=capture)


def test_the_data_capture_config_is_what_the_api_takes():
    spec = parse_spec(with_capture())
    request = planner.config_request(spec, None, release_id(spec))
    assert request["DataCaptureConfig"] == {
        "EnableCapture": True,
        "InitialSamplingPercentage": 25,
        "DestinationS3Uri": "s3://whisper-bucket/data-capture/",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "KmsKeyId": CAPTURE["kms_key_id"],
        "CaptureContentTypeHeader": {
            "CsvContentTypes": ["text/csv"],
            "JsonContentTypes": ["application/json", "application/jsonlines"],
        },
    }
    assert_valid("sagemaker", "CreateEndpointConfig", request)


def test_defaults_capture_input_and_output_at_20_percent_without_key_or_content_types():
    spec = parse_spec(doc(data_capture={"destination_s3_uri": "s3://bkt/data-capture/"}))
    request = planner.config_request(spec, None, release_id(spec))
    assert request["DataCaptureConfig"] == {
        "EnableCapture": True,
        "InitialSamplingPercentage": 20,
        "DestinationS3Uri": "s3://bkt/data-capture/",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
    }
    assert_valid("sagemaker", "CreateEndpointConfig", request)


def test_without_data_capture_the_request_has_none():
    spec = parse_spec(doc())
    assert "DataCaptureConfig" not in planner.config_request(spec, None, release_id(spec))
    assert "data_capture" not in spec.to_document()


def test_the_spec_document_round_trips_with_data_capture():
    spec = parse_spec(with_capture())
    assert parse_spec(spec.to_document()) == spec
    assert parse_spec(spec.to_document()).to_document() == spec.to_document()


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"initial_sampling_percentage": 101}, "data_capture.initial_sampling_percentage", "0 to 100"),
        ({"initial_sampling_percentage": -1}, "data_capture.initial_sampling_percentage", "0 to 100"),
        ({"initial_sampling_percentage": 12.5}, "data_capture.initial_sampling_percentage", "whole number"),
        ({"capture_options": []}, "data_capture.capture_options", "1 or 2 of input, output"),
        ({"capture_options": ["input", "output", "input"]}, "data_capture.capture_options", "1 or 2"),
        ({"capture_options": ["input", "input"]}, "data_capture.capture_options[1]", "duplicate input"),
        ({"capture_options": ["Request"]}, "data_capture.capture_options[0]", "one of input, output"),
        ({"destination_s3_uri": None}, "data_capture.destination_s3_uri", "required"),
        ({"destination_s3_uri": "/tmp/capture"}, "data_capture.destination_s3_uri", "an S3 URI"),
        ({"destination_s3_uri": "s3://bkt/" + "x" * 510}, "data_capture.destination_s3_uri", "512"),
        ({"kms_key_id": "key with spaces"}, "data_capture.kms_key_id", "a KMS key id"),
        ({"enable": "yes"}, "data_capture.enable", "true or false"),
        ({"sampling": 5}, "data_capture.sampling", "unknown field"),
        (
            {"capture_content_type_header": {"csv_content_types": ["text/csv"] * 2}},
            "data_capture.capture_content_type_header.csv_content_types[1]",
            "duplicate text/csv",
        ),
        (
            {"capture_content_type_header": {"json_content_types": [f"application/x{i}" for i in range(11)]}},
            "data_capture.capture_content_type_header.json_content_types",
            "at most 10 content types (got 11)",
        ),
        (
            {"capture_content_type_header": {"json_content_types": ["json"]}},
            "data_capture.capture_content_type_header.json_content_types[0]",
            "a content type such as",
        ),
        (
            {"capture_content_type_header": {"xml_content_types": ["text/xml"]}},
            "data_capture.capture_content_type_header.xml_content_types",
            "unknown field",
        ),
    ],
)
def test_each_rule_names_the_field_and_the_rule_in_one_line(changes, field, rule):
    with pytest.raises(InvalidInput) as caught:
        parse_spec(with_capture(**changes))
    message = str(caught.value)
    assert message.split(": ", 1)[0] == field
    assert rule in message
    assert "\n" not in message


def test_data_capture_must_be_an_object():
    with pytest.raises(InvalidInput, match=r"^data_capture: must be a JSON object \(got array\)"):
        parse_spec(doc(data_capture=["input"]))


# ------------------------------------------------------------------------------------------ release id


@pytest.mark.parametrize("sample", sorted(RELEASE_IDS_WITHOUT_MODEL_DATA_VERSION))
def test_specs_without_data_capture_keep_their_release_ids(sample):
    factory = {"realtime": realtime, "multi_container": multi_container, "two_variants": two_variants}.get(
        sample, asynchronous
    )
    document = factory()
    assert release_id(parse_spec(document)) == RELEASE_IDS_WITHOUT_MODEL_DATA_VERSION[sample]
    document["data_capture"] = None
    assert release_id(parse_spec(document)) == RELEASE_IDS_WITHOUT_MODEL_DATA_VERSION[sample]


@pytest.mark.parametrize(
    "changes",
    [
        {"initial_sampling_percentage": 50},
        {"enable": False},
        {"capture_options": ["input"]},
        {"destination_s3_uri": "s3://other/data-capture/"},
        {"kms_key_id": None},
        {"capture_content_type_header": None},
    ],
)
def test_a_data_capture_change_is_a_new_release(changes):
    base = release_id(parse_spec(with_capture()))
    assert release_id(parse_spec(doc())) != base
    assert release_id(parse_spec(with_capture(**changes))) != base


# ------------------------------------------------------------------------------------- UpdateEndpoint


def _configs(old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[Any, Any]:
    def config(document: dict[str, Any]) -> Any:
        spec = parse_spec(document)
        return planner.config_request(spec, None, release_id(spec)).get("DataCaptureConfig")

    return config(old or doc()), config(new or doc())


def _summary(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "EnableCapture": config.get("EnableCapture", True),
        "CaptureStatus": "Started",
        "CurrentSamplingPercentage": config["InitialSamplingPercentage"],
        "DestinationS3Uri": config["DestinationS3Uri"],
        **({"KmsKeyId": config["KmsKeyId"]} if config.get("KmsKeyId") else {}),
    }


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (None, with_capture()),
        (with_capture(), None),
        (with_capture(), with_capture(initial_sampling_percentage=60)),
        (with_capture(), with_capture(capture_options=["output"])),
        (with_capture(), with_capture(capture_content_type_header=None)),
    ],
    ids=["switched-on", "switched-off", "sampling", "options", "content-types"],
)
def test_a_changed_capture_is_excluded_from_the_retained_properties(old, new):
    live_capture, target_capture = _configs(old, new)
    described = live(("AllTraffic", 2))
    if live_capture:
        described["DataCaptureConfig"] = _summary(live_capture)
    changed = planner.data_capture_changed(live_capture, target_capture, described.get("DataCaptureConfig"))
    assert changed
    spec = parse_spec(new or doc())
    request = planner.config_request(spec, None, release_id(spec))
    update = planner.update_request(
        "whisper",
        request["EndpointConfigName"],
        request["ProductionVariants"],
        described,
        planner.deployment_config(spec.deployment),
        capture_changed=changed,
    )
    assert update["RetainAllVariantProperties"] is True
    assert {"VariantPropertyType": "DataCaptureConfig"} in update["ExcludeRetainedVariantProperties"]
    assert_valid("sagemaker", "UpdateEndpoint", update)


def test_an_unchanged_capture_is_retained_as_it_is():
    live_capture, target_capture = _configs(with_capture(), with_capture())
    assert not planner.data_capture_changed(live_capture, target_capture, _summary(live_capture))
    assert not planner.data_capture_changed(None, None, None)
    update = planner.update_request(
        "whisper", "cfg", [{"VariantName": "AllTraffic"}], live(("AllTraffic", 2)), {}
    )
    assert "ExcludeRetainedVariantProperties" not in update


def test_a_live_capture_that_differs_from_its_configuration_counts_as_changed():
    """An earlier update that retained the capture leaves DescribeEndpoint showing an older one."""
    live_capture, target_capture = _configs(with_capture(), with_capture())
    shown = {**_summary(live_capture), "CurrentSamplingPercentage": 5}
    assert planner.data_capture_changed(live_capture, target_capture, shown)


def test_enable_capture_defaults_to_true_when_comparing():
    config = {
        "InitialSamplingPercentage": 20,
        "DestinationS3Uri": "s3://b/p/",
        "CaptureOptions": [{"CaptureMode": "Input"}],
    }
    target = {**config, "EnableCapture": True}
    assert not planner.data_capture_changed(config, target, _summary(config))
    # A configuration with capture the endpoint does not show: an earlier update retained none.
    assert planner.data_capture_changed(config, target, None)
