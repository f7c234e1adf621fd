"""Running a session from the command line: models, live view, summary and ``best.py``."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adrs.console import ConsoleView
from adrs.errors import AdrsError, DiskFull, is_disk_full
from adrs.report.data import record_references
from adrs.runner import (
    executor_for,
    load_references,
    models_for,
    replay_models,
    terminal_decider,
)
from agents.health import DEFAULT_LIMIT, EndpointDown
from graph.final import TEST, score_on_test
from graph.runtime import Models, SessionConfig
from graph.session import SessionOutcome, checkpointer, create_session, drive, make_runtime
from memory.lease import LeaseHeld
from memory.store import Store
from simulators.executors import Executor
from simulators.references import References
from simulators.scenario import Scenario


class EndpointGone(AdrsError):
    """The model endpoint died during the session (exit 3: resumable, unlike a failure)."""

    exit_code = 3


class SessionBusy(AdrsError):
    """Another live process drives the session (exit 1: nothing was started or changed)."""


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
        recorded = store.get_session(target).config.get("models")
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
    name = store.get_session(session_id).name
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
        name = store.get_session(session_id).name
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
):
    watch = {
        "concurrency": speed.get("concurrency"),
        "endpoint_failures": speed.get("endpoint_failures") or DEFAULT_LIMIT,
    }
    if replay:
        from contextlib import nullcontext

        return nullcontext(replay_models(store, replay, **watch))
    return models_for(workspace, flags, recorded=recorded, **watch)


def write_best(store: Store, workspace: Path, outcome: SessionOutcome) -> Path | None:
    """The champion's code, at ``<workspace>/sessions/<name>/best.py``."""
    if outcome.champion_program_id is None:
        return None
    session = store.get_session(outcome.session_id)
    folder = workspace / "sessions" / session.name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "best.py"
    path.write_text(store.get_program(outcome.champion_program_id).code)
    return path


def print_summary(
    store: Store,
    outcome: SessionOutcome,
    references: dict[str, dict[str, float]],
    best: Path | None,
    executed: int,
    test: float | None = None,
) -> None:
    """The closing table: champion, baselines and limit per split. The test column is there only
    when the champion was scored on the test split, which no agent or verdict ever saw."""
    from rich.console import Console
    from rich.table import Table

    session = store.get_session(outcome.session_id)
    champions = store.champion_history(outcome.session_id)
    evaluations = store.db.execute(
        "SELECT count(*) FROM evaluations WHERE session_id = ?", [outcome.session_id]
    ).fetchone()[0]
    splits = ["train", "heldout"] + (["test"] if test is not None else [])
    table = Table(
        title=f"Session {session.name} ({session.scenario})",
        caption=f"stopped: {outcome.stop_reason}",
    )
    table.add_column("")
    for split in splits:
        table.add_column({"heldout": "held-out"}.get(split, split), justify="right")
    champion = {
        "train": session.best_train_score,
        "heldout": session.best_heldout_score,
        "test": test,
    }
    table.add_row("champion", *(_fmt(champion[s]) for s in splits))
    for name, scores in references.items():
        table.add_row(name, *(_fmt(scores.get(s)) for s in splits))
    console = Console(stderr=False)
    console.print(table)
    declared = _declared_metrics(store, session, splits)
    if declared is not None:
        console.print(declared)
    console.print(
        f"iterations {session.iterations} · evaluations {evaluations} ({executed} run now) · "
        f"champion changes {max(0, len(champions) - 1)} · model calls {session.llm_calls} · "
        f"tokens {session.input_tokens + session.output_tokens} · ${session.cost_usd:.4f}"
    )
    if test is not None:
        console.print(
            "test: the champion scored once after the search, on workloads no agent or verdict saw"
        )
    if best:
        console.print(f"best verified program: {best}")


def _declared_metrics(store: Store, session: Any, splits: list[str]) -> Any:
    """With a constrained or weighted objective, the other declared metrics beside the
    references (the report's read model, ``adrs.report.data.metric_rows``); None otherwise."""
    from rich.table import Table

    from adrs.report.data import metric_rows, objective_of

    objective = objective_of(session.scenario)
    rows = metric_rows(store, session, objective.metrics, splits)
    others = [m for m in objective.metrics if m != objective.name]
    if not rows or not others:
        return None
    table = Table(
        title="Every declared metric",
        caption="; ".join(f"constraint: {c}" for c in objective.constraints) or None,
    )
    table.add_column("")
    for metric in others:
        for split in splits:
            table.add_column(
                f"{metric}, {({'heldout': 'held-out'}).get(split, split)}", justify="right"
            )
    for row in rows:
        table.add_row(row.name, *(_fmt(row.values.get((m, s))) for m in others for s in splits))
    return table


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"
