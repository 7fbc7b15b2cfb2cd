"""The Terraform CLI configuration of the harness (what ``TF_CLI_CONFIG_FILE`` points at)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.tfharness.mirror import AWS_PROVIDER, EXTERNAL_PROVIDER, Sources


def _hcl_string(value: str) -> str:
    # A JSON string is a valid HCL string once "${" and "%{" cannot start a template sequence.
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def _hcl_list(values: list[str]) -> str:
    return "[" + ", ".join(_hcl_string(v) for v in values) + "]"


def mirror_blocks(sources: Sources, stand_in_mirror: Path) -> dict[Path, list[str]]:
    """Each filesystem mirror directory and the providers Terraform takes from it."""
    blocks: dict[Path, list[str]] = {}
    if sources.aws_mirror is not None:
        blocks.setdefault(sources.aws_mirror, []).append(AWS_PROVIDER)
    external = stand_in_mirror if sources.use_stand_in else sources.external_mirror
    if external is not None:
        blocks.setdefault(external, []).append(EXTERNAL_PROVIDER)
    return blocks


def render_cli_config(sources: Sources, stand_in_mirror: Path) -> str:
    """Mirrored providers from their mirrors (only there); everything else ``direct`` from the registry."""
    blocks = mirror_blocks(sources, stand_in_mirror)
    text = "# Written by `python -m tests.tfharness setup`; do not edit, do not commit.\n"
    text += "provider_installation {\n"
    for path, providers in blocks.items():
        text += (
            "  filesystem_mirror {\n"
            f"    path    = {_hcl_string(str(path))}\n"
            f"    include = {_hcl_list(providers)}\n"
            "  }\n"
        )
    mirrored = [p for providers in blocks.values() for p in providers]
    text += "  direct {\n" + (f"    exclude = {_hcl_list(mirrored)}\n" if mirrored else "") + "  }\n}\n"
    return text
