"""verify: may a candidate replace the champion? Only one that beats the champion on train is
worth a held-out evaluation; then the rules of ``graph.verdict`` apply (held-out gain, gap bound,
significance, mechanical checks, model review). Every candidate gets a stored verdict with its
reasons, accepted or not, so neither the planner nor the user has to guess why.

Lanes judge at the same time, so a verdict is written only if the champion it was judged against
is still the champion (checked inside the write transaction); otherwise the candidate is judged
again against the new one. No candidate is accepted against a champion that is already gone."""

from __future__ import annotations

from typing import Any

from agents.verifier import Verifier
from graph.context.groups import losing_groups
from graph.context.problem import problem_statement
from graph.evaluation import FULL, passed_score
from graph.runtime import SessionRuntime
from graph.state import Node, ResearchState
from graph.verdict import Rule, Standing, decide
from memory.records import Program
from memory.vocabulary import EventKind, HypothesisOutcome, ProgramStatus
from simulators.objectives import constraint_misses, describe_constraint, describe_misses
from simulators.results import EvalResult


def standing(train: EvalResult, heldout: EvalResult) -> Standing:
    """A program's standing from its results on both splits, which a verdict reads only once
    both passed."""
    return Standing(
        train=passed_score(train), heldout_mean=passed_score(heldout), heldout=heldout.per_workload
    )


def mechanical_checks(train: EvalResult) -> dict[str, Any]:
    """Causality, validity and static scan, as the full train evaluation ran them. A result
    without them (an evaluation from before checks existed) cannot be vouched for."""
    if train.checks:
        return train.checks
    return {"mechanical": {"passed": False, "reason": "no mechanical checks on record"}}


def check_summary(
    checks: dict[str, Any],
    train: EvalResult,
    heldout: EvalResult,
    champion: tuple[int, EvalResult, EvalResult],
) -> str:
    """What the reviewer should know before reading the code: each mechanical check that ran,
    with its findings, and why the candidate is under review at all."""
    pid, champion_train, champion_heldout = champion
    lines = [
        (
            f"The candidate beat champion #{pid} on train ({train.score:.6g} vs "
            f"{champion_train.score:.6g}) and on held-out ({heldout.score:.6g} vs "
            f"{champion_heldout.score:.6g}), and it passed every other rule (held-out gain, "
            "significance, train/held-out gap, mechanical checks): your code review is the "
            "last check, and a candidate you find rigged is rejected."
        )
    ]
    for name, result in checks.items():
        if not isinstance(result, dict):
            continue
        state = "passed" if result.get("passed") else "FAILED"
        found = "; ".join(map(str, result.get("findings") or result.get("violations") or []))
        lines.append(f"- {name}: ran, {state}" + (f": {found}" if found else ", nothing found"))
    return "\n".join(lines)


def make_verify(rt: SessionRuntime) -> Node:
    objective = rt.scenario.spec.objective
    direction, metric = objective.direction, objective.name
    fresh = rt.scenario.engine.fresh_comparisons
    verifier_cache: dict[str, Verifier] = {}
    reviews: dict[int, tuple[bool | None, list[str]]] = {}  # program id -> its review
    short = rt.models.short_prompts

    def champion_on(champion: Program, split: str) -> EvalResult:
        """The champion's result to compare with: its stored one, or for a kind whose scores
        drift with the machine's load a fresh run made now, beside the candidate's (the
        stored one comes back if the fresh run fails)."""
        stored = rt.evaluator.score(champion, split, FULL)
        if not fresh:
            return stored
        now = rt.evaluator.run(champion.code, split, FULL, checks=())
        return now if now.passed else stored

    def remeasured(champion_id: int, train: EvalResult, heldout: EvalResult | None) -> list[str]:
        if not fresh:
            return []
        splits = f"train {train.score:.4g}" + (
            f", held-out {heldout.score:.4g}" if heldout is not None else ""
        )
        return [
            (
                f"champion {champion_id} re-measured beside it ({splits}): {metric} is a "
                "time and drifts with the machine's load"
            )
        ]

    def judge(
        program: Program, iteration: int, champion: Program
    ) -> tuple[bool, list[str], dict[str, Any]]:
        train = rt.evaluator.score(program, "train", FULL)
        champion_train = champion_on(champion, "train")
        # Only a candidate whose full train run passed is judged, and a champion passed both.
        better = objective.better(passed_score(train), passed_score(champion_train))
        unmet = constraints_unmet(train)
        if unmet or not better:
            if not better:
                unmet.append(
                    f"{Rule.TRAIN} than champion {champion.id}: {metric} "
                    f"{train.score:.4f} vs {champion_train.score:.4f}"
                )
            return (
                False,
                [
                    *unmet,
                    *where_it_lost(train, champion_train, champion.id),
                    *remeasured(champion.id, champion_train, None),
                ],
                {},
            )
        heldout = rt.evaluator.score(program, "heldout", FULL)
        if not heldout.passed:
            return (
                False,
                [
                    (
                        f"{Rule.HELDOUT_FAILS}: {heldout.error or heldout.status}, "
                        f"{heldout.infeasible_runs} infeasible runs"
                    )
                ],
                {},
            )
        champion_heldout = champion_on(champion, "heldout")
        checks = mechanical_checks(train)
        heldout_unmet = constraints_unmet(heldout)

        def verdict_with(rigged: bool | None, reasons: list[str]):
            return decide(
                standing(train, heldout),
                standing(champion_train, champion_heldout),
                direction,
                checks=checks,
                review_rigged=rigged,
                review_reasons=reasons,
                alpha=rt.config.alpha,
                max_gap=rt.config.max_gap,
                metric=metric,
                constraint_reasons=heldout_unmet,
            )

        # The code review is the last check and a model call: only a candidate every other
        # rule accepts is worth one.
        verdict = verdict_with(None, [])
        if verdict.accepted and rt.config.review:
            verdict = verdict_with(
                *review(
                    program,
                    iteration,
                    checks,
                    train,
                    heldout,
                    (champion.id, champion_train, champion_heldout),
                )
            )
        scores = {
            "heldout": heldout.score,
            "train": train.score,
            "p_value": verdict.p_value,
            "checks": checks,
        }
        reasons = verdict.reasons
        if verdict.accepted and objective.constraints:
            kept = "; ".join(describe_constraint(c, refs_name()) for c in objective.constraints)
            reasons = [f"{reasons[0]}; kept {kept} on train and held-out", *reasons[1:]]
        if not verdict.accepted:
            reasons = [*reasons, *where_it_lost(heldout, champion_heldout, champion.id)]
        reasons = [*reasons, *remeasured(champion.id, champion_train, champion_heldout)]
        return verdict.accepted, reasons, scores

    def review(
        program: Program,
        iteration: int,
        checks: dict[str, Any],
        train: EvalResult,
        heldout: EvalResult,
        champion: tuple[int, EvalResult, EvalResult],
    ) -> tuple[bool | None, list[str]]:
        """The model's code review: (rigged, reasons); (None, []) when it cited no evidence.
        Rigging is a property of the code, so a candidate judged again after another lane
        replaced the champion keeps its first review."""
        if program.id not in reviews:
            verifier = verifier_cache.setdefault("v", Verifier(rt.models.role("verifier")))
            parent = rt.store.get_program(program.parent_id) if program.parent_id else None
            out = verifier.review(
                program.code,
                problem_statement(rt.scenario, short),
                check_summary(checks, train, heldout, champion),
                (parent.id, parent.code) if parent is not None else None,
            )
            rt.log_calls(iteration, out.records)
            # A "rigged" verdict must cite evidence; small models say "rigged" with none.
            value = out.value
            if value is not None and value.reasons:
                reviews[program.id] = (value.rigged, value.reasons)
            else:
                reviews[program.id] = (None, [])
        return reviews[program.id]

    def refs_name() -> str | None:
        return rt.references.reference

    def constraints_unmet(result: EvalResult) -> list[str]:
        """The scenario's constraints that fail on some workload of ``result``'s split, as one
        reason naming the metric and the worst workloads. With no reference values to judge
        against (a reference that failed to run) the constraint cannot be vouched for."""
        if not objective.constraints:
            return []
        split = "held-out" if result.split == "heldout" else result.split
        reference = rt.references.for_constraints(objective, result.split)
        for name, values in reference.items():
            if not values or not result.per_metric.get(name):
                whose = "the reference's" if not values else "its"
                return [
                    (
                        f"{Rule.CONSTRAINT} on {split}: no values of {name} ({whose}) to "
                        "judge the constraint by"
                    )
                ]
        misses = constraint_misses(objective, result.per_metric, reference)
        if not misses:
            return []
        found = describe_misses(misses, len(result.per_workload))
        return [f"{Rule.CONSTRAINT} on {split}: {found}"]

    def where_it_lost(mine: EvalResult, theirs: EvalResult, champion_id: int) -> list[str]:
        """The groups of the split where the candidate lost to the champion: what to fix."""
        split = "held-out" if mine.split == "heldout" else mine.split
        lost = losing_groups(
            rt.scenario, mine.split, mine.per_workload, theirs.per_workload, objective
        )
        return (
            [f"{split} groups where it lost to champion {champion_id}: " + "; ".join(lost)]
            if lost
            else []
        )

    def champion_id() -> int:
        """The champion's program id: a session has one from its start."""
        champion = rt.store.champion(rt.session_id)
        assert champion is not None  # the seed program is made the first champion
        return champion.program_id

    def settle(program: Program, iteration: int, lane: int) -> None:
        """Judge the candidate against the champion of this moment and record the verdict,
        if that champion is still the champion when the verdict is written (compare and
        set); if another lane replaced it meanwhile, judge again against the new one."""
        while True:
            against = champion_id()
            accepted, reasons, scores = judge(program, iteration, rt.store.program(against))
            status = ProgramStatus.ACCEPTED if accepted else ProgramStatus.REJECTED
            outcome = HypothesisOutcome.ACCEPTED if accepted else HypothesisOutcome.REJECTED
            with rt.store.write():  # verdict, status and champion change are one fact
                current = champion_id()
                if current != against:
                    rt.notify(
                        EventKind.REJUDGE,
                        iteration=iteration,
                        program_id=program.id,
                        judged_against=against,
                        champion=current,
                        lane=lane,
                    )
                    continue
                rt.store.add_verdict(program.id, accepted, reasons, scores.get("checks"))
                if program.hypothesis_id:
                    rt.store.set_hypothesis_outcome(program.hypothesis_id, outcome, reasons[0])
                rt.store.set_program_status(program.id, status)
                if accepted:
                    rt.store.set_champion(
                        rt.session_id, program.id, iteration, scores["train"], scores["heldout"]
                    )
                rt.notify(
                    EventKind.VERDICT,
                    iteration=iteration,
                    program_id=program.id,
                    accepted=accepted,
                    reason=reasons[0],
                    champion=against,
                    lane=lane,
                )
            return

    def verify(state: ResearchState) -> dict[str, Any]:
        for pid in state.get("evaluated_ids", []):
            program = rt.store.program(pid)
            if program.status == ProgramStatus.EVALUATED:  # a verdict written before a crash stands
                settle(program, state["iteration"], state.get("lane", 0))
        return {}

    return verify
