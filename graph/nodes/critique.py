"""critique (after the verdicts): the critic reads comparative evidence on this iteration's
best candidate (``graph.context.evidence``) and writes a diagnosis for the next plan."""

from __future__ import annotations

from typing import Any

from agents.critic import Critic
from graph.context.coding import hypothesis_text
from graph.context.evidence import critic_brief
from graph.evaluation import FULL
from graph.runtime import SessionRuntime
from graph.state import Node, ResearchState
from memory.vocabulary import EventKind


def make_critique(rt: SessionRuntime) -> Node:
    objective = rt.scenario.spec.objective
    critic_cache: dict[str, Critic] = {}

    def critique(state: ResearchState) -> dict[str, Any]:
        iteration = state["iteration"]
        scored = []
        for pid in state.get("evaluated_ids", []):
            result = rt.store.latest_evaluation(pid, "train", FULL)
            if result is not None and result.score is not None:
                scored.append((result.score, pid))
        if not scored:
            return {}
        best = scored[0]  # the first of the best-scored: ties go to the earlier program
        for item in scored[1:]:
            if objective.better(item[0], best[0]):
                best = item
        program = rt.store.program(best[1])
        hypothesis = (
            rt.store.get_hypothesis(program.hypothesis_id) if program.hypothesis_id else None
        )
        brief = critic_brief(rt, program)
        critic = critic_cache.setdefault("c", Critic(rt.models.role("critic")))
        out = critic.critique(
            program.code,
            brief["evidence"],
            hypothesis_text(hypothesis) if hypothesis else "",
            problem=brief["problem"],
            outcome=brief["outcome"],
        )
        with rt.store.write():
            rt.log_calls(iteration, out.records)
            if out.value is not None:
                findings = [*out.value.findings, *(f"suggest: {s}" for s in out.value.suggestions)]
                rt.store.add_critique(
                    rt.session_id, iteration, out.value.diagnosis, program.id, findings
                )
                rt.notify(
                    EventKind.CRITIQUE,
                    iteration=iteration,
                    program_id=program.id,
                    diagnosis=out.value.diagnosis[:200],
                )
        return {}

    return critique
