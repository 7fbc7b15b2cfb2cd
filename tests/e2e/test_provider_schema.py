"""Issue 14 item 3, with the real provider: what the module and the examples use of hashicorp/aws exists,
undeprecated, in the exact schema of the provider (``terraform providers schema -json``).

- 5.x: the lowest version the module admits (its constraint's lower bound), always.
- 6.x: the newest 6.x, when the harness can install one (from the registry, or a mirror holding one); with
  a mirror of 5.x only (this machine) it is skipped, and the offline 6.62.0 check of
  tests/unit/test_provider_schema.py stands for it. GitHub's runners take providers from the registry,
  so there both run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests import provider_schema as ps
from tests.tfharness.install import Harness
from tests.tfharness.runner import TerraformRunner

pytestmark = pytest.mark.e2e

LOWEST = re.match(r">=\s*([0-9.]+)", ps.MODULE_CONSTRAINT).group(1)


def _exact(version: str) -> str:
    parts = version.split(".")
    return ".".join(parts + ["0"] * (3 - len(parts)))


def _mirror_has_major(harness: Harness, major: int) -> bool:
    mirror = harness.aws_mirror
    if mirror is None:
        return True  # the registry has every version
    provider_dir = mirror / ps.AWS_PROVIDER
    return any(p.name.split(".")[0] == str(major) for p in provider_dir.iterdir())


def _schema(harness: Harness, workdir: Path, constraint: str) -> tuple[str, ps.Schema]:
    workdir.mkdir(parents=True)
    (workdir / "main.tf").write_text(
        "terraform {\n  required_providers {\n"
        f'    aws = {{\n      source  = "hashicorp/aws"\n      version = "{constraint}"\n    }}\n'
        "  }\n}\n"
    )
    runner = TerraformRunner(workdir, harness, localaws=False)
    runner.init(backend=False)
    lock = (workdir / ".terraform.lock.hcl").read_text()
    version = re.search(r'provider "registry.terraform.io/hashicorp/aws" \{\s*version\s*=\s*"([^"]+)"', lock)
    assert version is not None, lock
    document = json.loads(runner.run("providers", "schema", "-json").stdout)
    schema = ps.from_terraform_json(document)
    schema.source = f"hashicorp/aws {version[1]} (terraform providers schema -json)"
    return version[1], schema


def test_lowest_5x_the_module_admits(tf_harness: Harness, tmp_path: Path):
    version, schema = _schema(tf_harness, tmp_path / "tf", _exact(LOWEST))
    assert version == _exact(LOWEST)
    assert ps.check(schema, ps.usages()) == []


def test_newest_6x(tf_harness: Harness, tmp_path: Path):
    if not _mirror_has_major(tf_harness, 6):
        pytest.skip(
            f"hashicorp/aws comes from the mirror {tf_harness.aws_mirror}, which holds no 6.x "
            "(tests/unit/test_provider_schema.py checks 6.62.0's schema offline)"
        )
    version, schema = _schema(tf_harness, tmp_path / "tf", ">= 6.0, < 7.0")
    assert version.startswith("6.")
    schema.deprecations = ps.DEPRECATED_IN_6
    assert ps.check(schema, ps.usages()) == []
