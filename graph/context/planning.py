"""The planner's view: the problem, where the search stands, the champion's code, the parents it
may build on, and the research memory (attempts, failed ideas, critiques), within its budget.
"""

from __future__ import annotations

from graph.context.budget import Section, compose
from graph.context.constraints import constraint_sections
from graph.context.front import front_section
from graph.context.groups import tables
from graph.context.lineage import code_against, code_block, describe
from graph.context.numbers import fmt
from graph.context.problem import baseline_code, problem_statement
from graph.context.rules import judging_rules
from graph.context.standings import headroom_lines, standings_table
from graph.runtime import SessionRuntime
from memory.digest import approx_tokens, digest
from memory.records import Champion, Hypothesis, Program
from simulators.direction import best


def champion_groups(rt: SessionRuntime, champion_id: int) -> list[Section]:
    """Where the champion wins and loses, per group, against the reference and the limit
    (the same tables every plan until the champion changes: kept per champion)."""
    return rt.remember(("champion_groups", champion_id), lambda: _champion_groups(rt, champion_id))


def _champion_groups(rt: SessionRuntime, champion_id: int) -> list[Section]:
    out = []
    for split, title in (("train", "train"), ("heldout", "held-out")):
        known = rt.evaluator.known(champion_id, split)
        if known is None:
            continue
        columns = [(f"champion #{champion_id}", known.per_workload)]
        for axis, lines in tables(rt.scenario, split, columns, rt.references):
            out.append(
                Section(
                    f"The champion per {axis} on {title} (mean per workload; its "
                    "change is against the reference)",
                    lines,
                )
            )
    return out


def leading_baseline(rt: SessionRuntime) -> str | None:
    """The baseline with the best train mean when it is not the reference: the known method a
    planner should read first (eplb-speed's fast_greedy is six times faster than its reference)."""
    refs, direction = rt.references, rt.scenario.spec.objective.direction
    scored = [
        (mean, name) for name in refs.baselines if (mean := refs.mean(name, "train")) is not None
    ]
    if not scored:
        return None
    leader = best(sorted(scored, key=lambda s: s[1]), direction, score=lambda s: s[0])[1]
    return None if leader == refs.reference else leader


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def budget_line(
    rt: SessionRuntime,
    iteration: int,
    champion: Champion | None,
    lane: int = 0,
    others_busy: bool = False,
) -> str:
    """Where the session is in its budget (how big a swing the plan can afford) and, with
    several lanes, how this plan differs from theirs."""
    budget = rt.config.budget
    parts = [
        f"This is iteration {iteration}"
        + (f" of {budget.iterations}" if budget.iterations else "")
        + "."
    ]
    if champion is not None:
        parts.append(f"The champion was set at iteration {champion.iteration}.")
    lanes = rt.config.lanes
    if lanes > 1 and others_busy:
        parts.append(
            f"{lanes} research lanes plan at once (this is lane {lane + 1}); ideas "
            "other lanes are trying now are listed below: propose something else."
        )
    elif lanes > 1:
        parts.append(
            f"{lanes} research lanes plan at once (this is lane {lane + 1}); the others "
            "plan from this same state right now and cannot see your plan, so choose "
            "hypotheses the other lanes are unlikely to pick too (you are lane "
            f"{lane + 1} of {lanes}: take the {ordinal(lane + 1)} most promising "
            "direction you see, so that lanes 1, 2, ... each take a different one)."
        )
    if budget.stagnation:
        parts.append(
            f"The session stops after {budget.stagnation} iterations without a new champion."
        )
    return " ".join(parts)


def standing_section(
    rt: SessionRuntime,
    champion: Champion | None,
    parent_ids: list[int],
    iteration: int,
    lane: int = 0,
    others_busy: bool = False,
) -> Section:
    """The champion and the parents beside the baselines and the limit, with the headroom."""
    champion_id = champion.program_id if champion else None
    rows = [(f"champion #{champion_id}", champion_id)] if champion_id else []
    rows += [(f"offered parent #{pid}", pid) for pid in parent_ids if pid != champion_id]
    headroom = headroom_lines(rt, champion_id) if champion_id else []
    return Section(
        "Where the search stands",
        standings_table(rt, rows) + (["", *headroom] if headroom else []),
        lead=budget_line(rt, iteration, champion, lane, others_busy) + "\n",
    )


def parent_cards(
    rt: SessionRuntime, parent_ids: list[int], champion: Program | None, why: dict[int, str]
) -> list[Section]:
    """The other parents: how each was drawn, what is known of it, and its code (as a diff
    against the champion's when that is shorter)."""
    champion_id = champion.id if champion else None
    cards = []
    for pid in parent_ids:
        if pid == champion_id:
            continue
        program = rt.store.program(pid)
        drawn = why.get(pid)
        cards.append((f"[{drawn}] " if drawn else "") + describe(rt, program, champion_id))
        if not rt.models.short_prompts:
            cards.append(code_against(program, champion) if champion else code_block(program))
    return [Section("The other parents you may build on", cards, spaced=True)] if cards else []


def in_flight_section(rt: SessionRuntime, pending: list[Hypothesis]) -> list[Section]:
    """What other lanes are trying right now, each with how far it got (being coded, being
    evaluated, scored and awaiting its verdict), so this plan does not repeat it: lanes plan
    from the same memory at the same time."""
    lines = [
        f"- iteration {h.iteration}, on program #{h.parent_program_id}: {h.text} "
        f"({progress_of(rt, h.id)})"
        for h in pending
    ]
    return [Section("Being tried now in other lanes (no verdict yet)", lines)] if lines else []


def progress_of(rt: SessionRuntime, hypothesis_id: int) -> str:
    """How far an in-flight hypothesis got, in words."""
    pid = rt.store.program_of_hypothesis(hypothesis_id)
    if pid is None:
        return "being coded"
    train = rt.evaluator.known(pid, "train")
    if train is None or train.score is None:
        return f"program #{pid}, being evaluated"
    heldout = rt.evaluator.known(pid, "heldout")
    unit = rt.scenario.spec.objective.unit
    scores = f"train {fmt(train.score, unit)}" + (
        f", held-out {fmt(heldout.score, unit)}"
        if heldout is not None and heldout.score is not None
        else ""
    )
    return f"program #{pid}, {scores}, awaiting its verdict"


def planner_brief(
    rt: SessionRuntime,
    parent_ids: list[int],
    iteration: int = 0,
    why: dict[int, str] | None = None,
    lane: int = 0,
) -> str:
    """Everything the planner reads before its task, highest priority first. ``why`` says
    how the program database drew each parent (exploitation, exploration, random)."""
    store, scenario, short = rt.store, rt.scenario, rt.models.short_prompts
    budget = rt.models.prompt_tokens()
    champion = store.champion(rt.session_id)
    program = store.get_program(champion.program_id) if champion else None
    pending = store.hypotheses_in_flight(rt.session_id, iteration)
    sections = [
        Section("Problem", [problem_statement(scenario, short)]),
        standing_section(rt, champion, parent_ids, iteration, lane, bool(pending)),
        *front_section(rt),
        Section("How candidates are judged", [judging_rules(rt)]),
    ]
    if program is not None:
        sections += constraint_sections(rt, program.id, f"The champion #{program.id}")
        sections += champion_groups(rt, program.id)
        sections.append(
            Section(
                f"The champion: program #{program.id}, the best verified program",
                [describe(rt, program, program.id), code_block(program)],
                spaced=True,
            )
        )
    sections += in_flight_section(rt, pending)
    sections += parent_cards(rt, parent_ids, program, why or {})
    reference = rt.references.reference
    code = None if short else baseline_code(scenario, reference)
    if code:
        sections.append(
            Section(f"The reference baseline's code: {reference}", [f"```python\n{code}\n```"])
        )
    leader = leading_baseline(rt)
    code = None if short or leader is None else baseline_code(scenario, leader)
    if code:
        sections.append(
            Section(
                f"The best baseline's code: {leader} (it beats the reference on "
                "train; a known method, not a candidate)",
                [f"```python\n{code}\n```"],
            )
        )
    head = compose(sections, budget * 3 // 4)
    memory = digest(
        store,
        rt.session_id,
        max_tokens=max(200, budget - approx_tokens(head) - 300),
        memory_only=True,
    )
    return f"{head}\n\n# Research memory\n{memory}"
