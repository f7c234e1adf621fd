"""evaluate: the cascade for each new candidate, in the sandbox. Failures need no model to
explain them: their one-line errors go to memory as they are."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from graph.evaluation import STAGE1
from graph.runtime import SessionRuntime
from graph.state import Node, ResearchState
from memory.vocabulary import EventKind, HypothesisOutcome, ProgramStatus


def make_evaluate(rt: SessionRuntime) -> Node:
    def assess(pid: int) -> tuple[ProgramStatus, str]:
        """The cascade of one candidate: (status, one-line detail)."""
        program = rt.store.program(pid)
        parent = rt.store.program(program.parent_id) if program.parent_id else None
        reference = rt.evaluator.score(parent, "train", STAGE1).score if parent else None
        first, full = rt.evaluator.cascade(program, reference)
        if not first.passed:
            return ProgramStatus.FAILED, first.error or (
                f"{first.status}, infeasible runs: {first.infeasible_runs}"
            )
        if full is None:
            return (
                ProgramStatus.STAGE1_REJECTED,
                f"stage 1 {first.score:.4f} vs parent {reference:.4f}",
            )
        if not full.passed:
            return (
                ProgramStatus.FAILED,
                full.error or f"infeasible on train ({full.infeasible_runs} runs)",
            )
        return ProgramStatus.EVALUATED, f"train {full.score:.4f}"

    def evaluate(state: ResearchState) -> dict[str, Any]:
        """Every new candidate's cascade at once (their runs share the executor's workers with
        other lanes'), then their statuses in plan order. A candidate whose status was written
        before a crash keeps it: its results are in memory and nothing runs again."""
        iteration, lane = state["iteration"], state.get("lane", 0)
        ids = state.get("candidate_ids", [])
        pending = [pid for pid in ids if rt.store.program(pid).status == ProgramStatus.PENDING]
        if len(pending) > 1:
            with ThreadPoolExecutor(len(pending), thread_name_prefix="adrs-eval") as pool:
                outcomes = list(pool.map(assess, pending))
        else:
            outcomes = [assess(pid) for pid in pending]
        for pid, (status, detail) in zip(pending, outcomes):
            program = rt.store.program(pid)
            with rt.store.write():
                rt.store.set_program_status(pid, status)
                if status != ProgramStatus.EVALUATED and program.hypothesis_id:
                    # A candidate that failed or stopped at stage 1 closes its hypothesis with
                    # the same word.
                    outcome = HypothesisOutcome(status)
                    rt.store.set_hypothesis_outcome(program.hypothesis_id, outcome, detail)
                rt.notify(
                    EventKind.EVALUATED,
                    iteration=iteration,
                    program_id=pid,
                    status=status,
                    detail=detail,
                    lane=lane,
                )
        return {"evaluated_ids": list(ids)}

    return evaluate
