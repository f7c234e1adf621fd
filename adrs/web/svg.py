"""The score chart as inline SVG, drawn on the server.

Why not a charting library in the browser: the dashboard must work with no internet (no CDN)
and with JavaScript mostly off, and a chart of a few hundred points is a few kilobytes of SVG.
Each candidate is a dot (green: champion, red: rejected, grey: other) with a hover title; the
best-so-far is a step line; baselines and the limit are dashed horizontal lines with labels.
"""

from __future__ import annotations

import math
from html import escape

from adrs.report.data import SessionFacts
from memory.vocabulary import ProgramStatus
from simulators.direction import word

_COLORS = {
    ProgramStatus.CHAMPION: "#2a9d4b",
    ProgramStatus.REJECTED: "#d1495b",
    ProgramStatus.FAILED: "#d1495b",
}
_REF_COLORS = {"limit": "#6a4c93", "baseline": "#e09f3e"}


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering [low, high] (1, 2, 2.5 or 5 times 10^k)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return []
    if high <= low:
        high = low + 1.0
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def score_chart(facts: SessionFacts, width: int = 760, height: int = 340) -> str:
    """The SVG document (a string) of score over iterations against the references."""
    points, refs = facts.points, facts.references
    if not points and not refs:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
            'height="60"><text x="10" y="35">no scored candidate yet</text></svg>'
        )
    left, right, top, bottom = 64, 150, 20, 40
    values = [p.score for p in points] + [r.score for r in refs]
    ticks = nice_ticks(min(values), max(values))
    y_low, y_high = ticks[0], ticks[-1]
    max_it = max([p.iteration for p in points] + [1])
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(iteration: float) -> float:
        return left + plot_w * iteration / max_it

    def y(score: float) -> float:
        return top + plot_h * (1 - (score - y_low) / ((y_high - y_low) or 1))

    unit = f" ({escape(facts.objective.unit)})" if facts.objective.unit else ""
    better = word(facts.objective.direction)
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" '
            f'font-size="11"><title>{escape(facts.objective.name)} on {escape(facts.split)} per '
            f"iteration ({better} is better)</title>"
        ),
        (
            f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafafa" '
            'stroke="#ccc"/>'
        ),
    ]
    for tick in ticks:
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}" stroke="#eee"/><text x="{left - 6}" '
            f'y="{y(tick) + 4:.1f}" text-anchor="end">{_fmt(tick)}</text>'
        )
    step = max(1, math.ceil(max_it / 10))
    for it in range(0, max_it + 1, step):
        out.append(
            f'<text x="{x(it):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{it}</text>'
        )
    out.append(
        f'<text x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle">'
        f'iteration</text><text x="14" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2})">'
        f"{escape(facts.objective.name)}{unit}</text>"
    )
    for ref in refs:
        color = _REF_COLORS.get(ref.kind, "#888")
        out.append(
            f'<g class="reference"><line x1="{left}" x2="{left + plot_w}" '
            f'y1="{y(ref.score):.1f}" y2="{y(ref.score):.1f}" stroke="{color}" '
            f'stroke-dasharray="6 4" stroke-width="1.5"/><text x="{left + plot_w + 6}" '
            f'y="{y(ref.score) + 4:.1f}" fill="{color}">{escape(ref.name)} '
            f"{_fmt(ref.score)}</text></g>"
        )
    if points:
        path, previous = [], None
        for p in points:
            if previous is None:
                path.append(f"M{x(p.iteration):.1f},{y(p.best):.1f}")
            else:
                path.append(f"H{x(p.iteration):.1f}V{y(p.best):.1f}")
            previous = p
        path.append(f"H{x(max_it):.1f}")
        out.append(
            f'<path class="best" d="{"".join(path)}" fill="none" stroke="#1d6fb8" '
            'stroke-width="2"/>'
        )
    for p in points:
        color = _COLORS.get(p.status, "#8d99ae")
        out.append(
            f'<circle class="candidate" cx="{x(p.iteration):.1f}" cy="{y(p.score):.1f}" '
            f'r="4" fill="{color}"><title>#{p.program_id} iteration {p.iteration}: '
            f"{_fmt(p.score)} ({escape(p.status)})</title></circle>"
        )
    out.append("</svg>")
    return "".join(out)
