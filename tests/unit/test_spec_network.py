"""VPC and network isolation of a variant's model (issue 13 item 1): validation before any AWS call, the
CreateModel fields, the release id, and the hotfix rebuild from DescribeModel."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from deployer import operations, planner
from deployer.errors import InvalidInput
from deployer.release import release_id
from deployer.spec import parse_spec
from tests.unit.test_spec_samples import realtime

SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"]
GROUPS = ["sg-0a1b2c3d4e5f60718"]


def networked(**fields: Any) -> dict[str, Any]:
    document = realtime()
    variant = document["variants"][0]
    variant["vpc_config"] = {"subnets": list(SUBNETS), "security_group_ids": list(GROUPS)}
    variant["enable_network_isolation"] = True
    variant.update(fields)
    return document


def refused(document: dict[str, Any]) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_spec(document)
    assert caught.value.exit_code == 1
    assert "\n" not in str(caught.value)
    return str(caught.value)


def test_a_vpc_variant_is_parsed_and_sent_to_create_model():
    spec = parse_spec(networked())
    variant = spec.variants[0]
    assert variant.vpc_config is not None
    assert variant.vpc_config.subnets == tuple(SUBNETS)
    assert variant.enable_network_isolation is True
    (model,) = planner.model_requests(spec)
    assert model.params["VpcConfig"] == {"Subnets": SUBNETS, "SecurityGroupIds": GROUPS}
    assert model.params["EnableNetworkIsolation"] is True


def test_without_the_fields_create_model_gets_neither():
    (model,) = planner.model_requests(parse_spec(realtime()))
    assert "VpcConfig" not in model.params
    assert "EnableNetworkIsolation" not in model.params


def test_isolation_alone_and_false_is_the_default():
    spec = parse_spec(networked(vpc_config=None, enable_network_isolation=False))
    assert spec.variants[0].vpc_config is None
    assert release_id(spec) == release_id(parse_spec(realtime()))
    (model,) = planner.model_requests(parse_spec(networked(vpc_config=None)))
    assert model.params["EnableNetworkIsolation"] is True
    assert "VpcConfig" not in model.params


@pytest.mark.parametrize(
    ("change", "field", "needle"),
    [
        (
            {"vpc_config": {"subnets": [], "security_group_ids": GROUPS}},
            "vpc_config.subnets",
            "1 to 16 ids (got 0)",
        ),
        (
            {"vpc_config": {"subnets": [f"subnet-{i}" for i in range(17)], "security_group_ids": GROUPS}},
            "vpc_config.subnets",
            "1 to 16 ids (got 17)",
        ),
        (
            {"vpc_config": {"subnets": SUBNETS, "security_group_ids": [f"sg-{i}" for i in range(6)]}},
            "vpc_config.security_group_ids",
            "1 to 5 ids (got 6)",
        ),
        (
            {"vpc_config": {"subnets": GROUPS, "security_group_ids": GROUPS}},
            "vpc_config.subnets[0]",
            "subnet-",
        ),
        (
            {"vpc_config": {"subnets": SUBNETS, "security_group_ids": SUBNETS}},
            "vpc_config.security_group_ids[0]",
            "sg-",
        ),
        (
            {"vpc_config": {"subnets": ["subnet-" + "a" * 26], "security_group_ids": GROUPS}},
            "vpc_config.subnets[0]",
            "at most 32 characters",
        ),
        (
            {"vpc_config": {"subnets": ["subnet-0A"], "security_group_ids": GROUPS}},
            "vpc_config.subnets[0]",
            "subnet-",
        ),
        (
            {"vpc_config": {"subnets": [SUBNETS[0], SUBNETS[0]], "security_group_ids": GROUPS}},
            "vpc_config.subnets[1]",
            "duplicate",
        ),
        ({"vpc_config": {"subnets": SUBNETS}}, "vpc_config.security_group_ids", "required"),
        ({"vpc_config": {"security_group_ids": GROUPS}}, "vpc_config.subnets", "required"),
        (
            {"vpc_config": {"subnets": SUBNETS, "security_group_ids": GROUPS, "vpc_id": "x"}},
            "vpc_config.vpc_id",
            "unknown field",
        ),
        ({"vpc_config": ["subnet-1"]}, "vpc_config", "must be a JSON object"),
        (
            {"vpc_config": {"subnets": "subnet-1", "security_group_ids": GROUPS}},
            "vpc_config.subnets",
            "must be an array",
        ),
        (
            {"vpc_config": {"subnets": [1], "security_group_ids": GROUPS}},
            "vpc_config.subnets[0]",
            "must be a string",
        ),
        ({"enable_network_isolation": "true"}, "enable_network_isolation", "must be true or false"),
    ],
)
def test_invalid_network_fields_are_refused_naming_the_field(change, field, needle):
    message = refused(networked(**change))
    assert message.split(": ", 1)[0] == f"variants[0].{field}"
    assert needle in message


@pytest.mark.parametrize("key", ["vpc_config", "enable_network_isolation"])
def test_serverless_refuses_vpc_and_isolation(key):
    document = networked()
    variant = document["variants"][0]
    for field in ("instance_type", "initial_instance_count"):
        variant.pop(field)
    variant["serverless"] = {"memory_size_mb": 2048, "max_concurrency": 5}
    other = "enable_network_isolation" if key == "vpc_config" else "vpc_config"
    variant.pop(other)
    document.pop("deployment")
    message = refused(document)
    assert message.startswith(f"variants[0].{key}: not allowed with serverless")


def test_release_ids_of_specs_without_the_fields_are_unchanged():
    # Pinned before the fields existed (main at 95cebd7): an unchanged document stays a no-op read.
    spec = parse_spec(realtime())
    assert release_id(spec) == "05bee0e73ca1"
    assert "vpc_config" not in spec.variants[0].to_document()
    assert "enable_network_isolation" not in spec.variants[0].to_document()
    assert release_id(spec) == release_id(
        parse_spec(networked(vpc_config=None, enable_network_isolation=None))
    )


def test_each_network_field_is_a_new_release():
    base = release_id(parse_spec(realtime()))
    ids = {
        base,
        release_id(parse_spec(networked())),
        release_id(parse_spec(networked(enable_network_isolation=False))),
        release_id(parse_spec(networked(vpc_config=None))),
        release_id(parse_spec(networked(vpc_config={"subnets": SUBNETS[:1], "security_group_ids": GROUPS}))),
    }
    assert len(ids) == 5
    # The document round-trips: the same release again.
    spec = parse_spec(networked())
    assert release_id(parse_spec(spec.to_document())) == release_id(spec)


def test_the_hotfix_rebuild_keeps_the_network_fields():
    model = {
        "VpcConfig": {"Subnets": SUBNETS, "SecurityGroupIds": GROUPS},
        "EnableNetworkIsolation": True,
    }
    assert operations._network_document(model) == {
        "vpc_config": {"subnets": SUBNETS, "security_group_ids": GROUPS},
        "enable_network_isolation": True,
    }
    assert operations._network_document({"EnableNetworkIsolation": False}) == {}
    rebuilt = copy.deepcopy(realtime())
    rebuilt["variants"][0].update(operations._network_document(model))
    assert release_id(parse_spec(rebuilt)) == release_id(parse_spec(networked()))


def test_status_text_shows_the_network_column():
    from deployer import cli

    row = {
        "name": "AllTraffic",
        "current_instance_count": 1,
        "desired_instance_count": 1,
        "current_weight": 1.0,
        "images": ["img"],
    }
    status = {
        "endpoint_name": "w",
        "exists": True,
        "status": "InService",
        "endpoint_config_name": "w-1",
        "pending_endpoint_config_name": "",
        "previous_endpoint_config_name": "",
        "drift": False,
        "last_rollout": "succeeded",
        "last_rollout_reason": "",
        "variants": [
            {**row, "network": {"vpc_config": {"subnets": SUBNETS, "security_group_ids": GROUPS}}},
            {**row, "name": "B", "network": {"enable_network_isolation": True}},
            {**row, "name": "C", "network": {}},
        ],
    }
    lines = cli._status_text(status).splitlines()
    assert "network" in lines[-4]
    assert lines[-3].endswith(f"vpc {','.join(SUBNETS)} {GROUPS[0]}")
    assert lines[-2].endswith("isolated")
    assert lines[-1].endswith("-")
