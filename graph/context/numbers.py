"""Numbers as the agents read them: in the objective's unit, and as signed relative changes."""

from __future__ import annotations


def fmt(value: float | None, unit: str = "") -> str:
    """``$90.76``, ``0.7412``; ``n/a`` for a missing value."""
    if value is None:
        return "n/a"
    if unit == "$":
        return f"${value:,.2f}" if abs(value) >= 1 else f"${value:.4f}"
    return f"{value:.4g}{(' ' + unit) if unit else ''}"


def change(value: float, base: float) -> str:
    """``+1.2%`` / ``-0.4%``: the signed change of ``value`` relative to ``base``."""
    if base == 0:
        return "n/a"
    return f"{100.0 * (value - base) / abs(base):+.1f}%"
