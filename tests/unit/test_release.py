"""Release ids and resource names: what changes a release, and SageMaker's name rules."""

from __future__ import annotations

import re

import pytest

from deployer.release import (
    MAX_NAME,
    TAG_ENDPOINT,
    TAG_MANAGED_BY,
    TAG_RELEASE,
    config_name,
    is_valid_name,
    model_name,
    name_prefix,
    release_from_name,
    release_id,
    resource_tags,
)
from deployer.spec import parse_spec
from tests.unit.test_spec_samples import DIGEST_IMAGE, asynchronous, multi_container, realtime, two_variants

SAGEMAKER_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")


def _release(document) -> str:
    return release_id(parse_spec(document))


def test_release_id_is_twelve_lowercase_hex_and_deterministic():
    first = _release(realtime())
    assert re.fullmatch(r"[0-9a-f]{12}", first)
    assert _release(realtime()) == first


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["tags"].update(owner="someone"),
        lambda d: d.update(tags={}),
        lambda d: d.update(keep_releases=7),
        lambda d: d.update(schema_version=None),
        lambda d: d["deployment"].update(traffic="linear", linear_step_percent=50),
        lambda d: d["deployment"].update(rollback_alarms=["other"], bake_seconds=600, timeout_seconds=600),
        lambda d: d.update(deployment={"strategy": "rolling"}),
    ],
    ids=["tag-added", "tags-removed", "keep-releases", "schema-null", "traffic", "alarms-bake", "rolling"],
)
def test_release_id_ignores_policy_tags_and_retention(change):
    document = realtime()
    change(document)
    assert _release(document) == _release(realtime())


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["variants"][0]["containers"][0].update(image=DIGEST_IMAGE),
        lambda d: d["variants"][0]["containers"][0]["environment"].update(STAGE="dev"),
        lambda d: d["variants"][0]["containers"][0].update(model_data_url="s3://models-bucket/v2.tar.gz"),
        lambda d: d["variants"][0].update(instance_type="ml.g5.xlarge"),
        lambda d: d["variants"][0].update(initial_instance_count=2),
        lambda d: d["variants"][0].update(model_data_download_timeout_seconds=600),
        lambda d: d["variants"][0].update(volume_size_gb=100),
        lambda d: d.update(execution_role_arn="arn:aws:iam::123456789012:role/other"),
        lambda d: d.update(region="eu-north-1"),
        lambda d: d.update(kms_key_arn="arn:aws:kms:us-east-1:123456789012:alias/x"),
        lambda d: d.update(async_inference=asynchronous()["async_inference"]),
    ],
    ids=[
        "image",
        "env",
        "model-data",
        "instance-type",
        "count",
        "timeout",
        "volume",
        "role",
        "region",
        "kms",
        "async",
    ],
)
def test_release_id_changes_with_what_shapes_models_and_configuration(change):
    document = realtime()
    change(document)
    assert _release(document) != _release(realtime())


# Release ids of the samples before containers could carry model_data_version: a spec without the field must
# keep its id, or every endpoint would roll out an identical release when its deployer is upgraded.
RELEASE_IDS_WITHOUT_MODEL_DATA_VERSION = {
    "realtime": "05bee0e73ca1",
    "multi_container": "ff3b19d46b47",
    "two_variants": "4487fe4e4c57",
    "asynchronous": "ad23ce3d635e",
}


@pytest.mark.parametrize("sample", sorted(RELEASE_IDS_WITHOUT_MODEL_DATA_VERSION))
def test_a_spec_without_model_data_version_keeps_its_release_id(sample):
    factory = {"realtime": realtime, "multi_container": multi_container, "two_variants": two_variants}.get(
        sample, asynchronous
    )
    assert _release(factory()) == RELEASE_IDS_WITHOUT_MODEL_DATA_VERSION[sample]


def _with_version(version: str | None) -> dict:
    document = realtime()
    if version is not None:
        document["variants"][0]["containers"][0]["model_data_version"] = version
    return document


def test_the_model_data_version_is_part_of_the_release():
    unpinned = _release(_with_version(None))
    v1 = _release(_with_version("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo"))
    v2 = _release(_with_version("QUpfdndhfd8438MNFDN93jdnJFkdmqnh893"))
    etag = _release(_with_version('"9b2cf535f27731c974343645a3985328"'))
    assert len({unpinned, v1, v2, etag}) == 4
    # the same object version is the same release (a re-run finds what the first run created)
    assert _release(_with_version("QUpfdndhfd8438MNFDN93jdnJFkdmqnh893")) == v2


def test_the_model_data_version_survives_the_spec_document():
    spec = parse_spec(_with_version('"9b2cf535f27731c974343645a3985328-3"'))
    assert spec.variants[0].containers[0].model_data_version == '"9b2cf535f27731c974343645a3985328-3"'
    assert parse_spec(spec.to_document()) == spec
    assert "model_data_version" not in parse_spec(realtime()).to_document()["variants"][0]["containers"][0]


def test_a_model_data_version_needs_the_object_it_versions():
    from deployer.errors import InvalidInput

    document = _with_version("abc")
    del document["variants"][0]["containers"][0]["model_data_url"]
    with pytest.raises(InvalidInput, match=r"^variants\[0\]\.containers\[0\]\.model_data_version: only with"):
        parse_spec(document)


def test_the_hotfix_image_makes_a_new_release():
    spec = parse_spec(realtime())
    assert release_id(spec.with_image(None, None, DIGEST_IMAGE)) != release_id(spec)


def test_names_are_derived_from_endpoint_and_release():
    release = _release(realtime())
    assert config_name("whisper", release) == f"whisper-{release}"
    assert model_name("whisper", release, 0) == f"whisper-{release}-m0"
    assert name_prefix("whisper") == "whisper-"
    assert config_name("whisper", release).startswith(name_prefix("whisper"))


@pytest.mark.parametrize("length", [1, 20, 46, 47, 48, 50, 62, 63])
def test_every_name_fits_sagemaker_for_every_endpoint_length(length):
    endpoint = ("a-b" * 30)[: length - 1] + "z" if length > 1 else "z"
    release = "0123456789ab"
    names = [config_name(endpoint, release)] + [model_name(endpoint, release, i) for i in range(10)]
    for name in names:
        assert len(name) <= MAX_NAME
        assert SAGEMAKER_NAME.match(name), name
        assert is_valid_name(name)
        assert release_from_name(endpoint, name) == release
    assert len(set(names)) == len(names)
    prefix = name_prefix(endpoint)
    assert re.fullmatch(r"[a-zA-Z0-9-]+", prefix) and len(prefix) <= 63  # ListEndpointConfigs NameContains


def test_long_endpoint_names_with_a_common_beginning_stay_distinct():
    release = "0123456789ab"
    first, second = "e" * 60 + "one", "e" * 60 + "two"
    assert config_name(first, release) != config_name(second, release)
    assert model_name(first, release, 0) != model_name(second, release, 0)
    assert release_from_name(first, config_name(second, release)) is None


def test_a_short_name_keeps_the_endpoint_name_whole():
    assert name_prefix("e" * 47) == "e" * 47 + "-"
    assert name_prefix("e" * 48) != "e" * 48 + "-"


@pytest.mark.parametrize(
    ("endpoint", "name"),
    [
        ("whisper", "whisper-large-0123456789ab"),  # another endpoint's configuration
        ("whisper", "whisper-0123456789ab-extra"),
        ("whisper", "whisper-0123456789AB"),
        ("whisper", "whisper-0123456789a"),
        ("whisper", "whisper-0123456789ab-m"),
        ("whisper", "whisper-0123456789ab-m10"),
        ("whisper", "other-0123456789ab"),
        ("whisper-large", "whisper-0123456789ab"),
        ("whisper", "whisper-0123456789ab-"),
    ],
)
def test_release_from_name_refuses_names_that_are_not_ours(endpoint, name):
    assert release_from_name(endpoint, name) is None


def test_release_from_name_reads_configs_and_models():
    assert release_from_name("whisper", "whisper-0123456789ab") == "0123456789ab"
    assert release_from_name("whisper", "whisper-0123456789ab-m3") == "0123456789ab"


@pytest.mark.parametrize("bad", ["", "0123456789AB", "0123", "0123456789abc", "zzzzzzzzzzzz"])
def test_names_refuse_a_malformed_release(bad):
    with pytest.raises(ValueError):
        config_name("whisper", bad)
    with pytest.raises(ValueError):
        model_name("whisper", bad, 0)


def test_model_index_is_bounded_by_ten_variants():
    with pytest.raises(ValueError):
        model_name("whisper", "0123456789ab", 10)


def test_release_tags_mark_ownership_and_release():
    tags = {t["Key"]: t["Value"] for t in resource_tags("whisper", "0123456789ab")}
    assert tags == {TAG_MANAGED_BY: "sagemaker-rollout", TAG_ENDPOINT: "whisper", TAG_RELEASE: "0123456789ab"}


def test_variant_order_and_multi_container_shape_the_release():
    assert _release(multi_container(2)) != _release(multi_container(3))
    swapped = two_variants()
    swapped["variants"].reverse()
    assert _release(swapped) != _release(two_variants())
