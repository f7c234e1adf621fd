"""plan: the lane claims the next iteration (or ends: the budget allows no more), then the
planner reads the research brief (problem, standings, lineage, memory) and the user's directives
and proposes K hypotheses, each on a parent the program database drew or on the champion,
which is always offered."""

from __future__ import annotations

from typing import Any

from agents.planner import Planner
from graph.context.front import front_parent
from graph.context.lineage import offered_parents
from graph.context.planning import planner_brief
from graph.lanes import claim
from graph.runtime import SessionRuntime
from graph.state import Node, ResearchState
from memory.vocabulary import EventKind


def directives_text(rt: SessionRuntime) -> str:
    """The active directives as the planner sees them (every plan reads them afresh)."""
    active = rt.store.active_directives(rt.session_id)
    return "\n".join(f"- {d.text}" for d in active)


#: Why the program database offers a parent, as the planner reads it.
_DRAWS = {
    "exploit": "drawn among this island's fittest programs",
    "explore": "drawn from another niche of this island, for diversity",
    "random": "drawn at random among all scored programs, for diversity",
    "fallback": "the best program anywhere (this island was empty)",
}


def draw_reasons(parents: list) -> dict[int, str]:
    """Program id -> why it was drawn (the first reason when drawn twice)."""
    reasons: dict[int, str] = {}
    for choice in parents:
        reasons.setdefault(choice.program_id, _DRAWS.get(choice.mode, choice.mode))
    return reasons


def make_plan(rt: SessionRuntime) -> Node:
    planner_cache: dict[str, Planner] = {}

    def plan(state: ResearchState) -> dict[str, Any]:
        claimed = claim(rt, state.get("lane", 0), state.get("iteration", 0))
        if isinstance(claimed, str):
            return {"stop_reason": claimed, "hypothesis_ids": [], "candidate_ids": []}
        iteration = claimed
        rt.store.set_lane(rt.session_id, state.get("lane", 0), "plan", iteration)
        k = rt.config.hypotheses_per_iteration
        parents = rt.program_db.select_parents(iteration, count=k)
        champion = rt.store.champion(rt.session_id)
        champion_id = champion.program_id if champion else None
        near_miss = rt.store.latest_near_miss(rt.session_id)
        offered = offered_parents([p.program_id for p in parents], champion_id, near_miss)
        why = draw_reasons(parents)
        on_front = front_parent(rt, iteration, offered)
        if on_front is not None:
            offered.append(on_front)
            why.setdefault(
                on_front,
                "on the trade-off front: no program beats it on every declared metric at once",
            )
        if near_miss is not None:
            why.setdefault(
                near_miss, "the latest near miss: it beat the champion on train, not on held-out"
            )
        planner = planner_cache.setdefault("p", Planner(rt.models.role("planner")))
        brief = planner_brief(rt, offered, iteration, why, state.get("lane", 0))
        result = planner.propose(
            brief, k, [str(i) for i in offered], directives_text(rt), str(champion_id or "")
        )
        if result.value is not None:
            proposals = [
                (h.text, h.rationale, h.expected_effect, int(h.parent_program_id))
                for h in result.value.hypotheses
            ]
        else:
            # The loop goes on without a plan: the coder still gets a concrete goal, and the
            # planner's failure is on record for the user.
            reason = result.error or "no answer"
            proposals = [
                (
                    f"Improve the objective of program {p.program_id} with one focused change",
                    f"planner gave no usable plan ({reason})",
                    "",
                    p.program_id,
                )
                for p in parents
            ]
        with rt.store.write():  # the calls and the plan they made land together
            rt.log_calls(iteration, result.records)
            hypothesis_ids = [
                rt.store.add_hypothesis(rt.session_id, iteration, text, rationale, effect, parent)
                for text, rationale, effect, parent in proposals
            ]
            rt.notify(
                EventKind.PLAN,
                iteration=iteration,
                hypothesis_ids=hypothesis_ids,
                planner_error=result.error,
            )
        return {"iteration": iteration, "hypothesis_ids": hypothesis_ids, "candidate_ids": []}

    return plan
