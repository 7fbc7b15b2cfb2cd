"""Malformed spec documents: each is refused with InvalidInput (exit code 1) naming the exact field."""

from __future__ import annotations

import pytest

from deployer.errors import InvalidInput
from deployer.spec import parse_spec
from tests.unit.test_spec_samples import MALFORMED, MALFORMED_TEXT, malformed_document, realtime


def _field(error: InvalidInput) -> str:
    return str(error).split(": ", 1)[0]


@pytest.mark.parametrize("case", MALFORMED, ids=[case[0] for case in MALFORMED])
def test_malformed_document_is_refused_naming_the_field(case):
    document = malformed_document(case)
    with pytest.raises(InvalidInput) as caught:
        parse_spec(document)
    assert _field(caught.value) == case[3]
    assert caught.value.exit_code == 1
    message = str(caught.value)
    assert "\n" not in message
    assert len(message.split(": ", 1)[1]) > 3  # a rule follows the field


@pytest.mark.parametrize("case", MALFORMED, ids=[case[0] for case in MALFORMED])
def test_malformed_document_is_refused_as_json_text_too(case):
    import json

    with pytest.raises(InvalidInput) as caught:
        parse_spec(json.dumps(malformed_document(case)))
    assert _field(caught.value) == case[3]


@pytest.mark.parametrize(("case_id", "text", "field"), MALFORMED_TEXT, ids=[c[0] for c in MALFORMED_TEXT])
def test_malformed_json_text_is_refused(case_id, text, field):
    with pytest.raises(InvalidInput) as caught:
        parse_spec(text)
    assert _field(caught.value) == field
    assert caught.value.exit_code == 1


def test_the_message_states_the_limit_and_the_value():
    from tests.unit.test_spec_samples import multi_container

    with pytest.raises(InvalidInput, match=r"^variants\[0\]\.containers: at most 15 containers \(got 16\)$"):
        parse_spec(multi_container(16))


def test_an_unknown_field_suggests_the_close_one():
    from tests.unit.test_spec_samples import realtime

    document = realtime()
    document["variants"][0]["instance_typ"] = document["variants"][0].pop("instance_type")
    with pytest.raises(InvalidInput, match="did you mean 'instance_type'"):
        parse_spec(document)


def test_at_least_thirty_malformed_cases():
    assert len(MALFORMED) + len(MALFORMED_TEXT) >= 30


@pytest.mark.parametrize(
    ("deployment", "needle"),
    [
        (
            {"traffic": "all_at_once", "termination_wait_seconds": 600, "max_execution_timeout_seconds": 600},
            "(got 600)",
        ),
        ({"traffic": "canary", "wait_interval_seconds": 1800, "termination_wait_seconds": 0}, "= 3600"),
        (
            {"traffic": "linear", "linear_step_percent": 10, "wait_interval_seconds": 600},
            "10 x wait_interval",
        ),
    ],
)
def test_blue_green_timeout_must_exceed_the_waits(deployment, needle):
    """Issue 7 item 4: BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds must exceed
    TerminationWaitInSeconds plus the waits (SageMaker API reference), refused before any AWS call."""
    document = realtime()
    document["deployment"] = {**(document.get("deployment") or {}), **deployment}
    with pytest.raises(
        InvalidInput, match=r"deployment\.max_execution_timeout_seconds: must exceed"
    ) as refused:
        parse_spec(document)
    assert needle in str(refused.value) and "\n" not in str(refused.value)
