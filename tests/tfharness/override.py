"""Point a configuration's AWS provider at localaws with a file written next to its ``.tf`` files.

Each ``provider "aws"`` block of the configuration (aliases included) gets an override block in
``zz_localaws_override.tf`` (Terraform merges ``*_override.tf`` files into the blocks they name). A
configuration without a provider block for AWS but with AWS resources or module calls gets a plain
provider block in ``zz_localaws_provider.tf`` instead: Terraform rejects an override block that has no
original. Both names are git-ignored and both files are rewritten on every run, so the endpoint is
always the current ``AWS_ENDPOINT_URL``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

import hcl2

OVERRIDE_FILE = "zz_localaws_override.tf"
PROVIDER_FILE = "zz_localaws_provider.tf"

# Every service the module and the examples may call (provider `endpoints` block attribute names).
SERVICES = (
    "apigateway",
    "apigatewayv2",
    "applicationautoscaling",
    "cloudwatch",
    "ecr",
    "events",
    "iam",
    "kms",
    "lambda",
    "logs",
    "s3",
    "sagemaker",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "sts",
)

LOCALAWS_REGION = "us-east-1"
DUMMY_KEY = "localaws"


class EndpointNotSet(Exception):
    """AWS_ENDPOINT_URL is needed to point the AWS provider at localaws."""


@dataclass(frozen=True)
class ProviderBlock:
    """One ``provider`` block: its local name and its alias (None for the default configuration)."""

    name: str
    alias: str | None


def _unquote(value: object) -> str:
    text = str(value)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return json.loads(text)
    return text


def _aws_local_names(documents: Iterable[Mapping]) -> set[str]:
    names = {"aws"}
    for document in documents:
        for terraform in document.get("terraform", []):
            for required in terraform.get("required_providers", []):
                for local_name, requirement in required.items():
                    if isinstance(requirement, Mapping):
                        source = _unquote(requirement.get("source", ""))
                        if source.lower().removeprefix("registry.terraform.io/") == "hashicorp/aws":
                            names.add(local_name)
    return names


@dataclass(frozen=True)
class ConfigurationFacts:
    """What the override needs to know about a configuration directory."""

    aws_providers: tuple[ProviderBlock, ...]
    uses_aws: bool


def inspect_configuration(directory: Path) -> ConfigurationFacts:
    """Find the AWS provider blocks and whether anything in ``directory`` may need the AWS provider."""
    documents = []
    raw_text = ""
    for path in sorted(directory.glob("*.tf")):
        if path.name in (OVERRIDE_FILE, PROVIDER_FILE):
            continue
        text = path.read_text()
        raw_text += text + "\n"
        documents.append(hcl2.loads(text))
    names = _aws_local_names(documents)
    blocks = []
    for document in documents:
        for provider in document.get("provider", []):
            for quoted_name, body in provider.items():
                name = _unquote(quoted_name)
                if name in names:
                    alias = body.get("alias")
                    blocks.append(ProviderBlock(name, _unquote(alias) if alias is not None else None))
    uses_aws = (
        bool(blocks)
        or '"hashicorp/aws"' in raw_text
        or re.search(r'\b(resource|data)\s+"aws_|\bmodule\s+"', raw_text) is not None
    )
    return ConfigurationFacts(tuple(blocks), uses_aws)


def _provider_block(block: ProviderBlock, endpoint: str, with_alias: bool) -> str:
    lines = [f'provider "{block.name}" {{']
    if with_alias and block.alias is not None:
        lines.append(f"  alias = {json.dumps(block.alias)}")
    lines += [
        f"  access_key                  = {json.dumps(DUMMY_KEY)}",
        f"  secret_key                  = {json.dumps(DUMMY_KEY)}",
        "  skip_credentials_validation = true",
        "  skip_requesting_account_id  = true",
        "  skip_metadata_api_check     = true",
        "  skip_region_validation      = true",
        "  s3_use_path_style           = true",
        "",
        "  endpoints {",
    ]
    width = max(len(s) for s in SERVICES)
    lines += [f"    {service.ljust(width)} = {json.dumps(endpoint)}" for service in SERVICES]
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


_HEADER = "# Written by tests.tfharness: the AWS provider talks to localaws. Never commit this file.\n"


def render_override(blocks: Iterable[ProviderBlock], endpoint: str) -> str:
    return _HEADER + "\n".join(_provider_block(block, endpoint, with_alias=True) for block in blocks)


def render_provider(endpoint: str) -> str:
    return _HEADER + _provider_block(ProviderBlock("aws", None), endpoint, with_alias=False)


def write_localaws_override(directory: Path, endpoint: str) -> Path | None:
    """Write (or refresh) the file pointing ``directory``'s AWS provider at ``endpoint``."""
    facts = inspect_configuration(directory)
    override, plain = directory / OVERRIDE_FILE, directory / PROVIDER_FILE
    for stale in (override, plain):
        stale.unlink(missing_ok=True)
    if not facts.uses_aws:
        return None
    if not endpoint:
        raise EndpointNotSet("AWS_ENDPOINT_URL is not set: start localaws (make localaws) and export it")
    if facts.aws_providers:
        override.write_text(render_override(facts.aws_providers, endpoint))
        return override
    plain.write_text(render_provider(endpoint))
    return plain


def localaws_env_defaults(env: MutableMapping[str, str]) -> MutableMapping[str, str]:
    """Region and dummy credentials for programs Terraform runs (the deployer), unless already set."""
    if not env.get("AWS_REGION") and not env.get("AWS_DEFAULT_REGION"):
        env["AWS_DEFAULT_REGION"] = LOCALAWS_REGION
    if not env.get("AWS_ACCESS_KEY_ID") and not env.get("AWS_PROFILE"):
        env["AWS_ACCESS_KEY_ID"] = DUMMY_KEY
        env["AWS_SECRET_ACCESS_KEY"] = DUMMY_KEY
    return env
