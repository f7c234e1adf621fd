"""record: place this iteration's scored programs in the program database (islands,
niches), migrate between islands when due, and count the iteration."""

from __future__ import annotations

from typing import Any

from graph.evaluation import FULL, passed_score
from graph.runtime import SessionRuntime
from graph.state import Node, ResearchState
from memory.vocabulary import EventKind, ProgramStatus
from simulators.objectives import constraint_misses


def behaviour(rt: SessionRuntime, code: str, metrics: dict[str, Any]) -> dict[str, float]:
    """The program's behaviour descriptors: scenario metrics, plus its code length."""
    values = {"code_length": float(len(code))}
    for axis in rt.program_db.config.descriptors:
        if axis.name in metrics:
            values[axis.name] = float(metrics[axis.name])
    return values


def placement(rt: SessionRuntime, program_id: int) -> tuple[int, float, dict[str, float]] | None:
    """Where a fully scored, feasible program goes: (id, train score, behaviour). A program
    that misses a declared constraint on train is no niche's elite (it would be drawn as a
    parent for a score it is not allowed to have); the trade-off front still shows it."""
    program = rt.store.program(program_id)
    result = rt.evaluator.score(program, "train", FULL)
    if not result.passed:
        return None
    objective = rt.scenario.spec.objective
    reference = rt.references.for_constraints(objective, "train")
    if objective.constraints and constraint_misses(objective, result.per_metric, reference):
        return None
    return program_id, passed_score(result), behaviour(rt, program.code, result.metrics)


#: Statuses of a judged program that ran the full train split (``memory.records``).
PLACED = (
    ProgramStatus.CHAMPION,
    ProgramStatus.ACCEPTED,
    ProgramStatus.REJECTED,
    ProgramStatus.EVALUATED,
)


def make_record(rt: SessionRuntime) -> Node:
    def record(state: ResearchState) -> dict[str, Any]:
        iteration = state["iteration"]
        # Verify has run: an accepted candidate is already the champion by now.
        placements = [
            placement(rt, pid)
            for pid in state.get("evaluated_ids", [])
            if rt.store.program(pid).status in PLACED
        ]
        champion = rt.store.champion(rt.session_id)
        every_island = list(range(rt.program_db.config.num_islands))
        with rt.store.write():  # niches, migration and the iteration count move together
            for pid, score, descriptors in filter(None, placements):
                # A new champion goes to every island, so every island can draw it as a parent.
                islands = every_island if champion and pid == champion.program_id else None
                rt.program_db.place(pid, score, descriptors, iteration, islands)
            moves = rt.program_db.maybe_migrate(iteration)
            rt.store.record_iteration(rt.session_id, iteration)
            rt.notify(
                EventKind.ITERATION_DONE,
                iteration=iteration,
                migrations=len(moves),
                active_minutes=rt.active_minutes(),
            )
        return {"evaluated_ids": []}

    return record
