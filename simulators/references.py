"""The points every result is measured against: the scenario's baselines and its limit.

A number alone says little: "$90.76" means something only beside Uniform Progress ($91.64, the
published human design) and the omniscient optimum ($81.30, what no policy can beat). The agents
see these, per split and per group of workloads, so they know how much room is left and where.

Baselines are trusted programs scored through the same ``evaluate`` entry point as candidates;
the limit comes from the kind (``ScenarioKind.limit``). Both are cached in a folder keyed by
everything they depend on, so the minutes an optimum takes are paid once.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import Any

from simulators.scenario import Objective, Scenario

#: Name of the limit among the references (stored with this name in a session's events).
LIMIT_KEY = "optimum"
#: Bumped when what a cached baseline file holds changes.
CACHE_VERSION = "references-4"

PerWorkload = dict[str, float]


class BaselineFailed(RuntimeError):
    """A bundled baseline failed: a scenario bug, said in one line."""


def default_cache(workspace: Path) -> Path:
    """``<workspace>/cache``, or the folder ``ADRS_CACHE_DIR`` names (shared between workspaces:
    entries are keyed by what they depend on, so sharing is safe)."""
    shared = os.environ.get("ADRS_CACHE_DIR")
    path = Path(shared).expanduser() if shared else workspace / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _fingerprint(scenario: Scenario, split: str, extra: str) -> str:
    workloads = scenario.engine.workloads(split)
    blob = json.dumps(
        [CACHE_VERSION, (scenario.root / "scenario.toml").read_text(), split, workloads, extra],
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def baseline_result(scenario: Scenario, name: str, split: str, cache: Path) -> dict[str, Any]:
    """One baseline on one split: ``{"score", "per_workload", "per_metric",
    "infeasible_runs", "parts"}``, cached."""
    from simulators.evaluate import evaluate

    source = scenario.baseline_paths()[name].read_text()
    path = (
        cache / f"baseline-{scenario.name}-{split}-{name}-"
        f"{_fingerprint(scenario, split, source)}.json"
    )
    if path.is_file():
        return json.loads(path.read_text())
    result = evaluate(scenario, source, split)
    if result.status != "ok":
        raise BaselineFailed(
            f"baseline '{name}' of {scenario.name} failed on {split}: {result.error}"
        )
    data = {
        "score": result.score,
        "infeasible_runs": result.infeasible_runs,
        "per_workload": result.per_workload,
        "per_metric": result.per_metric,
        "parts": result.parts,
    }
    path.write_text(json.dumps(data))
    return data


@dataclass(frozen=True)
class References:
    """Per-workload values of every baseline and of the limit, per split.

    ``values[name][split]`` maps workload id to objective; the limit is under ``LIMIT_KEY``.
    ``reference`` names the baseline the scenario declares as the one to beat.
    """

    values: dict[str, dict[str, PerWorkload]] = field(default_factory=dict)
    reference: str | None = None
    limit_label: str = "limit"
    #: ``parts[name][split]``: a baseline's score as parts that add up to it (the kind's
    #: ``score_parts``), for cost breakdowns; absent when the score is no sum.
    parts: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    #: ``metrics[name][split][metric]``: per-workload values of each metric the kind measures
    #: (``ScoredSplit.per_metric``), for baselines and the limit; what constraints are judged
    #: against and what multi-metric tables show.
    metrics: dict[str, dict[str, dict[str, PerWorkload]]] = field(default_factory=dict)
    #: (name, split) -> mean: every prompt shows these, and they never change.
    _means: dict[tuple[str, str], float] = field(init=False, repr=False, compare=False)

    @classmethod
    def load(
        cls, scenario: Scenario, cache: Path, splits: tuple[str, ...] = ("train", "heldout")
    ) -> References:
        """Score (or find cached) every baseline and the limit on ``splits``."""
        values: dict[str, dict[str, PerWorkload]] = {}
        parts: dict[str, dict[str, dict[str, float]]] = {}
        metrics: dict[str, dict[str, dict[str, PerWorkload]]] = {}
        for split in splits:
            if split not in scenario.spec.splits:
                continue
            for name in scenario.spec.baselines:
                result = baseline_result(scenario, name, split, cache)
                values.setdefault(name, {})[split] = dict(result["per_workload"])
                if result.get("parts"):
                    parts.setdefault(name, {})[split] = dict(result["parts"])
                if result.get("per_metric"):
                    metrics.setdefault(name, {})[split] = dict(result["per_metric"])
            limit = scenario.engine.limit(split, cache)
            if limit:
                values.setdefault(LIMIT_KEY, {})[split] = dict(limit)
            limits = scenario.engine.metric_limits(split, cache)
            if limits:
                metrics.setdefault(LIMIT_KEY, {})[split] = limits
        return cls(
            values, scenario.spec.reference_baseline, scenario.engine.limit_label, parts, metrics
        )

    def with_split(self, other: References) -> References:
        """These references plus ``other``'s splits (the test split, once a session stops)."""
        merged = {name: dict(by_split) for name, by_split in self.values.items()}
        for name, by_split in other.values.items():
            merged.setdefault(name, {}).update(by_split)
        parts = {name: dict(by_split) for name, by_split in self.parts.items()}
        for name, by_split in other.parts.items():
            parts.setdefault(name, {}).update(by_split)
        metrics = {name: dict(by_metric) for name, by_metric in self.metrics.items()}
        for name, by_metric in other.metrics.items():
            metrics.setdefault(name, {}).update(by_metric)
        return References(
            merged, self.reference or other.reference, self.limit_label, parts, metrics
        )

    @property
    def baselines(self) -> list[str]:
        """Baseline names, the reference first."""
        names = [n for n in self.values if n != LIMIT_KEY]
        return sorted(names, key=lambda n: n != self.reference)

    def per_workload(self, name: str, split: str) -> PerWorkload:
        return self.values.get(name, {}).get(split, {})

    def mean(self, name: str, split: str) -> float | None:
        return self._means.get((name, split))

    def __post_init__(self) -> None:
        means = {
            (name, split): fmean(values.values())
            for name, by_split in self.values.items()
            for split, values in by_split.items()
            if values
        }
        object.__setattr__(self, "_means", means)

    def metric(self, name: str, split: str, metric: str) -> PerWorkload:
        """One metric's per-workload values for a baseline (or ``LIMIT_KEY``) on a split."""
        return self.metrics.get(name, {}).get(split, {}).get(metric, {})

    def for_constraints(self, objective: Objective, split: str) -> dict[str, PerWorkload]:
        """The reference baseline's values of each constrained metric on ``split``: what every
        constraint is judged against (empty values when the reference has none)."""
        return {
            c.metric: self.metric(self.reference or "", split, c.metric)
            for c in objective.constraints
        }

    def metric_mean(self, name: str, split: str, metric: str) -> float | None:
        values = self.metric(name, split, metric)
        return fmean(values.values()) if values else None

    def limit(self, split: str) -> PerWorkload:
        return self.per_workload(LIMIT_KEY, split)

    def metric_means(self) -> dict[str, dict[str, dict[str, float]]]:
        """``{name: {split: {metric: mean}}}``: what the session's events keep of ``metrics``."""
        return {
            name: {
                split: {
                    metric: fmean(values.values()) for metric, values in by_metric.items() if values
                }
                for split, by_metric in by_split.items()
            }
            for name, by_split in self.metrics.items()
        }

    def means(self) -> dict[str, dict[str, float]]:
        """``{name: {split: mean}}``: the shape the console and the session's events keep."""
        return {
            name: {split: self._means[(name, split)] for split, v in by_split.items() if v}
            for name, by_split in self.values.items()
        }
