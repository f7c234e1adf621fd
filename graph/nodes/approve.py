"""approve: the optional human gate between a plan and its coders. The graph pauses
(``interrupt``) until a person approves, edits or rejects the plan."""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt

from graph.runtime import SessionRuntime
from graph.state import Node, ResearchState
from memory.vocabulary import HypothesisOutcome


def make_approve(rt: SessionRuntime) -> Node:
    """Pause the graph (``interrupt``) until a person approves, edits or rejects the plan."""

    def approve(state: ResearchState) -> dict[str, Any]:
        decision = interrupt(
            {
                "session_id": rt.session_id,
                "iteration": state["iteration"],
                "hypothesis_ids": state["hypothesis_ids"],
            }
        )
        if not decision.get("approved"):
            for hid in state["hypothesis_ids"]:
                rt.store.set_hypothesis_outcome(
                    hid, HypothesisOutcome.REJECTED_BY_USER, decision.get("reason", "")
                )
            return {"hypothesis_ids": []}
        ids = []
        for hid in state["hypothesis_ids"]:
            new_text = decision.get("edits", {}).get(str(hid))
            if new_text:
                old = rt.store.hypothesis(hid)
                rt.store.set_hypothesis_outcome(hid, HypothesisOutcome.EDITED_BY_USER, new_text)
                hid = rt.store.add_hypothesis(
                    rt.session_id,
                    state["iteration"],
                    new_text,
                    "edited by the user",
                    "",
                    old.parent_program_id,
                )
            ids.append(hid)
        return {"hypothesis_ids": ids}

    return approve
