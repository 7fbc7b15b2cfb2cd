"""The Terraform CLI configuration of the offline harness (what ``TF_CLI_CONFIG_FILE`` points at)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.tfharness.external_provider import PROVIDER_ADDRESS as EXTERNAL_PROVIDER
from tests.tfharness.mirror import AWS_PROVIDER


def _hcl_string(value: str) -> str:
    # A JSON string is a valid HCL string once "${" and "%{" cannot start a template sequence.
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def render_cli_config(aws_mirror: Path, external_mirror: Path) -> str:
    """hashicorp/aws and hashicorp/external from filesystem mirrors; every other provider direct."""
    return (
        "# Written by `python -m tests.tfharness setup`; do not edit, do not commit.\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {_hcl_string(str(aws_mirror))}\n"
        f"    include = [{_hcl_string(AWS_PROVIDER)}]\n"
        "  }\n"
        "  filesystem_mirror {\n"
        f"    path    = {_hcl_string(str(external_mirror))}\n"
        f"    include = [{_hcl_string(EXTERNAL_PROVIDER)}]\n"
        "  }\n"
        "  direct {\n"
        f"    exclude = [{_hcl_string(AWS_PROVIDER)}, {_hcl_string(EXTERNAL_PROVIDER)}]\n"
        "  }\n"
        "}\n"
    )
