"""Evaluation of stored programs for the research loop: cascade on train, then held-out.

Every result is written to memory before it is used, and every request first looks in memory
for the same normalised code on the same scenario version, split and stage. That one rule gives
the evaluation cache across sessions *and* makes resume after ``kill -9`` exact: an evaluation
that completed is found again; one that was cut off runs once more, never twice to completion.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from memory.records import Evaluation, Program
from memory.store import Store
from simulators.evaluate import FULL, STAGE1, clears_stage1, evaluate, stage1_workload_ids
from simulators.executors import Executor
from simulators.results import EvalResult
from simulators.scenario import Scenario

EvaluateFn = Callable[..., EvalResult]

#: Results kept parsed in this process (the champion's and this iteration's are read again and
#: again by evaluate, critique, verify and record; a spot-single row holds ~1,000 values).
RECENT_RESULTS = 64

__all__ = ["FULL", "STAGE1", "CandidateEvaluator", "passed_score"]


def passed_score(result: EvalResult) -> float:
    """The score of a result that passed (``EvalResult.passed`` requires one). The loop seeds,
    judges and places only such results, so a missing score here is a bug, not an outcome."""
    if result.score is None:
        raise ValueError(f"no score on {result.split} ({result.status}): it did not pass")
    return result.score


def _as_result(row: Evaluation) -> EvalResult:
    artifacts = dict(row.artifacts)
    return EvalResult(
        status=row.status,
        split=row.split,
        stage=row.stage,
        score=row.score,
        feasible=row.feasible,
        runs=int(row.metrics.get("runs", 0)),
        metrics=row.metrics,
        per_workload=row.per_workload,
        per_metric=artifacts.get("per_metric") or {},
        artifacts=artifacts.get("critic", {}),
        checks=artifacts.get("checks", {}),
        error=artifacts.get("error"),
        parts=artifacts.get("parts") or {},
        infeasible_runs=int(row.metrics.get("infeasible_runs", 0)),
        run_time_s=row.run_time_s or 0.0,
        cached=True,
    )


class CandidateEvaluator:
    """Scores programs of one session through the sandboxed ``simulators.evaluate``. Lanes
    share one: it is thread-safe, and a result being computed for one lane is waited for,
    not computed again, by another that asks for the same program, split and stage."""

    def __init__(
        self,
        store: Store,
        scenario: Scenario,
        evaluate_fn: EvaluateFn = evaluate,
        executor: Executor | None = None,
    ):
        self.store = store
        self.scenario = scenario
        self.evaluate_fn = evaluate_fn
        #: Where the sandboxed runs go (``--workers``, Ray); None: the process-wide default.
        self.executor = executor
        self.stage1_ids = stage1_workload_ids(scenario)
        #: Evaluations actually run (not found in memory) by this process: for tests and benches.
        self.executed = 0
        #: (program id, split, stage) -> the result as memory holds it; a stored evaluation is
        #: never rewritten, so this only saves re-reading and re-parsing the same row.
        self._recent: OrderedDict[tuple[int, str, str], EvalResult] = OrderedDict()
        #: Keys ``known`` found no evaluation for; this process is the only one that evaluates
        #: the session's programs, so a key leaves the set when it evaluates that program.
        self._absent: set[tuple[int, str, str]] = set()
        #: Keys being evaluated now, by some lane: others wait for the result.
        self._running: dict[tuple[int, str, str], threading.Event] = {}
        self._lock = threading.Lock()

    def run(
        self,
        source: str,
        split: str,
        stage: str = FULL,
        workload_ids: list[str] | None = None,
        checks: tuple[str, ...] | None = None,
    ) -> EvalResult:
        """One sandboxed evaluation of ``source``, not stored (the tuner's trials use it)."""
        extra = {"executor": self.executor} if self.executor is not None else {}
        return self.evaluate_fn(
            self.scenario,
            source,
            split,
            stage=stage,
            workload_ids=workload_ids,
            checks=checks,
            **extra,
        )

    def score(self, program: Program, split: str, stage: str = FULL) -> EvalResult:
        """The program's result on ``split``/``stage``, from memory when already known."""
        key = (program.id, split, stage)
        while True:
            with self._lock:
                if key in self._recent:
                    self._recent.move_to_end(key)
                    return self._recent[key]
                running = self._running.get(key)
                if running is None:
                    self._running[key] = threading.Event()
                    break
            running.wait()  # another lane is computing it; then it is in memory
        try:
            return self._score(program, split, stage, key)
        finally:
            with self._lock:
                self._running.pop(key).set()

    def _score(
        self, program: Program, split: str, stage: str, key: tuple[int, str, str]
    ) -> EvalResult:
        own = self.store.latest_evaluation(program.id, split, stage)
        if own is not None:
            return self._keep(key, _as_result(own))
        spec = self.scenario.spec
        known = self.store.find_evaluation_by_hash(
            spec.name, split, stage, program.code_hash, spec.version
        )
        if known is not None:
            result = _as_result(known)
        else:
            ids = self.stage1_ids if stage == STAGE1 else None
            # Causality is probed once, on the full train split; other runs only scan.
            checks = None if (split, stage) == ("train", FULL) else ("static", "validity")
            result = self.run(program.code, split, stage, workload_ids=ids, checks=checks)
            with self._lock:
                self.executed += 1
        self._remember(program, result)
        return result

    def known(self, program_id: int, split: str, stage: str = FULL) -> EvalResult | None:
        """The program's own result on ``split``/``stage`` if it ran there, never running it
        (prompts read results many times: each is parsed once)."""
        key = (program_id, split, stage)
        with self._lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key]
            if key in self._absent:
                return None
        own = self.store.latest_evaluation(program_id, split, stage)
        if own is None:
            with self._lock:
                if key not in self._recent:
                    self._absent.add(key)  # until this process evaluates it (``_remember``)
            return None
        return self._keep(key, _as_result(own))

    def _keep(self, key: tuple[int, str, str], result: EvalResult) -> EvalResult:
        with self._lock:
            self._recent[key] = result
            self._recent.move_to_end(key)
            if len(self._recent) > RECENT_RESULTS:
                self._recent.popitem(last=False)
        return result

    def _remember(self, program: Program, result: EvalResult) -> None:
        metrics: dict[str, Any] = {
            **result.metrics,
            "runs": result.runs,
            "infeasible_runs": result.infeasible_runs,
        }
        artifacts = {
            "critic": result.artifacts,
            "checks": result.checks,
            "error": result.error,
            "parts": result.parts,
            "per_metric": result.per_metric,
        }
        self.store.add_evaluation(
            program.id,
            result.split,
            result.stage,
            result.score,
            result.feasible,
            result.status,
            metrics,
            result.per_workload,
            artifacts,
            result.run_time_s,
        )
        with self._lock:
            self._absent.discard((program.id, result.split, result.stage))
        # Later reads get what a read from memory would give (see ``_as_result``).
        self._keep(
            (program.id, result.split, result.stage),
            result.model_copy(
                update={
                    "metrics": {k: float(v) for k, v in metrics.items()},
                    "cached": True,
                    "stdout": "",
                    "traceback": None,
                    "run_time_s": result.run_time_s or 0.0,
                }
            ),
        )

    def cascade(
        self, program: Program, reference_stage1: float | None
    ) -> tuple[EvalResult, EvalResult | None]:
        """Stage 1 on the fixed subset; the full train split only if stage 1 is within the
        scenario's tolerance of the reference (the parent's stage-1 score)."""
        first = self.score(program, "train", STAGE1)
        if not first.passed or not clears_stage1(self.scenario, first.score, reference_stage1):
            return first, None
        return first, self.score(program, "train", FULL)
