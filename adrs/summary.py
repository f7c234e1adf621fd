"""What a finished session leaves on the terminal and on disk: the closing table (champion,
references and limit per split, every declared metric) and the champion's code as ``best.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph.session import SessionOutcome
from memory.store import Store


def write_best(store: Store, workspace: Path, outcome: SessionOutcome) -> Path | None:
    """The champion's code, at ``<workspace>/sessions/<name>/best.py``."""
    if outcome.champion_program_id is None:
        return None
    session = store.session(outcome.session_id)
    folder = workspace / "sessions" / session.name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "best.py"
    path.write_text(store.program(outcome.champion_program_id).code)
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

    session = store.session(outcome.session_id)
    champions = store.champion_history(outcome.session_id)
    evaluations = store.evaluation_count(outcome.session_id)
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
