"""file: the drafts of this iteration's coder branches become programs in plan order;
duplicates (the same normalised code) are rejected before any evaluation."""

from __future__ import annotations

from typing import Any

from graph.runtime import SessionRuntime
from graph.state import Node, ResearchState
from memory.records import Hypothesis, Program
from memory.vocabulary import EventKind, HypothesisOutcome, ProgramStatus


def make_file(rt: SessionRuntime) -> Node:
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
                if filed is not None and rt.store.program(filed).status == ProgramStatus.PENDING:
                    candidates.append(filed)
                continue
            hypothesis = rt.store.hypothesis(hid)
            assert hypothesis.parent_program_id is not None  # the plan gives each one a parent
            parent = rt.store.program(hypothesis.parent_program_id)
            with rt.store.write():  # the program, its event and the draft's removal: one step
                candidates += _file(rt, *staged, parent, hypothesis, iteration)
                rt.store.drop_draft(hid)
        return {"candidate_ids": candidates}

    return file


def _file(
    rt: SessionRuntime,
    source: str,
    origin: str,
    parent: Program,
    hypothesis: Hypothesis,
    iteration: int,
) -> list[int]:
    """Store the new program; a duplicate of stored code is refused and said so."""
    added = rt.store.add_program(
        rt.session_id, source, parent.id, parent.island, hypothesis.id, iteration, origin=origin
    )
    if added.duplicate:
        rt.store.set_hypothesis_outcome(
            hypothesis.id, HypothesisOutcome.DUPLICATE, f"same code as program {added.program_id}"
        )
        rt.notify(EventKind.DUPLICATE, iteration=iteration, program_id=added.program_id)
        return []
    rt.notify(EventKind.CANDIDATE, iteration=iteration, program_id=added.program_id, mode=origin)
    return [added.program_id]
