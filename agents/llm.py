"""Chat models per role and the one call wrapper every agent goes through.

``build_chat_model`` turns :class:`~agents.settings.ModelSettings` into a ``ChatOpenAI`` that keeps
the server's ``reasoning_content``. :class:`RoleModel` pairs a chat model (real or scripted) with
its role, name, price and the secrets to scrub; :meth:`RoleModel.call` returns the answer and a
call record (a plain dict) that the graph stores in ``llm_calls``. Agents know nothing of SQL.

Record keys: role, model, messages ([{role, content}]), response, reasoning, input_tokens,
output_tokens, cost_usd, latency_s, error. ``error`` is one line, scrubbed of API keys.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, convert_to_messages
from langchain_core.rate_limiters import InMemoryRateLimiter
from langchain_openai import ChatOpenAI

from agents.gate import CallGate, call_through, is_rate_limit
from agents.health import EndpointHealth, is_transport_failure
from agents.settings import AgentSettings, ModelSettings, Price
from simulators.scrub import scrub_text

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": "..."}

#: Longest answer (or reasoning) kept from one call, in characters: about 64k tokens, far
#: beyond any program or plan worth reading. A runaway or hostile server's megabytes are
#: recorded as a failed call with their size, never stored (they would bloat memory and
#: every prompt that quotes them).
MAX_ANSWER_CHARS = 256_000


class ReasoningChatOpenAI(ChatOpenAI):
    """``ChatOpenAI`` that keeps ``reasoning_content`` (vLLM, DeepSeek, llama.cpp thinking models).

    The stock class drops the field; we copy it into ``additional_kwargs["reasoning_content"]``.
    """

    def _create_chat_result(self, response: Any, generation_info: dict | None = None):
        result = super()._create_chat_result(response, generation_info)
        try:
            raw = response if isinstance(response, dict) else response.model_dump()
            for generation, choice in zip(result.generations, raw.get("choices") or []):
                reasoning = (choice.get("message") or {}).get("reasoning_content")
                if reasoning:
                    generation.message.additional_kwargs["reasoning_content"] = reasoning
        except Exception:
            pass
        return result


_RATE_LIMITERS: dict[tuple[str, float], InMemoryRateLimiter] = {}


def _rate_limiter(settings: ModelSettings) -> InMemoryRateLimiter | None:
    """One token bucket per endpoint and rate, shared by every role that uses it."""
    if settings.requests_per_minute is None:
        return None
    key = (settings.endpoint, settings.requests_per_minute)
    if key not in _RATE_LIMITERS:
        _RATE_LIMITERS[key] = InMemoryRateLimiter(
            requests_per_second=settings.requests_per_minute / 60.0,
            check_every_n_seconds=0.05,
            max_bucket_size=1,
        )
    return _RATE_LIMITERS[key]


def _is_openai_host(base_url: str | None) -> bool:
    host = urlparse(base_url).hostname or "" if base_url else "api.openai.com"
    return host.endswith(("openai.com", "openai.azure.com"))


def build_chat_model(settings: ModelSettings) -> ChatOpenAI:
    """A ``ChatOpenAI`` for one model setting (any OpenAI-compatible server via ``base_url``)."""
    extra_body: dict[str, Any] = {}
    legacy = settings.legacy_max_tokens
    if legacy if legacy is not None else not _is_openai_host(settings.base_url):
        # ChatOpenAI sends ``max_completion_tokens``; llama.cpp and older servers only honour
        # ``max_tokens`` (without it llama.cpp generates until the context is full).
        extra_body["max_tokens"] = settings.max_tokens
    api_key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
    return ReasoningChatOpenAI(
        model=settings.model,
        base_url=settings.base_url,
        api_key=api_key,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        rate_limiter=_rate_limiter(settings),
        extra_body=extra_body or None,
    )


def scrub(text: str, secrets: Sequence[str] = ()) -> str:
    """Remove every known secret and anything shaped like a credential from ``text``.

    The same scrubber as the store's (``simulators.scrub``), so an error is cleaned by one set of
    rules: known values only from ``MIN_SECRET_LENGTH`` characters on (a short local-server key
    such as ``x`` would otherwise be cut out of every word holding that letter).
    """
    return scrub_text(text, secrets)


def describe_error(exc: BaseException, secrets: Sequence[str] = ()) -> str:
    """One scrubbed line naming the failure: exception type, HTTP status when known, message."""
    status = getattr(exc, "status_code", None)
    head = type(exc).__name__ + (f" (HTTP {status})" if status else "")
    message = " ".join(str(exc).split())[:500]
    return scrub(f"{head}: {message}" if message else head, secrets)


def _as_messages(messages: Sequence[Message | BaseMessage]) -> list[Message]:
    """Plain {role, content} dicts for the record."""
    out: list[Message] = []
    for m in convert_to_messages(list(messages)):
        role = {"human": "user", "ai": "assistant"}.get(m.type, m.type)
        content = m.content if isinstance(m.content, str) else json.dumps(m.content)
        out.append({"role": role, "content": content})
    return out


def response_text(message: AIMessage) -> str:
    """The answer as text; a tool call's arguments as JSON when the content is empty."""
    content = message.content if isinstance(message.content, str) else json.dumps(message.content)
    if not content and message.tool_calls:
        return json.dumps(message.tool_calls[0].get("args", {}))
    return content


def _usage(message: AIMessage) -> tuple[int, int]:
    usage = message.usage_metadata
    if usage:
        return int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))
    token_usage = message.response_metadata.get("token_usage") or {}
    return int(token_usage.get("prompt_tokens", 0)), int(token_usage.get("completion_tokens", 0))


@dataclass
class CallResult:
    """One model call: the message (None on failure) and its record for ``llm_calls``."""

    message: AIMessage | None
    record: dict[str, Any]
    #: The request never got an answer (connection refused or reset, timeout, or a rate limit
    #: that outlasted the gate's patience): another structured-output method would fail the
    #: same way, and the endpoint may be down.
    transport_failed: bool = False

    @property
    def text(self) -> str:
        """The answer text ('' on failure)."""
        return self.record["response"]

    @property
    def ok(self) -> bool:
        """True when the call returned an answer."""
        return self.record["error"] is None


@dataclass
class RoleModel:
    """A chat model bound to a role: what agents receive. Works with real and scripted models."""

    role: str
    name: str
    chat: BaseChatModel
    price: Price = field(default_factory=Price)
    endpoint: str = ""
    secrets: tuple[str, ...] = field(default=(), repr=False)  # values to scrub; never shown
    structured_method: str | None = None
    #: The session's limit on calls in flight (all roles share one); None: no limit.
    gate: CallGate | None = field(default=None, repr=False, compare=False)
    #: Transport failures in a row across the session's calls; None: not watched (chat).
    health: EndpointHealth | None = field(default=None, repr=False, compare=False)

    def call(self, messages: Sequence[Message | BaseMessage], **bind: Any) -> CallResult:
        """Invoke the model once; never raises for model/server failures (see ``record.error``).

        ``bind`` is passed to ``chat.bind`` (e.g. ``response_format``, ``tools``, ``tool_choice``).
        With a session's ``health``, a request that got no answer (connection refused, timeout)
        is asked again after a pause, so a blip costs nothing; once ``health`` judges the
        endpoint down, ``EndpointDown`` is raised (the session stops, resumable) instead of
        returning a failure that would spend an iteration on a dead server.
        """
        runnable = self.chat.bind(**bind) if bind else self.chat
        return self._invoke(runnable, messages)

    def call_runnable(self, runnable: Any, messages: Sequence[Message | BaseMessage]) -> CallResult:
        """Invoke a runnable derived from ``chat`` (e.g. ``bind_tools``) with the same recording."""
        return self._invoke(runnable, messages)

    def _invoke(self, runnable: Any, messages: Sequence[Message | BaseMessage]) -> CallResult:
        if self.health is None:
            return self._attempt(runnable, messages)
        while True:  # a request that never got an answer is asked again, until health says down
            self.health.check()
            result = self._attempt(runnable, messages)
            self.health.observe(result.transport_failed, result.record["error"])
            if not result.transport_failed:
                return result
            self.health.check()
            time.sleep(self.health.pause_s())

    def _attempt(self, runnable: Any, messages: Sequence[Message | BaseMessage]) -> CallResult:
        record: dict[str, Any] = {
            "role": self.role,
            "model": self.name,
            "messages": _as_messages(messages),
            "response": "",
            "reasoning": None,
            "input_tokens": 0,
            "output_tokens": 0,
            "cost_usd": 0.0,
            "latency_s": 0.0,
            "error": None,
        }
        started = [time.perf_counter()]

        def attempt() -> Any:
            started[0] = time.perf_counter()  # a rate-limited wait is not the model's latency
            return runnable.invoke(list(messages))

        try:
            message = call_through(self.gate, attempt)
        except Exception as exc:
            record["latency_s"] = time.perf_counter() - started[0]
            record["error"] = describe_error(exc, self.secrets)
            failed = is_transport_failure(exc) or is_rate_limit(exc)
            return CallResult(None, record, transport_failed=failed)
        record["latency_s"] = time.perf_counter() - started[0]
        if not isinstance(message, AIMessage):
            record["error"] = f"unexpected answer type {type(message).__name__}"
            return CallResult(None, record)
        input_tokens, output_tokens = _usage(message)
        record.update(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_usd=self.price.cost_usd(input_tokens, output_tokens),
        )
        text = response_text(message)
        reasoning = message.additional_kwargs.get("reasoning_content")
        oversized = max(len(text), len(reasoning or ""))
        if oversized > MAX_ANSWER_CHARS:
            record["error"] = (
                f"answer too large: {oversized:,} characters (the cap is "
                f"{MAX_ANSWER_CHARS:,}); not stored"
            )
            return CallResult(None, record)
        record.update(response=text, reasoning=reasoning)
        return CallResult(message, record)


def role_model(
    role: str, settings: AgentSettings, model_settings: ModelSettings | None = None
) -> RoleModel:
    """Build the RoleModel of ``role`` (or of an explicit ensemble member) from settings."""
    ms = model_settings or settings.for_role(role)
    return RoleModel(
        role=role,
        name=ms.model,
        chat=cached_chat_model(ms),
        price=settings.price_of(ms.model) or Price(),
        endpoint=ms.endpoint,
        secrets=tuple(settings.secrets()),
        structured_method=ms.structured_method,
    )


_CHAT_CACHE: dict[ModelSettings, ChatOpenAI] = {}


def cached_chat_model(settings: ModelSettings) -> ChatOpenAI:
    """One ChatOpenAI (and HTTP connection pool) per distinct model setting, reused across calls."""
    if settings not in _CHAT_CACHE:
        _CHAT_CACHE[settings] = build_chat_model(settings)
    return _CHAT_CACHE[settings]
