"""``build_report``: one self-contained HTML file about a session (charts inlined as PNG).

The facts come from :mod:`adrs.report.data` (shared with the dashboard), the pictures from
:mod:`adrs.report.charts`; this module only puts them on one page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from adrs.report import charts
from adrs.report.data import session_facts
from memory.store import Store

TEMPLATES = Path(__file__).with_name("templates")


def heldout_curve(store: Store, session_id: int) -> str | None:
    """The score curve on held-out, the split that decides (None before any candidate ran
    there): a champion that wins on train can still lose to a baseline on held-out."""
    facts = session_facts(store, session_id, "heldout")
    return charts.score_curve(facts) if facts.points else None


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
    parts = sorted({part for split in facts.breakdown.values() for part in split})
    return env.get_template("report.html.j2").render(
        session=facts.session, facts=facts, best=best, best_train=best_train,
        best_heldout=best_heldout, parts=parts,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        charts={"score": charts.score_curve(facts), "heldout": heldout_curve(store, session_id),
                "breakdown": charts.cost_breakdown(facts),
                "verdicts": charts.verdict_stats(facts), "spend": charts.spend(facts)},
    )
