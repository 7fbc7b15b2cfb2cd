"""A Markdown job summary of an apply: each endpoint's release before and after, and the outcome.

    python rollout_summary.py --before before.json --after after.json --log-dir DIR [--since EPOCH]

``before.json`` / ``after.json``: ``terraform show -json`` before and after the apply (the module's
``data "external" "deployer"`` results name each endpoint and the configuration it serves). The outcome is
the last ``outcome:`` line of the endpoint's newest log file in DIR written since EPOCH (the deployer ends
every rollout's log with it); an endpoint without one had nothing to roll out. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_NAME = re.compile(r"^(?P<endpoint>.+)-\d{8}T\d{6}Z-.+$")
_OUTCOME = re.compile(r"^\S+ outcome: (?P<text>.*)$")


def deployer_results(show: dict[str, Any]) -> dict[str, dict[str, str]]:
    """{endpoint name: the deployer's result map} of every module instance in a ``terraform show -json``."""
    found: dict[str, dict[str, str]] = {}

    def walk(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield from module.get("resources", [])
        for child in module.get("child_modules", []):
            yield from walk(child)

    for resource in walk((show.get("values") or {}).get("root_module") or {}):
        if resource.get("mode") == "data" and resource.get("type") == "external":
            result = (resource.get("values") or {}).get("result") or {}
            if result.get("endpoint_name"):
                found[result["endpoint_name"]] = result
    return found


def outcomes(log_dir: Path, since: float) -> dict[str, str]:
    """{endpoint: the last outcome line of its newest log written since ``since``}."""
    latest: dict[str, tuple[float, str]] = {}
    for path in log_dir.glob("*.log") if log_dir.is_dir() else []:
        modified = path.stat().st_mtime
        match = _NAME.match(path.stem)
        if modified < since or not match:
            continue
        lines = [m.group("text") for m in map(_OUTCOME.match, path.read_text().splitlines()) if m]
        text = lines[-1] if lines else "in progress or interrupted (no outcome recorded; see the log)"
        endpoint = match.group("endpoint")
        if endpoint not in latest or modified >= latest[endpoint][0]:
            latest[endpoint] = (modified, text)
    return {endpoint: text for endpoint, (_, text) in latest.items()}


def _load(path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text()
    except OSError:
        return {}
    return json.loads(text) if text.strip() else {}


def _cell(value: str) -> str:
    return value.replace("|", "\\|") or "-"


def summary(before: dict[str, Any], after: dict[str, Any], log_dir: Path, since: float) -> str:
    was, now, what = deployer_results(before), deployer_results(after), outcomes(log_dir, since)
    rows = []
    for endpoint in sorted(set(was) | set(now) | set(what)):
        old = was.get(endpoint, {}).get("endpoint_config_name", "")
        new = now.get(endpoint, {}).get("endpoint_config_name", "") or old
        outcome = what.get(endpoint, "no rollout (nothing changed)")
        rows.append(f"| `{endpoint}` | {_cell(old)} | {_cell(new)} | {_cell(outcome)} |")
    if not rows:
        return "### SageMaker rollouts\n\nNo endpoint of the module in this configuration.\n"
    return "\n".join(
        [
            "### SageMaker rollouts",
            "",
            "| endpoint | before | after | outcome |",
            "| --- | --- | --- | --- |",
            *rows,
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", required=True)
    parser.add_argument("--log-dir", required=True, type=Path)
    parser.add_argument("--since", type=float, default=0.0)
    args = parser.parse_args(argv)
    sys.stdout.write(summary(_load(args.before), _load(args.after), args.log_dir, args.since))
    return 0


if __name__ == "__main__":
    sys.exit(main())
