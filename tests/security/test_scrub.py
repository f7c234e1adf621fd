"""API keys never reach the store, wherever they hide in an LLM call record."""

from __future__ import annotations

from memory import scrub_secrets

KEY = "sk-proj-AbCdEf0123456789abcdef"


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
    from memory.scrub import scrub_text

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
