"""Malformed documents and queries against localaws (issue 3, acceptance 14).

Each case runs the real command line (``python -m deployer external`` with the query on stdin, and
``python -m deployer deploy --spec FILE``) in a subprocess pointed at localaws, and asserts: exit 1, one
line on stderr naming the field and ending with what to do next, nothing on stdout, and no AWS call at
all in localaws' call log.
A control proves that the call log does see what such a subprocess sends, so "no call" means something.
The read path's imports are checked here too: a read-only ``external`` run loads no write-path module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.unit.test_spec_samples import MALFORMED, MALFORMED_TEXT, malformed_document, realtime

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def _deployer(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deployer", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ),
        timeout=TIMEOUT,
    )


def _query(spec_text: str, **extra: object) -> str:
    return json.dumps({"spec": spec_text, "rollout_id": str(uuid.uuid4()), **extra})


# Query-level cases on top of the spec documents: (case id, raw stdin, field).
SPEC_TEXT = json.dumps(realtime())
BAD_QUERIES: list[tuple[str, str, str]] = [
    ("rollout-id-number", json.dumps({"spec": SPEC_TEXT, "rollout_id": 42}), "query.rollout_id"),
    ("spec-as-object", json.dumps({"spec": realtime(), "rollout_id": "r1"}), "query.spec"),
    (
        "access-key-in-query",
        _query(SPEC_TEXT, aws_access_key_id="AKIAIOSFODNN7EXAMPLE"),
        "query.aws_access_key_id",
    ),
    ("secret-in-query", _query(SPEC_TEXT, aws_secret_access_key="x"), "query.aws_secret_access_key"),
    ("session-token-in-query", _query(SPEC_TEXT, aws_session_token="x"), "query.aws_session_token"),
    ("unknown-query-key", _query(SPEC_TEXT, endpoint_name="whisper"), "query.endpoint_name"),
    ("spec-missing", json.dumps({"rollout_id": "r1"}), "query.spec"),
    ("query-not-object", json.dumps([SPEC_TEXT]), "query"),
] + [(f"text-{case_id}", _query(text), field) for case_id, text, field in MALFORMED_TEXT]

DOCUMENT_CASES = [pytest.param(case, id=case[0]) for case in MALFORMED]


def _assert_refused(done: subprocess.CompletedProcess[str], field: str) -> None:
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].split(": ", 1)[0] == field
    # ... and says what to do next (deployer.errors: "; next: "), once, at the end.
    assert lines[0].count("; next: ") == 1 and lines[0].rsplit("; next: ", 1)[1].strip(), lines[0]


def test_the_call_log_sees_what_a_subprocess_sends(localaws):
    """Control: a subprocess with the same environment does reach localaws and its calls are logged."""
    program = "import boto3; boto3.client('sagemaker').list_endpoints()"
    subprocess.run(
        [sys.executable, "-c", program], check=True, cwd=ROOT, env=dict(os.environ), timeout=TIMEOUT
    )
    assert [c["operation"] for c in localaws.calls()] == ["ListEndpoints"]


@pytest.mark.parametrize("case", DOCUMENT_CASES)
def test_external_refuses_a_malformed_document_without_calling_aws(localaws, case):
    done = _deployer("external", stdin=_query(json.dumps(malformed_document(case))))
    _assert_refused(done, case[3])
    assert localaws.calls() == []


@pytest.mark.parametrize(("case_id", "stdin", "field"), BAD_QUERIES, ids=[c[0] for c in BAD_QUERIES])
def test_external_refuses_a_malformed_query_without_calling_aws(localaws, case_id, stdin, field):
    done = _deployer("external", stdin=stdin)
    _assert_refused(done, field)
    assert localaws.calls() == []
    if "credential" in done.stderr or field.startswith("query.aws_"):
        assert "state" in done.stderr
        assert "AKIA" not in done.stderr


DEPLOY_CASES = [pytest.param(case, id=case[0]) for case in MALFORMED[::6]]


@pytest.mark.parametrize("case", DEPLOY_CASES)
def test_deploy_refuses_a_malformed_spec_file_without_calling_aws(localaws, tmp_path, case):
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(malformed_document(case)))
    done = _deployer("deploy", "--spec", str(spec_file))
    _assert_refused(done, case[3])
    assert localaws.calls() == []


def test_at_least_thirty_cases_reach_the_command_line():
    assert len(DOCUMENT_CASES) + len(BAD_QUERIES) >= 30


MODULES_PROGRAM = """
import atexit, json, runpy, sys
record = sys.argv[1]
def dump():
    with open(record, "w") as out:
        json.dump(sorted(sys.modules), out)
atexit.register(dump)
sys.argv = ["deployer", "external"]
runpy.run_module("deployer", run_name="__main__", alter_sys=True)
"""


def _external_with_modules(tmp_path: Path, stdin: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    record = tmp_path / f"modules-{uuid.uuid4().hex}.json"
    done = subprocess.run(
        [sys.executable, "-c", MODULES_PROGRAM, str(record)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ),
        timeout=TIMEOUT,
    )
    return done, set(json.loads(record.read_text()))


def test_an_invalid_document_imports_no_aws_library(localaws, tmp_path):
    document = realtime()
    document["variants"][0]["containers"] = [{"image": ""}]
    done, modules = _external_with_modules(tmp_path, _query(json.dumps(document)))
    _assert_refused(done, "variants[0].containers[0].image")
    assert not {m for m in modules if m.split(".")[0] in {"boto3", "botocore"}}
    assert not {m for m in modules if m in {"deployer.operations", "deployer.executor", "deployer.reader"}}


def test_a_read_only_external_run_imports_no_write_path_module(localaws, tmp_path):
    """Roll out once, then read with the same rollout id (what every later plan does)."""
    document = realtime("readpath")
    document["deployment"] = {"termination_wait_seconds": 0}
    query = _query(json.dumps(document))
    first = _deployer("external", stdin=query)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["endpoint_name"] == "readpath"
    assert any(c["write"] for c in localaws.calls())
    before = len(localaws.calls())

    done, modules = _external_with_modules(tmp_path, query)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert all(isinstance(v, str) for v in result.values())
    assert [c["operation"] for c in localaws.calls()[before:] if c["write"]] == []
    assert "deployer.executor" not in modules
    assert "deployer.protocol" in modules
