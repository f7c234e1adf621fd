"""Budgets that end a session: iterations, dollars, wall time and stagnation.

Wall time is the session's *active* time, accumulated across resumes, so a session resumed the
next morning does not stop at once because the clock moved overnight.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    """Limits of one session; ``None`` means unlimited."""

    iterations: int | None = 5
    usd: float | None = None
    minutes: float | None = None
    stagnation: int | None = None  # iterations without a new champion


@dataclass(frozen=True)
class Spent:
    """What a session has used so far (read from memory)."""

    iterations: int
    usd: float
    minutes: float
    since_champion: int


def exhausted(budget: Budget, spent: Spent) -> str | None:
    """The reason to stop, or None to go on. Checked after every iteration."""
    if budget.iterations is not None and spent.iterations >= budget.iterations:
        return f"iteration budget reached ({spent.iterations}/{budget.iterations})"
    if budget.usd is not None and spent.usd >= budget.usd:
        return f"dollar budget reached (${spent.usd:.4f} of ${budget.usd:.2f})"
    if budget.minutes is not None and spent.minutes >= budget.minutes:
        return f"time budget reached ({spent.minutes:.1f} of {budget.minutes:g} min)"
    if budget.stagnation is not None and spent.since_champion >= budget.stagnation:
        return f"stagnation: {spent.since_champion} iterations without a new champion"
    return None
