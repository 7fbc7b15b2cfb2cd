"""Valid spec documents: parsing, defaults, canonical round trip, the hotfix image swap."""

from __future__ import annotations

import json

import pytest

from deployer.errors import InvalidInput
from deployer.spec import Container, Deployment, Spec, parse_spec
from tests.unit.test_spec_samples import (
    DIGEST_IMAGE,
    IMAGE,
    REGION,
    ROLE,
    asynchronous,
    multi_container,
    realtime,
    serverless,
    two_variants,
)

KINDS = [realtime, asynchronous, serverless, multi_container, two_variants]


@pytest.mark.parametrize("factory", KINDS, ids=[f.__name__ for f in KINDS])
def test_every_endpoint_kind_parses_and_round_trips(factory):
    spec = parse_spec(factory())
    assert isinstance(spec, Spec)
    assert parse_spec(spec.to_document()) == spec
    assert parse_spec(json.dumps(spec.to_document())) == spec
    # canonical: the document of a parsed document is a fixed point
    assert parse_spec(spec.to_document()).to_document() == spec.to_document()


def test_the_spec_example_of_the_specification_parses():
    document = asynchronous()
    document["variants"][0]["containers"][0].update(image=DIGEST_IMAGE, hostname="whisper")
    document["variants"][0]["inference_execution_mode"] = "Serial"
    spec = parse_spec(document)
    variant = spec.variants[0]
    assert variant.instance_type == "ml.g4dn.xlarge"
    assert variant.container_startup_health_check_timeout_seconds == 1800
    assert variant.model_data_download_timeout_seconds == 1200
    assert spec.async_inference is not None
    assert spec.async_inference.include_inference_response_in == (
        "SUCCESS_NOTIFICATION_TOPIC",
        "ERROR_NOTIFICATION_TOPIC",
    )
    assert spec.deployment.traffic == "canary"
    assert spec.deployment.rollback_alarms == ("whisper-5xx", "whisper-model-latency")


def test_a_minimal_document_gets_the_documented_defaults():
    spec = parse_spec(
        {
            "endpoint_name": "minimal",
            "region": REGION,
            "execution_role_arn": ROLE,
            "variants": [{"containers": [{"image": IMAGE}], "instance_type": "ml.m5.large"}],
        }
    )
    assert spec.schema_version == 1
    assert spec.keep_releases == 3
    assert spec.tags == ()
    assert spec.async_inference is None
    assert spec.kms_key_arn is None
    variant = spec.variants[0]
    assert variant.name == "AllTraffic"
    assert variant.initial_instance_count == 1
    assert variant.initial_weight == 1.0
    assert variant.inference_execution_mode is None
    assert variant.containers == (Container(image=IMAGE),)
    assert spec.deployment == Deployment(
        strategy="blue_green",
        traffic="all_at_once",
        canary_percent=10,
        linear_step_percent=20,
        wait_interval_seconds=0,
        termination_wait_seconds=300,
        max_execution_timeout_seconds=3600,
        rolling_batch_percent=25,
        rollback_batch_percent=100,
        rollback_alarms=(),
        bake_seconds=0,
        timeout_seconds=7200,
    )


@pytest.mark.parametrize(
    ("deployment", "wait"),
    [
        ({"traffic": "all_at_once"}, 0),
        ({"traffic": "canary"}, 300),
        ({"traffic": "linear"}, 300),
        ({"strategy": "rolling"}, 300),
        ({"traffic": "canary", "wait_interval_seconds": 0}, 0),
    ],
)
def test_the_default_wait_interval_depends_on_the_traffic_shift(deployment, wait):
    document = realtime()
    document["deployment"] = deployment
    assert parse_spec(document).deployment.wait_interval_seconds == wait


def test_null_means_not_set_everywhere():
    """Terraform's jsonencode writes unset optional attributes as null."""
    document = realtime()
    variant = document["variants"][0]
    variant.update(name=None, initial_weight=None, serverless=None, volume_size_gb=None)
    variant["containers"][0].update(environment=None, hostname=None, model_data_url=None)
    document.update(
        async_inference=None, kms_key_arn=None, tags=None, keep_releases=None, schema_version=None
    )
    document["deployment"] = {key: None for key in Deployment().to_document()}
    spec = parse_spec(document)
    assert spec.variants[0].name == "AllTraffic"
    assert spec.variants[0].containers[0].environment == ()
    assert spec.deployment == Deployment()
    assert spec.keep_releases == 3


def test_environment_and_tags_are_sorted_pairs():
    document = realtime()
    document["variants"][0]["containers"][0]["environment"] = {"B": "2", "A": "1"}
    document["tags"] = {"zone": "b", "app": "a"}
    spec = parse_spec(document)
    assert spec.variants[0].containers[0].environment == (("A", "1"), ("B", "2"))
    assert spec.tags == (("app", "a"), ("zone", "b"))


def test_an_integer_weight_becomes_a_float():
    document = two_variants()
    document["variants"][0]["initial_weight"] = 3
    assert parse_spec(document).variants[0].initial_weight == 3.0


def test_one_container_may_carry_an_execution_mode():
    document = realtime()
    document["variants"][0]["inference_execution_mode"] = "Serial"
    assert parse_spec(document).variants[0].inference_execution_mode == "Serial"


def test_serial_containers_need_no_hostnames():
    document = multi_container(3)
    document["variants"][0]["inference_execution_mode"] = "Serial"
    for container in document["variants"][0]["containers"]:
        del container["hostname"]
    assert len(parse_spec(document).variants[0].containers) == 3


def test_fifteen_containers_and_ten_alarms_and_fifty_releases_are_the_limits():
    document = multi_container(15)
    document["deployment"]["rollback_alarms"] = [f"alarm-{i}" for i in range(10)]
    document["keep_releases"] = 50
    spec = parse_spec(document)
    assert len(spec.variants[0].containers) == 15
    assert len(spec.deployment.rollback_alarms) == 10


@pytest.mark.parametrize("memory", [1024, 2048, 3072, 4096, 5120, 6144])
def test_every_serverless_memory_step_is_accepted(memory):
    document = serverless()
    document["variants"][0]["serverless"] = {
        "memory_size_mb": memory,
        "max_concurrency": 200,
        "provisioned_concurrency": 200,
    }
    assert parse_spec(document).variants[0].serverless.memory_size_mb == memory


@pytest.mark.parametrize(
    "image",
    [
        IMAGE,
        DIGEST_IMAGE,
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:24.09-py3",
        "registry.example.com:5000/team/model:latest",
        "registry.example.com/model",
        f"{IMAGE}@sha256:{'0' * 64}",
    ],
)
def test_image_uri_forms(image):
    document = realtime()
    document["variants"][0]["containers"][0]["image"] = image
    assert parse_spec(document).variants[0].containers[0].image == image


def test_a_kms_key_arn_and_an_alias_arn_are_accepted():
    for arn in (
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:123456789012:alias/sagemaker",
    ):
        document = realtime()
        document["kms_key_arn"] = arn
        assert parse_spec(document).kms_key_arn == arn


def test_with_image_replaces_one_container_only():
    spec = parse_spec(multi_container(3))
    new_image = IMAGE.replace(":1.0", ":1.1")
    hotfix = spec.with_image("AllTraffic", "model-1", new_image)
    assert [c.image for c in hotfix.variants[0].containers][1] == new_image
    assert hotfix.variants[0].containers[0] == spec.variants[0].containers[0]
    assert hotfix.variants[0].containers[2] == spec.variants[0].containers[2]
    assert hotfix.deployment == spec.deployment
    assert parse_spec(hotfix.to_document()) == hotfix


def test_with_image_defaults_to_the_only_variant_and_container():
    spec = parse_spec(realtime())
    assert spec.with_image(None, None, DIGEST_IMAGE).variants[0].containers[0].image == DIGEST_IMAGE


@pytest.mark.parametrize(
    ("factory", "variant", "hostname", "image", "field"),
    [
        (two_variants, None, None, DIGEST_IMAGE, "variant"),
        (realtime, "Nope", None, DIGEST_IMAGE, "variant"),
        (multi_container, None, None, DIGEST_IMAGE, "container"),
        (multi_container, None, "model-9", DIGEST_IMAGE, "container"),
        (realtime, None, None, "not an image", "image"),
    ],
)
def test_with_image_refuses_what_is_ambiguous_or_invalid(factory, variant, hostname, image, field):
    spec = parse_spec(factory())
    with pytest.raises(InvalidInput) as caught:
        spec.with_image(variant, hostname, image)
    assert str(caught.value).split(": ", 1)[0] == field


def test_spec_values_are_frozen():
    spec = parse_spec(realtime())
    with pytest.raises(AttributeError):
        spec.endpoint_name = "other"  # type: ignore[misc]
    assert hash(spec) == hash(parse_spec(realtime()))
