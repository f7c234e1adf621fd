"""Start, resume and drive research sessions.

A session is a row in memory plus a LangGraph thread in ``<workspace>/checkpoints.db``. Starting
one stores its config and seed, scores the seed program (it is the first champion: every later
champion had to beat it on held-out data), then runs the graph. Resuming rebuilds the same
runtime from the stored config and continues the thread: completed steps are not repeated, and
evaluations that completed before a crash are found in memory instead of being run again.
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver

from agents.health import EndpointDown
from graph.builder import build_graph
from graph.control import announce_plan, wait_for_decision
from graph.errors import SeedFailed
from graph.evaluation import FULL, STAGE1, CandidateEvaluator, EvaluateFn, passed_score
from graph.lanes import run_lanes
from graph.nodes.record import behaviour
from graph.runtime import Models, SessionConfig, SessionRuntime
from memory.errors import UnknownSession
from memory.records import Session
from memory.store import Store
from memory.vocabulary import EventKind, ProgramStatus, SessionStatus
from simulators.evaluate import evaluate
from simulators.executors import Executor
from simulators.references import References, default_cache
from simulators.scenario import Scenario, load_scenario

Decider = Callable[[Store, int, int, list[int]], dict[str, Any]]


@dataclass
class SessionOutcome:
    """How a drive ended: the session id, why it stopped, and the champion program."""

    session_id: int
    stop_reason: str | None
    champion_program_id: int | None


def checkpointer(workspace: Path) -> SqliteSaver:
    """LangGraph's checkpoints live beside the store, in their own SQLite file."""
    conn = sqlite3.connect(str(workspace / "checkpoints.db"), check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    return SqliteSaver(conn)


def create_session(store: Store, scenario: Scenario, name: str, config: SessionConfig) -> int:
    """Store a new session (its config and seed) and return its id."""
    stored = {**config.to_dict(), "scenario_root": str(scenario.root)}
    return store.create_session(
        name,
        scenario.spec.name,
        stored,
        config.seed,
        scenario.spec.version,
        status=SessionStatus.CREATED,
    )


def scenario_of(session: Session) -> Scenario:
    """The scenario a stored session ran: its folder if it still exists (bring-your-own
    scenarios live anywhere), else the bundled scenario of the same name."""
    root = session.config.get("scenario_root")
    if root and Path(root, "scenario.toml").is_file():
        return load_scenario(root)
    return load_scenario(session.scenario)


def seed_champion(rt: SessionRuntime) -> None:
    """Score the seed program on every stage and make it the first champion (idempotent)."""
    if rt.store.champion(rt.session_id) is not None:
        return
    code = rt.scenario.seed_path.read_text()
    added = rt.store.add_program(rt.session_id, code, None, 0, None, 0, origin="seed")
    program = rt.store.program(added.program_id)
    rt.notify(EventKind.STAGE, stage="scoring the seed program")
    rt.evaluator.score(program, "train", STAGE1)
    train = rt.evaluator.score(program, "train", FULL)
    heldout = rt.evaluator.score(program, "heldout", FULL)
    if not (train.passed and heldout.passed):
        failed = train if not train.passed else heldout
        raise SeedFailed(
            f"the seed program fails on {failed.split}: {failed.error or failed.status} "
            f"({failed.infeasible_runs} infeasible runs)"
        )
    rt.program_db.seed_islands(program.id, passed_score(train), behaviour(rt, code, train.metrics))
    rt.store.set_program_status(program.id, ProgramStatus.CHAMPION)
    rt.store.set_champion(rt.session_id, program.id, 0, train.score, heldout.score)


def prior_minutes(store: Store, session_id: int) -> float:
    """Active minutes recorded by earlier runs (the last completed iteration's count)."""
    last = store.latest_event(session_id, EventKind.ITERATION_DONE)
    return 0.0 if last is None else float(last.payload.get("active_minutes", 0.0))


def make_runtime(
    store: Store,
    scenario: Scenario,
    session_id: int,
    models: Models,
    config: SessionConfig | None = None,
    evaluate_fn: EvaluateFn = evaluate,
    on_event: Callable[[EventKind, dict[str, Any]], None] | None = None,
    references: References | None = None,
    executor: Executor | None = None,
) -> SessionRuntime:
    """The runtime of a stored session; ``config`` overrides the stored one (e.g. budgets).
    Without ``references`` the baselines and the limit are loaded from the workspace cache
    (scored on the first use): every agent prompt is framed by them. ``executor`` runs the
    sandboxed evaluations (``--workers``, Ray); by default the process-wide local one."""
    session = store.get_session(session_id)
    if session is None:
        raise UnknownSession(f"no session {session_id}")
    return SessionRuntime(
        store=store,
        scenario=scenario,
        session_id=session_id,
        config=config or SessionConfig.from_dict(session.config),
        models=models,
        evaluator=CandidateEvaluator(store, scenario, evaluate_fn, executor),
        on_event=on_event or (lambda kind, payload: None),
        prior_minutes=prior_minutes(store, session_id),
        references=references or References.load(scenario, default_cache(store.path.parent)),
    )


def console_decider(
    store: Store, session_id: int, event_id: int, hypothesis_ids: list[int]
) -> dict[str, Any]:
    """Default approval: wait for ``adrs chat``'s /approve (or a rejection) in memory."""
    return wait_for_decision(store, session_id, event_id)


def drive(
    rt: SessionRuntime, saver: SqliteSaver, decide: Decider = console_decider
) -> SessionOutcome:
    """Run (or continue) every lane of the session's graph until the budget allows no more.
    Holds the session's lease (``memory.lease``) throughout: raises ``LeaseHeld`` when another
    live process drives the session."""
    with rt.store.lease(rt.session_id, command="adrs " + " ".join(sys.argv[1:])):
        return _drive(rt, saver, decide)


def _drive(rt: SessionRuntime, saver: SqliteSaver, decide: Decider) -> SessionOutcome:
    graph = build_graph(rt, checkpointer=saver)
    seed_champion(rt)
    rt.store.set_session_status(rt.session_id, SessionStatus.RUNNING)
    gate = rt.models.gate
    gate.on_change = lambda lane, calls: rt.store.set_lane_calls(rt.session_id, lane, calls)
    gate.on_rate_limit = lambda lane, wait, allowed: rt.notify(
        EventKind.RATE_LIMITED, lane=lane, wait_s=round(wait, 3), allowed=allowed
    )
    try:
        reason = run_lanes(graph, rt, lambda request: _ask(rt, decide, request))
    except KeyboardInterrupt:
        rt.store.set_session_status(rt.session_id, SessionStatus.STOPPED, "interrupted by the user")
        raise
    except EndpointDown as err:
        rt.store.set_session_status(
            rt.session_id, SessionStatus.INTERRUPTED, f"model endpoint down: {err}"
        )
        raise
    except BaseException as err:
        # On a full disk this write fails too: the first error is the one to report.
        with contextlib.suppress(Exception):
            rt.store.set_session_status(rt.session_id, SessionStatus.FAILED, str(err)[:300])
        raise
    finally:
        gate.on_change = gate.on_rate_limit = None
    rt.notify(EventKind.STOP, iteration=rt.store.session(rt.session_id).iterations, reason=reason)
    rt.store.set_session_status(rt.session_id, SessionStatus.FINISHED, reason)
    champion = rt.store.champion(rt.session_id)
    return SessionOutcome(rt.session_id, reason, champion.program_id if champion else None)


def _ask(rt: SessionRuntime, decide: Decider, request: dict[str, Any]) -> dict[str, Any]:
    ids = list(request.get("hypothesis_ids", []))
    event_id = announce_plan(rt.store, rt.session_id, ids)
    rt.store.set_session_status(rt.session_id, SessionStatus.AWAITING_APPROVAL)
    rt.notify(EventKind.AWAITING_APPROVAL, iteration=request.get("iteration"), hypothesis_ids=ids)
    decision = decide(rt.store, rt.session_id, event_id, ids)
    rt.store.set_session_status(rt.session_id, SessionStatus.RUNNING)
    return decision
