"""pytest fixtures for real Terraform runs (plugin listed in tests/conftest.py).

- ``tf_harness`` (session): the built harness (``tests.tfharness.install.setup``), shared by workers.
- ``tf_workdir`` (function): a factory ``tf_workdir(src_dir) -> TerraformRunner`` that stages a copy of
  the configuration (with the repository's relative layout, so ``source = "../../"`` works) in the
  test's temporary directory; each test has its own ``.terraform`` and state. The runner points the
  AWS provider at ``AWS_ENDPOINT_URL`` (set by the ``localaws`` fixture) before every command.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.tfharness.install import Harness, setup
from tests.tfharness.mirror import MirrorNotFound
from tests.tfharness.runner import TerraformRunner
from tests.tfharness.tree import stage_configuration


@pytest.fixture(scope="session")
def tf_harness() -> Harness:
    try:
        return setup()
    except MirrorNotFound as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def tf_workdir(tf_harness: Harness, tmp_path: Path) -> Callable[[Path | str], TerraformRunner]:
    counter = iter(range(1_000_000))

    def stage(src_dir: Path | str, *, localaws: bool = True) -> TerraformRunner:
        scratch = tmp_path / f"tf-{next(counter)}"
        workdir = stage_configuration(Path(src_dir), scratch)
        return TerraformRunner(workdir, tf_harness, localaws=localaws)

    return stage
