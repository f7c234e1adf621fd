"""Models that answer with a recorded session's answers (``adrs run --replay``): reproduce a
result or debug a prompt without any model server."""

from __future__ import annotations

import threading
from typing import Any

from agents.health import DEFAULT_LIMIT
from agents.llm import RoleModel
from agents.scripted import ScriptedChatModel, prompt_text
from agents.settings import ROLES
from graph.runtime import Models
from memory.store import Store


def replay_models(
    store: Store,
    session_ref: str,
    concurrency: int | None = None,
    endpoint_failures: int = DEFAULT_LIMIT,
) -> Models:
    """Models that answer with a recorded session's answers: by identical prompt first, else in
    recorded order per role. Reproduces a result or debugs a prompt without a server."""
    session = store.resolve_session(session_ref)
    models: dict[str, RoleModel] = {}
    for role in ROLES:
        calls = store.llm_calls(session.id, role=role, limit=1_000_000)
        by_prompt: dict[str, list[Any]] = {}
        for call in calls:
            by_prompt.setdefault(prompt_text_of(call.messages), []).append(call)
        queue = list(calls)
        lock = threading.Lock()

        def respond(prompt: str, by_prompt=by_prompt, queue=queue, lock=lock) -> Any:
            with lock:  # lanes ask at once
                matches = by_prompt.get(prompt)
                call = matches.pop(0) if matches else (queue.pop(0) if queue else None)
                if call is None:
                    return ""  # the recording ran out: an empty answer, recorded as such
                if call in queue:
                    queue.remove(call)
            if call.error:
                return RuntimeError(call.error)
            return {"content": call.response or "", "reasoning": call.reasoning}

        chat = ScriptedChatModel(respond=respond, model_name=f"replay:{session.name}")
        models[role] = RoleModel(role=role, name=f"replay:{session.name}", chat=chat)
    return Models(fixed=models, concurrency=concurrency, endpoint_failures=endpoint_failures)


def prompt_text_of(messages: list[dict[str, Any]]) -> str:
    """The same prompt key the scripted model computes for a request."""
    from langchain_core.messages import convert_to_messages

    return prompt_text(convert_to_messages([(m["role"], m["content"]) for m in messages]))
