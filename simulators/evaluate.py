"""``evaluate``: score one program on one split, the candidate running away from this process.

The one entry point the CLI and the research loop call. The candidate only *decides* (in a
child process); this trusted parent validates those decisions and recomputes every number with
``engine.score``, so nothing the candidate does to its own process can change its score.
"""

from __future__ import annotations

import time
from typing import Any

from simulators.contract import OutputViolation, Workload
from simulators.results import EvalResult
from simulators.sandbox.protocol import BadReport, decode_report, one_line
from simulators.sandbox.runner import ChildExit, run_plain_child
from simulators.scenario import Scenario


def select_workloads(scenario: Scenario, split: str, workload_ids: list[str] | None) -> list[Workload]:
    """The split's workloads, optionally restricted to ``workload_ids`` (kept in split order)."""
    workloads = scenario.engine.workloads(split)
    if workload_ids is None:
        return workloads
    wanted = set(workload_ids)
    chosen = [w for w in workloads if w["id"] in wanted]
    missing = wanted - {w["id"] for w in chosen}
    if missing:
        raise ValueError(f"unknown workload ids for split '{split}': {sorted(missing)[:5]}")
    return chosen


def evaluate(
    scenario: Scenario,
    source: str,
    split: str,
    *,
    stage: str = "full",
    workload_ids: list[str] | None = None,
    workloads: list[Workload] | None = None,
    timeout_s: float | None = None,
) -> EvalResult:
    """Run ``source`` on a split (or on ``workload_ids`` of it) and score it in this process.

    ``workloads`` may be given directly (causality probes use perturbed copies); otherwise they
    come from the split. Never raises for anything the candidate does: failures are statuses.
    """
    started = time.monotonic()
    if workloads is None:
        workloads = select_workloads(scenario, split, workload_ids)
    limit = timeout_s if timeout_s is not None else scenario.spec.limits.timeout_s
    child = run_plain_child(scenario.root, source, workloads, limit)
    result = result_from_child(scenario, workloads, child, split=split, stage=stage)
    result.run_time_s = time.monotonic() - started
    return result


def result_from_child(
    scenario: Scenario, workloads: list[Workload], child: ChildExit, *, split: str, stage: str
) -> EvalResult:
    """Turn what the child did into an ``EvalResult``; scoring happens here, in the parent."""
    base: dict[str, Any] = {"split": split, "stage": stage, "runs": len(workloads), "stdout": child.output}
    if child.timed_out:
        return EvalResult(status="timeout", error=f"timed out after {child.wall_s:.1f}s wall clock", **base)
    if child.report_overflow:
        return EvalResult(status="invalid", error="result too large", **base)
    if not child.report:
        return EvalResult(status="error", error=_no_report_reason(child.returncode), **base)
    try:
        report = decode_report(child.report)
    except BadReport as err:
        return EvalResult(status="invalid", error=str(err), **base)
    if report.outcome != "ok" or report.raw is None:
        return EvalResult(status=report.outcome if report.outcome != "ok" else "invalid",
                          error=report.error or "no result", traceback=report.traceback, **base)
    return score_raw(scenario, workloads, report.raw, base)


def score_raw(scenario: Scenario, workloads: list[Workload], raw: dict[str, Any], base: dict[str, Any]) -> EvalResult:
    """Validate and score the child's decisions with the trusted engine."""
    try:
        scored = scenario.engine.score(workloads, raw)
    except OutputViolation as err:
        return EvalResult(status="invalid", error=one_line(f"invalid output: {err}"), **base)
    except (KeyError, TypeError, ValueError, IndexError) as err:
        # Malformed decisions the kind did not anticipate: still the candidate's fault.
        return EvalResult(status="invalid", error=one_line(f"malformed decisions: {type(err).__name__}: {err}"), **base)
    return EvalResult(
        status="ok",
        score=scored.score,
        feasible=scored.feasible,
        infeasible_runs=len(scored.infeasible),
        per_workload=scored.per_workload,
        metrics=scored.metrics,
        artifacts=scored.artifacts,
        **base,
    )


def _no_report_reason(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        import signal

        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = str(-returncode)
        return f"program was killed by {name} before reporting"
    return f"program exited (code {returncode}) before reporting"
