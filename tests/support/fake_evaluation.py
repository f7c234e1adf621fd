"""An instant ``evaluate_fn`` whose scores a test decides: a program's cost on every workload is
a fixed base cost times the factor written in its code (``FACTOR = 0.90``; 1.0 without one:
code, not a comment, which memory's normalisation would strip).
For tests of the loop's own logic (verdict order, lanes, budgets), not of any simulator."""

from __future__ import annotations

import random
import re
import threading
from typing import Any

from simulators.results import EvalResult
from simulators.scenario import Scenario

FACTOR = re.compile(r"^FACTOR = ([\d.]+)$", re.MULTILINE)
CHECKS = {
    "static": {"passed": True, "blocking": False, "findings": []},
    "causality": {"passed": True, "applicable": True, "probes": 9, "violations": []},
}


def with_factor(code: str, factor: float) -> str:
    """``code`` marked to cost ``factor`` times the base on every workload."""
    return f"{code.rstrip()}\n\nFACTOR = {factor:.2f}\n"


class ScaledEvaluator:
    """Scores by the factor in the code; counts calls per (code, split, stage)."""

    def __init__(self, scenario: Scenario) -> None:
        rng = random.Random(7)
        self.ids = {
            s: [w["id"] for w in scenario.engine.workloads(s)] for s in ("train", "heldout")
        }
        self.base = {s: {i: rng.uniform(60.0, 150.0) for i in ids} for s, ids in self.ids.items()}
        #: The behaviour the scenario's program database places programs by, mid-range.
        self.metrics = {d["name"]: 0.5 for d in scenario.spec.params.get("descriptors", [])}
        self.calls: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()

    def __call__(
        self,
        scenario: Scenario,
        source: str,
        split: str,
        *,
        stage: str = "full",
        workload_ids: list[str] | None = None,
        **_: Any,
    ) -> EvalResult:
        with self._lock:
            self.calls.append((source, split, stage))
        found = FACTOR.search(source)
        factor = float(found.group(1)) if found else 1.0
        ids = workload_ids or self.ids[split]
        per = {i: self.base[split][i] * factor for i in ids}
        return EvalResult(
            status="ok",
            split=split,
            stage=stage,
            runs=len(ids),
            score=sum(per.values()) / len(per),
            feasible=True,
            per_workload=per,
            metrics=dict(self.metrics),
            checks=dict(CHECKS),
        )
