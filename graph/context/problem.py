"""The problem statement every role reads: the ``## Problem`` section of the scenario's README.

One place per scenario, written for a reader who sees nothing else: the objective with its
direction and unit, the rules of the model, the interface with units and types, and what the
splits are. Small models get the short form: the one-paragraph ``description`` of
``scenario.toml`` with the objective line.
"""

from __future__ import annotations

import re
from functools import lru_cache

from simulators.direction import word
from simulators.objectives import describe_constraint
from simulators.scenario import Scenario

_HEADING = re.compile(r"^## Problem\s*$", re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)


def objective_line(scenario: Scenario) -> str:
    """``Objective: cost_usd ($), lower is better`` from the scenario file."""
    o = scenario.spec.objective
    better = word(o.direction)
    unit = f" ({o.unit})" if o.unit else ""
    line = f"Objective: {o.name}{unit}, {better} is better"
    if o.terms:
        line += " = " + " + ".join(f"{t.weight:g} {t.unit} x {t.metric}" for t in o.terms)
    if o.constraints:
        line += ", subject to " + "; ".join(
            describe_constraint(c, scenario.spec.reference_baseline) for c in o.constraints
        )
    return line + "."


@lru_cache(maxsize=32)
def readme_problem(scenario: Scenario) -> str | None:
    """The README's ``## Problem`` section without its heading, or None."""
    path = scenario.root / "README.md"
    if not path.is_file():
        return None
    text = path.read_text()
    found = _HEADING.search(text)
    if found is None:
        return None
    body = text[found.end() :]
    following = re.search(r"^## ", body, re.MULTILINE)
    body = body[: following.start()] if following else body
    return _COMMENT.sub("", body).strip() or None


@lru_cache(maxsize=32)
def baseline_code(scenario: Scenario, name: str | None) -> str | None:
    """The source of one of the scenario's baselines (trusted code the agents may read)."""
    path = scenario.baseline_paths().get(name) if name else None
    return path.read_text().rstrip() if path is not None and path.is_file() else None


def problem_statement(scenario: Scenario, short: bool = False) -> str:
    """The problem as every role sees it (the short form for small models)."""
    full = None if short else readme_problem(scenario)
    if full and scenario.spec.objective.form != "single":
        # The scenario file is what the verifier judges by: its objective closes the README's
        # words, so the two can never drift apart where it matters.
        return f"{full}\n\n{objective_line(scenario)}"
    if full:
        return full
    description = " ".join(scenario.spec.description.split())
    return f"{description}\n{objective_line(scenario)}".strip()
