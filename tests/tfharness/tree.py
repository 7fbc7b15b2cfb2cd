"""Copy a Terraform configuration to a scratch tree so that runs never share ``.terraform`` or state.

Examples and test stacks reach the root module with ``source = "../../"``. A configuration inside the
repository is therefore staged with the repository's relative layout: the root module's top-level
files and directories (``modules/``, ``deployer/``, ...) are copied too, and the configuration lands
at the same relative path inside the scratch tree.
"""

from __future__ import annotations

import fnmatch
import shutil
from pathlib import Path

from tests.tfharness.install import REPO_ROOT

# Never copied: per-run Terraform files, caches, and the harness' own files.
IGNORED = (
    ".terraform",
    ".terraform.lock.hcl",
    "terraform.tfstate",
    "terraform.tfstate.*",
    "*.tfplan",
    "*_localaws_override.tf",
    "*_localaws_provider.tf",
    "__pycache__",
    "*.pyc",
    ".deployer",
)

# Top-level entries of the repository that are not part of the root module.
NOT_ROOT_MODULE = (
    ".git",
    ".venv",
    ".ci",
    "build",
    "tests",
    "examples",
    "docs",
    "bench",
    ".pytest_cache",
    ".ruff_cache",
    "*.egg-info",
)


def _ignored(names: list[str], patterns: tuple[str, ...]) -> set[str]:
    return {name for name in names if any(fnmatch.fnmatch(name, pattern) for pattern in patterns)}


def _copy(src: Path, dest: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dest, ignore=lambda _dir, names: _ignored(names, IGNORED), dirs_exist_ok=True)
    else:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)


def stage_configuration(src: Path, scratch: Path, repo_root: Path = REPO_ROOT) -> Path:
    """Copy ``src`` (and, inside the repository, the root module around it) under ``scratch``.

    Returns the directory to run Terraform in.
    """
    src = Path(src).resolve()
    if not src.is_dir():
        raise NotADirectoryError(f"no Terraform configuration directory at {src}")
    try:
        relative = src.relative_to(repo_root)
    except ValueError:
        workdir = scratch / src.name
        _copy(src, workdir)
        return workdir
    skip = set(NOT_ROOT_MODULE) | set(IGNORED)
    for entry in sorted(repo_root.iterdir()):
        if not _ignored([entry.name], tuple(skip)):
            _copy(entry, scratch / entry.name)
    if relative == Path("."):
        return scratch
    workdir = scratch / relative
    _copy(src, workdir)
    return workdir
