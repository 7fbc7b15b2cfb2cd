"""deployer.state's tag value encoding: any text is written as a valid SageMaker tag value and read back
unchanged (or, past 256 characters, as a prefix with ``...``), so a rollout reason keeps its brackets.

The oracle is AWS's own pattern for Tag.Value, ``^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$`` at most 256 characters
(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Tag.html), matched with the ``regex``
module (``\\p{..}`` classes), independent of the encoder's own character test."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from deployer import executor, reader
from deployer.state import (
    TAG_LAST_ROLLOUT_REASON,
    TAG_LEASE_OWNER,
    TAG_VALUE_MAX,
    EndpointState,
    Lease,
    as_tags,
    decode_tags,
    decode_value,
    encode_value,
    encoded_fits,
)

regex = pytest.importorskip("regex")
AWS_TAG_VALUE = regex.compile(r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$")

REASON = (
    "rolled back: Auto rollback triggered: CloudWatch alarm(s) [whisper-5xx] went into ALARM state "
    "during the deployment."
)


def valid(value: str) -> bool:
    return AWS_TAG_VALUE.fullmatch(value) is not None and len(value.encode("utf-16-le")) // 2 <= 256


def test_a_rollback_reason_reads_back_with_its_brackets_and_parentheses():
    encoded = encode_value(REASON)
    assert valid(encoded) and encoded != REASON
    assert decode_value(encoded) == REASON
    assert "alarm+28s+29 +5Bwhisper-5xx+5D went into ALARM" in encoded


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain",
        "whisper-3f2a0c1d9e8b",
        "strategy=blue_green traffic=canary wait=600 keep=3",
        "host-1/4242/0123456789ab",
        "ünïcode ok: 1/2=0.5@-_",
    ],
)
def test_values_that_are_valid_and_have_no_plus_are_written_as_they_are(text):
    assert encode_value(text) == text and decode_value(text) == text


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("a+b", "a+2Bb"),
        ("50%", "50+25"),
        ("line\nbreak", "line+0Abreak"),
        ("'quoted'", "+27quoted+27"),
        ("e\u0301", "e+CC+81"),  # a combining mark is \p{M}, not a letter
        ("\U0001f680", "+F0+9F+9A+80"),
    ],
)
def test_the_escapes_are_plus_and_the_utf8_bytes_in_upper_case_hex(text, encoded):
    assert encode_value(text) == encoded and decode_value(encoded) == text


def test_too_long_a_value_keeps_the_longest_prefix_that_fits_and_an_ellipsis():
    assert encode_value("x" * 300) == "x" * 253 + "..."
    # Escapes are never cut in half: 100 "[" need 300 characters, 84 of them fit before the "...".
    cut = encode_value("[" * 100)
    assert cut == "+5B" * 84 + "..." and valid(cut) and decode_value(cut) == "[" * 84 + "..."


@pytest.mark.parametrize(
    "old",
    [
        "Auto rollback triggered: CloudWatch alarm s whisper-5xx went into ALARM state",
        "x" * 253 + "...",
        "AWS refused CreateModel: AccessDenied: User: arn:aws:iam::123456789012:user/x is not authorized",
    ],
)
def test_values_an_older_deployer_wrote_read_back_as_they_were(old):
    assert decode_value(old) == old


def test_a_literal_plus_and_hex_in_an_old_value_that_is_not_utf8_stays_as_it_is():
    assert decode_value("build+FF") == "build+FF"


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=400))
@example(REASON)
@example("+" * 90)
@example("\ud800")  # a lone surrogate survives too (surrogatepass)
def test_any_text_encodes_to_a_valid_value_that_decodes_back_or_to_a_documented_prefix(text):
    encoded = encode_value(text)
    assert valid(encoded), encoded
    decoded = decode_value(encoded)
    if decoded != text:
        assert not encoded_fits(text) and len(encoded) > TAG_VALUE_MAX - 12 - 3
        assert decoded.endswith("...") and text.startswith(decoded[:-3])


def test_only_the_deployers_own_tags_are_encoded_and_decoded():
    tags = {TAG_LAST_ROLLOUT_REASON: REASON, "team": "ml+ops"}
    written = {t["Key"]: t["Value"] for t in as_tags(tags)}
    assert written["team"] == "ml+ops"  # the user's value (validated by the spec) as it is
    assert written[TAG_LAST_ROLLOUT_REASON] == encode_value(REASON)
    assert decode_tags(written) == tags
    assert executor.as_tags is as_tags  # one encoder: deployer.state


def test_the_read_path_decodes_what_list_tags_returns():
    class Tags:
        def list_tags(self, **_):
            return {
                "Tags": [
                    {"Key": TAG_LAST_ROLLOUT_REASON, "Value": encode_value(REASON)},
                    {"Key": TAG_LEASE_OWNER, "Value": encode_value("host+1/7/ab")},
                ]
            }

    tags = reader.list_tags(Tags(), "arn:aws:sagemaker:eu-north-1:123456789012:endpoint/whisper")
    assert EndpointState.from_tags(tags).reason == REASON
    assert Lease.from_tags(tags).owner == "host+1/7/ab"
