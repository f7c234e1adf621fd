"""code: one branch per hypothesis (``Send``). The coder edits the parent's EVOLVE-BLOCK and,
optionally, its numeric constants are tuned by ``scipy.optimize`` on the stage-1 subset
(structure from the model, numbers from an optimizer); the result is staged as a draft."""

from __future__ import annotations

from typing import Any

from agents.coder import Coder
from agents.tuner import tune_constants
from graph.context.coding import coder_brief, hypothesis_text
from graph.evaluation import STAGE1
from graph.runtime import SessionRuntime
from graph.state import Branch, CoderTask
from memory.vocabulary import EventKind, HypothesisOutcome


def make_code(rt: SessionRuntime) -> Branch:
    entry_point = rt.scenario.engine.entry_point
    direction = rt.scenario.spec.objective.direction

    def code(task: CoderTask) -> dict[str, Any]:
        iteration, branch = task["iteration"], task["branch"]
        hypothesis = rt.store.hypothesis(task["hypothesis_id"])
        assert hypothesis.parent_program_id is not None  # the plan gives each one a parent
        parent = rt.store.program(hypothesis.parent_program_id)
        coder = Coder(rt.models.coder(rt.rng(iteration, f"coder{branch}")), entry_point)
        problem, context = coder_brief(rt, hypothesis, parent, iteration, branch)
        result = coder.write(parent.code, hypothesis_text(hypothesis), context, problem)
        if result.source is None:
            with rt.store.write():
                rt.log_calls(iteration, result.records)
                rt.store.set_hypothesis_outcome(
                    hypothesis.id, HypothesisOutcome.CODER_FAILED, result.error or ""
                )
                rt.notify(
                    EventKind.CODER_FAILED,
                    iteration=iteration,
                    hypothesis_id=hypothesis.id,
                    error=result.error,
                )
            return {}
        source, origin, records = result.source, result.mode or "llm", result.records
        if rt.config.tune_evaluations > 0:
            rt.log_calls(iteration, records)  # on record before minutes of tuning
            source, origin, records = _tuned(rt, source, direction), f"{origin}+tuned", []
        with rt.store.write():  # the calls and the draft they produced land together
            rt.log_calls(iteration, records)
            rt.store.add_draft(rt.session_id, hypothesis.id, source, origin)
        return {}

    return code


def _tuned(rt: SessionRuntime, source: str, direction: str) -> str:
    """Tune constants against sandboxed stage-1 scores (infeasible counts as no score)."""

    def objective(candidate: str) -> float | None:
        result = rt.evaluator.run(candidate, "train", STAGE1, workload_ids=rt.evaluator.stage1_ids)
        return result.score if result.passed else None

    tuned = tune_constants(
        source, objective, budget=rt.config.tune_evaluations, maximize=direction == "max"
    )
    return tuned.source
