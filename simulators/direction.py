"""Which way a score improves. A scenario says ``min`` (a cost, a time) or ``max`` (a
throughput, a balancedness); this module is the one place that turns that word into
arithmetic, so "is lower better" is written once and every ranking, gain and tally agrees.

The idea is a *merit*: the score turned so that higher is always better (``-score`` for
``min``). Comparisons, gains and sort keys are then direction-free. Negation is exact in
floating point, so ``better`` gives the same answer as comparing the raw scores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal, TypeVar

Direction = Literal["min", "max"]
T = TypeVar("T")


def sign(direction: str) -> float:
    """``+1`` for ``max``, ``-1`` for ``min``: what a score is multiplied by to be a merit."""
    return 1.0 if direction == "max" else -1.0


def merit(score: float, direction: str) -> float:
    """The score with higher always better."""
    return sign(direction) * score


def better(a: float, b: float, direction: str) -> bool:
    """Whether score ``a`` strictly beats score ``b``."""
    return merit(a, direction) > merit(b, direction)


def gain(candidate: float, reference: float, direction: str) -> float:
    """How far ``candidate`` is ahead of ``reference``, in the score's unit: positive when
    it is better, in either direction."""
    return merit(candidate, direction) - merit(reference, direction)


def best(items: Iterable[T], direction: str, score: Callable[[T], float]) -> T:
    """The item with the best score (the first of equals)."""
    return max(items, key=lambda item: merit(score(item), direction))


def word(direction: str) -> str:
    """``lower`` or ``higher``: which way is better, as a sentence says it."""
    return "higher" if direction == "max" else "lower"
