"""Running a session from the command line: models, live view, summary and ``best.py``."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

from adrs.console import ConsoleView
from adrs.errors import DiskFull, is_disk_full
from adrs.report.data import record_references
from adrs.runner import (
    executor_for,
    load_references,
    models_for,
    replay_models,
    terminal_decider,
)
from graph.final import TEST, score_on_test
from graph.runtime import SessionConfig
from graph.session import SessionOutcome, checkpointer, drive, make_runtime
from memory.store import Store
from simulators.scenario import Scenario


def execute(store: Store, workspace: Path, scenario: Scenario, session_id: int,
            config: SessionConfig, flags: dict[str, Any], replay: str | None = None,
            speed: dict[str, Any] | None = None) -> int:
    """Drive the session to its budget, then print the summary and write ``best.py``.
    ``speed``: concurrency (model calls in flight), workers and ray (where evaluations run)."""
    speed = speed or {}
    loaded = load_references(scenario, workspace)
    references = loaded.means()
    record_references(store, session_id, references)
    with (_models(store, workspace, flags, replay, speed.get("concurrency")) as models,
          executor_for(speed.get("workers"), speed.get("ray")) as executor,
          ConsoleView(store, session_id, references, config.budget.iterations,
                      gate=models.gate) as view):
        rt = make_runtime(store, scenario, session_id, models, config, on_event=view.on_event,
                          references=loaded, executor=executor)
        name = store.get_session(session_id).name
        try:
            outcome = drive(rt, checkpointer(workspace), terminal_decider)
        except KeyboardInterrupt:
            print(f"\nstopped; continue with: adrs resume {name}", file=sys.stderr)
            return 130
        except (OSError, sqlite3.Error) as err:
            if not is_disk_full(err):
                raise
            raise DiskFull(
                f"the disk holding {workspace} is full ({err}); free some space, then continue "
                f"with: adrs resume {name} (every completed step is kept)") from None
        final = score_on_test(rt, outcome.champion_program_id)
    if final is not None:
        tests = load_references(scenario, workspace, splits=(TEST,)).means()
        record_references(store, session_id, tests)
        for reference, by_split in tests.items():
            references.setdefault(reference, {}).update(by_split)
    best = write_best(store, workspace, outcome)
    print_summary(store, outcome, references, best, rt.evaluator.executed,
                  final.score if final is not None else None)
    return 0


def _models(store: Store, workspace: Path, flags: dict[str, Any], replay: str | None,
            concurrency: int | None):
    if replay:
        from contextlib import nullcontext

        return nullcontext(replay_models(store, replay, concurrency))
    return models_for(workspace, flags, concurrency)


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


def print_summary(store: Store, outcome: SessionOutcome, references: dict[str, dict[str, float]],
                  best: Path | None, executed: int, test: float | None = None) -> None:
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
    table = Table(title=f"Session {session.name} ({session.scenario})",
                  caption=f"stopped: {outcome.stop_reason}")
    table.add_column("")
    for split in splits:
        table.add_column({"heldout": "held-out"}.get(split, split), justify="right")
    champion = {"train": session.best_train_score, "heldout": session.best_heldout_score,
                "test": test}
    table.add_row("champion", *(_fmt(champion[s]) for s in splits))
    for name, scores in references.items():
        table.add_row(name, *(_fmt(scores.get(s)) for s in splits))
    console = Console(stderr=False)
    console.print(table)
    console.print(
        f"iterations {session.iterations} · evaluations {evaluations} ({executed} run now) · "
        f"champion changes {max(0, len(champions) - 1)} · model calls {session.llm_calls} · "
        f"tokens {session.input_tokens + session.output_tokens} · ${session.cost_usd:.4f}")
    if test is not None:
        console.print("test: the champion scored once after the search, on workloads no agent "
                      "or verdict saw")
    if best:
        console.print(f"best verified program: {best}")


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.4f}"
