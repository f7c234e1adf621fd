"""code: one branch per hypothesis (``Send``). The coder edits the parent's EVOLVE-BLOCK and,
optionally, its numeric constants are tuned by ``scipy.optimize`` on the stage-1 subset
(structure from the model, numbers from an optimizer); the result is staged as a draft.
file: the drafts become programs in plan order (duplicates rejected before any evaluation)."""

from __future__ import annotations

from typing import Any

from agents.coder import Coder
from agents.tuner import tune_constants
from graph.context.coding import coder_brief, hypothesis_text
from graph.evaluation import STAGE1
from graph.runtime import Runtime
from graph.state import CoderTask, ResearchState
from memory.records import Hypothesis, Program


def make_code(rt: Runtime):
    entry_point = rt.scenario.engine.entry_point
    direction = rt.scenario.spec.objective.direction

    def code(task: CoderTask) -> dict[str, Any]:
        iteration, branch = task["iteration"], task["branch"]
        hypothesis = rt.store.get_hypothesis(task["hypothesis_id"])
        parent = rt.store.get_program(hypothesis.parent_program_id)
        coder = Coder(rt.models.coder(rt.rng(iteration, f"coder{branch}")), entry_point)
        problem, context = coder_brief(rt, hypothesis, parent, iteration, branch)
        result = coder.write(parent.code, hypothesis_text(hypothesis), context, problem)
        if result.source is None:
            with rt.store.write():
                rt.log_calls(iteration, result.records)
                rt.store.set_hypothesis_outcome(hypothesis.id, "coder_failed", result.error or "")
                rt.notify(
                    "coder_failed",
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


def make_file(rt: Runtime):
    """file: store this iteration's drafts as programs, in plan order. Branches finish in any
    order; filing them in hypothesis order gives every run of the same session the same
    program ids, which parent selection, tie-breaks and later prompts all see."""

    def file(state: ResearchState) -> dict[str, Any]:
        iteration = state["iteration"]
        candidates = []
        for hid in state.get("hypothesis_ids", []):
            staged = rt.store.draft(hid)
            if staged is None:  # the coder failed, or this was filed before a crash
                filed = rt.store.program_of_hypothesis(hid)
                if filed is not None and rt.store.get_program(filed).status == "pending":
                    candidates.append(filed)
                continue
            hypothesis = rt.store.get_hypothesis(hid)
            parent = rt.store.get_program(hypothesis.parent_program_id)
            with rt.store.write():  # the program, its event and the draft's removal: one step
                candidates += _file(rt, *staged, parent, hypothesis, iteration)
                rt.store.drop_draft(hid)
        return {"candidate_ids": candidates}

    return file


def _file(
    rt: Runtime, source: str, origin: str, parent: Program, hypothesis: Hypothesis, iteration: int
) -> list[int]:
    """Store the new program; a duplicate of stored code is refused and said so."""
    added = rt.store.add_program(
        rt.session_id, source, parent.id, parent.island, hypothesis.id, iteration, origin=origin
    )
    if added.duplicate:
        rt.store.set_hypothesis_outcome(
            hypothesis.id, "duplicate", f"same code as program {added.program_id}"
        )
        rt.notify("duplicate", iteration=iteration, program_id=added.program_id)
        return []
    rt.notify("candidate", iteration=iteration, program_id=added.program_id, mode=origin)
    return [added.program_id]


def _tuned(rt: Runtime, source: str, direction: str) -> str:
    """Tune constants against sandboxed stage-1 scores (infeasible counts as no score)."""

    def objective(candidate: str) -> float | None:
        result = rt.evaluator.run(candidate, "train", STAGE1, workload_ids=rt.evaluator.stage1_ids)
        return result.score if result.passed else None

    tuned = tune_constants(
        source, objective, budget=rt.config.tune_evaluations, maximize=direction == "max"
    )
    return tuned.source
