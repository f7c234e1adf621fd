"""The call wrapper: records, costs, reasoning text, and API keys kept out of everything."""

import json

from agents.llm import RoleModel, build_chat_model, role_model, scrub
from agents.scripted import ScriptedChatModel, ScriptExhausted
from agents.settings import Price, load_settings
from tests.support.fault_server import FaultServer

KEY = "sk-live-abcdefghijklmnopqrstuvwxyz0123"
RECORD_KEYS = {
    "role",
    "model",
    "messages",
    "response",
    "reasoning",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "latency_s",
    "error",
}


def _settings(server: FaultServer, **flags):
    env = {
        "ADRS_API_KEY": KEY,
        "ADRS_BASE_URL": server.base_url,
        "ADRS_MODEL": "fault-model",
        "ADRS_MAX_RETRIES": "0",
        "ADRS_TIMEOUT": "0.5",
    }
    return load_settings(None, flags=flags, env=env)


def test_record_of_a_real_call_with_reasoning_and_cost():
    with FaultServer(
        default={"content": "hello there", "reasoning_content": "thinking hard"}
    ) as srv:
        s = _settings(srv)
        s.prices["fault-model"] = Price(input=1.0, output=2.0)
        model = role_model("critic", s)
        result = model.call(
            [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": "say hi please"},
            ]
        )
        rec = result.record
        assert set(rec) == RECORD_KEYS and result.ok
        assert rec["response"] == "hello there" and rec["reasoning"] == "thinking hard"
        assert rec["messages"][1] == {"role": "user", "content": "say hi please"}
        assert rec["input_tokens"] == 5 and rec["output_tokens"] == 2
        assert rec["cost_usd"] == (5 * 1.0 + 2 * 2.0) / 1e6
        assert rec["latency_s"] > 0
        headers = {k.lower(): v for k, v in srv.chat_requests[0]["headers"].items()}
        assert headers["authorization"] == f"Bearer {KEY}"
        json.dumps(rec)  # plain data, storable as is


def test_key_never_appears_in_records_or_errors():
    with FaultServer() as srv:
        model = role_model("coder", _settings(srv))
        records = []
        for fault in ("429", "500", "hang", "truncated_body", "empty", "garbage_code"):
            srv.script(fault)
            records.append(model.call([{"role": "user", "content": "x"}]).record)
        text = json.dumps(records)
        assert KEY not in text and KEY not in repr(model)
        errors = [r["error"] for r in records]
        assert "HTTP 429" in errors[0] and "HTTP 500" in errors[1] and "Timeout" in errors[2]
        assert errors[3] is not None  # a truncated body is an error, with a reason
        assert errors[4] is None and records[4]["response"] == ""
        assert errors[5] is None and "def policy(((" in records[5]["response"]


def test_scrub_removes_known_and_credential_shaped_secrets():
    line = f"failed with Authorization: Bearer {KEY} and api_key=abcdefgh12345 and sk-0123456789ab"
    clean = scrub(line, [KEY])
    assert KEY not in clean and "abcdefgh12345" not in clean and "sk-0123456789ab" not in clean


def test_exception_text_holding_the_key_is_scrubbed():
    model = RoleModel(
        "planner", "m", ScriptedChatModel(answers=[RuntimeError(f"bad key {KEY}")]), secrets=(KEY,)
    )
    rec = model.call([{"role": "user", "content": "x"}]).record
    assert rec["error"].startswith("RuntimeError") and KEY not in rec["error"]


def test_scripted_model_is_deterministic_and_reports_usage():
    def run():
        chat = ScriptedChatModel(respond=lambda prompt: f"echo {len(prompt)}")
        model = RoleModel("critic", "scripted", chat)
        return [model.call([{"role": "user", "content": "a b c"}]).record for _ in range(2)]

    first, second = run(), run()
    strip = [{k: v for k, v in r.items() if k != "latency_s"} for r in first]
    assert strip == [{k: v for k, v in r.items() if k != "latency_s"} for r in second]
    assert first[0]["response"] == "echo 5" and first[0]["input_tokens"] == 3


def test_scripted_model_runs_out_loudly_and_replays_records():
    model = RoleModel("planner", "s", ScriptedChatModel(answers=["one"]))
    model.call([{"role": "user", "content": "x"}])
    rec = model.call([{"role": "user", "content": "x"}]).record
    assert ScriptExhausted.__name__ in rec["error"]
    recorded = [
        {"response": "first", "error": None, "reasoning": "why"},
        {"response": "", "error": "RateLimitError (HTTP 429): slow down"},
    ]
    replay = RoleModel("planner", "s", ScriptedChatModel.from_records(recorded))
    again = [replay.call([{"role": "user", "content": "x"}]).record for _ in recorded]
    assert again[0]["response"] == "first" and again[0]["reasoning"] == "why"
    assert "RateLimitError (HTTP 429)" in again[1]["error"]


def test_replay_by_prompt_survives_a_different_call_order():
    recorded = []
    original = RoleModel("coder", "s", ScriptedChatModel(answers=["for A", "for B", "A again"]))
    for prompt in ("A", "B", "A"):
        recorded.append(original.call([{"role": "user", "content": prompt}]).record)
    replay = RoleModel("coder", "s", ScriptedChatModel.from_records(recorded, by_prompt=True))
    got = [replay.call([{"role": "user", "content": p}]).text for p in ("B", "A", "A")]
    assert got == ["for B", "for A", "A again"]
    assert "no recorded answer" in replay.call([{"role": "user", "content": "A"}]).record["error"]


def test_scripted_model_supports_bind_tools():
    chat = ScriptedChatModel(answers=['{"a": 1}'])
    msg = chat.bind_tools(
        [
            {
                "type": "function",
                "function": {"name": "f", "parameters": {"type": "object", "properties": {}}},
            }
        ]
    ).invoke("hi")
    assert msg.tool_calls[0]["name"] == "f" and msg.tool_calls[0]["args"] == {"a": 1}


def test_openai_host_gets_no_legacy_max_tokens():
    s = load_settings(None, env={"ADRS_MODEL": "gpt-4o-mini", "ADRS_API_KEY": KEY})
    chat = build_chat_model(s.for_role("planner"))
    assert not chat.extra_body
    azure = load_settings(None, flags={"base_url": "https://x.openai.azure.com/v1", "model": "m"})
    assert not build_chat_model(azure.for_role("coder")).extra_body
    forced = load_settings(None, env={"ADRS_LEGACY_MAX_TOKENS": "true", "ADRS_MODEL": "o3"})
    assert build_chat_model(forced.for_role("coder")).extra_body == {"max_tokens": 2048}
    assert KEY not in repr(chat)


def test_rate_limit_spaces_requests():
    import time

    with FaultServer(default="ok") as srv:
        model = role_model("critic", _settings(srv, requests_per_minute=300))  # 5 per second
        started = time.perf_counter()
        for _ in range(3):
            assert model.call([{"role": "user", "content": "x"}]).ok
        assert time.perf_counter() - started >= 0.35
