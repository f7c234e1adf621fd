"""What a scenario optimises, computed from what its simulator measured.

A kind reports the values of each of its metrics per workload (``ScoredSplit.per_metric``);
the scenario's objective (``simulators.scenario.Objective``) says which one is the score, or
which weighted sum of them, and which others are constraints. The three forms:

- single: the score is one metric (every scenario before objectives had forms);
- constrained: the score is one metric, and each constraint must hold per workload against the
  reference baseline's value on the same workload, within its tolerance ("minimise rebalance
  time at balancedness within 0.5% of the DeepSeek port");
- weighted: the score is the sum of ``weight x metric`` over the terms, per workload.

A constraint does not change the score: a faster but less balanced program keeps its time
ratio, so it still counts on the trade-off front, and the verifier refuses it as champion with
a reason that names the metric (``constraint_misses``).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from simulators.direction import Direction, better, merit, sign
from simulators.scenario import Constraint, Objective

PerWorkload = dict[str, float]
PerMetric = dict[str, PerWorkload]


def objective_values(
    objective: Objective, native: PerWorkload, per_metric: PerMetric
) -> PerWorkload:
    """The score's value on every workload: the named metric's, the weighted sum of the
    terms', or (for a kind that reports no metric of that name) its native objective. Only
    the workloads the kind scored (``native``: its feasible ones) get a value."""
    if objective.terms:
        return {
            wid: sum(t.weight * per_metric[t.metric][wid] for t in objective.terms)
            for wid in native
        }
    if objective.name in per_metric:
        return {wid: per_metric[objective.name][wid] for wid in native}
    return dict(native)


def metric_means(per_metric: PerMetric) -> dict[str, float]:
    """Each metric's mean over the split's workloads (what tables show beside references)."""
    return {name: fmean(values.values()) for name, values in per_metric.items() if values}


@dataclass(frozen=True)
class ConstraintMiss:
    """One workload where a constraint failed: the value and the bound it had to keep."""

    metric: str
    workload: str
    value: float
    bound: float


def bound_of(constraint: Constraint, reference: float) -> float:
    """The least (``max``) or most (``min``) value the constraint allows on a workload whose
    reference value is ``reference``."""
    slack = abs(reference) * constraint.tolerance
    return reference - sign(constraint.direction) * slack


def constraint_misses(
    objective: Objective, per_metric: PerMetric, reference: PerMetric
) -> list[ConstraintMiss]:
    """Every (constraint, workload) that fails, worst first within each constraint. A
    workload the reference has no value for is not judged (it ran elsewhere)."""
    misses: list[ConstraintMiss] = []
    for constraint in objective.constraints:
        mine, theirs = per_metric.get(constraint.metric, {}), reference.get(constraint.metric, {})
        found = []
        for wid in sorted(set(mine) & set(theirs)):
            bound = bound_of(constraint, theirs[wid])
            value = mine[wid]
            if better(bound, value, constraint.direction):
                found.append(ConstraintMiss(constraint.metric, wid, value, bound))
        found.sort(key=lambda m: -abs(m.value - m.bound))
        misses.extend(found)
    return misses


def describe_constraint(constraint: Constraint, reference_name: str | None) -> str:
    """``balancedness >= deepseek's - 0.5%, per workload``: the constraint as prompts and
    reasons write it."""
    sign = ">=" if constraint.direction == "max" else "<="
    slack = "-" if constraint.direction == "max" else "+"
    who = f"{reference_name}'s" if reference_name else "the reference's"
    tolerance = f" {slack} {constraint.tolerance * 100:g}%" if constraint.tolerance else ""
    return f"{constraint.metric} {sign} {who}{tolerance}, per workload"


def describe_misses(misses: list[ConstraintMiss], total: int, shown: int = 2) -> str:
    """``balancedness below its bound on 3 of 8 workloads (heldout-002: 0.9012 < 0.9140; ...)``."""
    by_metric: dict[str, list[ConstraintMiss]] = {}
    for miss in misses:
        by_metric.setdefault(miss.metric, []).append(miss)
    parts = []
    for metric, found in by_metric.items():
        word = "below" if found[0].value < found[0].bound else "above"
        sign = "<" if word == "below" else ">"
        worst = "; ".join(
            f"{m.workload}: {m.value:.4f} {sign} {m.bound:.4f}" for m in found[:shown]
        )
        parts.append(f"{metric} {word} its bound on {len(found)} of {total} workloads ({worst})")
    return "; ".join(parts)


# -- the trade-off front: what no other program beats on every declared metric ---------


def metric_directions(objective: Objective) -> dict[str, Direction]:
    """Each declared metric and which way is better: the objective's own, a constraint's, and
    a term's (its weight's sign flips it)."""
    flip: dict[Direction, Direction] = {"min": "max", "max": "min"}
    directions: dict[str, Direction] = {}
    if objective.terms:
        for term in objective.terms:
            directions[term.metric] = (
                objective.direction if term.weight > 0 else flip[objective.direction]
            )
    else:
        directions[objective.name] = objective.direction
    for constraint in objective.constraints:
        directions[constraint.metric] = constraint.direction
    return directions


def dominates(a: dict[str, float], b: dict[str, float], directions: dict[str, Direction]) -> bool:
    """``a`` is at least as good as ``b`` on every metric and better on one."""
    at_least = all(merit(a[m], d) >= merit(b[m], d) for m, d in directions.items())
    return at_least and any(better(a[m], b[m], d) for m, d in directions.items())


def pareto_front(
    points: dict[int, dict[str, float]], directions: dict[str, Direction]
) -> list[int]:
    """The ids no other point dominates, best first on the first metric (ties: lower id)."""
    front = [
        pid
        for pid, values in points.items()
        if not any(
            dominates(other, values, directions) for oid, other in points.items() if oid != pid
        )
    ]
    first = next(iter(directions))
    return sorted(front, key=lambda pid: (-merit(points[pid][first], directions[first]), pid))
