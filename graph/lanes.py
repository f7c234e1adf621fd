"""Research lanes: several copies of the research graph, each its own LangGraph thread, running
at once over the one memory.

Why lanes and not a wider graph: a hosted model answers in 5-60 s, and one iteration is a chain
of calls (plan, code, review, critique) with evaluations between them. In one chain the model
and the CPU mostly wait for each other. Lanes keep both busy: while one lane's critic reads
traces, another plans, a third's candidates are in the sandbox. Each lane is checkpointed on
its own thread id, so ``kill -9`` with every lane in flight resumes every lane where it was.
What lanes share is serialised where it must be: iteration numbers are claimed in one
transaction that checks the budget (``memory.lanes``), calls in flight pass one gate
(``agents.gate``), and a champion is replaced only if it is still the one the verdict was
judged against (``graph.nodes.verify``).

With one lane (``--concurrency 1``) a seeded session with a replayed model is the same session
every time. With more, which lane claims which iteration depends on timing, so the programs and
champions can differ from run to run; every verdict is still judged against the champion of its
moment, and every claimed iteration runs once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from langgraph.types import Command

from agents.gate import LANE
from graph.budget import refusal
from graph.runtime import SessionRuntime
from graph.state import CoderTask, ResearchState

#: Supersteps per iteration are 8 at most (plan, approve, code, file, evaluate, critique, verify,
#: record); the limit is set from the iteration budget with room to spare.
STEPS_PER_ITERATION = 9

Asker = Callable[[dict[str, Any]], dict[str, Any]]

#: What a node of the graph reads: a lane's state, or one coder branch's task.
NodeInput = TypeVar("NodeInput", ResearchState, CoderTask)
NodeInput_contra = TypeVar("NodeInput_contra", ResearchState, CoderTask, contravariant=True)


class LaneNode(Protocol[NodeInput_contra]):
    """A node as LangGraph calls it: the parameter's name, ``state``, is part of the type
    ``StateGraph.add_node`` accepts, which a plain ``Callable`` cannot say."""

    def __call__(self, state: NodeInput_contra) -> dict[str, Any]: ...


def thread_id(session_id: int, lane: int) -> str:
    """Lane 0 keeps the thread id sessions had before lanes, so they resume unchanged."""
    return f"session-{session_id}" if lane == 0 else f"session-{session_id}-lane-{lane}"


def thread_config(rt: SessionRuntime, lane: int) -> dict[str, Any]:
    """Run config: the lane's thread, a recursion limit and bounded branch concurrency."""
    iterations = rt.config.budget.iterations or 10_000
    return {
        "configurable": {"thread_id": thread_id(rt.session_id, lane)},
        "recursion_limit": STEPS_PER_ITERATION * (iterations + 1) + 10,
        "max_concurrency": max(1, rt.config.hypotheses_per_iteration),
    }


def lane_count(rt: SessionRuntime) -> int:
    """Lanes this session runs: one while a person approves each plan (plans wait in turn)."""
    return 1 if rt.config.approve else max(1, rt.config.lanes)


def on_lane(
    rt: SessionRuntime, stage: str, node: Callable[[NodeInput], dict[str, Any]]
) -> LaneNode[NodeInput]:
    """Wrap a node: its model calls count for its lane, and the board shows what it does."""

    def run(state: NodeInput) -> dict[str, Any]:
        lane = state.get("lane", 0)
        LANE.set(lane)
        rt.store.set_lane(rt.session_id, lane, stage, state.get("iteration"))
        return node(state)

    run.__name__ = getattr(node, "__name__", stage)
    return run


def claim(rt: SessionRuntime, lane: int, after: int) -> int | str:
    """The iteration this lane runs next, or why the session launches no more. Raises
    ``EndpointDown`` when the model endpoint is gone: no iteration starts against it."""
    rt.models.health.check()
    if rt.stopping.is_set():
        return "stopping: another lane failed or the run was interrupted"
    return rt.store.claim_iteration(
        rt.session_id,
        lane,
        after,
        lambda counts: refusal(rt.config.budget, counts, rt.active_minutes()),
    )


def run_lane(graph: Any, rt: SessionRuntime, lane: int, ask: Asker) -> str | None:
    """Run (or continue) one lane until it may launch no more; its stop reason."""
    cfg = thread_config(rt, lane)
    snapshot = graph.get_state(cfg)
    if snapshot.next:
        payload: Any = None  # continue the interrupted thread where it stopped
        pending = [i for t in snapshot.tasks for i in t.interrupts]
        if pending:
            payload = Command(resume=ask(pending[0].value))
    else:
        payload = {
            "session_id": rt.session_id,
            "lane": lane,
            "iteration": snapshot.values.get("iteration", 0),
            "hypothesis_ids": [],
            "evaluated_ids": [],
            "stop_reason": None,
        }
    while True:
        result = graph.invoke(payload, cfg)
        interrupts = result.get("__interrupt__") if isinstance(result, dict) else None
        if not interrupts:
            break
        payload = Command(resume=ask(interrupts[0].value))
    rt.store.set_lane(rt.session_id, lane, "done")
    return result.get("stop_reason") if isinstance(result, dict) else None


def run_lanes(graph: Any, rt: SessionRuntime, ask: Asker) -> str | None:
    """Every lane of the session until none may launch more; the first stop reason. A lane that
    fails stops the others from launching; its error is raised once they have finished."""
    lanes = lane_count(rt)
    if lanes == 1:
        return run_lane(graph, rt, 0, ask)
    reasons: dict[int, str | None] = {}
    errors: list[BaseException] = []

    def work(lane: int) -> None:
        try:
            reasons[lane] = run_lane(graph, rt, lane, ask)
        except BaseException as err:  # re-raised by the caller below
            errors.append(err)
            rt.stopping.set()

    threads = [
        threading.Thread(
            target=work, args=(lane,), name=f"adrs-lane-{lane}", daemon=True
        )  # Ctrl-C must not wait for a 60 s model call
        for lane in range(lanes)
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
    except BaseException:
        rt.stopping.set()
        raise
    if errors:
        raise errors[0]
    return next((r for r in (reasons.get(lane) for lane in range(lanes)) if r), None)
