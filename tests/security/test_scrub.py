"""The one scrubber (``simulators.scrub``): API keys never reach the store, wherever they hide
in an LLM call record; a short configured key (``x``, ``abc``: what local servers are given)
is not cut out of every word that holds it, while long keys and key shapes are still scrubbed;
our secret-looking environment values are redacted from what a candidate controls."""

from __future__ import annotations

import pytest

from agents.llm import RoleModel, describe_error, scrub
from agents.scripted import ScriptedChatModel
from memory import Store, open_store, scrub_secrets
from simulators.scrub import MIN_SECRET_LENGTH, REDACTED, redact, scrub_text, secret_values

KEY = "sk-proj-AbCdEf0123456789abcdef"
LONG_KEY = "lm-studio-0123456789abcdef"  # no known key shape: only its value can find it
ERROR = "JSONDecodeError: Expecting value: line 1 column 1 (char 0) for the xabc batch"


@pytest.fixture
def store(tmp_path) -> Store:
    with open_store(tmp_path) as opened:
        yield opened


@pytest.fixture
def session_id(store: Store) -> int:
    return store.create_session("run-1", "spot_single", {"k": 3}, seed=11, scenario_version="1")


def test_keys_are_scrubbed_before_writing(store, session_id, tmp_path):
    store.record_llm_call(
        session_id,
        1,
        {
            "role": "planner",
            "model": "gpt",
            "messages": [
                {"role": "system", "content": f"use key {KEY} for tools"},
                {"role": "user", "content": "Authorization: Bearer abcdefghijklmnop123"},
            ],
            "response": 'config: {"api_key": "plainsecret99"}',
            "reasoning": f"I saw OPENAI_API_KEY={KEY}",
            "error": "401 for api_key=zz-secret-zz",
            "api_key": KEY,
            "headers": {"Authorization": "Bearer qwertyuiopasdfgh"},
            "input_tokens": 1,
            "output_tokens": 1,
        },
    )
    store.add_event(session_id, "config", {"llm": {"api_key": "abcd1234", "model": "gpt"}})
    store.close()
    raw = (tmp_path / "adrs.db").read_bytes()
    wal = tmp_path / "adrs.db-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    for secret in (
        KEY,
        "abcdefghijklmnop123",
        "plainsecret99",
        "zz-secret-zz",
        "qwertyuiop",
        "abcd1234",
    ):
        assert secret.encode() not in raw, secret


def test_scrub_keeps_ordinary_text():
    text = {"content": "the sk-learn style task costs $3.06/h; token budget 500", "n": 3}
    assert scrub_secrets(text) == text
    cleaned = scrub_secrets({"content": f"key={KEY}", "password": "x1", "nested": [KEY]})
    assert KEY not in str(cleaned) and "x1" not in str(cleaned)


def test_every_key_shape_is_redacted_and_labels_stay():
    secrets = {
        "sk": "sk-ant-api03-abcdefgh1234",
        "github": "ghp_abcdefghijklmnopqrstuvwx",
        "huggingface": "hf_abcdefghijklmnopqrstu",
        "google": "AIzaSyA-abcdefghijklmnopqrstuvwxyz12",
        "aws": "AKIAIOSFODNN7EXAMPLE",
        "slack": "xoxb-1234567890-abcdef",
    }
    for name, secret in secrets.items():
        assert scrub_text(f"{name}: {secret} end") == f"{name}: [REDACTED] end", name
    assert scrub_text("Authorization: Bearer abc.def-123456") == "Authorization: [REDACTED]"
    assert scrub_text('{"Password": "hunter2!"}') == '{"Password": "[REDACTED]"}'
    assert scrub_text("api_key=sk-proj-0123456789abcdef x") == "api_key=[REDACTED] x"


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


def test_our_secret_environment_values_are_found_and_redacted(monkeypatch):
    """What the sandbox redacts from a candidate's text: values of secret-looking variables,
    from the same minimum length; ``redact`` replaces exactly the values it is given."""
    monkeypatch.setenv("ADRS_API_KEY", "sk-canary-0123456789")
    monkeypatch.setenv("SHORT_TOKEN", "abc")  # too short to redact without mangling words
    assert "sk-canary-0123456789" in secret_values()
    assert "abc" not in secret_values()
    assert redact("plain words", ["plain"]) == "[REDACTED] words"
    assert redact("key sk-canary-0123456789 abc") == f"key {REDACTED} abc"
    assert secret_values({"PATH": "/usr/local/bin", "DB_PASSWORD": "hunter2-long"}) == [
        "hunter2-long"
    ]
