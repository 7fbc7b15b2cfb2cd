"""Build the offline Terraform harness into a build directory.

Layout under ``<build>/terraform/`` (never committed):

- ``cli.tfrc``: the CLI configuration (``TF_CLI_CONFIG_FILE``);
- ``which.txt``: where hashicorp/aws and hashicorp/external come from in this build (mirror, registry,
  stand-in), see ``tests.tfharness.mirror``;
- ``providers/registry.terraform.io/hashicorp/external/2.4.0/<os_arch>/terraform-provider-external_v2.4.0``:
  the launcher of the hashicorp/external stand-in, an unpacked filesystem mirror. It names the Python
  that ran the set-up and this checkout, which is why it is built and never committed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import platform
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.tfharness.cliconfig import render_cli_config
from tests.tfharness.external_provider import PROVIDER_ADDRESS, PROVIDER_VERSION
from tests.tfharness.mirror import MirrorNotFound, Sources, resolve_sources

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BUILD_DIR = REPO_ROOT / "build"

# Set on every Terraform run: no prompts, no upgrade checks, automation-friendly output.
AUTOMATION_ENV = {"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_INPUT": "0"}


@dataclass(frozen=True)
class Harness:
    """A built harness: where its files are and the environment Terraform runs with."""

    build_dir: Path
    cli_config: Path
    external_mirror: Path  # the stand-in's mirror (built even when the real provider is used)
    aws_mirror: Path | None  # None: hashicorp/aws from the registry
    external_launcher: Path
    sources: Sources | None = None
    which: Path | None = None

    def env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) plus the harness' Terraform settings."""
        env = dict(os.environ if base is None else base)
        env.update(AUTOMATION_ENV)
        # The AWS provider builds its whole schema at every start (several per command): collecting
        # garbage less often cuts its CPU time by about 30% for ~150 MB more memory.
        env.setdefault("GOGC", "400")
        env["TF_CLI_CONFIG_FILE"] = str(self.cli_config)
        if self.aws_mirror is None and "TF_PLUGIN_CACHE_DIR" not in env:
            # From the registry, every scratch init would download hashicorp/aws (hundreds of MB) again.
            # The cache is used for a configuration without a lock file only with the second variable
            # (Terraform >= 1.4, "Provider Plugin Cache" in the CLI configuration docs).
            cache = self.build_dir / "terraform" / "plugin-cache"
            cache.mkdir(parents=True, exist_ok=True)
            env["TF_PLUGIN_CACHE_DIR"] = str(cache)
            env["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"] = "true"
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


class TerraformTooOld(MirrorNotFound):
    """The terraform on PATH is older than ``required_version`` in versions.tf (one-line message)."""


def required_terraform(versions_tf: Path = REPO_ROOT / "versions.tf") -> tuple[int, ...]:
    """The minimum of ``required_version = ">= X.Y[.Z]"`` in the root module's versions.tf."""
    match = re.search(r'required_version\s*=\s*">=\s*([0-9.]+)"', versions_tf.read_text())
    if match is None:
        raise ValueError(f'{versions_tf}: no required_version ">= X.Y"')
    return tuple(int(part) for part in match.group(1).split("."))


def check_terraform_version(minimum: tuple[int, ...], version_json: Callable[[], str] | None = None) -> str:
    """The version of ``terraform`` on PATH; TerraformTooOld (one line) below ``minimum``."""
    want = ".".join(map(str, minimum))
    try:
        text = version_json() if version_json else _terraform_version_json()
        version = json.loads(text)["terraform_version"]
    except (OSError, ValueError, KeyError, subprocess.CalledProcessError):
        raise TerraformTooOld(
            f"terraform >= {want} is required on PATH; `terraform version -json` failed"
        ) from None
    found = tuple(int(part) for part in re.findall(r"\d+", version.split("-")[0])[:3])
    if found < minimum:
        raise TerraformTooOld(f"terraform >= {want} is required (versions.tf); found terraform {version}")
    return version


def _terraform_version_json() -> str:
    return subprocess.run(
        ["terraform", "version", "-json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, **AUTOMATION_ENV},
    ).stdout


def setup(
    build_dir: Path = DEFAULT_BUILD_DIR,
    env: Mapping[str, str] | None = None,
    sources: Sources | None = None,
    check_version: bool = True,
) -> Harness:
    """Build (idempotently, safely from parallel processes) and return the harness."""
    root = Path(build_dir).resolve() / "terraform"
    if check_version:
        check_terraform_version(required_terraform())
    if sources is None:
        sources = resolve_sources(env)
    external_mirror = root / "providers"
    launcher = (
        external_mirror
        / PROVIDER_ADDRESS
        / PROVIDER_VERSION
        / target_platform()
        / f"terraform-provider-external_v{PROVIDER_VERSION}"
    )
    cli_config = root / "cli.tfrc"
    which = root / "which.txt"
    with _locked(root):
        _write_if_changed(launcher, render_launcher(sys.executable, REPO_ROOT), mode=0o755)
        _write_if_changed(cli_config, render_cli_config(sources, external_mirror))
        _write_if_changed(which, sources.describe())
    return Harness(
        build_dir=Path(build_dir).resolve(),
        cli_config=cli_config,
        external_mirror=external_mirror,
        aws_mirror=sources.aws_mirror,
        external_launcher=launcher,
        sources=sources,
        which=which,
    )
