"""The programs an agent may build on, each with what is known about it.

The verified champion is always offered as a parent (a planner that cannot build on the best
program has to re-describe it in every hypothesis), offered ids are distinct, and every program
shown carries its status, its train and held-out scores and its verdict's reasons, so a
promising rejected program can be chosen knowingly.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from graph.context.numbers import fmt
from graph.context.standings import program_score
from graph.runtime import SessionRuntime
from memory.records import Program
from memory.store import Store


def offered_parents(
    drawn: Iterable[int], champion_id: int | None, near_miss: int | None = None
) -> list[int]:
    """The program database's draws without repeats, then the champion and the latest near
    miss (a train winner the held-out test turned down) if they were not drawn."""
    offered = list(dict.fromkeys(drawn))
    for extra in (champion_id, near_miss):
        if extra is not None and extra not in offered:
            offered.append(extra)
    return offered


def verdict_line(store: Store, program_id: int) -> str:
    """``accepted`` / ``rejected: reason; reason`` of the program's latest verdict, whole."""
    verdicts = store.verdicts(program_id)
    if not verdicts:
        return ""
    last = verdicts[-1]
    return "accepted" if last.accepted else "rejected: " + "; ".join(last.reasons)


def describe(rt: SessionRuntime, program: Program, champion_id: int | None) -> str:
    """One paragraph: id, role, status, scores, verdict, and the hypothesis it implemented.
    Kept per (program, status, champion): scores and verdicts arrive with a status change."""
    return rt.remember(
        ("describe", program.id, program.status, champion_id),
        lambda: _describe(rt, program, champion_id),
    )


def _describe(rt: SessionRuntime, program: Program, champion_id: int | None) -> str:
    store, unit = rt.store, rt.scenario.spec.objective.unit
    role = "the champion" if program.id == champion_id else f"status {program.status}"
    train = program_score(rt, program.id, "train")
    heldout = program_score(rt, program.id, "heldout")
    parent = f"#{program.parent_id}" if program.parent_id else "-"
    parts = [
        (
            f"Program #{program.id} ({role}; iteration {program.iteration}; parent {parent}): "
            f"train {fmt(train, unit)}, "
            f"held-out {fmt(heldout, unit) if heldout is not None else 'not run'}."
        )
    ]
    verdict = verdict_line(store, program.id)
    if verdict and program.id != champion_id:
        parts.append(f"Verdict: {verdict}.")
    if program.hypothesis_id:
        hypothesis = store.get_hypothesis(program.hypothesis_id)
        if hypothesis is not None:
            parts.append(f"It implemented: {' '.join(hypothesis.text.split())}")
    else:
        parts.append("It is the seed program.")
    return " ".join(parts)


def code_block(program: Program) -> str:
    return f"```python\n{program.code.rstrip()}\n```"


def code_against(program: Program, base: Program) -> str:
    """The program's code as a unified diff against ``base`` (the champion) when that is
    shorter than the code itself: the reader sees exactly what differs."""
    diff = "\n".join(
        difflib.unified_diff(
            base.code.splitlines(),
            program.code.splitlines(),
            f"program #{base.id}",
            f"program #{program.id}",
            lineterm="",
            n=2,
        )
    )
    if diff and len(diff) < len(program.code):
        return f"Its code, as a diff against program #{base.id}:\n```diff\n{diff}\n```"
    return code_block(program)
