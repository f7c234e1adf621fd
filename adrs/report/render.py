"""``build_report``: one self-contained HTML file about a session (charts inlined as PNG).

The facts come from :mod:`adrs.report.data` (shared with the dashboard), the pictures from
:mod:`adrs.report.charts`; this module only puts them on one page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from matplotlib.figure import Figure

from adrs.report import charts
from adrs.report.data import SessionFacts, session_facts
from memory.store import Store

TEMPLATES = Path(__file__).with_name("templates")


def heldout_curve(store: Store, session_id: int) -> Figure | None:
    """The score curve on held-out, the split that decides (None before any candidate ran
    there): a champion that wins on train can still lose to a baseline on held-out."""
    facts = session_facts(store, session_id, "heldout")
    return charts.score_curve(facts) if facts.points else None


def figures(store: Store, session_id: int, facts: SessionFacts) -> dict[str, Figure | None]:
    """Every chart of the report, by name (None: nothing to draw, the section is left out)."""
    return {
        "score": charts.score_curve(facts),
        "heldout": heldout_curve(store, session_id),
        "breakdown": charts.cost_breakdown(facts),
        "verdicts": charts.verdict_stats(facts),
        "spend": charts.spend(facts),
    }


def build_report(store: Store, session_id: int) -> str:
    """The HTML text of the report of one session."""
    facts = session_facts(store, session_id)
    best = store.get_program(facts.best_program_id) if facts.best_program_id else None
    best_train = best_heldout = None
    if best is not None:
        train = store.latest_evaluation(best.id, "train", "full")
        heldout = store.latest_evaluation(best.id, "heldout", "full")
        best_train = train.score if train else None
        best_heldout = heldout.score if heldout else None
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    env.filters["score"] = lambda v: "–" if v is None else f"{v:.6g}"
    env.filters["usd"] = lambda v: f"${(v or 0):.4f}"
    images = {
        name: charts.to_data_uri(figure) if figure is not None else None
        for name, figure in figures(store, session_id, facts).items()
    }
    return env.get_template("report.html.j2").render(
        session=facts.session,
        facts=facts,
        best=best,
        best_train=best_train,
        best_heldout=best_heldout,
        parts=charts.part_names(facts),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        charts=images,
    )
