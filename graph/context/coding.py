"""The coder's view: the problem, which sample it is and what its siblings try, the parent as
the memory knows it, the latest diagnosis, the champion (when it is not the parent) and
neighbouring elites, within its budget."""

from __future__ import annotations

from graph.context.budget import Section, compose
from graph.context.lineage import code_block, describe
from graph.context.problem import problem_statement
from graph.runtime import SessionRuntime
from memory.records import Hypothesis, Program
from memory.vocabulary import HypothesisOutcome

#: Hypotheses a person replaced or turned down are not siblings of anything.
_SET_ASIDE = (HypothesisOutcome.REJECTED_BY_USER, HypothesisOutcome.EDITED_BY_USER)


def hypothesis_text(h: Hypothesis) -> str:
    """The hypothesis as the coder implements it: the change, why, and what it should do."""
    parts = [" ".join(h.text.split())]
    if h.rationale:
        parts.append(f"Rationale: {' '.join(h.rationale.split())}")
    if h.expected_effect:
        parts.append(f"Expected effect: {' '.join(h.expected_effect.split())}")
    return "\n".join(parts)


def sample_note(rt: SessionRuntime, hypothesis: Hypothesis) -> list[str]:
    """ "Sample 2 of 3", and the siblings' ideas so that this sample differs from them."""
    siblings = [
        h
        for h in reversed(rt.store.hypotheses(rt.session_id, hypothesis.iteration))
        if h.outcome not in _SET_ASIDE
    ]
    if len(siblings) < 2:
        return []
    index = next((i for i, h in enumerate(siblings) if h.id == hypothesis.id), 0)
    lines = [
        (
            f"You are coder sample {index + 1} of {len(siblings)} in iteration "
            f"{hypothesis.iteration}. The other samples implement (for contrast only; do not "
            "implement these):"
        )
    ]
    for h in siblings:
        if h.id == hypothesis.id:
            continue
        same = (
            " (the same idea as yours: make your implementation differ)"
            if (h.text.split() == hypothesis.text.split())
            else ""
        )
        lines.append(f"- on #{h.parent_program_id}: {' '.join(h.text.split())}{same}")
    return lines


def coder_brief(
    rt: SessionRuntime, hypothesis: Hypothesis, parent: Program, iteration: int, branch: int
) -> tuple[str, str]:
    """(problem statement, context) for one coder branch."""
    store, short = rt.store, rt.models.short_prompts
    champion = store.champion(rt.session_id)
    champion_id = champion.program_id if champion else None
    sample = sample_note(rt, hypothesis)
    if champion is not None and champion.created_at > hypothesis.created_at:
        sample.append(
            f"The champion changed after this hypothesis was written (another lane's "
            f"candidate won): it is now #{champion_id}. Implement the hypothesis on "
            f"your parent as asked; your candidate will be judged against "
            f"#{champion_id}, whose scores are below."
        )
    sections = [
        Section("Your sample", ["\n".join(sample)]),
        Section("The parent", [describe(rt, parent, champion_id)]),
    ]
    critiques = store.critiques(rt.session_id, limit=1)
    if critiques:
        c = critiques[0]
        findings = [f"- {' '.join(str(f).split())}" for f in c.findings]
        about = f", of program #{c.program_id}" if c.program_id else ""
        sections.append(
            Section(
                f"Latest critic diagnosis (iteration {c.iteration}{about})",
                [" ".join(c.text.split()), *findings],
            )
        )
    others = []
    if champion_id is not None and champion_id != parent.id:
        program = store.program(champion_id)
        others += [
            f"The champion, #{champion_id} (your parent is #{parent.id}): "
            + describe(rt, program, champion_id),
            code_block(program),
        ]
    if not short:
        for pid in rt.program_db.inspirations(parent.id, iteration, parent.island, branch):
            other = store.get_program(pid)
            if other is None or pid == champion_id:
                continue
            others += [
                f"Program #{pid} (another niche): " + describe(rt, other, champion_id),
                code_block(other),
            ]
    if others:
        sections.append(Section("Inspirations (read, do not copy blindly)", others, spaced=True))
    budget = rt.models.prompt_tokens() // 2  # the parent's code and the answer need the rest
    return problem_statement(rt.scenario, short), compose(sections, budget)
