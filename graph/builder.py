"""The research graph of one lane: plan (which first claims an iteration, or ends the lane when
the budget allows none) -> [approve] -> code (one ``Send`` branch per hypothesis) -> file
(drafts become programs in plan order) -> evaluate -> verify -> critique (which sees the
verdict and the held-out result) -> record -> route (pause if asked, then plan again).

Only ids travel in the state; everything else is in memory. The graph is compiled with a
``SqliteSaver`` in the workspace, so a session killed at any point resumes from its last
completed step, and completed parallel coder branches are not re-run. Several lanes run the
same compiled graph on their own thread ids (``graph.lanes``).
"""

from __future__ import annotations

from collections.abc import Callable

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Checkpointer, Send

from graph.lanes import on_lane
from graph.nodes.approve import make_approve
from graph.nodes.code import make_code
from graph.nodes.critique import make_critique
from graph.nodes.evaluate import make_evaluate
from graph.nodes.file import make_file
from graph.nodes.plan import make_plan
from graph.nodes.record import make_record
from graph.nodes.route import make_route
from graph.nodes.verify import make_verify
from graph.runtime import SessionRuntime
from graph.state import CoderTask, Node, ResearchState


def fan_out(state: ResearchState) -> list[Send] | str:
    """One coder branch per hypothesis; with none (a rejected plan), plan again."""
    if not state.get("hypothesis_ids"):
        return "record"
    return [
        Send(
            "code",
            CoderTask(
                session_id=state["session_id"],
                iteration=state["iteration"],
                hypothesis_id=hid,
                branch=branch,
                lane=state.get("lane", 0),
            ),
        )
        for branch, hid in enumerate(state["hypothesis_ids"])
    ]


def after_plan(approve: bool):
    """End the lane when its plan claimed no iteration; else the approval gate or the coders."""

    def route(state: ResearchState) -> list[Send] | str:
        if state.get("stop_reason"):
            return END
        return "approve" if approve else fan_out(state)

    return route


#: The compiled research graph: a lane's state in and out, no run context.
ResearchGraph = CompiledStateGraph[ResearchState, None, ResearchState, ResearchState]


def build_graph(rt: SessionRuntime | None, checkpointer: Checkpointer = None) -> ResearchGraph:
    """Compile the research graph over a runtime (``None`` only for drawing it)."""
    builder = StateGraph(ResearchState)
    nodes = ("plan", "approve", "code", "file", "evaluate", "critique", "verify", "record")
    if rt is not None:
        makers: dict[str, Callable[[SessionRuntime], Node]] = {
            "plan": make_plan,
            "approve": make_approve,
            "file": make_file,
            "evaluate": make_evaluate,
            "critique": make_critique,
            "verify": make_verify,
            "record": make_record,
        }
        for name in nodes:
            if name == "code":  # the one node fed a coder task (``Send``), not the state
                builder.add_node(name, on_lane(rt, name, make_code(rt)))
            else:
                builder.add_node(name, on_lane(rt, name, makers[name](rt)))
        approve, route = rt.config.approve, make_route(rt)
    else:
        for name in nodes:
            builder.add_node(name, lambda state: {})
        approve, route = True, (lambda state: END)
    builder.add_edge(START, "plan")
    builder.add_conditional_edges("plan", after_plan(approve), ["approve", "code", "record", END])
    builder.add_conditional_edges("approve", fan_out, ["code", "record"])
    builder.add_edge("code", "file")
    builder.add_edge("file", "evaluate")
    builder.add_edge("evaluate", "verify")
    builder.add_edge("verify", "critique")
    builder.add_edge("critique", "record")
    builder.add_conditional_edges("record", route, ["plan", END])
    return builder.compile(checkpointer=checkpointer)


def studio_graph() -> ResearchGraph:
    """The graph's shape for LangGraph Studio (``langgraph.json``); nodes are placeholders."""
    return build_graph(None)
