"""The trade-off front: the programs that no other program beats on every declared metric.

With one objective the champion says it all. With a constrained or weighted one it does not: a
program twice as fast but a little less balanced, or as fast and better balanced, is a step
along the trade-off that the champion alone hides, and a good parent for the next idea (GEPA
keeps such a front for the same reason). Planners see the front, and one parent per plan is
drawn from it, so the search keeps moving along the trade-off, not only down one metric.
"""

from __future__ import annotations

import random
from statistics import fmean

from graph.context.budget import Section
from graph.context.numbers import fmt
from graph.runtime import SessionRuntime
from simulators.objectives import metric_directions, pareto_front

#: How many of the session's newest programs the front is drawn from.
SCANNED = 500


def session_points(rt: SessionRuntime) -> dict[int, dict[str, float]]:
    """Train means of every declared metric, for each of the session's programs that ran the
    full train split ({} when the objective declares one metric)."""
    directions = metric_directions(rt.scenario.spec.objective)
    if len(directions) < 2:
        return {}
    points = {}
    for program in rt.store.programs(rt.session_id, limit=SCANNED):
        known = rt.evaluator.known(program.id, "train")
        if known is None or known.status != "ok":
            continue
        if all(known.per_metric.get(m) for m in directions):
            points[program.id] = {m: fmean(known.per_metric[m].values()) for m in directions}
    return points


def session_front(rt: SessionRuntime) -> list[tuple[int, dict[str, float]]]:
    """(program id, train means) of the session's front, best first on the objective."""
    points = session_points(rt)
    if not points:
        return []
    directions = metric_directions(rt.scenario.spec.objective)
    return [(pid, points[pid]) for pid in pareto_front(points, directions)]


def front_parent(rt: SessionRuntime, iteration: int, offered: list[int]) -> int | None:
    """One program of the front not offered yet, drawn with the session's seeded generator
    (the same history gives the same draw); None when the front has nothing new."""
    fresh = [pid for pid, _ in session_front(rt) if pid not in offered]
    if not fresh:
        return None
    return random.Random(f"{rt.config.seed}:{iteration}:front").choice(fresh)


def front_section(rt: SessionRuntime) -> list[Section]:
    """The front as the planner reads it: each program's metrics on train."""
    front = session_front(rt)
    if len(front) < 2:
        return []
    units = {rt.scenario.spec.objective.name: rt.scenario.spec.objective.unit}
    lines = [
        "- #{}: {}".format(
            pid, ", ".join(f"{m} {fmt(v, units.get(m, ''))}" for m, v in values.items())
        )
        for pid, values in front
    ]
    return [
        Section(
            "The trade-off front on train (no program beats these on every metric at "
            "once; a constraint may still rule some out)",
            lines,
        )
    ]
