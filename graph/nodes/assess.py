"""evaluate: the cascade for each new candidate, in the sandbox; critique (after the verdicts):
the critic reads comparative evidence on this iteration's best candidate (``graph.context.
evidence``) and writes a diagnosis for the next plan. Failures need no model to explain them:
their one-line errors go to memory as they are."""

from __future__ import annotations

from typing import Any

from agents.critic import Critic
from graph.context.coding import hypothesis_text
from graph.context.evidence import critic_brief
from graph.evaluation import FULL, STAGE1
from graph.runtime import Runtime
from graph.state import ResearchState


def make_evaluate(rt: Runtime):
    def evaluate(state: ResearchState) -> dict[str, Any]:
        iteration = state["iteration"]
        evaluated = []
        for pid in state.get("candidate_ids", []):
            program = rt.store.get_program(pid)
            parent = rt.store.get_program(program.parent_id) if program.parent_id else None
            reference = rt.evaluator.score(parent, "train", STAGE1).score if parent else None
            first, full = rt.evaluator.cascade(program, reference)
            if not first.passed:
                status, detail = "failed", first.error or f"{first.status}, infeasible runs: {first.infeasible_runs}"
            elif full is None:
                status, detail = "stage1_rejected", f"stage 1 {first.score:.4f} vs parent {reference:.4f}"
            elif not full.passed:
                status, detail = "failed", full.error or f"infeasible on train ({full.infeasible_runs} runs)"
            else:
                status, detail = "evaluated", f"train {full.score:.4f}"
            with rt.store.write():
                rt.store.set_program_status(pid, status)
                if status != "evaluated" and program.hypothesis_id:
                    rt.store.set_hypothesis_outcome(program.hypothesis_id, status, detail)
                rt.notify("evaluated", iteration=iteration, program_id=pid, status=status,
                          detail=detail)
            evaluated.append(pid)
        return {"evaluated_ids": evaluated}

    return evaluate


def make_critique(rt: Runtime):
    direction = rt.scenario.spec.objective.direction
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
        scored.sort(key=lambda item: item[0], reverse=direction == "max")
        program = rt.store.get_program(scored[0][1])
        hypothesis = rt.store.get_hypothesis(program.hypothesis_id) if program.hypothesis_id else None
        brief = critic_brief(rt, program)
        critic = critic_cache.setdefault("c", Critic(rt.models.role("critic")))
        out = critic.critique(program.code, brief["evidence"],
                              hypothesis_text(hypothesis) if hypothesis else "",
                              problem=brief["problem"], outcome=brief["outcome"])
        with rt.store.write():
            rt.log_calls(iteration, out.records)
            if out.value is not None:
                findings = [*out.value.findings,
                            *(f"suggest: {s}" for s in out.value.suggestions)]
                rt.store.add_critique(rt.session_id, iteration, out.value.diagnosis, program.id,
                                      findings)
                rt.notify("critique", iteration=iteration, program_id=program.id,
                          diagnosis=out.value.diagnosis[:200])
        return {}

    return critique
