"""The report's charts: matplotlib (Agg, no display) figures, embedded as PNG data URIs.

A report must open anywhere, offline, as one file that can be mailed or attached to a ticket,
so every chart is embedded as ``data:image/png;base64,...`` rather than linked. A panel with
nothing to draw (no dollars spent on a local model, no rejection yet) says so in words: an
all-zero bar series draws a meaningless axis (-0.02 to 0.04) that reads like data.
"""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display, no GUI toolkit
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from adrs.report.data import SessionFacts
from memory.vocabulary import ProgramStatus
from simulators.direction import word

STATUS_COLORS = {
    ProgramStatus.CHAMPION: "#2a9d4b",
    ProgramStatus.REJECTED: "#d1495b",
    ProgramStatus.FAILED: "#d1495b",
}
REF_COLORS = {"limit": "#6a4c93", "baseline": "#e09f3e"}


def to_data_uri(figure: Figure) -> str:
    """Render and close a figure; return it as a base64 PNG data URI."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def split_name(split: str) -> str:
    """A split as readers write it (``held-out``, not the key ``heldout``)."""
    return {"heldout": "held-out"}.get(split, split)


def say(ax: Axes, message: str) -> None:
    """An empty panel that says why it is empty."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(
        0.5,
        0.5,
        message,
        ha="center",
        va="center",
        transform=ax.transAxes,
        color="#777",
        fontsize=10,
        wrap=True,
    )


def score_curve(facts: SessionFacts) -> Figure:
    """Every candidate's score by iteration, the best so far, baselines and the limit."""
    figure, ax = plt.subplots(figsize=(8, 4))
    points = facts.points
    if points:
        ax.scatter(
            [p.iteration for p in points],
            [p.score for p in points],
            s=22,
            zorder=3,
            c=[STATUS_COLORS.get(p.status, "#8d99ae") for p in points],
            label="candidates (green: champion, red: rejected)",
        )
        ax.step(
            [p.iteration for p in points],
            [p.best for p in points],
            where="post",
            color="#1d6fb8",
            linewidth=2,
            label="best so far",
            zorder=2,
        )
    for ref in facts.references:
        ax.axhline(ref.score, color=REF_COLORS.get(ref.kind, "#888"), linestyle="--", linewidth=1.2)
        ax.annotate(
            f"{ref.name} {ref.score:.4g}",
            xy=(1.0, ref.score),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=REF_COLORS.get(ref.kind, "#888"),
        )
    unit = f" ({facts.objective.unit})" if facts.objective.unit else ""
    better = word(facts.objective.direction)
    ax.set(
        xlabel="iteration",
        ylabel=f"{facts.objective.name}{unit}",
        title=f"{facts.objective.name} on {split_name(facts.split)} ({better} is better)",
    )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    if points:
        ax.legend(loc="best", fontsize=8)
    else:
        ax.text(
            0.5,
            0.5,
            f"no candidate scored on {split_name(facts.split)} yet",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color="#777",
        )
    return figure


def cost_breakdown(facts: SessionFacts) -> Figure | None:
    """Where the money goes for the best program and each baseline (stacked bars of parts that
    add up to each score), or None when the scenario's score is no sum of parts."""
    if not facts.breakdown:
        return None
    names = list(facts.breakdown)
    parts = part_names(facts)
    figure, ax = plt.subplots(figsize=(8, 0.6 * len(names) + 1.4))
    left = [0.0] * len(names)
    for part in parts:
        values = [facts.breakdown[name].get(part, 0.0) for name in names]
        ax.barh(names, values, left=left, label=part)
        left = [a + b for a, b in zip(left, values, strict=True)]
    for index, total in enumerate(left):
        ax.annotate(
            f"{total:.4g}",
            xy=(total, index),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.invert_yaxis()
    ax.set_xlim(0, max(left) * 1.12)
    unit = facts.objective.unit
    ax.set(
        xlabel=f"{facts.objective.name}{f' ({unit})' if unit else ''}, mean per workload",
        title="Breakdown of the score: best program vs baselines",
    )
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=len(parts))
    return figure


def part_names(facts: SessionFacts) -> list[str]:
    """The breakdown's parts in the order the scenario names them, without all-zero ones."""
    named = dict.fromkeys(part for parts in facts.breakdown.values() for part in parts)
    return [p for p in named if any(parts.get(p) for parts in facts.breakdown.values())]


def verdict_stats(facts: SessionFacts) -> Figure | None:
    """Accepted vs rejected candidates, and how many rejected candidates failed each rule."""
    if not sum(facts.verdicts.values()):
        return None
    reasons = facts.rejection_reasons[:10]
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(9, 3), gridspec_kw={"width_ratios": [1, 2.5]}
    )
    left.bar(
        ["accepted", "rejected"],
        [facts.verdicts["accepted"], facts.verdicts["rejected"]],
        color=["#2a9d4b", "#d1495b"],
    )
    left.set(title="Verdicts", ylabel="candidates")
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    right.set(title="Rejections by rule")
    if reasons:
        right.barh([r for r, _ in reasons], [n for _, n in reasons], color="#d1495b")
        right.invert_yaxis()
        right.set(xlabel="rejected candidates")
        right.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        say(right, "no candidate rejected")
    figure.tight_layout()
    return figure


def spend(facts: SessionFacts) -> Figure | None:
    """Tokens (input and output) and dollars per agent role."""
    if not facts.roles:
        return None
    roles = [r["role"] for r in facts.roles]
    figure, (tokens, dollars) = plt.subplots(1, 2, figsize=(9, 3))
    inputs = [r["input_tokens"] or 0 for r in facts.roles]
    outputs = [r["output_tokens"] or 0 for r in facts.roles]
    tokens.set(title="Tokens per role")
    if any(inputs) or any(outputs):
        tokens.bar(roles, inputs, label="input", color="#457b9d")
        tokens.bar(roles, outputs, bottom=inputs, label="output", color="#a8dadc")
        tokens.legend(fontsize=8)
    else:
        say(tokens, "no token counts recorded")
    costs = [r["cost_usd"] or 0 for r in facts.roles]
    dollars.set(title="Dollars per role")
    if any(costs):
        dollars.bar(roles, costs, color="#e09f3e")
        dollars.set(ylabel="$")
    else:
        say(dollars, "no model cost recorded\n(a local model, or no price known)")
    figure.tight_layout()
    return figure
