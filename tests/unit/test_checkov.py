"""Security checks that need no checkov run: skips carry their reason, the IAM documents are least privilege.

`make checkov` runs checkov itself (own venv, part of `make test`) and fails on any failed check; these tests
keep the skips honest without that heavy run (every `#checkov:skip=CKV_...` names a check id and a reason) and
check what checkov does not: no wildcard action in the module's policy documents, `*` resources only for
actions AWS offers no resource for.
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


# --- Least privilege of the module's own IAM documents (SPEC §7), beyond what checkov looks at ---

IAM_MAIN = ROOT / "modules" / "iam" / "main.tf"
# Actions with no resource-level permissions (service authorization reference), the only ones allowed on "*".
UNSCOPABLE = {
    "ecr:GetAuthorizationToken",
    "cloudwatch:PutMetricData",
    # Models in a VPC: EC2 Describe actions have no resource types (EC2 service authorization reference).
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
}


def _text(value: object) -> object:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def policy_statements(path: Path, document: str) -> list[dict[str, object]]:
    """Every statement of `data "aws_iam_policy_document" "<document>"`, static and dynamic."""
    import hcl2  # the test venv's; only this part of the file needs it

    with path.open(encoding="utf-8") as handle:
        data = hcl2.load(handle).get("data", [])
    statements: list[dict[str, object]] = []
    for entry in data:
        body = entry.get('"aws_iam_policy_document"', {}).get(f'"{document}"')
        if body is None:
            continue
        statements += body.get("statement", [])
        for dynamic in body.get("dynamic", []):
            for block in dynamic.values():
                statements += block.get("content", [])
    return statements


def _actions(statement: dict[str, object]) -> list[str]:
    return [str(_text(a)) for a in statement.get("actions", [])]  # type: ignore[union-attr]


def _resources(statement: dict[str, object]) -> list[object]:
    value = statement.get("resources", [])
    return [_text(r) for r in value] if isinstance(value, list) else [value]


@pytest.mark.parametrize("document", ["execution", "invoke", "ci_plan", "ci_apply"])
def test_policies_name_every_action(document: str) -> None:
    statements = policy_statements(IAM_MAIN, document)
    assert statements, f"no statements found in {document}"
    wildcard = [a for s in statements for a in _actions(s) if "*" in a]
    assert wildcard == [], f"{document}: wildcard actions {wildcard}"


def test_execution_role_uses_star_only_where_aws_offers_no_resource() -> None:
    statements = policy_statements(IAM_MAIN, "execution")
    for statement in statements:
        if "*" in _resources(statement):
            assert set(_actions(statement)) <= UNSCOPABLE, statement
    metrics = [s for s in statements if "cloudwatch:PutMetricData" in _actions(s)]
    assert metrics and all(s.get("condition") for s in metrics), "PutMetricData must be limited by namespace"


def test_no_managed_full_access_policy() -> None:
    for path in terraform_files():
        assert "FullAccess" not in path.read_text(encoding="utf-8"), path


def test_the_statement_reader_sees_both_kinds() -> None:
    sids = {str(_text(s.get("sid"))) for s in policy_statements(IAM_MAIN, "execution")}
    assert {"PullImages", "WriteLogs", "PutMetrics"} <= sids
