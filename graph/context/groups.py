"""Per-group views of per-workload results: where a program wins and loses, and its runs with the
most regret against the limit.

A split's mean hides where a policy loses; a scenario's groups (spot: deadline x overhead,
EPLB: generator cell, Cloudcast: configuration) show it. "Worst runs" are ranked by regret
against the limit (or, without one, the best baseline on that workload): a run that no policy
could make cheap is not where to look.
"""

from __future__ import annotations

import heapq
from functools import lru_cache

from graph.context.numbers import change, fmt
from simulators.direction import gain
from simulators.references import PerWorkload, References
from simulators.scenario import Objective, Scenario

GROUP = "group"


@lru_cache(maxsize=64)
def axes_of(scenario: Scenario, split: str) -> dict[str, dict[str, str]]:
    """Axis -> (workload id -> label), in the split's order: the scenario's groups
    (``group_of``) under ``GROUP``, then its other facets (e.g. ``zone``)."""
    engine = scenario.engine
    axes: dict[str, dict[str, str]] = {GROUP: {}}
    for w in engine.workloads(split):
        axes[GROUP][w["id"]] = engine.group_of(w)
        for axis, label in engine.facets(w).items():
            axes.setdefault(axis, {})[w["id"]] = label
    return axes


def groups_of(scenario: Scenario, split: str, axis: str = GROUP) -> dict[str, str]:
    """Workload id -> label on one axis."""
    return axes_of(scenario, split).get(axis, {})


@lru_cache(maxsize=64)
def _members(scenario: Scenario, split: str, axis: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    members: dict[str, list[str]] = {}
    for wid, group in groups_of(scenario, split, axis).items():
        members.setdefault(group, []).append(wid)
    return tuple((g, tuple(ids)) for g, ids in members.items())


#: (id of a per-workload dict, split, axis) -> (the dict, its group means). Results are never
#: rewritten, and prompts tabulate the same champion and references again and again; the dict
#: is kept alive with its means, so its id cannot be reused while cached.
_MEANS: dict[tuple[int, str, str], tuple[PerWorkload, dict[str, float | None]]] = {}
_MEANS_MAX = 256


def group_means(
    scenario: Scenario, split: str, values: PerWorkload, axis: str = GROUP
) -> dict[str, float | None]:
    """Mean per group; None for a group with an infeasible (missing) workload."""
    key = (id(values), split, axis)
    hit = _MEANS.get(key)
    if hit is not None and hit[0] is values:
        return hit[1]
    means: dict[str, float | None] = {}
    for group, ids in _members(scenario, split, axis):
        try:
            means[group] = sum([values[w] for w in ids]) / len(ids)
        except KeyError:
            means[group] = None
    if len(_MEANS) >= _MEANS_MAX:
        _MEANS.clear()
    _MEANS[key] = (values, means)
    return means


def group_table(
    scenario: Scenario, split: str, columns: list[tuple[str, PerWorkload]], axis: str = GROUP
) -> list[str]:
    """A markdown table: one row per group, one column per (label, per-workload values); the
    first column's change against the second is shown when there are two or more."""
    unit = scenario.spec.objective.unit
    means = [
        (label, group_means(scenario, split, values, axis)) for label, values in columns if values
    ]
    if not means:
        return []
    header = f"| {axis} | " + " | ".join(label for label, _ in means) + " |"
    lines = [header, "|" + "---|" * (len(means) + 1)]
    for group in means[0][1]:
        cells = [fmt(m.get(group), unit) for _, m in means]
        first, second = means[0][1].get(group), (means[1][1].get(group) if len(means) > 1 else None)
        if first is not None and second is not None:
            cells[0] += f" ({change(first, second)})"
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    return lines


def yardstick(refs: References, split: str, objective: Objective) -> tuple[str, PerWorkload]:
    """Per-workload values to measure regret against: the limit, else the best baseline."""
    limit = refs.limit(split)
    if limit:
        return refs.limit_label, limit
    best: PerWorkload = {}
    for name in refs.baselines:
        for wid, value in refs.per_workload(name, split).items():
            if wid not in best or objective.better(value, best[wid]):
                best[wid] = value
    return "the best baseline", best


def worst_by_regret(
    values: PerWorkload, yard: PerWorkload, direction: str, count: int
) -> list[tuple[str, float, float]]:
    """(workload id, value, yardstick) of the ``count`` runs furthest from the yardstick."""
    top = heapq.nsmallest(
        count, [(gain(v, yard[w], direction), w) for w, v in values.items() if w in yard]
    )
    return [(w, values[w], yard[w]) for _, w in top]


def tables(
    scenario: Scenario,
    split: str,
    columns: list[tuple[str, PerWorkload]],
    refs: References | None = None,
) -> list[tuple[str, list[str]]]:
    """(axis, table lines) for every axis of the split; with ``refs``, the reference baseline
    and the limit are the last two columns."""
    if refs is not None:
        if refs.reference:
            columns = [*columns, (refs.reference, refs.per_workload(refs.reference, split))]
        columns = [*columns, ("limit", refs.limit(split))]
    out = []
    for axis in axes_of(scenario, split):
        lines = group_table(scenario, split, columns, axis)
        if lines:
            out.append((axis, lines))
    return out


def losing_groups(
    scenario: Scenario,
    split: str,
    candidate: PerWorkload,
    champion: PerWorkload,
    objective: Objective,
    count: int = 3,
) -> list[str]:
    """The groups (on every axis) where ``candidate`` is worse than ``champion``, worst first
    per axis, as ``"deadline=52h overhead=0.4h: $120.30 vs $118.10 (+1.9%)"``."""
    out: list[str] = []
    for axis in axes_of(scenario, split):
        out += _losses(scenario, split, candidate, champion, objective, count, axis)
    return out


def _losses(
    scenario: Scenario,
    split: str,
    candidate: PerWorkload,
    champion: PerWorkload,
    objective: Objective,
    count: int,
    axis: str,
) -> list[str]:
    unit = objective.unit
    mine = group_means(scenario, split, candidate, axis)
    theirs = group_means(scenario, split, champion, axis)
    losses = []
    for group, value in mine.items():
        other = theirs.get(group)
        if value is None or other is None or not objective.better(other, value):
            continue
        losses.append((abs(value - other) / max(abs(other), 1e-12), group, value, other))
    losses.sort(reverse=True)
    prefix = "" if axis == GROUP else f"{axis} "
    return [
        f"{prefix}{g}: {fmt(v, unit)} vs {fmt(o, unit)} ({change(v, o)})"
        for _, g, v, o in losses[:count]
    ]
