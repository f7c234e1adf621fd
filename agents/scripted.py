"""A deterministic chat model for tests and replay: answers from a script, reports token usage.

``ScriptedChatModel`` subclasses ``BaseChatModel`` (langchain_core's fake models lack
``bind_tools``). Each answer is, in order of the script:

- a string: the answer text;
- a dict ``{"content": str, "tool_calls": [{"name", "args"}], "reasoning": str}``;
- an exception instance: raised, as a failing server would.

With ``respond=fn`` instead of ``answers``, ``fn(prompt)`` is called with the prompt text (all
message contents joined by blank lines) and returns one of the above. When tools are bound and a
string answer parses as a JSON object, it comes back as a call of the first bound tool, so the
structured-output chain and replays behave like a server that supports function calling.

Parallel graph branches share one script, so their order decides who gets which answer: for
determinism with parallel branches use ``respond`` (keyed on the prompt), ``from_records(...,
by_prompt=True)``, or ``max_concurrency=1``.

Token counts are whitespace word counts: deterministic and > 0 for non-empty text.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import PrivateAttr

Answer = str | dict | BaseException


class ScriptExhausted(RuntimeError):
    """The scripted model was asked more often than the script has answers."""


class ScriptedError(RuntimeError):
    """A replayed failure: the recorded call failed with this message."""


def _replayed(rec: dict[str, Any]) -> Answer:
    """The answer a recorded call gave: its text (and reasoning), or its error raised again."""
    if rec.get("error"):
        return ScriptedError(rec["error"])
    answer: dict[str, Any] = {"content": rec.get("response") or ""}
    if rec.get("reasoning"):
        answer["reasoning"] = rec["reasoning"]
    return answer


def prompt_text(messages: Sequence[BaseMessage]) -> str:
    """The prompt as one string: the message contents joined by blank lines."""
    return "\n\n".join(
        m.content if isinstance(m.content, str) else str(m.content) for m in messages
    )


class ScriptedChatModel(BaseChatModel):
    """Answers from a list (in order) or a function of the prompt; records every request."""

    answers: list[Any] | None = None
    respond: Callable[[str], Any] | None = None
    repeat_last: bool = False
    model_name: str = "scripted"

    _index: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _requests: list[dict[str, Any]] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every request so far: {"prompt": str, "messages": [...], "options": {...}}."""
        return self._requests

    @classmethod
    def from_records(
        cls, records: Sequence[dict[str, Any]], by_prompt: bool = False, **kwargs: Any
    ) -> ScriptedChatModel:
        """A model that replays recorded calls (``llm_calls`` rows) answer by answer.

        In order by default. With ``by_prompt=True`` each request gets the next recorded answer
        *for the same prompt* (messages compared as text), so parallel branches that call in a
        different order than during recording still get their own answers.
        """
        answers: list[Answer] = [_replayed(rec) for rec in records]
        if not by_prompt:
            return cls(answers=answers, **kwargs)
        by_text: dict[str, deque[Answer]] = {}
        for rec, answer in zip(records, answers):
            text = "\n\n".join(m["content"] for m in rec.get("messages", []))
            by_text.setdefault(text, deque()).append(answer)

        def respond(prompt: str) -> Answer:
            queue = by_text.get(prompt)
            if not queue:
                raise ScriptExhausted("no recorded answer left for this prompt")
            return queue.popleft()

        return cls(respond=respond, **kwargs)

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools like ChatOpenAI does (OpenAI tool dicts in the request options)."""
        formatted = [convert_to_openai_tool(t) for t in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    def _next_answer(self, prompt: str) -> Answer:
        if self.respond is not None:  # concurrent, like a server: ``respond`` locks if it must
            return self.respond(prompt)
        with self._lock:
            script = self.answers or []
            if self._index >= len(script):
                if self.repeat_last and script:
                    return script[-1]
                raise ScriptExhausted(
                    f"scripted model has {len(script)} answers and was asked for answer "
                    f"{self._index + 1}"
                )
            answer = script[self._index]
            self._index += 1
            return answer

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        prompt = prompt_text(messages)
        self._requests.append(
            {
                "prompt": prompt,
                "messages": [{"type": m.type, "content": m.content} for m in messages],
                "options": kwargs,
            }
        )
        answer = self._next_answer(prompt)
        if isinstance(answer, BaseException):
            raise answer
        content, tool_calls, reasoning = "", [], None
        if isinstance(answer, dict):
            content = answer.get("content", "") or ""
            tool_calls = list(answer.get("tool_calls", []))
            reasoning = answer.get("reasoning")
        else:
            content = str(answer)
        tools = kwargs.get("tools") or []
        if tools and not tool_calls:
            try:
                args = json.loads(content, strict=False)
            except ValueError:
                args = None
            if isinstance(args, dict):
                tool_calls = [{"name": tools[0]["function"]["name"], "args": args}]
                content = ""
        tool_calls = [
            {
                "name": c["name"],
                "args": c.get("args", {}),
                "id": c.get("id", f"call_{i}"),
                "type": "tool_call",
            }
            for i, c in enumerate(tool_calls)
        ]
        input_tokens = max(1, len(prompt.split()))
        answer_text = content or "".join(json.dumps(c["args"]) for c in tool_calls)
        output_tokens = len(answer_text.split())
        usage = {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
        }
        message = AIMessage(
            content=content,
            tool_calls=tool_calls,
            additional_kwargs={"reasoning_content": reasoning} if reasoning else {},
            usage_metadata=usage,
            response_metadata={
                "model_name": self.model_name,
                "token_usage": {
                    "prompt_tokens": input_tokens,
                    "completion_tokens": output_tokens,
                    "total_tokens": input_tokens + output_tokens,
                },
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])
