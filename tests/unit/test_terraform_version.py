"""Issue 14 item 4: the Terraform the module declares (``required_version``) is the newest one it relies on.

Every language feature and built-in function newer than Terraform 1.0 that our .tf files use is looked up
in the tables below, each entry from Terraform's own changelog of that release
(https://github.com/hashicorp/terraform/blob/v1.N/CHANGELOG.md, section "1.N.0"). The module's minimum
is the newest of them: declaring less would let an older Terraform fail on our code, declaring more would
turn users away for nothing. A function that is in no table fails the test until someone looks it up.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import hcl2
import pytest

REPO = Path(__file__).resolve().parents[2]

# Built-in functions added after 1.0, with the release that added them (its CHANGELOG's 1.N.0 section).
FUNCTIONS_SINCE: dict[str, tuple[int, int]] = {
    "startswith": (1, 3),  # 1.3.0: new functions startswith and endswith
    "endswith": (1, 3),
    "timecmp": (1, 3),  # 1.3.0: new function timecmp
    "plantimestamp": (1, 5),  # 1.5.0: new function plantimestamp
    "strcontains": (1, 5),  # 1.5.0: new function strcontains
    "issensitive": (1, 8),  # 1.8.0: new function issensitive
    "templatestring": (1, 9),  # 1.9.0: new function templatestring
    "ephemeralasnull": (1, 10),  # 1.10.0: ephemeral values, new function ephemeralasnull
}

# Built-in functions Terraform 1.0 has (https://developer.hashicorp.com/terraform/language/functions at
# v1.0; the same as `terraform metadata functions -json` of a newer Terraform less FUNCTIONS_SINCE).
_NAMES_1_0 = """
    abs abspath alltrue anytrue base64decode base64encode base64gzip base64sha256 base64sha512 basename
    bcrypt can ceil chomp chunklist cidrhost cidrnetmask cidrsubnet cidrsubnets coalesce coalescelist compact
    concat contains csvdecode dirname distinct element file filebase64 filebase64sha256 filebase64sha512
    fileexists filemd5 fileset filesha1 filesha256 filesha512 flatten floor format formatdate formatlist
    indent index join jsondecode jsonencode keys length log lookup lower matchkeys max md5 merge min
    nonsensitive one parseint pathexpand pow range regex regexall replace reverse rsadecrypt sensitive
    setintersection setproduct setsubtract setunion sha1 sha256 sha512 signum slice sort split strrev substr
    sum templatefile textdecodebase64 textencodebase64 timeadd timestamp title tobool tolist tomap tonumber
    toset tostring transpose trim trimprefix trimspace trimsuffix try upper urlencode uuid uuidv5 values
    yamldecode yamlencode zipmap"""
FUNCTIONS_1_0 = frozenset(_NAMES_1_0.split())

# Type constraint keywords, which look like calls in a `type = ...` expression.
TYPE_KEYWORDS = frozenset({"list", "map", "set", "object", "tuple", "optional"})


def configuration_dirs() -> list[Path]:
    dirs = [REPO]
    for parent in ("modules", "examples"):
        dirs += sorted(d for d in (REPO / parent).iterdir() if d.is_dir() and any(d.glob("*.tf")))
    return dirs


def _documents(directory: Path) -> list[dict]:
    return [hcl2.loads(f.read_text()) for f in sorted(directory.glob("*.tf")) if not f.name.startswith("zz_")]


def _strings(node: object) -> Iterator[str]:
    """Every expression and string of a parsed document (comments left out)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "__comments__":
                continue
            yield key
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


_CALL = re.compile(r"(?<![\w.\\:])((?:[a-z][a-z0-9_]*::)*[a-z][a-z0-9_]*)\(")


def functions_used(documents: list[dict]) -> set[str]:
    return {m for text in _strings(documents) for m in _CALL.findall(text)} - TYPE_KEYWORDS


def _blocks(documents: list[dict], kind: str) -> Iterator[dict]:
    for document in documents:
        yield from document.get(kind, [])


def _lifecycles(documents: list[dict]) -> Iterator[dict]:
    for kind in ("resource", "data"):
        for entry in _blocks(documents, kind):
            for named in entry.values():
                for body in named.values():
                    yield from body.get("lifecycle", [])


def _variables(documents: list[dict]) -> Iterator[tuple[str, dict]]:
    for entry in _blocks(documents, "variable"):
        for raw_name, body in entry.items():
            yield raw_name.strip('"'), body


def _cross_object_validation(documents: list[dict]) -> bool:
    """A validation condition or message that refers to anything but its own variable (1.9)."""
    for name, body in _variables(documents):
        for validation in body.get("validation", []):
            text = " ".join(_strings([validation.get("condition"), validation.get("error_message")]))
            others = set(re.findall(r"\bvar\.([a-z_][a-z0-9_]*)", text)) - {name}
            if others or re.search(r"\b(local|data|module)\.", text):
                return True
    return False


def _moved_across_types(documents: list[dict]) -> bool:
    def resource_type(address: str) -> str:
        parts = [p for p in address.strip("${}").split(".") if not p.startswith("module")]
        return parts[0] if parts else ""

    return any(
        resource_type(m.get("from", "")) != resource_type(m.get("to", ""))
        for m in _blocks(documents, "moved")
    )


# Language features added after 1.0: (what, release, detector), each from that release's CHANGELOG.
FEATURES: list[tuple[str, tuple[int, int], object]] = [
    ("moved blocks", (1, 1), lambda docs: any(_blocks(docs, "moved"))),
    ("nullable variables", (1, 1), lambda docs: any("nullable" in b for _, b in _variables(docs))),
    (
        "preconditions and postconditions",
        (1, 2),
        lambda docs: (
            any("precondition" in lc or "postcondition" in lc for lc in _lifecycles(docs))
            or any("precondition" in b for e in _blocks(docs, "output") for b in e.values())
        ),
    ),
    (
        "replace_triggered_by",
        (1, 2),
        lambda docs: any("replace_triggered_by" in lc for lc in _lifecycles(docs)),
    ),
    ("optional object attributes", (1, 3), lambda docs: any("optional(" in s for s in _strings(docs))),
    (
        "terraform_data",
        (1, 4),
        lambda docs: any("terraform_data" in {k.strip('"') for k in e} for e in _blocks(docs, "resource")),
    ),
    ("check blocks", (1, 5), lambda docs: any(_blocks(docs, "check"))),
    ("import blocks", (1, 5), lambda docs: any(_blocks(docs, "import"))),
    ("removed blocks", (1, 7), lambda docs: any(_blocks(docs, "removed"))),
    ("moved across resource types", (1, 8), _moved_across_types),
    ("provider-defined functions", (1, 8), lambda docs: any("::" in f for f in functions_used(docs))),
    ("validations referring to other objects", (1, 9), _cross_object_validation),
    (
        "ephemeral values",
        (1, 10),
        lambda docs: (
            any(_blocks(docs, "ephemeral"))
            or any(
                "ephemeral" in b
                for kind in ("variable", "output")
                for e in _blocks(docs, kind)
                for b in e.values()
            )
        ),
    ),
]


def required_by(documents: list[dict]) -> dict[str, tuple[int, int]]:
    """What needs a Terraform newer than 1.0 in these documents, and since which release."""
    needs = {f"{name}": since for name, since, detect in FEATURES if detect(documents)}
    for function in functions_used(documents):
        if function in FUNCTIONS_SINCE:
            needs[f"{function}()"] = FUNCTIONS_SINCE[function]
    return needs


def declared(directory: Path) -> tuple[int, int]:
    text = (directory / "versions.tf").read_text()
    match = re.search(r'required_version\s*=\s*">=\s*(\d+)\.(\d+)(?:\.\d+)?"', text)
    assert match, f"{directory}/versions.tf: no required_version >= X.Y"
    return int(match[1]), int(match[2])


def test_every_function_is_known():
    unknown = {}
    for directory in configuration_dirs():
        used = functions_used(_documents(directory))
        new = used - FUNCTIONS_1_0 - FUNCTIONS_SINCE.keys() - {f for f in used if "::" in f}
        if new:
            unknown[str(directory.relative_to(REPO))] = sorted(new)
    assert unknown == {}, "look these up in Terraform's changelog and add them to FUNCTIONS_SINCE"


def test_no_directory_uses_a_terraform_newer_than_it_declares():
    too_new = {}
    for directory in configuration_dirs():
        minimum = declared(directory)
        over = {what: since for what, since in required_by(_documents(directory)).items() if since > minimum}
        if over:
            too_new[str(directory.relative_to(REPO))] = over
    assert too_new == {}


def test_the_module_declares_the_newest_terraform_it_relies_on():
    module_dirs = [REPO, *sorted((REPO / "modules").iterdir())]
    documents = [doc for d in module_dirs if d.is_dir() for doc in _documents(d)]
    needs = required_by(documents)
    newest = max(needs.values())
    assert declared(REPO) == newest, f"the module relies on {needs}"
    # What the README says, and what 1.5 brings that the module relies on.
    assert newest == (1, 5)
    assert {"check blocks", "plantimestamp()"} <= {w for w, v in needs.items() if v == newest}
    readme = (REPO / "README.md").read_text()
    assert f"| Terraform | >= {newest[0]}.{newest[1]} |" in readme
    for directory in configuration_dirs():  # the examples call the module: the same minimum
        assert declared(directory) <= newest, directory
        if directory.parent.name == "examples":
            assert declared(directory) == newest, directory


def test_the_detectors_see_what_they_look_for():
    text = """
variable "a" {
  type = object({ b = optional(string, "x") })
  validation {
    condition     = var.a.b != var.other
    error_message = "no"
  }
}
resource "terraform_data" "t" {
  lifecycle {
    replace_triggered_by = [terraform_data.u]
  }
}
removed {
  from = terraform_data.gone
}
output "o" {
  value = templatestring(local.tmpl, {}) == strcontains("a", "b")
}
"""
    needs = required_by([hcl2.loads(text)])
    assert needs == {
        "optional object attributes": (1, 3),
        "validations referring to other objects": (1, 9),
        "terraform_data": (1, 4),
        "replace_triggered_by": (1, 2),
        "removed blocks": (1, 7),
        "templatestring()": (1, 9),
        "strcontains()": (1, 5),
    }
    # a call inside a comment or a regular expression is no call
    assert functions_used([hcl2.loads('# merge(a)\nlocals {\n  r = "^x\\\\.com(?:\\\\.cn)?$"\n}\n')]) == set()


@pytest.mark.skipif(shutil.which("terraform") is None, reason="no terraform on PATH")
def test_the_tables_cover_the_installed_terraform():
    """Every function of the installed Terraform is in one of the two tables (a newer Terraform's new
    functions must be added to FUNCTIONS_SINCE before this passes with it)."""
    listed = subprocess.run(
        ["terraform", "metadata", "functions", "-json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    names = {n for n in json.loads(listed.stdout)["function_signatures"] if "::" not in n}
    assert names - FUNCTIONS_1_0 - FUNCTIONS_SINCE.keys() == set()
