"""How close a program runs to each declared constraint: the tightest train workloads, and on
held-out only the tightest margin (held-out stays a judge: never shown run by run).

A mean says "balancedness 0.61 against deepseek's 0.60" while one workload sits a hair above
its bound; the next change that costs 1% of balance there is rejected. Planners and critics
asked for the margin workload by workload when a capable model ran eplb-speed.
"""

from __future__ import annotations

from graph.context.budget import Section
from graph.runtime import SessionRuntime
from simulators.direction import gain
from simulators.objectives import bound_of, describe_constraint
from simulators.scenario import Constraint

SHOWN = 4


def margins(
    constraint: Constraint, mine: dict[str, float], reference: dict[str, float]
) -> list[tuple[float, str, float, float]]:
    """(margin, workload, value, bound) per workload, tightest first; a negative margin is a
    miss. The margin is in the metric's unit, positive on the allowed side."""
    rows = []
    for wid in sorted(set(mine) & set(reference)):
        bound = bound_of(constraint, reference[wid])
        rows.append((gain(mine[wid], bound, constraint.direction), wid, mine[wid], bound))
    return sorted(rows)


def constraint_sections(rt: SessionRuntime, program_id: int, label: str) -> list[Section]:
    """One section per constraint for ``program_id`` ([] when the objective has none)."""
    objective = rt.scenario.spec.objective
    out = []
    for constraint in objective.constraints:
        lines = []
        for split in ("train", "heldout"):
            known = rt.evaluator.known(program_id, split)
            reference = rt.references.for_constraints(objective, split).get(constraint.metric)
            if known is None or not reference or not known.per_metric.get(constraint.metric):
                continue
            rows = margins(constraint, known.per_metric[constraint.metric], reference)
            missed = sum(1 for margin, *_ in rows if margin < 0)
            if split == "heldout":
                lines.append(
                    f"- held-out: tightest margin {rows[0][0]:+.4f}; missed on {missed} "
                    f"of {len(rows)} workloads"
                )
                continue
            lines.append(f"- train: missed on {missed} of {len(rows)} workloads; the tightest:")
            lines += [
                f"  - {wid}: {constraint.metric} {value:.4f}, bound {bound:.4f}, margin "
                f"{margin:+.4f}"
                for margin, wid, value, bound in rows[:SHOWN]
            ]
        if lines:
            out.append(
                Section(
                    f"{label} against the constraint "
                    f"{describe_constraint(constraint, rt.references.reference)}",
                    lines,
                )
            )
    return out
