"""The research graph: plan -> [approve] -> code (one ``Send`` branch per hypothesis) -> file
(drafts become programs in plan order) -> evaluate -> verify -> critique (which sees the
verdict and the held-out result) -> record -> route (plan again or stop).

Only ids travel in the state; everything else is in memory. The graph is compiled with a
``SqliteSaver`` in the workspace, so a session killed at any point resumes from its last
completed step, and completed parallel coder branches are not re-run.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from graph.nodes.assess import make_critique, make_evaluate
from graph.nodes.code import make_code, make_file
from graph.nodes.plan import make_approve, make_plan
from graph.nodes.record import make_record, make_route
from graph.nodes.verify import make_verify
from graph.runtime import Runtime
from graph.state import CoderTask, ResearchState

#: Supersteps per iteration are 8 at most (plan, approve, code, file, evaluate, critique, verify,
#: record); the limit is set from the iteration budget with room to spare.
STEPS_PER_ITERATION = 9


def fan_out(state: ResearchState) -> list[Send] | str:
    """One coder branch per hypothesis; with none (a rejected plan), plan again."""
    if not state.get("hypothesis_ids"):
        return "record"
    return [
        Send("code", CoderTask(session_id=state["session_id"], iteration=state["iteration"],
                               hypothesis_id=hid, branch=branch))
        for branch, hid in enumerate(state["hypothesis_ids"])
    ]


def build_graph(rt: Runtime | None, checkpointer=None):
    """Compile the research graph over a runtime (``None`` only for drawing it)."""
    builder = StateGraph(ResearchState)
    if rt is not None:
        builder.add_node("plan", make_plan(rt))
        builder.add_node("approve", make_approve(rt))
        builder.add_node("code", make_code(rt))
        builder.add_node("file", make_file(rt))
        builder.add_node("evaluate", make_evaluate(rt))
        builder.add_node("critique", make_critique(rt))
        builder.add_node("verify", make_verify(rt))
        builder.add_node("record", make_record(rt))
        approve, route = rt.config.approve, make_route(rt)
    else:
        for name in ("plan", "approve", "code", "file", "evaluate", "critique", "verify",
                     "record"):
            builder.add_node(name, lambda state: {})
        approve, route = True, (lambda state: END)
    builder.add_edge(START, "plan")
    if approve:
        builder.add_edge("plan", "approve")
        builder.add_conditional_edges("approve", fan_out, ["code", "record"])
    else:
        builder.add_conditional_edges("plan", fan_out, ["code", "record"])
    builder.add_edge("code", "file")
    builder.add_edge("file", "evaluate")
    builder.add_edge("evaluate", "verify")
    builder.add_edge("verify", "critique")
    builder.add_edge("critique", "record")
    builder.add_conditional_edges("record", route, ["plan", END])
    return builder.compile(checkpointer=checkpointer)


def studio_graph():
    """The graph's shape for LangGraph Studio (``langgraph.json``); nodes are placeholders."""
    return build_graph(None)
