"""A deliberately tiny scenario kind: the sandbox's own test bed and benchmark subject.

It has the shape of the real families (a trace the policy must not peek ahead in, prices the
harness owns, a hard constraint) in a few lines, so the sandbox can be tested without them.
Workload: ``{"id", "series", "need"}``; a ``"values"`` list, when present, replaces the series
(perturbed copies for causality probes). Each tick the policy answers 0 (idle), 1 (cheap, works
only when the series says 1) or 2 (expensive, always works); ``need`` working ticks are required.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from simulators.contract import (
    CausalityProbe,
    OutputViolation,
    ScenarioKind,
    ScoredSplit,
    Workload,
)
from simulators.json_ticks import JsonTickFeed

#: The prices the harness scores with; a candidate rewriting this in its own process changes nothing.
PRICES = (0.0, 1.0, 3.0)


class Kind(ScenarioKind):
    """Toy family ``simulators.sandbox.toykind:Kind``; data in ``<root>/series.json``."""

    kind = "toy"
    entry_point = "Policy"
    player = "simulators.sandbox.toyplayer:ToyPlayer"

    _series: dict[str, list[int]] | None = None

    def preload(self) -> None:
        self._series = json.loads((self.root / "series.json").read_text())

    def _values(self, workload: Workload) -> list[int]:
        if "values" in workload:
            return list(workload["values"])
        if self._series is None:
            self.preload()
        assert self._series is not None
        return self._series[workload["series"]]

    def workloads(self, split: str) -> list[Workload]:
        params = self.spec.splits[split]
        repeat = int(params.get("repeat", 1))
        return [
            {
                "id": f"{split}-{name}" + (f"-{k}" if repeat > 1 else ""),
                "series": name,
                "need": params.get("need", 3),
            }
            for k in range(repeat)
            for name in params["series"]
        ]

    def feed(self, batch: list[Workload]) -> JsonTickFeed:
        """Only the present and the past reach the policy: one tick per message."""
        series = [self._values(w) for w in batch]
        return JsonTickFeed(
            [w["id"] for w in batch],
            [{"need": w["need"], "ticks": len(values)} for w, values in zip(batch, series)],
            [[{"t": t, "available": bool(v)} for t, v in enumerate(values)] for values in series],
        )

    def score(self, workloads: list[Workload], raw: dict[str, Any]) -> ScoredSplit:
        actions_by_id = raw["actions"]
        per_workload: dict[str, float] = {}
        infeasible: list[str] = []
        for workload in workloads:
            values = self._values(workload)
            actions = actions_by_id.get(workload["id"])
            if not isinstance(actions, list) or len(actions) != len(values):
                raise OutputViolation(f"workload {workload['id']}: expected {len(values)} actions")
            cost, work = 0.0, 0
            for t, (action, value) in enumerate(zip(actions, values)):
                if action not in (0, 1, 2) or isinstance(action, bool):
                    raise OutputViolation(
                        f"workload {workload['id']} tick {t}: bad action {action!r}"
                    )
                if action == 2 or (action == 1 and value):
                    work += 1
                cost += PRICES[action]
            if work < workload["need"]:
                infeasible.append(workload["id"])
            else:
                per_workload[workload["id"]] = cost
        return ScoredSplit(
            per_workload=per_workload,
            infeasible=infeasible,
            metrics={"runs": float(len(workloads))},
        )

    def causality_probes(self, workloads: list[Workload]) -> list[CausalityProbe]:
        """Copies whose values are flipped after ticks 1, 3 and 5."""
        probes = []
        for workload in workloads:
            values = self._values(workload)
            for tick in (1, 3, 5):
                if tick + 1 < len(values):
                    flipped = values[: tick + 1] + [1 - v for v in values[tick + 1 :]]
                    probes.append(
                        CausalityProbe(workload["id"], tick, {**workload, "values": flipped})
                    )
        return probes

    def decisions_until(self, raw: dict[str, Any], workload_id: str, tick: int) -> Any:
        return raw["actions"][workload_id][: tick + 1]


SERIES = {
    "a": [1, 1, 0, 0, 1, 1, 0, 1],
    "b": [0, 0, 0, 1, 1, 1, 1, 0],
    "c": [1, 0, 1, 0, 1, 0, 1, 0],
    "d": [0, 0, 0, 0, 0, 0, 0, 0],
    "e": [1, 1, 1, 1, 1, 1, 1, 1],
    "f": [0, 1, 1, 0, 0, 1, 1, 0],
}

TOY_SEED = textwrap.dedent(
    """
    class Policy:
        def __init__(self, job):
            self.need = job["need"]
            self.done = 0

        def decide(self, obs):
            if self.done >= self.need:
                return 0
            self.done += 1
            return 1 if obs["available"] else 2
    """
)


def write_toy_scenario(folder: Path, timeout_s: float = 10.0, memory_mb: int = 1024) -> Path:
    """Write a toy scenario folder (scenario.toml, series.json, seed.py) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "series.json").write_text(json.dumps(SERIES))
    (folder / "seed.py").write_text(TOY_SEED)
    (folder / "scenario.toml").write_text(
        textwrap.dedent(f"""
        name = "toy"
        version = "1"
        kind = "simulators.sandbox.toykind:Kind"
        [objective]
        name = "cost"
        direction = "min"
        [splits.train]
        series = ["a", "b", "c", "d", "e", "f"]
        [splits.heldout]
        series = ["c", "a"]
        [splits.many]
        series = ["a", "b", "c", "d", "e", "f"]
        repeat = 8
        [cascade]
        stage1_workloads = 2
        tolerance = 0.05
        [limits]
        timeout_s = {timeout_s}
        memory_mb = {memory_mb}
        cpu_s = {timeout_s}
    """)
    )
    return folder
