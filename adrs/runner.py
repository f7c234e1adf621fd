"""What ``adrs run`` and ``adrs resume`` share: models (the embedded server when nothing is
configured), reference scores for the console, the approval prompt, and the closing summary."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from adrs.errors import AdrsError, UsageError
from agents.health import DEFAULT_LIMIT
from agents.llm import RoleModel
from agents.scripted import ScriptedChatModel, prompt_text
from agents.settings import ROLES, AgentSettings, SettingsError, load_settings
from graph.control import wait_for_decision
from graph.runtime import Models
from graph.runtime import default_concurrency as concurrency_for
from memory.store import Store
from simulators.executors import Executor, LocalExecutor
from simulators.references import BaselineFailed, References
from simulators.scenario import Scenario

EMBEDDED_MAX_TOKENS = 600


class EndpointUnreachable(AdrsError):
    """The configured model server does not answer; nothing was started or lost."""


def _preflight(base_url: str) -> None:
    """Fail fast, in one line, when the endpoint cannot even be connected to."""
    try:
        httpx.get(base_url.rstrip("/") + "/models", timeout=10.0)
    except httpx.HTTPError as err:
        raise EndpointUnreachable(
            f"cannot reach the model endpoint {base_url}: {type(err).__name__}. Start the "
            "server or fix --base-url (unset it to use the embedded demonstration model)"
        ) from None


def _settings(
    workspace: Path, flags: dict[str, Any], recorded: dict[str, Any] | None = None
) -> AgentSettings:
    try:
        return load_settings(workspace, flags, recorded=recorded)
    except SettingsError as err:
        raise UsageError(str(err)) from None


def default_concurrency(
    workspace: Path, flags: dict[str, Any], recorded: dict[str, Any] | None = None
) -> int:
    """Model calls in flight when ``--concurrency`` is not given (1 for the embedded model)."""
    return concurrency_for(_settings(workspace, flags, recorded))


@contextmanager
def models_for(
    workspace: Path,
    flags: dict[str, Any],
    concurrency: int | None = None,
    endpoint_failures: int = DEFAULT_LIMIT,
    recorded: dict[str, Any] | None = None,
) -> Iterator[Models]:
    """Role models from flags, environment and ``config.toml``; with no endpoint anywhere, the
    embedded llama.cpp server runs for the duration of the block. ``concurrency``: model
    calls in flight (default: ``graph.runtime.default_concurrency``); ``endpoint_failures``:
    transport failures in a row that stop the session (``agents.health``); ``recorded``: the
    settings a resumed session ran with (``AgentSettings.record``), below the flags."""
    settings = _settings(workspace, flags, recorded)
    if not settings.embedded:
        for role in ROLES:
            _preflight(settings.for_role(role).endpoint)
        yield Models(settings, concurrency=concurrency, endpoint_failures=endpoint_failures)
        return
    from adrs.progress import progress
    from agents.embedded import EmbeddedServer, EmbeddedServerError

    try:
        with progress("starting the embedded model server (llama.cpp, SmolLM2-135M)"):
            server = EmbeddedServer(log_path=workspace / "llama-server.log").start()
    except EmbeddedServerError as err:
        raise AdrsError(str(err)) from None
    embedded = settings.with_endpoint(server.base_url, server.model)
    # A 135M model rambles: short answers keep the demonstration session to minutes.
    roles = {
        r: m.model_copy(update={"max_tokens": min(m.max_tokens, EMBEDDED_MAX_TOKENS)})
        for r, m in embedded.roles.items()
    }
    embedded = embedded.model_copy(update={"roles": roles, "coder_ensemble": [roles["coder"]]})
    try:
        yield Models(embedded, concurrency=concurrency, endpoint_failures=endpoint_failures)
    finally:
        server.stop()


@contextmanager
def executor_for(workers: int | None, ray: str | None) -> Iterator[Executor | None]:
    """Where evaluations run: Ray tasks with ``--ray``, else local processes, ``--workers`` of
    them (None: the process-wide default, one per core). Closed when the block ends."""
    if ray is None and workers is None:
        yield None
        return
    if ray is not None:
        from simulators.executors.ray_executor import RayExecutor

        executor: Executor = RayExecutor(None if ray == "auto" else ray, workers)
    else:
        executor = LocalExecutor(workers)
    try:
        yield executor
    finally:
        executor.close()


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


def load_references(
    scenario: Scenario, workspace: Path, splits: tuple[str, ...] = ("train", "heldout")
) -> References:
    """Every baseline and the limit on ``splits`` (cached in the workspace), for the agents,
    the console and the views. The test split is asked for only once the search has stopped
    (``graph.final``). A failing bundled baseline is a scenario bug, said in one line."""
    from adrs.settings import cache_dir

    try:
        return References.load(scenario, cache_dir(workspace), splits)
    except BaselineFailed as err:
        raise UsageError(str(err)) from None


def terminal_decider(
    store: Store, session_id: int, event_id: int, hypothesis_ids: list[int]
) -> dict[str, Any]:
    """Approval from the console when there is one, else from ``adrs chat`` (/approve)."""
    if not sys.stdin.isatty():
        return wait_for_decision(store, session_id, event_id)
    print("\nPlan awaiting approval:", file=sys.stderr)
    for hid in hypothesis_ids:
        h = store.get_hypothesis(hid)
        print(f"  [{hid}] {h.text}  (parent {h.parent_program_id})", file=sys.stderr)
    answer = input("approve? [y]es / [n]o / [e]dit: ").strip().lower()
    if answer.startswith("n"):
        return {"approved": False, "reason": input("why? ").strip() or "rejected at the console"}
    edits = {}
    if answer.startswith("e"):
        for hid in hypothesis_ids:
            text = input(f"new text for [{hid}] (empty keeps it): ").strip()
            if text:
                edits[str(hid)] = text
    return {"approved": True, "edits": edits}
