"""Structured outputs (pydantic models) from any server, through a fallback chain.

Methods, strongest first:

1. ``json_schema`` — OpenAI strict structured outputs (``response_format`` type json_schema);
2. ``function_calling`` — one forced tool whose parameters are the schema;
3. ``json_object_schema`` — ``response_format={"type": "json_object", "schema": ...}``: what
   llama-cpp-python's server constrains its grammar with, plus the schema in the prompt
   (measured against that server: json_schema fails with HTTP 500, function calling returned
   nothing);
4. ``prompt`` — the schema in the prompt, the first JSON object in the answer is parsed.

Every answer is parsed with ``json.loads(text, strict=False)`` (small models put raw control
characters inside strings) and validated by the model class. The chain remembers per endpoint the
method that last worked and starts there next time, so a weak server does not pay for the failing
methods on every call. Transport failures (timeout, connection refused, HTTP 429) end the chain at
once: another method would fail the same way. Every attempt, failed or not, yields a call record.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Generic, TypeVar

from langchain_core.utils.function_calling import convert_to_openai_function
from pydantic import BaseModel, ValidationError

from agents.llm import Message, RoleModel

T = TypeVar("T", bound=BaseModel)

METHODS: tuple[str, ...] = ("json_schema", "function_calling", "json_object_schema", "prompt")


@dataclass
class Structured(Generic[T]):
    """A parsed value (None when every method failed), the method that worked, all records."""

    value: T | None
    method: str | None
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def error(self) -> str | None:
        """The last attempt's error when no value came out."""
        if self.value is not None:
            return None
        return self.records[-1]["error"] if self.records else "no attempt was made"


def schema_instructions(schema: type[BaseModel]) -> str:
    """The sentence appended to the prompt for the JSON-in-text methods."""
    return (
        "Answer with one JSON object and nothing else (no prose, no code fence). "
        "It must match this JSON schema:\n"
        + json.dumps(schema.model_json_schema(), separators=(",", ":"))
    )


def extract_json(text: str) -> Any:
    """The first JSON object in ``text`` (tolerates code fences, prose and control characters)."""
    stripped = text.strip()
    try:
        return json.loads(stripped, strict=False)
    except ValueError:
        pass
    decoder = json.JSONDecoder(strict=False)
    start = stripped.find("{")
    while start != -1:
        try:
            value, _ = decoder.raw_decode(stripped, start)
            return value
        except ValueError:
            start = stripped.find("{", start + 1)
    raise ValueError(f"no JSON object in the answer ({len(text)} characters)")


def _with_instructions(messages: list[Message], schema: type[BaseModel]) -> list[Message]:
    """Append the schema instructions to the last user message (or add one)."""
    messages = [dict(m) for m in messages]
    note = schema_instructions(schema)
    for m in reversed(messages):
        if m["role"] == "user":
            m["content"] = f"{m['content']}\n\n{note}"
            return messages
    return [*messages, {"role": "user", "content": note}]


def _validate(schema: type[T], data: Any) -> T:
    # Small models often wrap the object: {"HypothesisSet": {...}} or {"properties": {...}}.
    if isinstance(data, dict) and len(data) == 1:
        ((key, inner),) = data.items()
        if key not in schema.model_fields and isinstance(inner, dict):
            data = inner
    return schema.model_validate(data)


def _one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        errs = exc.errors()
        first = errs[0]
        where = ".".join(str(p) for p in first["loc"]) or "root"
        return f"invalid {exc.title}: {len(errs)} error(s), first at {where}: {first['msg']}"
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"


@lru_cache(maxsize=64)
def _function_spec(schema: type[BaseModel], strict: bool) -> dict[str, Any]:
    """The OpenAI function form of ``schema``, built once per schema: converting it costs about
    a millisecond, on every planner, critic and verifier call. Callers must not mutate it."""
    return convert_to_openai_function(schema, strict=strict)


@lru_cache(maxsize=64)
def _json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """``schema.model_json_schema()``, built once per schema (read-only, like the above)."""
    return schema.model_json_schema()


class StructuredCaller:
    """Runs the fallback chain and remembers, per endpoint, where to start. Thread-safe."""

    def __init__(self, methods: tuple[str, ...] = METHODS) -> None:
        self.methods = methods
        self._start: dict[str, int] = {}
        self._lock = threading.Lock()

    def preferred(self, endpoint: str) -> str | None:
        """The method this endpoint last answered with (None: not known yet)."""
        with self._lock:
            index = self._start.get(endpoint)
        return None if index is None else self.methods[index]

    def _first_index(self, model: RoleModel) -> int:
        with self._lock:
            if model.endpoint in self._start:
                return self._start[model.endpoint]
        if model.structured_method in self.methods:
            return self.methods.index(model.structured_method)
        return 0

    def call(self, model: RoleModel, messages: list[Message], schema: type[T]) -> Structured[T]:
        """Ask ``model`` for a ``schema`` instance; never raises for model or server failures."""
        records: list[dict[str, Any]] = []
        for index in range(self._first_index(model), len(self.methods)):
            method = self.methods[index]
            result, record, transport_failed = self._attempt(model, messages, schema, method)
            records.append(record)
            if result is not None:
                with self._lock:
                    self._start[model.endpoint] = index
                return Structured(result, method, records)
            if transport_failed:
                break
        return Structured(None, None, records)

    def _attempt(
        self, model: RoleModel, messages: list[Message], schema: type[T], method: str
    ) -> tuple[T | None, dict[str, Any], bool]:
        """One attempt: (value or None, its record, whether the transport itself failed)."""
        function = _function_spec(schema, strict=method == "json_schema")
        if method == "json_schema":
            response_format = {
                "type": "json_schema",
                "json_schema": {
                    "name": function["name"],
                    "schema": function["parameters"],
                    "strict": True,
                },
            }
            call = model.call(messages, response_format=response_format)
        elif method == "function_calling":
            runnable = model.chat.bind_tools([schema], tool_choice=function["name"])
            call = model.call_runnable(runnable, messages)
        elif method == "json_object_schema":
            response_format = {"type": "json_object", "schema": _json_schema(schema)}
            call = model.call(_with_instructions(messages, schema), response_format=response_format)
        else:
            call = model.call(_with_instructions(messages, schema))
        record = call.record
        if not call.ok:
            record["error"] = f"[{method}] {record['error']}"
            return None, record, call.transport_failed
        try:
            if method == "function_calling":
                if call.message is None or not call.message.tool_calls:
                    raise ValueError("the server returned no tool call")
                data = call.message.tool_calls[0]["args"]
            else:
                if not call.text.strip():
                    raise ValueError("empty answer")
                data = extract_json(call.text)
            return _validate(schema, data), record, False
        except (ValueError, ValidationError) as exc:
            record["error"] = f"[{method}] {_one_line(exc)}"
            return None, record, False
