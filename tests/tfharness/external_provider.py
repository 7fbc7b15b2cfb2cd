"""A stand-in for hashicorp/external v2.4.0, written with the PyPI package ``tf``.

It serves the one data source of the real provider, ``external``, with the same schema and the same
behaviour as internal/provider/data_source.go of hashicorp/terraform-provider-external v2.4.0:

- ``program`` (list of string, required, at least one element; null and empty elements dropped),
  ``working_dir`` (optional), ``query`` (optional map of string; null entries dropped), computed
  ``result`` (map of string) and ``id`` (always ``-``);
- the query goes to the program's stdin as a JSON object of strings; the program runs in
  ``working_dir`` (Terraform's directory when unset) with the provider's environment, which is
  Terraform's environment;
- a non-zero exit fails the read with the program's stderr ("External Program Execution Failed");
  stdout that is not a JSON object of strings fails it with "Unexpected External Program Results";
  stderr is never shown on success;
- there is no time limit: the program runs as long as it needs (the real provider's acceptance tests
  run a 20-minute program); it is killed when Terraform stops the provider.

Run by the launcher that ``tests.tfharness.install`` writes into the provider mirror.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tf import runner
from tf.iface import Config, DataSource, Provider, ReadDataContext, State
from tf.schema import Attribute, Schema
from tf.types import List, Map, String, Unknown
from tf.utils import Diagnostics

from tests.tfharness.gojson import GoJSONError, decode_string_map

PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/external"
PROVIDER_VERSION = "2.4.0"

# Shells the real provider falls back to when the program is not found (data_source.go).
_FALLBACK_SHELLS = ("bash", "fish", "zsh", "ksh", "ash", "sh", "dash")

_LOOKUP_DETAIL = (
    "The data source received an unexpected error while attempting to parse the query. "
    "The data source received an unexpected error while attempting to find the program.\n\n"
    "The program must be accessible according to the platform where Terraform is running.\n\n"
    "If the expected program should be automatically found on the platform where Terraform is running, "
    "ensure that the program is in an expected directory. On Unix-based platforms, these directories are "
    "typically searched based on the '$PATH' environment variable. On Windows-based platforms, these "
    "directories are typically searched based on the '%PATH%' environment variable.\n\n"
    "If the expected program is relative to the Terraform configuration, it is recommended that the "
    "program name includes the interpolated value of 'path.module' before the program name to ensure that "
    'it is compatible with varying module usage. For example: "${path.module}/my-program"\n\n'
    "The program must also be executable according to the platform where Terraform is running. On "
    "Unix-based platforms, the file on the filesystem must have the executable bit set. On Windows-based "
    "platforms, no action is typically necessary.\n"
)

_RESULTS_DETAIL = (
    "The data source received unexpected results after executing the program.\n\n"
    "Program output must be a JSON encoded map of string keys and string values.\n\n"
    "If the error is unclear, the output can be viewed by enabling Terraform's logging at TRACE level. "
    "Terraform documentation on logging: https://www.terraform.io/internals/debugging\n"
)


class LookupError_(Exception):
    """The program could not be found; the text is Go's ``exec.Error``."""


@dataclass(frozen=True)
class Outcome:
    """What running the program produced."""

    stdout: bytes
    stderr: str
    error: str | None  # Go's err.Error() of cmd.Output(), None on success


def _find_executable(path: str) -> str | None:
    """Go's ``findExecutable``: None when usable, else the error text."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"stat {path}: {exc.strerror.lower() if exc.strerror else exc}"
    if stat.S_ISDIR(mode):
        return "is a directory"
    if mode & 0o111 == 0:
        return "permission denied"
    return None


def look_path(name: str, env_path: str) -> str:
    """Go's ``exec.LookPath`` (``ErrDot`` ignored, as the real provider does)."""
    if "/" in name:
        problem = _find_executable(name)
        if problem is None:
            return name
        raise LookupError_(f"exec: {json.dumps(name)}: {problem}")
    for directory in env_path.split(os.pathsep):
        candidate = os.path.join(directory or ".", name)
        if _find_executable(candidate) is None:
            return candidate
    raise LookupError_(f"exec: {json.dumps(name)}: executable file not found in $PATH")


def go_marshal(query: dict[str, str]) -> str:
    """Go's ``json.Marshal`` of a ``map[string]string``: sorted keys, compact, HTML characters escaped."""
    text = json.dumps(query, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _state_text(returncode: int) -> str:
    """Go's ``ProcessState.String()``."""
    if returncode >= 0:
        return f"exit status {returncode}"
    try:
        name = signal.strsignal(-returncode) or f"signal {-returncode}"
    except ValueError:
        name = f"signal {-returncode}"
    return f"signal: {name[0].lower()}{name[1:]}"


@dataclass
class ChildRegistry:
    """The programs running now, so that a stopping provider can end them (exec.CommandContext)."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _children: set[subprocess.Popen] = field(default_factory=set)

    def add(self, child: subprocess.Popen) -> None:
        with self._lock:
            self._children.add(child)

    def discard(self, child: subprocess.Popen) -> None:
        with self._lock:
            self._children.discard(child)

    def kill_all(self) -> None:
        with self._lock:
            children = list(self._children)
        for child in children:
            if child.poll() is None:
                child.kill()


def run_program(argv: Sequence[str], working_dir: str, stdin: bytes, children: ChildRegistry) -> Outcome:
    """Run like Go's ``cmd.Output()`` with ``cmd.Dir``/``cmd.Stdin``/``cmd.Stderr`` set."""
    try:
        child = subprocess.Popen(
            list(argv),
            cwd=working_dir or None,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except FileNotFoundError as exc:
        if working_dir and not os.path.isdir(working_dir):
            return Outcome(b"", "", f"chdir {working_dir}: no such file or directory")
        return Outcome(b"", "", f"fork/exec {argv[0]}: {(exc.strerror or str(exc)).lower()}")
    except OSError as exc:
        return Outcome(b"", "", f"fork/exec {argv[0]}: {(exc.strerror or str(exc)).lower()}")
    children.add(child)
    try:
        stdout, stderr = child.communicate(stdin)
    finally:
        children.discard(child)
    error = None if child.returncode == 0 else _state_text(child.returncode)
    return Outcome(stdout, stderr.decode("utf-8", errors="replace"), error)


def _go_string_value(value: str | None) -> str:
    """How the framework's ``types.String`` prints with ``%s``: quoted, or ``<null>``."""
    return "<null>" if value is None else json.dumps(value, ensure_ascii=False)


def _resolve(program: list[str]) -> tuple[list[str], str]:
    """The argv to run and the text the real provider shows as ``Program:`` (``cmd.Path``)."""
    try:
        path = look_path(program[0], os.environ.get("PATH", ""))
    except LookupError_ as exc:
        if "executable file not found" not in str(exc):
            raise
        shell = os.environ.get("SHELL", "")
        if any(shell.endswith("/" + name) for name in _FALLBACK_SHELLS):
            return [shell, "-i", "-c", "--", " ".join(program)], shell
        raise
    return [path, *program[1:]], path


class ExternalDataSource(DataSource):
    """``data "external"``: run a program, pass it the query, read its result."""

    def __init__(self, provider: ExternalProvider):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return ""

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(
            attributes=[
                Attribute("program", List(String()), required=True),
                Attribute("working_dir", String(), optional=True),
                Attribute("query", Map(String()), optional=True),
                Attribute("result", Map(String()), computed=True),
                Attribute("id", String(), computed=True),
            ]
        )

    def validate(self, diags: Diagnostics, type_name: str, config: Config) -> None:
        super().validate(diags, type_name, config)
        program = config.get("program")
        if isinstance(program, list) and len(program) < 1:
            diags.add_error(
                "Invalid Attribute Value",
                f"Attribute program list must contain at least 1 elements, got: {len(program)}",
                path=["program"],
            )

    def read(self, ctx: ReadDataContext, config: Config) -> State | None:
        diags = ctx.diagnostics
        program_raw: list[Any] = config.get("program") or []
        program = [arg for arg in program_raw if arg not in (None, "") and arg is not Unknown]
        if not program:
            diags.add_error(
                "External Program Missing",
                "The data source was configured without a program to execute. "
                "Verify the configuration contains at least one non-empty value.",
                path=["program"],
            )
            return None
        query = {key: value for key, value in (config.get("query") or {}).items() if value is not None}
        try:
            argv, shown_path = _resolve(program)
        except LookupError_ as exc:
            diags.add_error(
                "External Program Lookup Failed",
                _LOOKUP_DETAIL
                + f"\nPlatform: {sys.platform}\nProgram: {_go_string_value(program_raw[0])}\nError: {exc}",
                path=["program"],
            )
            return None
        working_dir = config.get("working_dir") or ""
        outcome = run_program(argv, working_dir, go_marshal(query).encode(), self.provider.children)
        if outcome.error is not None:
            if outcome.stderr:
                detail = (
                    "The data source received an unexpected error while attempting to execute the program."
                    f"\n\nProgram: {shown_path}\nError Message: {outcome.stderr}\nState: {outcome.error}"
                )
            else:
                detail = (
                    "The data source received an unexpected error while attempting to execute the program."
                    "\n\nThe program was executed, however it returned no additional error messaging."
                    f"\n\nProgram: {shown_path}\nState: {outcome.error}"
                )
            diags.add_error("External Program Execution Failed", detail, path=["program"])
            return None
        try:
            result = decode_string_map(outcome.stdout)
        except GoJSONError as exc:
            diags.add_error(
                "Unexpected External Program Results",
                _RESULTS_DETAIL + f"\nProgram: {shown_path}\nResult Error: {exc}",
                path=["program"],
            )
            return None
        return {
            "program": program_raw,
            "working_dir": config.get("working_dir"),
            "query": config.get("query"),
            "result": result,
            "id": "-",
        }


class ExternalProvider(Provider):
    """The provider: no configuration, one data source."""

    def __init__(self) -> None:
        self.children = ChildRegistry()

    def get_model_prefix(self) -> str:
        return "external"

    def full_name(self) -> str:
        return PROVIDER_ADDRESS

    def get_provider_schema(self, diags: Diagnostics) -> Schema:
        return Schema()

    def validate_config(self, diags: Diagnostics, config: Config) -> None:
        return None

    def configure_provider(self, diags: Diagnostics, config: Config) -> None:
        return None

    def get_data_sources(self) -> list[type[DataSource]]:
        return [ExternalDataSource]

    def get_resources(self) -> list:
        return []


def main() -> None:
    provider = ExternalProvider()
    try:
        runner.run_provider(provider)
    finally:
        provider.children.kill_all()


if __name__ == "__main__":
    main()
