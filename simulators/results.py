"""``EvalResult``: what one evaluation of one program on one split (or cascade stage) produced.

Produced by the trusted parent only. Statuses:
``ok`` scored (check ``feasible``); ``error`` the program raised or did not load; ``timeout``
killed after its wall-clock or CPU budget; ``memory`` killed for exceeding its address space;
``invalid`` it returned something outside the interface (bad action, wrong shape);
``violation`` it broke a sandbox rule (forbidden syscall, file or network access).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["ok", "error", "timeout", "memory", "invalid", "violation"]


class EvalResult(BaseModel):
    """One evaluation, JSON-serialisable; ``score`` is None unless ``status == "ok"`` and feasible."""

    status: Status
    split: str
    stage: str = "full"
    runs: int = 0
    score: float | None = None
    feasible: bool = False
    infeasible_runs: int = 0
    metrics: dict[str, float] = Field(default_factory=dict)
    per_workload: dict[str, float] = Field(default_factory=dict)
    #: Every metric the kind reports, per workload (``simulators.objectives``); {} for kinds
    #: whose objective is their only metric.
    per_metric: dict[str, dict[str, float]] = Field(default_factory=dict)
    #: The score as named parts that add up to it (``ScenarioKind.score_parts``); {} when the
    #: score is no sum or the program is not feasible.
    parts: dict[str, float] = Field(default_factory=dict)
    artifacts: dict[str, Any] = Field(default_factory=dict)
    checks: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None
    traceback: str | None = None
    stdout: str = ""
    run_time_s: float = 0.0
    cached: bool = False

    @property
    def passed(self) -> bool:
        """Scored, with every workload feasible."""
        return self.status == "ok" and self.feasible and self.score is not None
