"""The critic's evidence: comparative and aimed at regret.

A candidate's numbers mean little alone. The critic sees it beside its parent, the champion, the
reference baseline and the limit; per group of workloads on train (and on held-out when it ran
there); its split metrics beside its parent's (the habit counters that expose common bugs are
among them); and its runs with the most regret against the limit, zoomed in: those runs are
re-run in the sandbox on their own, so the kind's per-run figures and timelines come with them.
"""

from __future__ import annotations

import heapq
from typing import Any

from graph.context.budget import Section, compose
from graph.context.groups import groups_of, tables, worst_by_regret, yardstick
from graph.context.numbers import fmt
from graph.context.problem import baseline_code, problem_statement
from graph.context.rules import judging_rules
from graph.context.standings import standings_table
from graph.runtime import Runtime
from memory.records import Program
from simulators.references import PerWorkload

ZOOM_RUNS = 5
DECLINE_RUNS = 3


def _values(rt: Runtime, program_id: int | None, split: str) -> PerWorkload:
    if program_id is None:
        return {}
    known = rt.evaluator.known(program_id, split)
    return known.per_workload if known is not None else {}


def _metrics(rt: Runtime, program_id: int | None) -> dict[str, float]:
    known = None if program_id is None else rt.evaluator.known(program_id, "train")
    return known.metrics if known is not None else {}


def rivals(rt: Runtime, program: Program) -> list[tuple[str, int]]:
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
    return [(label, pid) for label, pid in rows if not (pid in seen or seen.add(pid))]


def outcome_line(rt: Runtime, program: Program) -> str:
    """What became of the candidate: its status and its verdict's reasons, whole."""
    verdict = rt.store.verdicts(program.id)
    if verdict:
        reasons = "; ".join(verdict[-1].reasons)
        return f"Status: {program.status}. The verifier's reasons: {reasons}"
    hypothesis = rt.store.get_hypothesis(program.hypothesis_id) if program.hypothesis_id else None
    detail = (hypothesis.outcome_detail if hypothesis else "") or ""
    return f"Status: {program.status}." + (f" {detail}" if detail else "")


def group_sections(rt: Runtime, people: list[tuple[str, int]]) -> list[Section]:
    """Per-group tables on train and, when the candidate ran there, on held-out."""
    refs, out = rt.references, []
    for split, title in (("train", "train"), ("heldout", "held-out")):
        columns = [(label.split(" ")[0] if " #" in label else label, _values(rt, pid, split))
                   for label, pid in people]
        if not columns[0][1]:
            continue
        columns = [(label, values) for (label, values) in columns if values]
        if refs.reference:
            columns.append((refs.reference, refs.per_workload(refs.reference, split)))
        columns.append(("limit", refs.limit(split)))
        for axis, lines in tables(rt.scenario, split, columns):
            out.append(Section(f"Per {axis} on {title} (mean per workload; the first column's "
                               "change is against the second)", lines))
    return out


def metric_lines(rt: Runtime, people: list[tuple[str, int]]) -> list[str]:
    """The train split's metrics, one row each, candidate beside parent and champion."""
    known = [(label, _metrics(rt, pid)) for label, pid in people]
    known = [(label, m) for label, m in known if m]
    if not known:
        return []
    skip = {"runs", "infeasible_runs", "causality_violations"}
    names = [k for k in known[0][1] if k not in skip]
    lines = ["| metric | " + " | ".join(label for label, _ in known) + " |",
             "|" + "---|" * (len(known) + 1)]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(
            f"{m[name]:.4g}" if isinstance(m.get(name), int | float) else "n/a"
            for _, m in known) + " |")
    return lines


def zoom(rt: Runtime, code: str, ids: list[str]) -> dict[str, Any]:
    """A program re-run in the sandbox on a few train workloads alone: per-run figures and
    timelines (a full split keeps them for its few worst runs only)."""
    if not ids:
        return {}
    result = rt.evaluator.evaluate_fn(rt.scenario, code, "train", stage="zoom",
                                      workload_ids=ids, checks=())
    return result.artifacts if result.status == "ok" else {}


def _timelines(artifacts: dict[str, Any]) -> dict[str, str]:
    return {w.get("id"): w.get("timeline") for w in artifacts.get("worst", [])
            if isinstance(w, dict) and w.get("timeline")}


def deteriorated(mine: PerWorkload, parent: PerWorkload, direction: str,
                 count: int) -> list[str]:
    """Workloads where the candidate got most worse than its parent (worst first)."""
    sign = 1.0 if direction == "min" else -1.0
    worse = heapq.nlargest(count, ((sign * (v - parent[w]), w) for w, v in mine.items()
                                   if w in parent))
    return [w for d, w in worse if d > 0]


def sibling_lines(rt: Runtime, program: Program) -> list[str]:
    """The other candidates of the same iteration: what they tried and what became of them."""
    unit = rt.scenario.spec.objective.unit
    lines = []
    for other in rt.store.programs(rt.session_id, iteration=program.iteration):
        if other.id == program.id or other.hypothesis_id is None:
            continue
        hypothesis = rt.store.get_hypothesis(other.hypothesis_id)
        known = rt.store.score_of(other.id, "train")
        verdict = rt.store.verdicts(other.id)
        detail = ("; ".join(verdict[-1].reasons) if verdict
                  else (hypothesis.outcome_detail or "") if hypothesis else "")
        lines.append(f"- #{other.id} ({other.status}, train "
                     f"{fmt(known[0] if known else None, unit)}): "
                     f"{' '.join(hypothesis.text.split()) if hypothesis else ''} -> {detail}")
    return lines


def worst_lines(rt: Runtime, program: Program, people: list[tuple[str, int]]) -> list[str]:
    """The candidate's train runs furthest from the limit, each with its rivals' values, the
    kind's per-run figures and (when the kind draws one) its timeline."""
    direction, unit = rt.scenario.spec.objective.direction, rt.scenario.spec.objective.unit
    name, yard = yardstick(rt.references, "train", direction)
    mine = _values(rt, program.id, "train")
    worst = worst_by_regret(mine, yard, direction, ZOOM_RUNS)
    parent = _values(rt, program.parent_id, "train")
    declined = [w for w in deteriorated(mine, parent, direction, DECLINE_RUNS)
                if w not in {i for i, _, _ in worst}]
    worst += [(w, mine[w], yard.get(w, mine[w])) for w in declined]
    if not worst:
        return []
    ids = [w for w, _, _ in worst]
    artifacts = zoom(rt, program.code, ids)
    timelines = _timelines(artifacts)
    reference = rt.references.reference
    reference_timelines = {}
    code = baseline_code(rt.scenario, reference)
    if code and timelines:
        reference_timelines = _timelines(zoom(rt, code, ids[:ZOOM_RUNS]))
    runs = artifacts.get("runs", artifacts)
    groups = groups_of(rt.scenario, "train")
    others = [(label.split(" ")[0], _values(rt, pid, "train")) for label, pid in people[1:]]
    if rt.references.reference:
        others.append((rt.references.reference,
                       rt.references.per_workload(rt.references.reference, "train")))
    items = [f"Ranked by regret against {name}: the runs where the candidate is furthest from "
             "what was possible" + ("; then the runs where it got most worse than its parent"
                                    if declined else "") + "."]
    for wid, value, best in worst:
        beside = ", ".join(f"{label} {fmt(vals.get(wid), unit)}" for label, vals in others
                           if wid in vals)
        line = (f"- {wid} ({groups.get(wid, '?')}): candidate {fmt(value, unit)}, limit "
                f"{fmt(best, unit)}, regret {fmt(abs(value - best), unit)}; {beside}")
        detail = runs.get(wid) if isinstance(runs, dict) else None
        if isinstance(detail, dict):
            figures = ", ".join(f"{k}={v}" for k, v in detail.items()
                                if not isinstance(v, list | dict))
            line += f"\n  figures: {figures}" if figures else ""
            # Short lists a reader can use (per-window values, worst layers), never hashes.
            lists = {k: v for k, v in detail.items()
                     if isinstance(v, list) and len(v) <= 40 and "digest" not in k}
            line += "".join(f"\n  {k}: {v}" for k, v in lists.items())
        if timelines.get(wid):
            line += f"\n  timeline: {timelines[wid]}"
        if reference_timelines.get(wid):
            line += f"\n  {reference}'s timeline: {reference_timelines[wid]}"
        items.append(line)
    return items


def critic_brief(rt: Runtime, program: Program) -> dict[str, str]:
    """Template values of the critic's prompt for one evaluated candidate."""
    people = rivals(rt, program)
    budget = rt.models.prompt_tokens() * 3 // 4
    standing = Section("Scores beside the reference points",
                       standings_table(rt, people))
    sections = [standing, Section("Other candidates of this iteration",
                                  sibling_lines(rt, program)), *group_sections(rt, people)]
    if not rt.models.short_prompts:
        sections.append(Section("Split metrics on train", metric_lines(rt, people)))
    sections.append(Section("Runs with the most regret (train)", worst_lines(rt, program, people)))
    legend = rt.scenario.engine.legend
    if legend:
        sections.append(Section("How to read the figures", [" ".join(legend.split())]))
    sections.append(Section("How candidates are judged", [judging_rules(rt)]))
    return {"problem": problem_statement(rt.scenario, rt.models.short_prompts),
            "outcome": outcome_line(rt, program),
            "evidence": compose(sections, budget) or "(no evidence)"}
