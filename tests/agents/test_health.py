"""A dead endpoint is recognised whatever the client calls its error, ends the fallback chain at
once, and stops a session's calls after a few tries; a runaway answer is never stored whole."""

from __future__ import annotations

import socket

import httpx
import openai
import pytest
from langchain_openai.chat_models.base import OpenAIConnectionError

from agents.health import EndpointDown, EndpointHealth, is_transport_failure
from agents.llm import MAX_ANSWER_CHARS, RoleModel, build_chat_model
from agents.schemas import HypothesisSet
from agents.scripted import ScriptedChatModel
from agents.settings import ModelSettings
from agents.structured import StructuredCaller

MESSAGES = [{"role": "system", "content": "plan"}, {"role": "user", "content": "go"}]
REQUEST = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


def test_transport_failures_are_recognised_by_class_not_by_name():
    assert is_transport_failure(OpenAIConnectionError(message="gone", request=REQUEST))
    assert is_transport_failure(openai.APITimeoutError(request=REQUEST))
    assert is_transport_failure(httpx.ConnectError("refused"))
    assert is_transport_failure(ConnectionRefusedError())
    wrapped = RuntimeError("while planning")
    wrapped.__cause__ = httpx.ReadTimeout("slow")
    assert is_transport_failure(wrapped)
    response = httpx.Response(500, request=REQUEST)
    assert not is_transport_failure(
        openai.InternalServerError("boom", response=response, body=None)
    )
    assert not is_transport_failure(ValueError("Expecting value"))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection_ends_the_fallback_chain_after_one_request():
    settings = ModelSettings(
        base_url=f"http://127.0.0.1:{closed_port()}/v1", model="m", max_retries=0, timeout=5
    )
    model = RoleModel("planner", "m", build_chat_model(settings), endpoint=settings.endpoint)
    out = StructuredCaller().call(model, MESSAGES, HypothesisSet)
    assert out.value is None
    (record,) = out.records  # not one per fallback method
    assert "Connection" in record["error"]


def failing_model(health: EndpointHealth | None, answers: list) -> RoleModel:
    return RoleModel(
        "planner",
        "scripted",
        ScriptedChatModel(answers=answers),
        endpoint="scripted|x",
        health=health,
    )


def quick(limit: int = 3) -> EndpointHealth:
    health = EndpointHealth(limit)
    health.pause_s = lambda: 0.0  # type: ignore[method-assign]
    return health


def refused() -> Exception:
    return OpenAIConnectionError(message="Connection error.", request=REQUEST)


def test_a_blip_is_asked_again_and_costs_nothing():
    health = quick()
    model = failing_model(health, [refused(), refused(), "fine"])
    result = model.call(MESSAGES)
    assert result.ok and result.text == "fine"
    assert len(model.chat.requests) == 3 and not health.down


def test_a_dead_endpoint_raises_after_the_limit_and_for_every_later_call():
    health = quick(limit=3)
    model = failing_model(health, [refused()] * 10)
    with pytest.raises(EndpointDown, match="3 model calls in a row"):
        model.call(MESSAGES)
    assert len(model.chat.requests) == 3
    with pytest.raises(EndpointDown):
        failing_model(health, ["never asked"]).call(MESSAGES)


def test_a_server_error_is_an_answer_not_a_dead_endpoint():
    health = quick(limit=1)
    response = httpx.Response(500, request=REQUEST)
    model = failing_model(
        health, [openai.InternalServerError("boom", response=response, body=None)]
    )
    result = model.call(MESSAGES)
    assert not result.ok and not result.transport_failed and not health.down


def test_without_health_a_transport_failure_is_a_failed_call():
    result = failing_model(None, [refused()]).call(MESSAGES)
    assert not result.ok and result.transport_failed


def test_a_runaway_answer_is_recorded_by_its_size_never_stored():
    huge = "x" * (MAX_ANSWER_CHARS + 1)
    result = failing_model(None, [huge]).call(MESSAGES)
    assert not result.ok and result.record["response"] == ""
    assert f"{MAX_ANSWER_CHARS + 1:,} characters" in result.record["error"]
    assert len(str(result.record)) < 10_000
