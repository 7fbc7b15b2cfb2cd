"""``validate-all``: offline ``terraform init -backend=false`` + ``validate`` of every configuration.

Runs on the root module, every ``modules/*`` and every ``examples/*`` directory that holds ``.tf``
files, each in its own scratch copy (so nothing is written into the work tree and runs never share
``.terraform``). Prints one line per directory and, for a failure, the step and Terraform's output.
"""

from __future__ import annotations

import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tests.tfharness.install import REPO_ROOT, Harness
from tests.tfharness.runner import TerraformRunner
from tests.tfharness.tree import stage_configuration

# Lines of Terraform output shown per failed directory.
MAX_LINES = 40


@dataclass(frozen=True)
class Verdict:
    directory: Path
    failed_step: str | None  # "init" or "validate"; None when valid
    output: str


def configuration_dirs(repo_root: Path = REPO_ROOT) -> list[Path]:
    """The root module, then ``modules/*`` and ``examples/*`` that contain ``.tf`` files."""
    dirs = [repo_root] if any(repo_root.glob("*.tf")) else []
    for parent in ("modules", "examples"):
        base = repo_root / parent
        if base.is_dir():
            dirs += [d for d in sorted(base.iterdir()) if d.is_dir() and any(d.glob("*.tf"))]
    return dirs


def validate_dir(harness: Harness, directory: Path, repo_root: Path = REPO_ROOT) -> Verdict:
    with tempfile.TemporaryDirectory(prefix="tfvalidate-") as scratch:
        workdir = stage_configuration(directory, Path(scratch), repo_root)
        runner = TerraformRunner(workdir, harness, localaws=False)
        for step, completed in (
            ("init", lambda: runner.init(backend=False, check=False)),
            ("validate", lambda: runner.validate(check=False)),
        ):
            result = completed()
            if result.returncode != 0:
                return Verdict(directory, step, result.stderr + result.stdout)
    return Verdict(directory, None, "")


def validate_all(
    harness: Harness, repo_root: Path = REPO_ROOT, out: TextIO = sys.stdout, jobs: int = 2
) -> int:
    """Validate every configuration; return the number of failures."""
    dirs = configuration_dirs(repo_root)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        verdicts = list(pool.map(lambda d: validate_dir(harness, d, repo_root), dirs))
    for verdict in verdicts:
        name = str(verdict.directory.relative_to(repo_root)) if verdict.directory != repo_root else "."
        if verdict.failed_step is None:
            print(f"ok      {name}", file=out)
        else:
            print(f"FAILED  {name}: terraform {verdict.failed_step}", file=out)
            lines = verdict.output.strip().splitlines()
            shown = lines[:MAX_LINES] + (
                [f"... ({len(lines) - MAX_LINES} more lines)"] if len(lines) > MAX_LINES else []
            )
            print("\n".join("    " + line for line in shown), file=out)
    failures = sum(1 for v in verdicts if v.failed_step is not None)
    print(f"{len(verdicts) - failures} of {len(verdicts)} configurations valid", file=out)
    return failures
