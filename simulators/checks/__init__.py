"""The verifier's mechanical checks, as library functions: static scan, causality, validity.

``run_checks`` bundles the ones ``evaluate`` attaches to a result under ``checks``:
``{"static": {"passed", "blocking", "findings"}, "causality": {"passed", "blocking", ...},
"validity": {"passed", "blocking"}}``. ``blocking`` is true exactly when the check failed in a
way that no score can excuse (the static scan's warnings about big tables do not block).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simulators.checks.causality import check_causality
from simulators.checks.static import StaticReport, static_scan
from simulators.checks.validity import check_output_validity
from simulators.contract import Workload
from simulators.executors import Executor, SandboxLimits
from simulators.scenario import Scenario

__all__ = ["StaticReport", "check_causality", "check_output_validity", "run_checks", "static_scan"]


def run_checks(
    scenario: Scenario,
    source: str,
    workloads: list[Workload],
    wanted: Sequence[str],
    *,
    limits: SandboxLimits,
    executor: Executor | None = None,
    isolate: bool = True,
    static: StaticReport | None = None,
) -> dict[str, Any]:
    """The requested checks for a program that evaluated ``ok`` (validity held: it scored)."""
    checks: dict[str, Any] = {}
    if "static" in wanted:
        checks["static"] = (static or static_scan(source)).as_dict()
    if "causality" in wanted:
        checks["causality"] = check_causality(
            scenario, source, workloads, limits=limits, executor=executor, isolate=isolate
        )
    if "validity" in wanted:
        checks["validity"] = {"passed": True, "blocking": False, "error": None}
    return checks
