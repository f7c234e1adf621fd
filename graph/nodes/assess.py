"""evaluate: the cascade for each new candidate, in the sandbox; critique: the critic reads the
compact trace summaries of this iteration's best candidate and writes a diagnosis for the next
plan. Failures need no model to explain them: their one-line errors go to memory as they are."""

from __future__ import annotations

import json
from typing import Any

from agents.critic import Critic
from graph.evaluation import STAGE1
from graph.runtime import Runtime
from graph.state import ResearchState
from simulators.results import EvalResult

SUMMARY_CHARS = 3000


def _better(a: float, b: float, direction: str) -> bool:
    return a < b if direction == "min" else a > b


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


def trace_summary(result: EvalResult) -> str:
    """The critic's view of one evaluation, bounded: the aggregate metrics first, then the
    scenario's summaries (worst workloads with their timelines) but not the per-run table,
    which the critic cannot read in full and which would crowd out the rest."""
    summaries = {k: v for k, v in result.artifacts.items() if k != "runs"}
    text = json.dumps({"metrics": result.metrics, **summaries}, default=str)
    return text[:SUMMARY_CHARS]


def make_critique(rt: Runtime):
    direction = rt.scenario.spec.objective.direction
    critic_cache: dict[str, Critic] = {}

    def critique(state: ResearchState) -> dict[str, Any]:
        iteration = state["iteration"]
        scored = []
        for pid in state.get("evaluated_ids", []):
            result = rt.store.latest_evaluation(pid, "train")
            if result is not None and result.score is not None:
                scored.append((result.score, pid, result))
        if not scored:
            return {}
        scored.sort(key=lambda item: item[0], reverse=direction == "max")
        score, pid, row = scored[0]
        result = rt.evaluator.score(rt.store.get_program(pid), row.split, row.stage)
        champion = rt.store.champion(rt.session_id)
        scores = (f"{row.stage} train score {score:.4f} ({direction} is better); champion train "
                  f"{champion.train_score if champion else 'n/a'}")
        program = rt.store.get_program(pid)
        hypothesis = rt.store.get_hypothesis(program.hypothesis_id) if program.hypothesis_id else None
        critic = critic_cache.setdefault("c", Critic(rt.models.role("critic")))
        out = critic.critique(program.code, scores, trace_summary(result),
                              hypothesis.text if hypothesis else "")
        with rt.store.write():
            rt.log_calls(iteration, out.records)
            if out.value is not None:
                findings = [*out.value.findings,
                            *(f"suggest: {s}" for s in out.value.suggestions)]
                rt.store.add_critique(rt.session_id, iteration, out.value.diagnosis, pid, findings)
                rt.notify("critique", iteration=iteration, program_id=pid,
                          diagnosis=out.value.diagnosis[:200])
        return {}

    return critique
