"""The Terraform external adapter: query checks, credential refusal, the flat string result, clean stdout."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from deployer.errors import AwsRefused, InvalidInput, RolloutFailed, RolloutTimeout
from deployer.protocol import CREDENTIALS_NEXT, CREDENTIALS_REFUSED, parse_query, render_result, run_external
from deployer.spec import Spec, parse_spec
from tests.unit.test_spec_samples import realtime

ROOT = Path(__file__).resolve().parents[2]
SPEC_TEXT = json.dumps(realtime())
ROLLOUT = "5d2c7f0e-1b7a-4a51-9d7e-0d6f1c2b3a4e"


class FakeEngine:
    """Stands in for deployer.operations.terraform_apply and records its calls."""

    def __init__(self, result=None, error: Exception | None = None, noise: str = "") -> None:
        self.calls: list[tuple[Spec, str, dict]] = []
        self.result = result if result is not None else {"endpoint_name": "whisper", "action": "unchanged"}
        self.error = error
        self.noise = noise

    def __call__(self, spec, rollout_id, **kwargs):
        self.progress = kwargs.pop("progress", None)  # the adapter's timeline (checked on its own)
        self.calls.append((spec, rollout_id, kwargs))
        if self.noise:
            print(self.noise)
        if self.error:
            raise self.error
        return self.result


def _run(query, engine=None) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    text = query if isinstance(query, str) else json.dumps(query)
    code = run_external(text, stdout, stderr, engine=engine or FakeEngine())
    return code, stdout.getvalue(), stderr.getvalue()


def test_a_valid_query_calls_the_engine_and_prints_one_object_of_strings():
    engine = FakeEngine(
        result={"endpoint_name": "whisper", "variant_names": '["AllTraffic"]', "drift": "false"}
    )
    code, out, err = _run({"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "deployer_hash": "abc"}, engine)
    assert code == 0, err
    assert json.loads(out) == {
        "endpoint_name": "whisper",
        "variant_names": '["AllTraffic"]',
        "drift": "false",
    }
    assert out.count("\n") == 1
    [(spec, rollout_id, kwargs)] = engine.calls
    assert spec == parse_spec(SPEC_TEXT)
    assert rollout_id == ROLLOUT
    assert kwargs == {"assume_role_arn": None}
    assert engine.progress.log_path is None and engine.progress.timeline == []


def test_assume_role_arn_reaches_the_engine():
    engine = FakeEngine()
    role = "arn:aws:iam::123456789012:role/deployer"
    code, _, err = _run({"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "assume_role_arn": role}, engine)
    assert code == 0, err
    assert engine.calls[0][2] == {"assume_role_arn": role}


def test_plan_assume_role_arn_reaches_the_engine_as_its_own_keyword():
    engine = FakeEngine()
    write, read = "arn:aws:iam::123456789012:role/deployer", "arn:aws:iam::123456789012:role/reader"
    query = {"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "assume_role_arn": write, "plan_assume_role_arn": read}
    code, _, err = _run(query, engine)
    assert code == 0, err
    assert engine.calls[0][2] == {"assume_role_arn": write, "plan_assume_role_arn": read}


def test_the_plan_timestamps_reach_the_engine_only_together():
    """Issue 7 item 3: ``rollout_planned_at`` and ``plan_time`` tell the engine plan from apply."""
    engine = FakeEngine()
    both = {"rollout_planned_at": "2026-12-03T11:00:00Z", "plan_time": "2026-12-03T11:05:00Z"}
    code, _, err = _run({"spec": SPEC_TEXT, "rollout_id": ROLLOUT, **both}, engine)
    assert code == 0, err
    assert engine.calls[0][2] == {"assume_role_arn": None, **both}
    one = {"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "plan_time": "2026-12-03T11:05:00Z"}
    code, _, err = _run(one, engine)
    assert code == 0, err
    assert engine.calls[1][2] == {"assume_role_arn": None}


def test_an_empty_optional_key_counts_as_absent():
    engine = FakeEngine()
    code, _, err = _run({"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "assume_role_arn": ""}, engine)
    assert code == 0, err
    assert engine.calls[0][2] == {"assume_role_arn": None}


def test_whatever_the_engine_prints_goes_to_stderr_not_stdout():
    engine = FakeEngine(noise="progress: 50%")
    code, out, err = _run({"spec": SPEC_TEXT, "rollout_id": ROLLOUT}, engine)
    assert code == 0
    assert json.loads(out) == engine.result
    assert "progress: 50%" in err


def test_result_values_are_converted_to_strings():
    engine = FakeEngine(
        result={"n": 3, "ok": True, "no": False, "none": None, "list": ["a", 1], "obj": {"b": 2}}
    )
    code, out, _ = _run({"spec": SPEC_TEXT, "rollout_id": ROLLOUT}, engine)
    assert code == 0
    result = json.loads(out)
    assert result == {"n": "3", "ok": "true", "no": "false", "none": "", "list": '["a",1]', "obj": '{"b":2}'}
    assert all(isinstance(v, str) for v in result.values())


@pytest.mark.parametrize("result", [{"x": object()}, {1: "a"}, ["not", "a", "map"], {"x": [object()]}])
def test_a_result_that_is_not_json_is_an_error_and_stdout_stays_empty(result):
    code, out, err = _run({"spec": SPEC_TEXT, "rollout_id": ROLLOUT}, FakeEngine(result=result))
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("error", "exit_code"),
    [
        (RolloutFailed("rolled back: alarm whisper-5xx\nin ALARM"), 2),
        (RolloutTimeout("still Updating after 7200 s"), 3),
        (AwsRefused("AccessDenied: not authorized"), 4),
        (InvalidInput("variant: nope"), 1),
        (RuntimeError("a bug"), 2),
    ],
)
def test_engine_errors_become_one_line_and_their_exit_code(error, exit_code):
    code, out, err = _run({"spec": SPEC_TEXT, "rollout_id": ROLLOUT}, FakeEngine(error=error))
    assert code == exit_code
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n")


CREDENTIAL_KEYS = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "AWS_SECRET_ACCESS_KEY",
    "access_key",
    "secret_key",
    "token",
    "password",
    "github-token",
    "db_credentials",
]


@pytest.mark.parametrize("key", CREDENTIAL_KEYS)
def test_credentials_in_the_query_are_refused_with_the_reason(key):
    engine = FakeEngine()
    code, out, err = _run({"spec": SPEC_TEXT, "rollout_id": ROLLOUT, key: "AKIAIOSFODNN7EXAMPLE"}, engine)
    assert code == 1
    assert out == ""
    assert engine.calls == []
    assert err.startswith(f"query.{key}: ")
    assert "state" in err and "standard AWS chain" in err
    assert "AKIAIOSFODNN7EXAMPLE" not in err
    assert err.strip() == f"query.{key}: {CREDENTIALS_REFUSED}; next: {CREDENTIALS_NEXT}"


MALFORMED_QUERIES = [
    ("rollout-id-number", {"spec": SPEC_TEXT, "rollout_id": 7}, "query.rollout_id"),
    ("spec-as-object", {"spec": realtime(), "rollout_id": ROLLOUT}, "query.spec"),
    ("spec-as-null", {"spec": None, "rollout_id": ROLLOUT}, "query.spec"),
    (
        "hash-as-boolean",
        {"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "deployer_hash": True},
        "query.deployer_hash",
    ),
    ("unknown-key", {"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "region": "us-east-1"}, "query.region"),
    ("spec-missing", {"rollout_id": ROLLOUT}, "query.spec"),
    ("rollout-id-missing", {"spec": SPEC_TEXT}, "query.rollout_id"),
    ("rollout-id-empty", {"spec": SPEC_TEXT, "rollout_id": ""}, "query.rollout_id"),
    ("rollout-id-with-space", {"spec": SPEC_TEXT, "rollout_id": "a b"}, "query.rollout_id"),
    ("rollout-id-too-long", {"spec": SPEC_TEXT, "rollout_id": "r" * 257}, "query.rollout_id"),
    (
        "assume-role-shape",
        {"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "assume_role_arn": "deployer"},
        "query.assume_role_arn",
    ),
    (
        "plan-role-shape",
        {"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "plan_assume_role_arn": "reader"},
        "query.plan_assume_role_arn",
    ),
    (
        "plan-time-shape",
        {"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "plan_time": "yesterday"},
        "query.plan_time",
    ),
    (
        "planned-at-shape",
        {"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "rollout_planned_at": "2026-12-03 11:00"},
        "query.rollout_planned_at",
    ),
    (
        "hash-too-long",
        {"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "deployer_hash": "h" * 257},
        "query.deployer_hash",
    ),
    ("query-array", [SPEC_TEXT, ROLLOUT], "query"),
    ("query-not-json", "spec=whisper", "query"),
    ("query-empty", "", "query"),
    ("query-duplicate-key", '{"spec": "{}", "spec": "{}", "rollout_id": "r"}', "query"),
    ("spec-not-json", {"spec": "{not json", "rollout_id": ROLLOUT}, "spec"),
    (
        "spec-invalid-field",
        {"spec": SPEC_TEXT.replace('"whisper"', '"bad_name"', 1), "rollout_id": ROLLOUT},
        "endpoint_name",
    ),
]


@pytest.mark.parametrize(
    ("case_id", "query", "field"), MALFORMED_QUERIES, ids=[c[0] for c in MALFORMED_QUERIES]
)
def test_malformed_queries_are_refused_before_the_engine(case_id, query, field):
    engine = FakeEngine()
    code, out, err = _run(query, engine)
    assert code == 1
    assert out == ""
    assert engine.calls == []
    assert err.count("\n") == 1
    assert err.split(": ", 1)[0] == field


def test_an_unmapped_aws_error_is_a_refusal_with_exit_4():
    from botocore.exceptions import ClientError, NoCredentialsError

    throttled = ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "DescribeEndpoint"
    )
    for error in (throttled, NoCredentialsError()):
        code, out, err = _run({"spec": SPEC_TEXT, "rollout_id": ROLLOUT}, FakeEngine(error=error))
        assert code == 4
        assert out == ""
        assert err.count("\n") == 1
    assert (
        "ThrottlingException"
        in _run({"spec": SPEC_TEXT, "rollout_id": ROLLOUT}, FakeEngine(error=throttled))[2]
    )


def test_parse_query_returns_the_parsed_spec():
    query = parse_query(json.dumps({"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "deployer_hash": "h1"}))
    assert query.spec == parse_spec(SPEC_TEXT)
    assert query.deployer_hash == "h1"
    assert query.assume_role_arn is None


def test_render_result_is_sorted_json_of_strings():
    assert render_result({"b": "2", "a": 1}) == '{"a": "1", "b": "2"}'


def _modules_after(stdin: str, engine: str | None = None) -> tuple[int, set[str], str, str]:
    """Run the adapter in a fresh interpreter; return exit code, the modules it imported, stdout, stderr."""
    fake = f"engine = lambda spec, rollout_id, **kw: {engine}\n" if engine else "engine = None\n"
    program = (
        "import io, json, sys\n"
        "from deployer.protocol import run_external\n"
        f"{fake}"
        "code = run_external(sys.stdin.read(), sys.stdout, sys.stderr, engine=engine)\n"
        "sys.stderr.write('MODULES ' + json.dumps(sorted(sys.modules)) + '\\n')\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    errors = "\n".join(x for x in done.stderr.splitlines() if not x.startswith("MODULES "))
    return done.returncode, set(json.loads(line[len("MODULES ") :])), done.stdout, errors


def test_an_invalid_query_imports_neither_boto3_nor_the_engine():
    code, modules, out, err = _modules_after(json.dumps({"spec": "{}", "rollout_id": ROLLOUT}))
    assert code == 1, err
    assert out == ""
    assert err.startswith("endpoint_name: required")
    assert not {m for m in modules if m.split(".")[0] in {"boto3", "botocore"}}
    assert "deployer.operations" not in modules


def test_the_adapter_itself_imports_no_aws_library():
    code, modules, out, err = _modules_after(
        json.dumps({"spec": SPEC_TEXT, "rollout_id": ROLLOUT}), engine="{'action': 'unchanged'}"
    )
    assert code == 0, err
    assert json.loads(out) == {"action": "unchanged"}
    assert not {m for m in modules if m.split(".")[0] in {"boto3", "botocore", "urllib3"}}


class ChattyEngine(FakeEngine):
    """Reports progress, then fails like a rolled-back rollout."""

    def __call__(self, spec, rollout_id, **kwargs):
        kwargs["progress"].info("whisper: updating to whisper-new")
        kwargs["progress"].info("whisper: baking 60 s, watching whisper-5xx")
        return super().__call__(spec, rollout_id, **kwargs)


def test_a_failure_prints_the_verdict_first_then_the_timeline_and_logs_to_the_chosen_dir(tmp_path):
    verdict = "rolled back: whisper: alarm whisper-5xx in ALARM; still serving whisper-old; next: fix it"
    engine = ChattyEngine(error=RolloutFailed(verdict))
    log_dir = tmp_path / "logs"
    code, out, err = _run({"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "log_dir": str(log_dir)}, engine)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0] == verdict
    [log] = list(log_dir.iterdir())
    assert log.name.startswith("whisper-") and log.name.endswith(f"-{ROLLOUT}.log")
    assert lines[1] == f"log: {log}"
    assert lines[2] == "timeline (UTC):"
    assert lines[3].endswith("Z whisper: updating to whisper-new") and "baking" in lines[4]
    logged = log.read_text().splitlines()
    assert len(logged) == 3 and logged[-1].endswith(f"Z outcome: {verdict}")


def test_no_log_dir_means_no_file_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = _run({"spec": SPEC_TEXT, "rollout_id": ROLLOUT}, ChattyEngine())
    assert code == 0, err
    assert list(tmp_path.iterdir()) == []
    assert "timeline (UTC):" in err  # stderr still has it (Terraform discards it on success)


def test_a_relative_log_dir_is_refused_before_the_engine_runs():
    engine = FakeEngine()
    code, _, err = _run({"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "log_dir": "logs"}, engine)
    assert code == 1 and err.startswith("query.log_dir: must be an absolute path")
    assert engine.calls == []
