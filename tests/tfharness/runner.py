"""Run Terraform commands on one working directory with the harness' CLI configuration."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.tfharness.install import Harness
from tests.tfharness.override import localaws_env_defaults, write_localaws_override

# A Terraform run that takes longer than this is stuck (the slowest e2e rollouts take a few minutes).
DEFAULT_TIMEOUT_SECONDS = 1200


# A developer's shell settings that would make runs share state or change their arguments.
ISOLATING_VARS = ("TF_CLI_ARGS", "TF_DATA_DIR", "TF_WORKSPACE", "TF_PLUGIN_CACHE_DIR")


class TerraformError(Exception):
    """A Terraform command ended with an exit code the caller did not expect."""

    def __init__(self, args: Sequence[str], completed: subprocess.CompletedProcess[str]):
        self.completed = completed
        super().__init__(
            f"terraform {' '.join(args)} exited {completed.returncode}\n"
            f"--- stderr ---\n{completed.stderr}\n--- stdout (tail) ---\n{completed.stdout[-4000:]}"
        )


def diagnostics(completed: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    """The diagnostics of a run made with ``-json`` (plan/apply/destroy/validate): unwrapped text."""
    found: list[dict[str, Any]] = []
    for line in completed.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        if "diagnostic" in message:
            found.append(message["diagnostic"])
        elif isinstance(message.get("diagnostics"), list):  # `validate -json`
            found.extend(message["diagnostics"])
    return found


def _var_args(vars_file: Path | None) -> list[str]:
    return [f"-var-file={vars_file}"] if vars_file is not None else []


@dataclass
class TerraformRunner:
    """Terraform on ``workdir``: each command returns the completed process and raises TerraformError
    (with stderr) on an unexpected exit code. ``localaws`` (default True) refreshes the provider
    override from ``AWS_ENDPOINT_URL`` before every command."""

    workdir: Path
    harness: Harness
    localaws: bool = True
    env: Mapping[str, str] | None = None  # default: this process's environment at each run
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    _vars_count: int = field(default=0, init=False, repr=False)
    _last_vars: Path | None = field(default=None, init=False, repr=False)

    def run(
        self, *args: str, ok_codes: Iterable[int] = (0,), check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """``terraform ARGS`` in the working directory."""
        env = self.harness.env(os.environ if self.env is None else self.env)
        for name in [n for n in env if n.startswith(ISOLATING_VARS)]:
            del env[name]
        if self.localaws:
            localaws_env_defaults(env)
            write_localaws_override(self.workdir, env.get("AWS_ENDPOINT_URL", ""))
        completed = subprocess.run(
            ["terraform", *args],
            cwd=self.workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )
        if check and completed.returncode not in set(ok_codes):
            raise TerraformError(args, completed)
        return completed

    def _vars_file(self, variables: Mapping[str, Any] | None) -> Path | None:
        if variables is None:
            return self._last_vars
        self._vars_count += 1
        path = self.workdir / ".harness" / f"vars-{self._vars_count}.tfvars.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(dict(variables), indent=2))
        self._last_vars = path
        return path

    def init(self, *extra: str, backend: bool = True, check: bool = True) -> subprocess.CompletedProcess[str]:
        args = ["init", "-input=false", "-no-color", *([] if backend else ["-backend=false"]), *extra]
        return self.run(*args, check=check)

    def validate(self, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("validate", "-no-color", *extra, check=check)

    def plan(
        self,
        variables: Mapping[str, Any] | None = None,
        *extra: str,
        detailed_exitcode: bool = True,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """With ``detailed_exitcode`` the return code tells: 0 no changes, 2 changes (both accepted)."""
        args = ["plan", "-input=false", "-no-color", *_var_args(self._vars_file(variables)), *extra]
        if detailed_exitcode:
            args.append("-detailed-exitcode")
        return self.run(*args, ok_codes=(0, 2) if detailed_exitcode else (0,), check=check)

    def apply(
        self, variables: Mapping[str, Any] | None = None, *extra: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        args = ["apply", "-input=false", "-no-color", "-auto-approve", *_var_args(self._vars_file(variables))]
        return self.run(*args, *extra, check=check)

    def destroy(
        self, variables: Mapping[str, Any] | None = None, *extra: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Destroy; without ``variables`` the last ones given to plan/apply are used."""
        args = [
            "destroy",
            "-input=false",
            "-no-color",
            "-auto-approve",
            *_var_args(self._vars_file(variables)),
        ]
        return self.run(*args, *extra, check=check)

    def show_json(self) -> dict[str, Any]:
        """``terraform show -json`` of the current state, parsed."""
        return json.loads(self.run("show", "-json", "-no-color").stdout)

    def output(self, name: str | None = None) -> Any:
        """All outputs as ``{name: value}``, or the value of one output."""
        if name is not None:
            return json.loads(self.run("output", "-json", "-no-color", name).stdout)
        raw = json.loads(self.run("output", "-json", "-no-color").stdout)
        return {key: item["value"] for key, item in raw.items()}
