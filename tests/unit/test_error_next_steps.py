"""deployer.errors' convention, ``<cause>; next: <step>``, and where the defaults come from: the Terraform
adapter's (query and spec errors, an engine's error without a step, an internal error) and AWS refusals'
per error code (issue 9 item 7)."""

from __future__ import annotations

import io
import json

import pytest
from botocore.exceptions import ClientError

from deployer import protocol
from deployer.aws import as_refusal
from deployer.errors import (
    AwsRefused,
    InvalidInput,
    LeaseHeld,
    RolloutFailed,
    with_next_step,
    without_next_step,
)
from tests.unit.test_protocol import ROLLOUT, SPEC_TEXT, FakeEngine
from tests.unit.test_spec_samples import realtime


def _external(stdin: str, engine=None) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = protocol.run_external(stdin, out, err, engine=engine or FakeEngine())
    return code, err.getvalue()


def _one_next_step(line: str) -> str:
    assert line.count("; next: ") == 1, line
    step = line.split("; next: ")[1].strip()
    assert step, line
    return step


def test_a_next_step_is_appended_once_and_read_back():
    error = LeaseHeld("whisper: held\nby x", "retry   later")
    assert str(error) == "whisper: held by x; next: retry later"
    assert error.next_step == "retry later" and error.cause == "whisper: held by x"
    assert with_next_step(error, "something else") is error
    assert str(InvalidInput("a", "b")) == str(InvalidInput("a; next: b", "c")) == "a; next: b"
    plain = RolloutFailed("whisper: rolled back")
    assert plain.next_step == ""
    filled = with_next_step(plain, "look at it")
    assert isinstance(filled, RolloutFailed) and filled.exit_code == 2
    assert str(filled) == "whisper: rolled back; next: look at it"
    assert without_next_step(str(filled)) == "whisper: rolled back"


@pytest.mark.parametrize(
    "stdin",
    [
        "",
        "[]",
        json.dumps({"spec": SPEC_TEXT}),
        json.dumps({"spec": SPEC_TEXT, "rollout_id": ROLLOUT, "bogus": "x"}),
        json.dumps(
            {"spec": json.dumps({**realtime(), "endpoint_name": "no spaces allowed"}), "rollout_id": "r"}
        ),
    ],
)
def test_the_adapter_says_to_fix_the_input_and_plan_again(stdin):
    code, err = _external(stdin)
    assert code == 1
    [line] = err.splitlines()
    assert _one_next_step(line) == protocol.NEXT_INVALID_INPUT


def test_an_engine_error_without_a_step_gets_the_status_hint_and_one_with_a_step_keeps_it():
    query = json.dumps({"spec": SPEC_TEXT, "rollout_id": ROLLOUT})
    code, err = _external(query, FakeEngine(error=RolloutFailed("whisper: it broke")))
    assert code == 2 and _one_next_step(err.splitlines()[0]) == protocol.NEXT_DEFAULT
    code, err = _external(query, FakeEngine(error=RolloutFailed("whisper: it broke", "do this")))
    assert code == 2 and _one_next_step(err.splitlines()[0]) == "do this"


def test_an_internal_error_says_it_is_a_bug_to_report():
    query = json.dumps({"spec": SPEC_TEXT, "rollout_id": ROLLOUT})
    code, err = _external(query, FakeEngine(error=KeyError("oops")))
    assert code == protocol.INTERNAL_ERROR_EXIT
    assert "report it" in _one_next_step(err.splitlines()[0])


def _client_error(code: str, operation: str = "UpdateEndpoint") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "no"}}, operation)


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("AccessDeniedException", "grant the deployer's role the permission for UpdateEndpoint"),
        ("AccessDenied", "docs/security.md"),
        ("ExpiredToken", "refresh the credentials"),
        ("InvalidClientTokenId", "aws sts get-caller-identity"),
        ("ResourceLimitExceeded", "Service Quotas"),
        ("ThrottlingException", "run again in a few minutes"),
        ("InternalFailure", "run again in a few minutes"),
        ("ValidationException", "fix what AWS names above"),
    ],
)
def test_each_aws_refusal_says_what_to_do_about_its_code(code, says):
    refusal = as_refusal(_client_error(code))
    assert isinstance(refusal, AwsRefused) and refusal.exit_code == 4
    assert refusal.cause == f"AWS refused UpdateEndpoint: {code}: no"
    assert says in _one_next_step(str(refusal))


def test_adding_a_next_step_keeps_every_error_type_and_exit_code():
    """with_next_step on each DeployerError subclass, the signal one included (its exit code is 128 + the
    signal's number: the merge of the interrupt and the next-step work once turned it into a TypeError)."""
    from deployer import errors

    samples = [errors.Interrupted("whisper: stopped", 15)] + [
        cls("whisper: wrong")
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.DeployerError) and cls is not errors.Interrupted
    ]
    for error in samples:
        stepped = errors.with_next_step(error, "do this")
        assert type(stepped) is type(error)
        assert stepped.exit_code == error.exit_code
        assert str(stepped) == f"{error}; next: do this"
    assert errors.with_next_step(errors.Interrupted("x", 15), "y").exit_code == 143


def test_a_cli_command_restores_the_callers_signal_handlers():
    """cli.main in a caller's process (a test, a wrapper) installs its SIGINT/SIGTERM handling only for the
    command: the caller's handlers and a clear flag afterwards."""
    import signal

    from deployer import cli, interrupt

    def mine(_signum, _frame):
        return None

    before = {s: signal.getsignal(s) for s in interrupt.SIGNALS}
    try:
        for s in interrupt.SIGNALS:
            signal.signal(s, mine)
        code = cli.main(["prune", "whisper", "--keep", "0"], stdout=io.StringIO(), stderr=io.StringIO())
        assert code == 1  # refused before any AWS call (--keep below 1)
        assert all(signal.getsignal(s) is mine for s in interrupt.SIGNALS)
        assert not interrupt.requested()
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
