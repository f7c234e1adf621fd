"""The contract between the framework and a simulator family (a scenario ``kind``).

The rule that makes evaluation honest: the candidate only *decides*; the harness *scores*.
``run_candidate`` executes inside the sandbox and returns plain data (decisions: actions per tick,
placements, paths). ``score`` runs in the trusted parent and recomputes every number (cost,
constraints, feasibility) from those decisions and the real data. A candidate that rewrites
prices, builtins or numpy inside its own process therefore cannot change its reported score.

Workloads are JSON-plain dicts with a unique ``"id"``; they cross the sandbox boundary as JSON.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from simulators.scenario import Objective, ScenarioSpec

Workload = dict[str, Any]


class OutputViolation(Exception):
    """The candidate's decisions break a rule of the scenario (invalid action, bad placement,
    a path that does not connect). The message says which rule and which workload."""


@dataclass
class ScoredSplit:
    """What the trusted parent computed for one set of workloads.

    ``per_workload`` holds the objective of every *feasible* workload; ``infeasible`` lists the
    ids that broke a hard constraint (e.g. missed deadline) and are never averaged in.
    """

    per_workload: dict[str, float]
    infeasible: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    artifacts: dict[str, Any] = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        return not self.infeasible

    @property
    def score(self) -> float | None:
        """Mean objective over the split, or None when any workload is infeasible."""
        if self.infeasible or not self.per_workload:
            return None
        return sum(self.per_workload.values()) / len(self.per_workload)


@dataclass
class CausalityProbe:
    """A copy of workload ``base_id`` whose data changed only *after* ``tick``: the candidate's
    decisions up to and including ``tick`` must be identical on both (verifier's causality)."""

    base_id: str
    tick: int
    workload: Workload


class ScenarioKind(ABC):
    """One simulator family. Instances live in the trusted parent and (preloaded) in the sandbox
    zygote; only ``run_candidate`` ever touches candidate code."""

    kind: ClassVar[str]
    #: Name the candidate module must define (``Policy``, ``rebalance_experts``...).
    entry_point: ClassVar[str]

    def __init__(self, spec: ScenarioSpec, root: Path) -> None:
        self.spec = spec
        self.root = root

    @property
    def objective(self) -> Objective:
        return self.spec.objective

    @abstractmethod
    def workloads(self, split: str) -> list[Workload]:
        """All workloads of a named split, in a fixed order."""

    def preload(self) -> None:
        """Load data into memory before the sandbox locks down (runs in the zygote)."""

    @abstractmethod
    def run_candidate(self, program: dict[str, Any], workloads: list[Workload]) -> dict[str, Any]:
        """Run the candidate (its module globals) on workloads; return JSON-plain decisions.

        Runs inside the sandbox. Raise ``OutputViolation`` for an invalid decision.
        """

    @abstractmethod
    def score(self, workloads: list[Workload], raw: dict[str, Any]) -> ScoredSplit:
        """Validate decisions and recompute every number from trusted data (parent side)."""

    def limit(self, split: str, cache_dir: Path) -> dict[str, float] | None:
        """Per-workload theoretical limit (optimum or bound) for a split, cached in ``cache_dir``.

        None when the family has no limit. For ``min`` objectives every feasible policy scores
        >= the limit on every workload.
        """
        return None

    def group_of(self, workload: Workload) -> str:
        """Label of the report cell a workload belongs to (e.g. ``deadline=52h overhead=0.2h``)."""
        return "all"

    # -- optional: the verifier's causality check (simulators.checks.causality) -------------
    def causality_probes(self, workloads: list[Workload]) -> list[CausalityProbe]:
        """Perturbed copies of ``workloads``, each changed only after some tick (several ticks
        per workload). The default, [], means the check does not apply to this family."""
        return []

    def decisions_until(self, raw: dict[str, Any], workload_id: str, tick: int) -> Any:
        """JSON-comparable decisions of ``workload_id`` in ``raw`` up to and including ``tick``
        (e.g. ``raw["actions"][workload_id][: tick + 1]``). Needed when there are probes."""
        raise NotImplementedError(f"{type(self).__name__} has causality probes but no decisions_until")
