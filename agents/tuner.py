"""Tune the numeric constants of an EVOLVE-BLOCK with ``scipy.optimize``: structure from the
model, numbers from an optimizer.

:func:`find_constants` locates the int/float literals inside the block (``ast``; a leading minus is
part of the constant; booleans and the ubiquitous 0, 1 and -1 integers are left alone: they are
usually indices and flags, not knobs). :func:`tune_constants` runs bounded Nelder-Mead (or Powell)
on them against ``objective(source) -> float | None`` (higher is better unless ``maximize=False``;
None means infeasible) supplied by the caller — the graph passes a sandboxed evaluation on a
training subset. The evaluation budget is hard: the optimizer is stopped at the budget-th call.
"""

from __future__ import annotations

import ast
import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict

import numpy as np
from scipy.optimize import minimize

from agents.edits import evolve_regions
from simulators.source import parse_source

Objective = Callable[[str], "float | None"]
_SKIP_INTS = {0, 1, -1}


@dataclass(frozen=True)
class Constant:
    """A numeric literal in the source: where it is and its value."""

    line: int  # 1-based
    col: int  # 0-based character offsets on that line
    end_col: int
    value: float
    is_int: bool


@dataclass
class TuneResult:
    """Best source found, its score, the starting score, and how many evaluations were spent."""

    source: str
    score: float | None
    initial_score: float | None
    evaluations: int
    constants: list[Constant] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    @property
    def improved(self) -> bool:
        """True when tuning found a strictly better program than the one it started from."""
        return self.score is not None and (
            self.initial_score is None or self.score != self.initial_score
        )


def find_constants(source: str, max_constants: int = 12) -> list[Constant]:
    """Numeric literals inside the EVOLVE-BLOCK(s), in source order (at most ``max_constants``)."""
    tree = parse_source(source)
    line_starts = [0]
    for line in source.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    regions = evolve_regions(source)

    def inside(node: ast.expr) -> bool:
        # Parsed nodes always carry an end position; only nodes built by hand lack one.
        assert node.end_lineno is not None and node.end_col_offset is not None
        start = line_starts[node.lineno - 1] + node.col_offset
        end = line_starts[node.end_lineno - 1] + node.end_col_offset
        return any(r0 <= start and end <= r1 for r0, r1 in regions)

    found: dict[tuple[int, int], Constant] = {}
    negated: set[int] = set()
    for node in ast.walk(tree):
        target: ast.UnaryOp | ast.Constant
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
        ):
            target, literal, sign = node, node.operand, -1.0
            negated.add(id(node.operand))
        elif isinstance(node, ast.Constant) and id(node) not in negated:
            target, literal, sign = node, node, 1.0
        else:
            continue
        value = literal.value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not inside(target):
            continue
        if target.lineno != target.end_lineno or target.end_col_offset is None:
            continue
        value = sign * value
        is_int = isinstance(literal.value, int)
        if is_int and value in _SKIP_INTS:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            continue
        found[(target.lineno, target.col_offset)] = Constant(
            target.lineno, target.col_offset, target.end_col_offset, float(value), is_int
        )
    # A negated literal was also visited alone before its UnaryOp in some walks: drop overlaps.
    ordered = sorted(found.values(), key=lambda c: (c.line, c.col))
    result: list[Constant] = []
    for const in ordered:
        if result and result[-1].line == const.line and const.col < result[-1].end_col:
            continue
        result.append(const)
    return result[:max_constants]


def substitute(source: str, constants: list[Constant], values: list[float]) -> str:
    """The source with each constant replaced by the matching value (formatting kept)."""
    lines = source.splitlines(keepends=True)
    for const, value in sorted(zip(constants, values), key=lambda cv: (-cv[0].line, -cv[0].col)):
        text = str(round(value)) if const.is_int else repr(float(value))
        if text.startswith("-"):
            text = f"({text})"
        line = lines[const.line - 1]
        lines[const.line - 1] = line[: const.col] + text + line[const.end_col :]
    return "".join(lines)


class _BudgetSpent(Exception):
    pass


class _Best(TypedDict):
    """The best candidate scored so far (score None until one is feasible)."""

    source: str
    score: float | None


def tune_constants(
    source: str,
    objective: Objective,
    budget: int = 30,
    maximize: bool = True,
    method: str = "Nelder-Mead",
    max_constants: int = 8,
    spread: float = 4.0,
) -> TuneResult:
    """Tune the block's constants within ``budget`` objective evaluations.

    Each constant moves within [v/spread, v*spread] (sign kept; [-1, 1] for a zero float); ints
    are rounded. Identical candidate sources are evaluated once. The starting program is the
    first evaluation, so the result is never worse than the input.
    """
    constants = find_constants(source, max_constants=max_constants)
    cache: dict[str, float | None] = {}
    best: _Best = {"source": source, "score": None}
    count = 0

    def score_of(candidate: str) -> float | None:
        nonlocal count
        if candidate in cache:
            return cache[candidate]
        if count >= budget:
            raise _BudgetSpent
        count += 1
        try:
            raw = objective(candidate)
        except Exception:
            raw = None
        value = None if raw is None or not math.isfinite(raw) else float(raw)
        cache[candidate] = value
        if value is not None and (
            best["score"] is None or (value > best["score"] if maximize else value < best["score"])
        ):
            best["source"], best["score"] = candidate, value
        return value

    if budget <= 0:
        return TuneResult(source, None, None, 0, constants)
    initial = score_of(source)
    if not constants or budget <= 1:
        return TuneResult(source, initial, initial, count, constants)

    x0 = np.array([c.value for c in constants])
    lows, highs = [], []
    for v in x0:
        if v == 0:
            lows.append(-1.0)
            highs.append(1.0)
        else:
            a, b = sorted((v / spread, v * spread))
            lows.append(a)
            highs.append(b)
    bounds = list(zip(lows, highs))

    values_of: dict[str, list[float]] = {source: list(x0)}

    def loss(x: np.ndarray) -> float:
        candidate = substitute(source, constants, list(x))
        values_of.setdefault(
            candidate, [round(v) if c.is_int else float(v) for c, v in zip(constants, x)]
        )
        value = score_of(candidate)
        if value is None:
            return 1e30
        return -value if maximize else value

    options: dict[str, object] = {"maxfev": budget}
    if method == "Nelder-Mead":
        # A wide first simplex: the default 5% steps are too timid for hand-picked constants.
        simplex = [x0]
        for i, v in enumerate(x0):
            step = x0.copy()
            step[i] = v * 1.5 if v != 0 else 0.5
            step[i] = min(max(step[i], lows[i]), highs[i])
            simplex.append(step)
        options["initial_simplex"] = np.array(simplex)
    with contextlib.suppress(_BudgetSpent):
        minimize(loss, x0, method=method, bounds=bounds, options=options)
    best_source = best["source"]
    return TuneResult(
        best_source, best["score"], initial, count, constants, values_of.get(best_source, list(x0))
    )
