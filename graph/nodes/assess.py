"""evaluate: the cascade for each new candidate, in the sandbox; critique (after the verdicts):
the critic reads comparative evidence on this iteration's best candidate (``graph.context.
evidence``) and writes a diagnosis for the next plan. Failures need no model to explain them:
their one-line errors go to memory as they are."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from agents.critic import Critic
from graph.context.coding import hypothesis_text
from graph.context.evidence import critic_brief
from graph.evaluation import FULL, STAGE1
from graph.runtime import Runtime
from graph.state import ResearchState


def make_evaluate(rt: Runtime):
    def assess(pid: int) -> tuple[str, str]:
        """The cascade of one candidate: (status, one-line detail)."""
        program = rt.store.get_program(pid)
        parent = rt.store.get_program(program.parent_id) if program.parent_id else None
        reference = rt.evaluator.score(parent, "train", STAGE1).score if parent else None
        first, full = rt.evaluator.cascade(program, reference)
        if not first.passed:
            return "failed", first.error or (
                f"{first.status}, infeasible runs: {first.infeasible_runs}"
            )
        if full is None:
            return "stage1_rejected", f"stage 1 {first.score:.4f} vs parent {reference:.4f}"
        if not full.passed:
            return "failed", full.error or f"infeasible on train ({full.infeasible_runs} runs)"
        return "evaluated", f"train {full.score:.4f}"

    def evaluate(state: ResearchState) -> dict[str, Any]:
        """Every new candidate's cascade at once (their runs share the executor's workers with
        other lanes'), then their statuses in plan order. A candidate whose status was written
        before a crash keeps it: its results are in memory and nothing runs again."""
        iteration, lane = state["iteration"], state.get("lane", 0)
        ids = state.get("candidate_ids", [])
        pending = [pid for pid in ids if rt.store.get_program(pid).status == "pending"]
        if len(pending) > 1:
            with ThreadPoolExecutor(len(pending), thread_name_prefix="adrs-eval") as pool:
                outcomes = list(pool.map(assess, pending))
        else:
            outcomes = [assess(pid) for pid in pending]
        for pid, (status, detail) in zip(pending, outcomes):
            program = rt.store.get_program(pid)
            with rt.store.write():
                rt.store.set_program_status(pid, status)
                if status != "evaluated" and program.hypothesis_id:
                    rt.store.set_hypothesis_outcome(program.hypothesis_id, status, detail)
                rt.notify(
                    "evaluated",
                    iteration=iteration,
                    program_id=pid,
                    status=status,
                    detail=detail,
                    lane=lane,
                )
        return {"evaluated_ids": list(ids)}

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
                    "critique",
                    iteration=iteration,
                    program_id=program.id,
                    diagnosis=out.value.diagnosis[:200],
                )
        return {}

    return critique
