"""checkov skips in the module and the examples carry their reason inline.

`make checkov` runs checkov itself (own venv, part of `make test`) and fails on any failed check; this test
keeps the skips honest without that heavy run: every `#checkov:skip=CKV_...` names a check id and a reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = re.compile(r"#\s*checkov:skip=(?P<rest>.*)$")
# `#checkov:skip=CKV_AWS_18:Why the check does not apply here.` (a reason of a few words at least)
WELL_FORMED = re.compile(r"^(?P<id>CKV2?_[A-Z0-9]+_\d+):\s*(?P<reason>\S.{14,})$")


def terraform_files() -> list[Path]:
    files = sorted(ROOT.glob("*.tf")) + sorted((ROOT / "modules").rglob("*.tf"))
    files += sorted((ROOT / "examples").rglob("*.tf"))
    return [f for f in files if ".terraform" not in f.parts]


def skips(path: Path) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = SKIP.search(line)
        if match:
            found.append((number, match.group("rest").strip()))
    return found


@pytest.mark.parametrize("path", terraform_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_checkov_skip_has_a_check_id_and_a_reason(path: Path) -> None:
    bad = [f"line {n}: {rest!r}" for n, rest in skips(path) if not WELL_FORMED.match(rest)]
    assert bad == [], f"{path.relative_to(ROOT)}: checkov skips without a check id and reason: {bad}"


def test_the_module_skips_are_found() -> None:
    """The scan sees the skips that exist (so an empty result above means something)."""
    assert any(skips(ROOT / "modules" / "storage" / "main.tf"))


@pytest.mark.parametrize(
    "comment",
    ["CKV_AWS_18", "CKV_AWS_18:", "CKV_AWS_18: short", "because", "CKV_AWS_18 no colon but a long reason"],
)
def test_malformed_skips_are_refused(comment: str) -> None:
    assert WELL_FORMED.match(comment) is None


def test_a_well_formed_skip_is_accepted() -> None:
    assert WELL_FORMED.match("CKV2_AWS_62:Results are announced through the SNS topics instead.")
