"""From ``adrs run``/``adrs resume`` to a finished session: the models (the embedded llama.cpp
server when nothing is configured), where evaluations run, the reference scores, the session's
lease, the live console, and the closing summary and ``best.py``. The graph's own side of a
session (start, resume, drive) is ``graph.session``."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from adrs.console import ConsoleView
from adrs.embedded import embedded_endpoint
from adrs.errors import AdrsError, DiskFull, UsageError, is_disk_full
from adrs.replay import replay_models
from adrs.report.data import record_references
from adrs.summary import print_summary, write_best
from agents.health import DEFAULT_LIMIT, EndpointDown
from agents.settings import ROLES, AgentSettings, SettingsError, load_settings
from graph.control import wait_for_decision
from graph.final import TEST, score_on_test
from graph.runtime import Models, SessionConfig
from graph.runtime import default_concurrency as concurrency_for
from graph.session import checkpointer, create_session, drive, make_runtime
from memory.lease import LeaseHeld
from memory.store import Store
from simulators.executors import Executor, LocalExecutor
from simulators.references import BaselineFailed, References
from simulators.scenario import Scenario


class EndpointGone(AdrsError):
    """The model endpoint died during the session (exit 3: resumable, unlike a failure)."""

    exit_code = 3


class SessionBusy(AdrsError):
    """Another live process drives the session (exit 1: nothing was started or changed)."""


class EndpointUnreachable(AdrsError):
    """The configured model server does not answer; nothing was started or lost."""


@dataclass(frozen=True)
class NewSession:
    """A session to create once its models are up, so a start that fails (an unreachable
    endpoint, a model server that does not start) leaves no half-made session behind."""

    name: str
    config: SessionConfig


def execute(
    store: Store,
    workspace: Path,
    scenario: Scenario,
    target: int | NewSession,
    config: SessionConfig,
    flags: dict[str, Any],
    replay: str | None = None,
    speed: dict[str, Any] | None = None,
) -> int:
    """Drive the session (an existing id, or a ``NewSession``) to its budget, then print the
    summary and write ``best.py``. The process holds the session's lease throughout: a second
    ``run``/``resume`` of it is refused. ``speed``: concurrency (model calls in flight),
    endpoint failures, workers and ray (where evaluations run)."""
    speed = speed or {}
    recorded = None
    if isinstance(target, int):
        refuse_if_busy(store, target)
        recorded = store.session(target).config.get("models")
    loaded = load_references(scenario, workspace)
    with (
        _models(store, workspace, flags, replay, speed, recorded) as models,
        executor_for(speed.get("workers"), speed.get("ray")) as executor,
    ):
        session_id = (
            target
            if isinstance(target, int)
            else create_session(store, scenario, target.name, target.config)
        )
        with _leased(store, session_id):
            if models.settings is not None:
                store.update_session_config(session_id, {"models": models.settings.record()})
            return _drive(store, workspace, scenario, session_id, config, models, executor, loaded)


def refuse_if_busy(store: Store, session_id: int) -> None:
    """One line naming the process that drives the session, if one does."""
    holder = store.lease_holder(session_id)
    if holder is not None:
        raise SessionBusy(_busy_line(store, session_id, holder.describe()))


def _busy_line(store: Store, session_id: int, who: str) -> str:
    name = store.session(session_id).name
    return (
        f"session {name} is being driven by {who}: wait for it to finish, or stop it "
        f"(Ctrl-C there, or kill its pid), then: adrs resume {name}"
    )


@contextmanager
def _leased(store: Store, session_id: int) -> Iterator[None]:
    try:
        with store.lease(session_id, command=" ".join(["adrs", *sys.argv[1:]])):
            yield
    except LeaseHeld as err:  # only taking the lease raises it
        who = err.holder.describe() if err.holder else "another process"
        raise SessionBusy(_busy_line(store, session_id, who)) from None


def _drive(
    store: Store,
    workspace: Path,
    scenario: Scenario,
    session_id: int,
    config: SessionConfig,
    models: Models,
    executor: Executor | None,
    loaded: References,
) -> int:
    references = loaded.means()
    record_references(
        store, session_id, references, parts=loaded.parts, metrics=loaded.metric_means()
    )
    with ConsoleView(
        store, session_id, references, config.budget.iterations, gate=models.gate
    ) as view:
        rt = make_runtime(
            store,
            scenario,
            session_id,
            models,
            config,
            on_event=view.on_event,
            references=loaded,
            executor=executor,
        )
        name = store.session(session_id).name
        try:
            outcome = drive(rt, checkpointer(workspace), terminal_decider)
        except KeyboardInterrupt:
            print(f"\nstopped; continue with: adrs resume {name}", file=sys.stderr)
            return 130
        except EndpointDown as err:
            raise EndpointGone(
                f"the model endpoint stopped answering ({err}); session {name} is interrupted "
                f"and keeps every completed step: once the server is back, continue with: "
                f"adrs resume {name}"
            ) from None
        except (OSError, sqlite3.Error) as err:
            if not is_disk_full(err):
                raise
            raise DiskFull(
                f"the disk holding {workspace} is full ({err}); free some space, then continue "
                f"with: adrs resume {name} (every completed step is kept)"
            ) from None
        final = score_on_test(rt, outcome.champion_program_id)
    if final is not None:
        on_test = load_references(scenario, workspace, splits=(TEST,))
        tests = on_test.means()
        record_references(
            store, session_id, tests, parts=on_test.parts, metrics=on_test.metric_means()
        )
        for reference, by_split in tests.items():
            references.setdefault(reference, {}).update(by_split)
    best = write_best(store, workspace, outcome)
    print_summary(
        store,
        outcome,
        references,
        best,
        rt.evaluator.executed,
        final.score if final is not None else None,
    )
    return 0


def _models(
    store: Store,
    workspace: Path,
    flags: dict[str, Any],
    replay: str | None,
    speed: dict[str, Any],
    recorded: dict[str, Any] | None,
) -> AbstractContextManager[Models]:
    concurrency = speed.get("concurrency")
    endpoint_failures = speed.get("endpoint_failures") or DEFAULT_LIMIT
    if replay:
        from contextlib import nullcontext

        return nullcontext(
            replay_models(
                store, replay, concurrency=concurrency, endpoint_failures=endpoint_failures
            )
        )
    return models_for(
        workspace,
        flags,
        recorded=recorded,
        concurrency=concurrency,
        endpoint_failures=endpoint_failures,
    )


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
    with embedded_endpoint(workspace, settings) as embedded:
        yield Models(embedded, concurrency=concurrency, endpoint_failures=endpoint_failures)


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


def load_references(
    scenario: Scenario, workspace: Path, splits: tuple[str, ...] = ("train", "heldout")
) -> References:
    """Every baseline and the limit on ``splits`` (cached in the workspace), for the agents,
    the console and the views. The test split is asked for only once the search has stopped
    (``graph.final``). A failing bundled baseline is a scenario bug, said in one line."""
    from adrs.workspace import cache_dir

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
        h = store.hypothesis(hid)
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
