"""Budgets that end a session: iterations, dollars, wall time and stagnation.

Several lanes run iterations at once, so a budget is checked when an iteration is *launched*
(claimed), counting what is in flight: with five iterations allowed and four lanes, the fifth
claim is the last. Dollars in flight are estimated from the mean cost of a finished iteration.
Wall time is the session's *active* time, accumulated across resumes, so a session resumed the
next morning does not stop at once because the clock moved overnight.
"""

from __future__ import annotations

from dataclasses import dataclass

from memory.lanes import RoundCounts


@dataclass(frozen=True)
class Budget:
    """Limits of one session; ``None`` means unlimited."""

    iterations: int | None = 5
    usd: float | None = None
    minutes: float | None = None
    stagnation: int | None = None  # finished iterations without a new champion


def refusal(budget: Budget, counts: RoundCounts, minutes: float) -> str | None:
    """Why no further iteration may be launched, or None to launch one."""
    launched = counts.done + counts.in_flight
    if budget.iterations is not None and launched >= budget.iterations:
        return f"iteration budget reached ({launched}/{budget.iterations})"
    if budget.usd is not None:
        per_iteration = counts.cost_usd / counts.done if counts.done else 0.0
        committed = counts.cost_usd + counts.in_flight * per_iteration
        if committed >= budget.usd:
            return (
                f"dollar budget reached (${counts.cost_usd:.4f} spent, "
                f"{counts.in_flight} iterations in flight, of ${budget.usd:.2f})"
            )
    if budget.minutes is not None and minutes >= budget.minutes:
        return f"time budget reached ({minutes:.1f} of {budget.minutes:g} min)"
    if budget.stagnation is not None and counts.since_champion >= budget.stagnation:
        return f"stagnation: {counts.since_champion} iterations without a new champion"
    return None
