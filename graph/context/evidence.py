"""The critic's evidence: comparative and aimed at regret.

A candidate's numbers mean little alone. The critic sees it beside its parent, the champion, the
reference baseline and the limit; per group of workloads on train (and on held-out when it ran
there); its split metrics beside its parent's (the habit counters that expose common bugs are
among them); and its runs with the most regret against the limit, zoomed in: those runs are
re-run in the sandbox on their own, so the kind's per-run figures and timelines come with them.
"""

from __future__ import annotations

from graph.context.budget import Section, compose
from graph.context.constraints import constraint_sections
from graph.context.groups import tables
from graph.context.numbers import fmt
from graph.context.problem import problem_statement
from graph.context.rules import judging_rules
from graph.context.runs import run_sections
from graph.context.standings import program_values, standings_table
from graph.runtime import SessionRuntime
from memory.records import Program


def _metrics(rt: SessionRuntime, program_id: int | None) -> dict[str, float]:
    known = None if program_id is None else rt.evaluator.known(program_id, "train")
    return known.metrics if known is not None else {}


def rivals(rt: SessionRuntime, program: Program) -> list[tuple[str, int]]:
    """(label, id) of the candidate, its parent and the champion it faces (the one it replaced
    when it was just accepted), without repeats."""
    history = rt.store.champion_history(rt.session_id)
    current = history[-1].program_id if history else None
    rows = [(f"candidate #{program.id}", program.id)]
    if program.parent_id:
        rows.append((f"parent #{program.parent_id}", program.parent_id))
    if current == program.id and len(history) > 1:
        rows.append((f"previous champion #{history[-2].program_id}", history[-2].program_id))
    elif current is not None:
        rows.append((f"champion #{current}", current))
    seen: set[int] = set()
    unique = []
    for label, pid in rows:
        if pid not in seen:
            seen.add(pid)
            unique.append((label, pid))
    return unique


def outcome_line(rt: SessionRuntime, program: Program) -> str:
    """What became of the candidate: its status and its verdict's reasons, whole."""
    verdict = rt.store.verdicts(program.id)
    if verdict:
        reasons = "; ".join(verdict[-1].reasons)
        return f"Status: {program.status}. The verifier's reasons: {reasons}"
    hypothesis = rt.store.get_hypothesis(program.hypothesis_id) if program.hypothesis_id else None
    detail = (hypothesis.outcome_detail if hypothesis else "") or ""
    return f"Status: {program.status}." + (f" {detail}" if detail else "")


def group_sections(rt: SessionRuntime, people: list[tuple[str, int]]) -> list[Section]:
    """Per-group tables on train and, when the candidate ran there, on held-out."""
    out = []
    for split, title in (("train", "train"), ("heldout", "held-out")):
        columns = [
            (label.split(" ")[0] if " #" in label else label, program_values(rt, pid, split))
            for label, pid in people
        ]
        if not columns[0][1]:
            continue
        columns = [(label, values) for (label, values) in columns if values]
        for axis, lines in tables(rt.scenario, split, columns, rt.references):
            out.append(
                Section(
                    f"Per {axis} on {title} (mean per workload; the first column's "
                    "change is against the second)",
                    lines,
                )
            )
    return out


def metric_lines(rt: SessionRuntime, people: list[tuple[str, int]]) -> list[str]:
    """The train split's metrics, one row each, candidate beside parent and champion."""
    known = [(label, _metrics(rt, pid)) for label, pid in people]
    known = [(label, m) for label, m in known if m]
    if not known:
        return []
    skip = {"runs", "infeasible_runs"}
    names = [k for k in known[0][1] if k not in skip]
    lines = [
        "| metric | " + " | ".join(label for label, _ in known) + " |",
        "|" + "---|" * (len(known) + 1),
    ]
    for name in names:
        lines.append(
            f"| {name} | "
            + " | ".join(
                f"{m[name]:.4g}" if isinstance(m.get(name), int | float) else "n/a"
                for _, m in known
            )
            + " |"
        )
    return lines


def sibling_lines(rt: SessionRuntime, program: Program) -> list[str]:
    """The other candidates of the same iteration: what they tried and what became of them."""
    unit = rt.scenario.spec.objective.unit
    lines = []
    for other in rt.store.programs(rt.session_id, iteration=program.iteration):
        if other.id == program.id or other.hypothesis_id is None:
            continue
        hypothesis = rt.store.get_hypothesis(other.hypothesis_id)
        known = rt.store.score_of(other.id, "train")
        verdict = rt.store.verdicts(other.id)
        detail = (
            "; ".join(verdict[-1].reasons)
            if verdict
            else (hypothesis.outcome_detail or "")
            if hypothesis
            else ""
        )
        lines.append(
            f"- #{other.id} ({other.status}, train "
            f"{fmt(known[0] if known else None, unit)}): "
            f"{' '.join(hypothesis.text.split()) if hypothesis else ''} -> {detail}"
        )
    return lines


def critic_brief(rt: SessionRuntime, program: Program) -> dict[str, str]:
    """Template values of the critic's prompt for one evaluated candidate."""
    people = rivals(rt, program)
    budget = rt.models.prompt_tokens() * 3 // 4
    standing = Section("Scores beside the reference points", standings_table(rt, people))
    sections = [
        standing,
        *constraint_sections(rt, program.id, f"Candidate #{program.id}"),
        Section("Other candidates of this iteration", sibling_lines(rt, program)),
        *group_sections(rt, people),
    ]
    if not rt.models.short_prompts:
        sections.append(Section("Split metrics on train", metric_lines(rt, people)))
    sections += run_sections(rt, program, people)
    engine = rt.scenario.engine
    if engine.critic_focus:
        sections.append(
            Section("What to look at in this problem", [" ".join(engine.critic_focus.split())])
        )
    if engine.legend:
        sections.append(Section("How to read the figures", [" ".join(engine.legend.split())]))
    sections.append(Section("How candidates are judged", [judging_rules(rt)]))
    return {
        "problem": problem_statement(rt.scenario, rt.models.short_prompts),
        "outcome": outcome_line(rt, program),
        "evidence": compose(sections, budget) or "(no evidence)",
    }
