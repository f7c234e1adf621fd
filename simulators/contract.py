"""The contract between the framework and a simulator family (a scenario ``kind``).

The rules that make evaluation honest. The candidate only *decides*; the harness *scores*: the
kind's ``player`` (a ``simulators.lockstep.Player``) is the only code that runs beside the
candidate, inside the sandbox, and ``score`` runs in the trusted parent and recomputes every
number (cost, constraints, feasibility) from the decisions and the real data. And the candidate
never holds data it may not see yet: the kind's ``feed`` (trusted) reveals each batch's data
step by step, after the decisions of the step before (``simulators.lockstep``); ``timeline``
says which workloads may share a batch (``simulators.batching``).

Workloads are JSON-plain dicts with a unique ``"id"``; they cross the sandbox boundary as JSON.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from simulators import batching
from simulators.lockstep import Feed, Timeline, load_player, run_in_process
from simulators.scenario import Objective, ScenarioSpec
from simulators.violation import OutputViolation

__all__ = [
    "CausalityProbe",
    "Feed",
    "OutputViolation",
    "ScenarioKind",
    "ScoredSplit",
    "Timeline",
    "Workload",
]

Workload = dict[str, Any]


@dataclass
class ScoredSplit:
    """What the trusted parent computed for one set of workloads.

    ``per_workload`` holds the objective of every *feasible* workload; ``infeasible`` lists the
    ids that broke a hard constraint (e.g. missed deadline) and are never averaged in.
    ``per_metric`` holds each metric the kind reports (``ScenarioKind.metric_names``) per
    workload, for objectives that optimise or constrain more than one
    (``simulators.objectives``).
    """

    per_workload: dict[str, float]
    infeasible: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    artifacts: dict[str, Any] = field(default_factory=dict)
    per_metric: dict[str, dict[str, float]] = field(default_factory=dict)

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
    """One simulator family. Instances live in the trusted parent only; the sandbox gets the
    ``player`` class, which never sees a workload's data before the feed reveals it."""

    kind: ClassVar[str]
    #: Name the candidate module must define (``Policy``, ``rebalance_experts``...).
    entry_point: ClassVar[str]
    #: The sandboxed half: ``package.module:Class``, or ``file.py:Class`` in the scenario
    #: folder. Its module must not import the kind, a data loader or any data.
    player: ClassVar[str]
    #: How the agents call the limit (``ScenarioKind.limit``): "the omniscient optimum"...
    #: A kind may set its own per scenario (eplb's depends on the timing).
    limit_label: str = "limit"
    #: How to read the kind's per-workload artifacts (codes, units), for the critic.
    legend: ClassVar[str] = ""
    #: What a critic of this problem should speak of, in the problem's own words (a load
    #: balancer has hot GPUs and replicas, not preemptions); shown to the critic as is.
    critic_focus: ClassVar[str] = ""
    #: True when scores carry a measured time whose level drifts with the machine's load (a
    #: ratio of two programs' times still moves when one is Python loops and the other numpy):
    #: the verifier then re-measures the champion beside each candidate instead of reusing
    #: the champion's stored scores from another hour.
    fresh_comparisons: bool = False

    def __init__(self, spec: ScenarioSpec, root: Path) -> None:
        self.spec = spec
        self.root = root

    @property
    def objective(self) -> Objective:
        return self.spec.objective

    @abstractmethod
    def workloads(self, split: str) -> list[Workload]:
        """All workloads of a named split, in a fixed order."""

    def preload(self) -> None:  # noqa: B027 - an optional hook: most kinds load lazily
        """Load and check the data (the parent calls it to fail early on a bad scenario)."""

    @abstractmethod
    def feed(self, batch: list[Workload]) -> Feed:
        """The trusted half of one lockstep run over ``batch`` (see ``simulators.lockstep``)."""

    def timeline(self, workload: Workload) -> Timeline | None:
        """Where the workload's data sits on a shared series; None when it shares none (static
        inputs, independent seeds), so it may share a batch with anything."""
        return None

    def batches(self, workloads: list[Workload]) -> list[list[Workload]]:
        """Groups that may run in one child side by side (``simulators.batching``)."""
        return batching.batches(workloads, self.timeline)

    def player_ref(self) -> str:
        """``player`` with a scenario-folder file made absolute (the zygote imports it)."""
        module, _, attr = self.player.rpartition(":")
        if module.endswith(".py"):
            return f"{(self.root / module).resolve()}:{attr}"
        return self.player

    def run_in_process(self, program: dict[str, Any], workloads: list[Workload]) -> dict[str, Any]:
        """Decisions of a TRUSTED program (a baseline, a test's function), run in this process
        through the same feed and player as the sandbox uses. Never for candidate code."""
        player_class = load_player(self.player_ref())
        merged: dict[str, Any] = {}
        for batch in self.batches(workloads):
            part = run_in_process(self.feed(batch), player_class(program))
            for key, value in part.items():
                if isinstance(value, dict):
                    merged.setdefault(key, {}).update(value)
                else:
                    merged[key] = value
        return merged

    @abstractmethod
    def score(self, workloads: list[Workload], raw: dict[str, Any]) -> ScoredSplit:
        """Validate decisions and recompute every number from trusted data (parent side)."""

    def limit(self, split: str, cache_dir: Path) -> dict[str, float] | None:
        """Per-workload theoretical limit (optimum or bound) for a split, cached in ``cache_dir``.

        None when the family has no limit. For ``min`` objectives every feasible policy scores
        >= the limit on every workload.
        """
        return None

    def metric_limits(self, split: str, cache_dir: Path) -> dict[str, dict[str, float]]:
        """The limit of each of ``metric_names`` per workload, where one is known (the
        objective's own is ``limit``)."""
        return {}

    def metric_names(self) -> tuple[str, ...]:
        """The metrics ``score`` reports per workload (``ScoredSplit.per_metric``): what a
        scenario's objective may optimise, weigh or constrain. The default, (), leaves only the
        kind's own objective."""
        return ()

    def score_parts(self, metrics: dict[str, float]) -> dict[str, float]:
        """A feasible split's score as named parts that add up to it (means over the split,
        from ``metrics``), for the cost breakdowns of reports. Parts must not overlap: dollars
        that are already inside another part (restart overhead inside spot dollars) are split
        out of it. The default, {}, says the score is not a sum."""
        return {}

    def group_of(self, workload: Workload) -> str:
        """Label of the report cell a workload belongs to (e.g. ``deadline=52h overhead=0.2h``)."""
        return "all"

    def facets(self, workload: Workload) -> dict[str, str]:
        """Other ways to group workloads than ``group_of``, as {axis: label} (e.g. the zone of
        a trace): the agents see where a program loses along each."""
        return {}

    # -- optional: the verifier's causality check (simulators.checks.causality) -------------
    def causality_probes(self, workloads: list[Workload]) -> list[CausalityProbe]:
        """Perturbed copies of ``workloads``, each changed only after some tick (several ticks
        per workload). The default, [], means the check does not apply to this family. With
        ``decisions_until``, the whole causality interface of a kind: the check, and tests
        that compare in-process runs, build perturbed workloads only through it."""
        return []

    def decisions_until(self, raw: dict[str, Any], workload_id: str, tick: int) -> Any:
        """JSON-comparable decisions of ``workload_id`` in ``raw`` up to and including ``tick``
        (e.g. ``raw["actions"][workload_id][: tick + 1]``). Needed when there are probes."""
        raise NotImplementedError(
            f"{type(self).__name__} has causality probes but no decisions_until"
        )
