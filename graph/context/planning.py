"""The planner's view: the problem, where the search stands, the champion's code, the parents it
may build on, and the research memory (attempts, failed ideas, critiques), within its budget.
"""

from __future__ import annotations

from graph.context.budget import Section, compose
from graph.context.groups import group_table
from graph.context.lineage import code_against, code_block, describe
from graph.context.problem import problem_statement
from graph.context.standings import headroom_lines, standings_table
from graph.runtime import Runtime
from memory.digest import approx_tokens, digest


def champion_groups(rt: Runtime, champion_id: int) -> list[Section]:
    """Where the champion wins and loses, per group, against the reference and the limit."""
    refs, out = rt.references, []
    for split, title in (("train", "train"), ("heldout", "held-out")):
        row = rt.store.latest_evaluation(champion_id, split, "full")
        if row is None:
            continue
        columns = [(f"champion #{champion_id}", dict(row.per_workload))]
        if refs.reference:
            columns.append((refs.reference, refs.per_workload(refs.reference, split)))
        columns.append(("limit", refs.limit(split)))
        lines = group_table(rt.scenario, split, columns)
        if lines:
            out.append(Section(f"The champion per group on {title} (mean per workload; its "
                               "change is against the reference)", lines))
    return out


def planner_brief(rt: Runtime, parent_ids: list[int]) -> str:
    """Everything the planner reads before its task, highest priority first."""
    store, scenario, short = rt.store, rt.scenario, rt.models.short_prompts
    budget = rt.models.prompt_tokens()
    unit = scenario.spec.objective.unit
    champion = store.champion(rt.session_id)
    champion_id = champion.program_id if champion else None
    rows = [("champion #%d" % champion_id, champion_id)] if champion_id else []
    rows += [(f"parent #{pid}", pid) for pid in parent_ids if pid != champion_id]
    standing = Section(
        "Where the search stands",
        standings_table(store, scenario, rt.references, rows)
        + ([""] + headroom_lines(store, scenario, rt.references, champion_id)
           if champion_id else []))
    sections = [Section("Problem", [problem_statement(scenario, short)]), standing]
    if champion_id is not None:
        sections += champion_groups(rt, champion_id)
    if champion_id is not None:
        program = store.get_program(champion_id)
        sections.append(Section(
            f"The champion: program #{champion_id}, the best verified program",
            [describe(store, program, unit, champion_id), code_block(program)], spaced=True))
    cards = []
    for pid in parent_ids:
        if pid == champion_id:
            continue
        program = store.get_program(pid)
        cards.append(describe(store, program, unit, champion_id))
        if not short:
            champion_program = store.get_program(champion_id) if champion_id else None
            cards.append(code_against(program, champion_program) if champion_program
                         else code_block(program))
    if cards:
        sections.append(Section("The other parents you may build on", cards, spaced=True))
    reference = rt.references.reference
    if reference and not short and reference in scenario.baseline_paths():
        code = scenario.baseline_paths()[reference].read_text().rstrip()
        sections.append(Section(f"The reference baseline's code: {reference}",
                                [f"```python\n{code}\n```"]))
    head = compose(sections, budget * 3 // 4)
    memory = digest(store, rt.session_id, max_tokens=max(200, budget - approx_tokens(head) - 300))
    return f"{head}\n\n# Research memory\n{memory}"
