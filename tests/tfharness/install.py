"""Build the offline Terraform harness into a build directory.

Layout under ``<build>/terraform/`` (never committed):

- ``cli.tfrc``: the CLI configuration (``TF_CLI_CONFIG_FILE``);
- ``providers/registry.terraform.io/hashicorp/external/2.4.0/<os_arch>/terraform-provider-external_v2.4.0``:
  the launcher of the hashicorp/external stand-in, an unpacked filesystem mirror. It names the Python
  that ran the set-up and this checkout, which is why it is built and never committed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import platform
import shlex
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.tfharness.cliconfig import render_cli_config
from tests.tfharness.external_provider import PROVIDER_ADDRESS, PROVIDER_VERSION
from tests.tfharness.mirror import find_aws_mirror

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BUILD_DIR = REPO_ROOT / "build"

# Set on every Terraform run: no prompts, no upgrade checks, automation-friendly output.
AUTOMATION_ENV = {"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_INPUT": "0"}


@dataclass(frozen=True)
class Harness:
    """A built harness: where its files are and the environment Terraform runs with."""

    build_dir: Path
    cli_config: Path
    external_mirror: Path
    aws_mirror: Path
    external_launcher: Path

    def env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) plus the harness' Terraform settings."""
        env = dict(os.environ if base is None else base)
        env.update(AUTOMATION_ENV)
        # The AWS provider builds its whole schema at every start (several per command): collecting
        # garbage less often cuts its CPU time by about 30% for ~150 MB more memory.
        env.setdefault("GOGC", "400")
        env["TF_CLI_CONFIG_FILE"] = str(self.cli_config)
        return env


def target_platform() -> str:
    """Terraform's ``<os>_<arch>`` for this machine."""
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )
    return f"{platform.system().lower()}_{arch}"


def render_launcher(python: str, repo_root: Path) -> str:
    """A shell launcher that starts the stand-in with ``python``, leaving the environment untouched."""
    code = (
        "import sys; sys.path.insert(0, sys.argv.pop(1)); "
        "from tests.tfharness.external_provider import main; main()"
    )
    return (
        "#!/bin/sh\n"
        "# hashicorp/external stand-in (tests/tfharness/external_provider.py); built by `make harness`.\n"
        f'exec {shlex.quote(python)} -I -c {shlex.quote(code)} {shlex.quote(str(repo_root))} "$@"\n'
    )


def _write_if_changed(path: Path, text: str, mode: int = 0o644) -> None:
    if path.exists() and path.read_text() == text:
        os.chmod(path, mode)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def setup(build_dir: Path = DEFAULT_BUILD_DIR, env: Mapping[str, str] | None = None) -> Harness:
    """Build (idempotently, safely from parallel processes) and return the harness."""
    root = Path(build_dir).resolve() / "terraform"
    aws_mirror = find_aws_mirror(env)
    external_mirror = root / "providers"
    launcher = (
        external_mirror
        / PROVIDER_ADDRESS
        / PROVIDER_VERSION
        / target_platform()
        / f"terraform-provider-external_v{PROVIDER_VERSION}"
    )
    cli_config = root / "cli.tfrc"
    with _locked(root):
        _write_if_changed(launcher, render_launcher(sys.executable, REPO_ROOT), mode=0o755)
        _write_if_changed(cli_config, render_cli_config(aws_mirror, external_mirror))
    return Harness(
        build_dir=Path(build_dir).resolve(),
        cli_config=cli_config,
        external_mirror=external_mirror,
        aws_mirror=aws_mirror,
        external_launcher=launcher,
    )
