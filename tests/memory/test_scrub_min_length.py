"""A short configured key (``x``, ``abc``: what local servers are given) is not cut out of every
word that holds it; long keys and key shapes are still scrubbed, by the one scrubber."""

from __future__ import annotations

import pytest

from agents.llm import RoleModel, describe_error, scrub
from agents.scripted import ScriptedChatModel
from memory.scrub import MIN_SECRET_LENGTH, REDACTED, scrub_text

LONG_KEY = "lm-studio-0123456789abcdef"  # no known key shape: only its value can find it
ERROR = "JSONDecodeError: Expecting value: line 1 column 1 (char 0) for the xabc batch"


@pytest.mark.parametrize("short_key", ["x", "abc", "EMPTY", "a" * (MIN_SECRET_LENGTH - 1)])
def test_a_short_key_leaves_ordinary_text_alone(short_key):
    text = ERROR + " " + "a" * 12
    assert scrub(text, [short_key]) == text
    assert scrub_text(text, [short_key]) == text


def test_a_long_key_is_still_scrubbed_everywhere_in_both_entry_points():
    text = f"401 for key {LONG_KEY}; retried with {LONG_KEY}"
    assert scrub(text, ["x", LONG_KEY]) == f"401 for key {REDACTED}; retried with {REDACTED}"
    assert scrub_text(text, [LONG_KEY]) == scrub(text, [LONG_KEY])


def test_a_key_holding_another_is_removed_whole():
    inner = LONG_KEY[:10]
    assert scrub(f"key {LONG_KEY} end", [inner, LONG_KEY]) == f"key {REDACTED} end"


def test_a_label_followed_by_a_word_is_not_a_key():
    """``api_key parameter``: the old llm scrubber took any 8-character word after the label."""
    text = "the api_key parameter is required; Bearer tokens are refused"
    assert scrub(text) == text


def test_a_failed_call_keeps_its_error_readable_with_a_short_key():
    model = RoleModel(
        "planner",
        "m",
        ScriptedChatModel(answers=[ValueError("Expecting value: line 1")]),
        secrets=("x",),
    )
    error = model.call([{"role": "user", "content": "hi"}]).record["error"]
    assert error == "ValueError: Expecting value: line 1"
    assert describe_error(ValueError(f"bad {LONG_KEY}"), ["x", LONG_KEY]) == (
        f"ValueError: bad {REDACTED}"
    )
