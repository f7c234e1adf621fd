"""The structured-output fallback chain, against the scripted model and a real faulty server."""

import json

from agents.llm import RoleModel, build_chat_model
from agents.schemas import Critique, HypothesisSet
from agents.scripted import ScriptedChatModel
from agents.settings import ModelSettings
from agents.structured import METHODS, StructuredCaller, extract_json
from tests.support.fault_server import FaultServer

GOOD = {
    "hypotheses": [
        {"text": "t", "rationale": "r", "expected_effect": "e", "parent_program_id": "p1"}
    ]
}
MESSAGES = [{"role": "system", "content": "plan"}, {"role": "user", "content": "go"}]


def scripted(*answers) -> RoleModel:
    return RoleModel(
        "planner", "scripted", ScriptedChatModel(answers=list(answers)), endpoint="scripted|x"
    )


def test_first_method_works_with_a_scripted_model():
    model = scripted(json.dumps(GOOD))
    out = StructuredCaller().call(model, MESSAGES, HypothesisSet)
    assert out.method == "json_schema" and out.value.hypotheses[0].parent_program_id == "p1"
    (record,) = out.records
    assert record["error"] is None and record["input_tokens"] > 0 and record["output_tokens"] > 0
    request = model.chat.requests[0]["options"]
    assert request["response_format"]["type"] == "json_schema"


def test_chain_falls_through_and_remembers_the_working_method():
    # json_schema: prose; function_calling: prose again (no tool call); json_object_schema: ok.
    model = scripted("no idea", "still prose", json.dumps(GOOD), json.dumps(GOOD))
    caller = StructuredCaller()
    out = caller.call(model, MESSAGES, HypothesisSet)
    assert out.method == "json_object_schema"
    assert [r["error"] is None for r in out.records] == [False, False, True]
    assert out.records[0]["error"].startswith("[json_schema]")
    assert "no tool call" in out.records[1]["error"]
    assert caller.preferred("scripted|x") == "json_object_schema"
    again = caller.call(model, MESSAGES, HypothesisSet)
    assert again.method == "json_object_schema" and len(again.records) == 1


def test_prompt_and_parse_tolerates_fences_prose_and_control_characters():
    answer = 'Sure!\n```json\n{"findings": ["a\tb\nc"], "diagnosis": "d", "suggestions": []}\n```'
    model = scripted("x", "y", "z", answer)
    out = StructuredCaller().call(model, MESSAGES, Critique)
    assert out.method == "prompt" and out.value.findings == ["a\tb\nc"]
    prompt = model.chat.requests[-1]["prompt"]
    assert "JSON schema" in prompt and "diagnosis" in prompt


def test_every_method_failing_returns_none_with_all_records():
    model = scripted("a", "b", "c", "d")
    out = StructuredCaller().call(model, MESSAGES, HypothesisSet)
    assert out.value is None and len(out.records) == len(METHODS)
    assert out.error.startswith("[prompt]")


def test_wrapped_object_is_unwrapped():
    assert extract_json('noise {"a": 1} more') == {"a": 1}
    model = scripted(json.dumps({"HypothesisSet": GOOD}))
    assert StructuredCaller().call(model, MESSAGES, HypothesisSet).value is not None


def _server_model(server: FaultServer, **kw) -> RoleModel:
    ms = ModelSettings(
        base_url=server.base_url,
        model="fault-model",
        api_key="sk-test-key-xyz123",
        max_retries=0,
        timeout=kw.pop("timeout", 5.0),
        **kw,
    )
    return RoleModel(
        "planner",
        ms.model,
        build_chat_model(ms),
        endpoint=ms.endpoint,
        secrets=("sk-test-key-xyz123",),
    )


def test_fault_server_500_then_empty_then_truncated_then_ok():
    with FaultServer(default=json.dumps(GOOD)) as server:
        server.script("500", "empty", "truncated_json")
        model = _server_model(server)
        caller = StructuredCaller()
        out = caller.call(model, MESSAGES, HypothesisSet)
        assert out.method == "prompt" and out.value is not None
        errors = [r["error"] for r in out.records]
        assert "HTTP 500" in errors[0] and errors[0].startswith("[json_schema]")
        assert errors[1].startswith("[function_calling]") and "no tool call" in errors[1]
        assert errors[2].startswith("[json_object_schema]") and "JSON" in errors[2]
        assert errors[3] is None and out.records[3]["input_tokens"] > 0
        sent = [r["body"] for r in server.chat_requests]
        assert sent[0]["response_format"]["type"] == "json_schema"
        assert sent[1]["tool_choice"]["function"]["name"] == "HypothesisSet"
        assert sent[2]["response_format"] == {
            "type": "json_object",
            "schema": HypothesisSet.model_json_schema(),
        }
        assert sent[0]["max_tokens"] == 2048  # llama.cpp-style servers need max_tokens
        # The chain now starts at the method that worked.
        assert caller.call(model, MESSAGES, HypothesisSet).records.__len__() == 1


def test_transport_failures_stop_the_chain():
    with FaultServer(default=json.dumps(GOOD), hang_s=3.0) as server:
        server.script("429")
        out = StructuredCaller().call(_server_model(server), MESSAGES, HypothesisSet)
        assert out.value is None and len(out.records) == 1
        assert "RateLimitError (HTTP 429)" in out.records[0]["error"]
        server.script("hang")
        out = StructuredCaller().call(_server_model(server, timeout=0.5), MESSAGES, HypothesisSet)
        assert out.value is None and len(out.records) == 1 and "Timeout" in out.error
        assert out.records[0]["latency_s"] < 2.5


def test_embedded_endpoint_starts_at_json_object_schema():
    with FaultServer(default=json.dumps(GOOD)) as server:
        model = _server_model(server, structured_method="json_object_schema")
        model.structured_method = "json_object_schema"
        out = StructuredCaller().call(model, MESSAGES, HypothesisSet)
        assert out.method == "json_object_schema" and len(server.chat_requests) == 1
