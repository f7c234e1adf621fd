"""``evaluate``: score one program on one split, the candidate running in the sandbox.

The one entry point the CLI and the research loop call. The candidate only *decides*, in a
locked-down child forked from a per-family zygote (``simulators.sandbox``), and sees the data
only as this trusted parent reveals it, step by step (``simulators.lockstep``); the parent
validates those decisions and recomputes every number with ``engine.score``, so nothing the
candidate does to its own process (prices, builtins, numpy) can change its score.
The verifier's mechanical checks (``simulators.checks``) ride along under ``checks``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from simulators.batching import split_for_workers
from simulators.contract import OutputViolation, ScoredSplit, Workload
from simulators.executors import Executor, SandboxLimits, default_executor
from simulators.objectives import metric_means, objective_values
from simulators.results import EvalResult
from simulators.sandbox.outcome import merge_raw, worst
from simulators.sandbox.protocol import one_line
from simulators.scenario import Objective, Scenario

#: Checks run by default: static scan and output validity always; causality re-runs the
#: candidate, so only on full splits.
DEFAULT_CHECKS_FULL = ("static", "validity", "causality")
DEFAULT_CHECKS_STAGE1 = ("static", "validity")
#: Below this many workloads per batch, splitting a batch across workers costs more than it saves.
MIN_CHUNK = 8


def select_workloads(
    scenario: Scenario, split: str, workload_ids: list[str] | None
) -> list[Workload]:
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


#: Largest program the sandbox is given (bytes of source): a policy worth reading is a few
#: kilobytes; megabytes are a runaway answer or an attempt to smuggle data (a lookup table of
#: answers), and would not fit the sandbox's message frame anyway.
MAX_PROGRAM_BYTES = 1024 * 1024


def evaluate(
    scenario: Scenario,
    source: str,
    split: str,
    *,
    stage: str = "full",
    workload_ids: list[str] | None = None,
    workloads: list[Workload] | None = None,
    timeout_s: float | None = None,
    checks: Sequence[str] | None = None,
    static_gate: bool = True,
    executor: Executor | None = None,
    isolate: bool = True,
) -> EvalResult:
    """Run ``source`` on a split (or on ``workload_ids`` of it) in the sandbox; score it here.

    ``workloads`` may be given directly (probes, benchmarks). ``checks`` names the verifier's
    checks to attach (default: static, plus causality on full splits). With ``static_gate``, a
    program with a blocking static finding is not run at all (status ``violation``); one that
    only warns (a big literal table) runs, and its failed check is the verifier's to weigh.
    Every failed check says whether it blocks: ``blocking`` is true whenever it decided the
    status (or, for causality, makes the score unacceptable whatever it is). Never raises for
    anything the candidate does: failures are statuses. Results are not cached here: the
    research loop keeps them in memory (``graph.evaluation``), keyed by the normalised program.
    """
    started = time.monotonic()
    from simulators.checks import run_checks, static_scan

    wanted = (
        tuple(checks)
        if checks is not None
        else (DEFAULT_CHECKS_FULL if stage == "full" else DEFAULT_CHECKS_STAGE1)
    )
    if workloads is None:
        workloads = select_workloads(scenario, split, workload_ids)
    limits = SandboxLimits.from_spec(scenario.spec.limits, timeout_s)
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > MAX_PROGRAM_BYTES:
        return EvalResult(
            status="violation",
            split=split,
            stage=stage,
            runs=len(workloads),
            error=f"program too large: {size:,} bytes (the cap is {MAX_PROGRAM_BYTES:,})",
            checks={"size": {"passed": False, "blocking": True, "bytes": size}},
        )
    static = static_scan(source)
    if static_gate and static.blocked:
        result = EvalResult(
            status="violation",
            split=split,
            stage=stage,
            runs=len(workloads),
            error=one_line(f"static scan: {static.findings[0]}"),
            checks={"static": static.as_dict()},
        )
    else:
        result = run_and_score(
            scenario,
            source,
            workloads,
            split=split,
            stage=stage,
            limits=limits,
            executor=executor,
            isolate=isolate,
        )
        if result.status == "ok":
            result.checks = run_checks(
                scenario,
                source,
                workloads,
                wanted,
                limits=limits,
                executor=executor,
                isolate=isolate,
                static=static,
            )
        else:
            if "static" in wanted:
                result.checks["static"] = static.as_dict()
            if "validity" in wanted and result.status == "invalid":
                result.checks["validity"] = {
                    "passed": False,
                    "blocking": True,
                    "error": result.error,
                }
    result.run_time_s = time.monotonic() - started
    return result


def run_and_score(
    scenario: Scenario,
    source: str,
    workloads: list[Workload],
    *,
    split: str,
    stage: str,
    limits: SandboxLimits,
    executor: Executor | None = None,
    isolate: bool = True,
) -> EvalResult:
    """Run the candidate, one conflict-free batch per child (as many in parallel as the
    executor has workers), and score the union."""
    executor = executor or default_executor()
    batches = split_for_workers(scenario.engine.batches(workloads), executor.workers, MIN_CHUNK)
    outcomes = executor.run_chunks(scenario.root, source, batches, limits, isolate)
    verdict = worst(outcomes)
    base: dict[str, Any] = {
        "split": split,
        "stage": stage,
        "runs": len(workloads),
        "stdout": "".join(o.output for o in outcomes)[-64 * 1024 :],
    }
    if verdict.status != "ok":
        return EvalResult(
            status=verdict.status,
            error=verdict.error or "no reason given",
            traceback=verdict.traceback,
            **base,
        )
    try:
        merge = getattr(scenario.engine, "merge_raw", merge_raw)
        raw = merge([o.raw for o in outcomes if o.raw is not None])
    except ValueError as err:
        return EvalResult(
            status="invalid", error=one_line(f"inconsistent decisions: {err}"), **base
        )
    return score_raw(scenario, workloads, raw, base)


def score_raw(
    scenario: Scenario, workloads: list[Workload], raw: dict[str, Any], base: dict[str, Any]
) -> EvalResult:
    """Validate and score the child's decisions with the trusted engine."""
    try:
        scored = scenario.engine.score(workloads, raw)
    except OutputViolation as err:
        return EvalResult(status="invalid", error=one_line(f"invalid output: {err}"), **base)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        # Malformed decisions the kind did not anticipate: still the candidate's fault.
        return EvalResult(
            status="invalid",
            error=one_line(f"malformed decisions: {type(err).__name__}: {err}"),
            **base,
        )
    scored = apply_objective(scenario.spec.objective, scored)
    return EvalResult(
        status="ok",
        score=scored.score,
        feasible=scored.feasible,
        infeasible_runs=len(scored.infeasible),
        per_workload=scored.per_workload,
        per_metric=scored.per_metric,
        metrics=scored.metrics,
        parts=scenario.engine.score_parts(scored.metrics) if scored.score is not None else {},
        artifacts=scored.artifacts,
        **base,
    )


def apply_objective(objective: Objective, scored: ScoredSplit) -> ScoredSplit:
    """The kind's scores with the scenario's objective as ``per_workload`` (the metric it
    names, or its weighted sum) and every metric's mean among ``metrics``. A kind with no
    per-workload metrics is left exactly as it scored."""
    if not scored.per_metric:
        return scored
    values = objective_values(objective, scored.per_workload, scored.per_metric)
    return replace(
        scored, per_workload=values, metrics={**scored.metrics, **metric_means(scored.per_metric)}
    )


# --- the cascade: a cheap first stage, the full split only for promising candidates ---------
# Its parts; the research loop runs it (``graph.evaluation.CandidateEvaluator.cascade``).

STAGE1, FULL = "stage1", "full"


def stage1_workload_ids(scenario: Scenario, split: str = "train") -> list[str]:
    """The fixed stage-1 subset: ``spec.cascade.stage1_workloads`` ids spread evenly over the
    split (so it touches every cell of the grid), the same for every candidate."""
    ids = [w["id"] for w in scenario.engine.workloads(split)]
    count = min(scenario.spec.cascade.stage1_workloads, len(ids))
    step = len(ids) / count
    return [ids[int(i * step)] for i in range(count)]


def clears_stage1(scenario: Scenario, score: float | None, reference: float | None) -> bool:
    """Whether a stage-1 score is within ``spec.cascade.tolerance`` (relative) of the reference
    (parent or champion); with no reference every scored candidate clears."""
    if score is None:
        return False
    if reference is None:
        return True
    objective = scenario.spec.objective
    slack = abs(reference) * scenario.spec.cascade.tolerance
    # The worst score that still clears: the reference moved by the slack toward worse.
    worst = (
        reference - slack if objective.better(reference + slack, reference) else reference + slack
    )
    return not objective.better(worst, score)
