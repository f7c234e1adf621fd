"""The planner's view: the problem, where the search stands, the champion's code, the parents it
may build on, and the research memory (attempts, failed ideas, critiques), within its budget.
"""

from __future__ import annotations

from graph.context.budget import Section, compose
from graph.context.lineage import code_against, code_block, describe
from graph.context.problem import problem_statement
from graph.context.standings import headroom_lines, standings_table
from graph.runtime import Runtime
from memory.digest import approx_tokens, digest


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
    head = compose(sections, budget * 3 // 4)
    memory = digest(store, rt.session_id, max_tokens=max(200, budget - approx_tokens(head) - 300))
    return f"{head}\n\n# Research memory\n{memory}"
