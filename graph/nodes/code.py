"""code: one branch per hypothesis (``Send``). The coder edits the parent's EVOLVE-BLOCK; the
new program is stored (duplicates rejected before any evaluation) and, optionally, its numeric
constants are tuned by ``scipy.optimize`` on the stage-1 subset: structure from the model,
numbers from an optimizer."""

from __future__ import annotations

from typing import Any

from agents.coder import Coder
from agents.tuner import tune_constants
from graph.evaluation import STAGE1
from graph.runtime import Runtime
from graph.state import CoderTask
from memory.records import Hypothesis, Program

INSPIRATION_LINES = 40


def coder_context(rt: Runtime, parent: Program, iteration: int, branch: int) -> str:
    """What the coder sees besides the parent: the latest diagnosis and neighbouring elites."""
    parts = []
    critiques = rt.store.critiques(rt.session_id, limit=1)
    if critiques:
        parts.append(f"Latest critic diagnosis: {critiques[0].text}")
    for pid in rt.program_db.inspirations(parent.id, iteration, parent.island, branch):
        other = rt.store.get_program(pid)
        if other is None:
            continue
        body = "\n".join(other.code.splitlines()[:INSPIRATION_LINES])
        parts.append(f"Inspiration: program {pid} (another niche)\n```python\n{body}\n```")
    return "\n\n".join(parts)


def make_code(rt: Runtime):
    entry_point = rt.scenario.engine.entry_point
    direction = rt.scenario.spec.objective.direction

    def code(task: CoderTask) -> dict[str, Any]:
        iteration, branch = task["iteration"], task["branch"]
        hypothesis = rt.store.get_hypothesis(task["hypothesis_id"])
        parent = rt.store.get_program(hypothesis.parent_program_id)
        coder = Coder(rt.models.coder(rt.rng(iteration, f"coder{branch}")), entry_point)
        result = coder.write(parent.code, hypothesis.text,
                             coder_context(rt, parent, iteration, branch))
        if result.source is None:
            with rt.store.write():
                rt.log_calls(iteration, result.records)
                rt.store.set_hypothesis_outcome(hypothesis.id, "coder_failed", result.error or "")
                rt.notify("coder_failed", iteration=iteration, hypothesis_id=hypothesis.id,
                          error=result.error)
            return {"candidate_ids": []}
        source, origin, records = result.source, result.mode or "llm", result.records
        if rt.config.tune_evaluations > 0:
            rt.log_calls(iteration, records)  # on record before minutes of tuning
            source, origin, records = _tuned(rt, source, direction), f"{origin}+tuned", []
        with rt.store.write():  # the calls, the program and its event land together
            rt.log_calls(iteration, records)
            return _file(rt, source, origin, parent, hypothesis, iteration)

    return code


def _file(rt: Runtime, source: str, origin: str, parent: Program, hypothesis: Hypothesis,
          iteration: int) -> dict[str, Any]:
    """Store the new program (duplicates of stored code are refused and said so)."""
    added = rt.store.add_program(rt.session_id, source, parent.id, parent.island,
                                 hypothesis.id, iteration, origin=origin)
    if added.duplicate:
        existing = rt.store.get_program(added.program_id)
        if existing.hypothesis_id == hypothesis.id:  # this branch, re-run after a crash
            return {"candidate_ids": [existing.id]}
        rt.store.set_hypothesis_outcome(
            hypothesis.id, "duplicate", f"same code as program {added.program_id}")
        rt.notify("duplicate", iteration=iteration, program_id=added.program_id)
        return {"candidate_ids": []}
    rt.notify("candidate", iteration=iteration, program_id=added.program_id, mode=origin)
    return {"candidate_ids": [added.program_id]}


def _tuned(rt: Runtime, source: str, direction: str) -> str:
    """Tune constants against sandboxed stage-1 scores (infeasible counts as no score)."""

    def objective(candidate: str) -> float | None:
        result = rt.evaluator.evaluate_fn(
            rt.scenario, candidate, "train", stage=STAGE1,
            workload_ids=rt.evaluator.stage1_ids)
        return result.score if result.passed else None

    tuned = tune_constants(source, objective, budget=rt.config.tune_evaluations,
                           maximize=direction == "max")
    return tuned.source
