"""Per-group views of per-workload results: where a program wins and loses, and its runs with the
most regret against the limit.

A split's mean hides where a policy loses; a scenario's groups (spot: deadline x overhead,
EPLB: generator cell, Cloudcast: configuration) show it. "Worst runs" are ranked by regret
against the limit (or, without one, the best baseline on that workload): a run that no policy
could make cheap is not where to look.
"""

from __future__ import annotations

from functools import lru_cache
from statistics import fmean

from graph.context.numbers import better, change, fmt, regret
from simulators.references import PerWorkload, References
from simulators.scenario import Scenario


@lru_cache(maxsize=64)
def groups_of(scenario: Scenario, split: str) -> dict[str, str]:
    """Workload id -> group label, in the split's order."""
    engine = scenario.engine
    return {w["id"]: engine.group_of(w) for w in engine.workloads(split)}


def group_means(scenario: Scenario, split: str, values: PerWorkload) -> dict[str, float | None]:
    """Mean per group; None for a group with an infeasible (missing) workload."""
    members: dict[str, list[float | None]] = {}
    for wid, group in groups_of(scenario, split).items():
        members.setdefault(group, []).append(values.get(wid))
    return {g: (None if not v or any(x is None for x in v) else fmean(v))  # type: ignore[arg-type]
            for g, v in members.items()}


def group_table(scenario: Scenario, split: str, columns: list[tuple[str, PerWorkload]]) -> list[str]:
    """A markdown table: one row per group, one column per (label, per-workload values); the
    first column's change against the second is shown when there are two or more."""
    unit = scenario.spec.objective.unit
    means = [(label, group_means(scenario, split, values)) for label, values in columns if values]
    if not means:
        return []
    header = "| group | " + " | ".join(label for label, _ in means) + " |"
    lines = [header, "|" + "---|" * (len(means) + 1)]
    for group in means[0][1]:
        cells = [fmt(m.get(group), unit) for _, m in means]
        first, second = means[0][1].get(group), (means[1][1].get(group) if len(means) > 1 else None)
        if first is not None and second is not None:
            cells[0] += f" ({change(first, second)})"
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    return lines


def yardstick(refs: References, split: str, direction: str) -> tuple[str, PerWorkload]:
    """Per-workload values to measure regret against: the limit, else the best baseline."""
    limit = refs.limit(split)
    if limit:
        return refs.limit_label, limit
    best: PerWorkload = {}
    for name in refs.baselines:
        for wid, value in refs.per_workload(name, split).items():
            if wid not in best or better(value, best[wid], direction):
                best[wid] = value
    return "the best baseline", best


def worst_by_regret(values: PerWorkload, yard: PerWorkload, direction: str,
                    count: int) -> list[tuple[str, float, float]]:
    """(workload id, value, yardstick) of the ``count`` runs furthest from the yardstick."""
    scored = [(regret(v, yard[w], direction), w, v, yard[w]) for w, v in values.items() if w in yard]
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(w, v, y) for _, w, v, y in scored[:count]]


def losing_groups(scenario: Scenario, split: str, candidate: PerWorkload, champion: PerWorkload,
                  direction: str, count: int = 4) -> list[str]:
    """The groups where ``candidate`` is worse than ``champion``, worst first, as
    ``"deadline=52h overhead=0.4h: $120.30 vs $118.10 (+1.9%)"``."""
    unit = scenario.spec.objective.unit
    mine, theirs = group_means(scenario, split, candidate), group_means(scenario, split, champion)
    losses = []
    for group, value in mine.items():
        other = theirs.get(group)
        if value is None or other is None or not better(other, value, direction):
            continue
        losses.append((abs(value - other) / max(abs(other), 1e-12), group, value, other))
    losses.sort(reverse=True)
    return [f"{g}: {fmt(v, unit)} vs {fmt(o, unit)} ({change(v, o)})"
            for _, g, v, o in losses[:count]]
