"""The runs a critic should look at, zoomed in: those furthest from the limit, and those where
the candidate got most worse than its parent. A full split keeps per-run detail for a few runs
only, so these are re-run in the sandbox on their own, with the reference baseline beside them:
its timeline on the same trace shows what a known-good policy did there.
"""

from __future__ import annotations

import heapq
from typing import Any

from graph.context.budget import Section
from graph.context.groups import groups_of, worst_by_regret, yardstick
from graph.context.numbers import fmt
from graph.context.problem import baseline_code
from graph.context.standings import program_values
from graph.runtime import SessionRuntime
from memory.records import Program
from simulators.direction import gain
from simulators.references import PerWorkload

#: At most 8 runs are zoomed (the spot kinds draw a timeline for each of up to 8: ZOOM_MAX).
ZOOM_RUNS = 5
DECLINE_RUNS = 3
#: Per-run lists longer than this are left out (a reader cannot use them in a prompt).
LIST_MAX = 40


def zoom(rt: SessionRuntime, code: str, ids: list[str]) -> dict[str, Any]:
    """A program re-run in the sandbox on a few train workloads alone: per-run figures and
    timelines (a full split keeps them for its few worst runs only)."""
    if not ids:
        return {}
    result = rt.evaluator.run(code, "train", stage="zoom", workload_ids=ids, checks=())
    return result.artifacts if result.status == "ok" else {}


def timelines_of(artifacts: dict[str, Any]) -> dict[str, str]:
    return {
        w["id"]: w["timeline"]
        for w in artifacts.get("worst", [])
        if isinstance(w, dict) and "id" in w and w.get("timeline")
    }


def deteriorated(mine: PerWorkload, parent: PerWorkload, direction: str, count: int) -> list[str]:
    """Workloads where the candidate got most worse than its parent (worst first)."""
    worse = heapq.nlargest(
        count, ((gain(parent[w], v, direction), w) for w, v in mine.items() if w in parent)
    )
    return [w for d, w in worse if d > 0]


def details(detail: Any) -> str:
    """The kind's per-run figures and short lists and tables (per-window values, worst
    layers, eplb's ``peak_causes``), never hashes, as indented lines. A figure the problem
    statement explains must reach the critic, whatever its shape."""
    if not isinstance(detail, dict):
        return ""
    figures = ", ".join(f"{k}={v}" for k, v in detail.items() if not isinstance(v, list | dict))
    lists = {
        k: v
        for k, v in detail.items()
        if isinstance(v, list | dict) and len(v) <= LIST_MAX and "digest" not in k
    }
    return (f"\n  figures: {figures}" if figures else "") + "".join(
        f"\n  {k}: {v}" for k, v in lists.items()
    )


def run_sections(
    rt: SessionRuntime, program: Program, people: list[tuple[str, int]]
) -> list[Section]:
    """ "Runs with the most regret" and "Runs that got most worse than the parent" (train)."""
    direction, unit = rt.scenario.spec.objective.direction, rt.scenario.spec.objective.unit
    name, yard = yardstick(rt.references, "train", rt.scenario.spec.objective)
    mine = program_values(rt, program.id, "train")
    regret_ids = [w for w, _, _ in worst_by_regret(mine, yard, direction, ZOOM_RUNS)]
    declined = [
        w
        for w in deteriorated(
            mine, program_values(rt, program.parent_id, "train"), direction, DECLINE_RUNS
        )
        if w not in regret_ids
    ]
    ids = regret_ids + declined
    if not ids:
        return []
    artifacts = zoom(rt, program.code, ids)
    timelines = timelines_of(artifacts)
    reference = rt.references.reference
    code = baseline_code(rt.scenario, reference)
    theirs = timelines_of(zoom(rt, code, ids)) if code and timelines else {}
    runs = artifacts.get("runs", artifacts)
    groups = groups_of(rt.scenario, "train")
    others = [(label.split(" ")[0], program_values(rt, pid, "train")) for label, pid in people[1:]]
    if reference:
        others.append((reference, rt.references.per_workload(reference, "train")))

    def item(wid: str) -> str:
        beside = ", ".join(
            f"{label} {fmt(vals.get(wid), unit)}" for label, vals in others if wid in vals
        )
        line = f"- {wid} ({groups.get(wid, '?')}): candidate {fmt(mine[wid], unit)}"
        if wid in yard:
            line += f", {'limit' if name != 'the best baseline' else 'best baseline'} "
            line += f"{fmt(yard[wid], unit)}, regret {fmt(abs(mine[wid] - yard[wid]), unit)}"
        line += f"; {beside}" + details(runs.get(wid) if isinstance(runs, dict) else None)
        if timelines.get(wid):
            line += f"\n  timeline: {timelines[wid]}"
        if theirs.get(wid):
            line += f"\n  {reference}'s timeline: {theirs[wid]}"
        return line

    sections = [
        Section(
            "Runs with the most regret (train)",
            [item(w) for w in regret_ids],
            lead=f"Ranked by regret against {name}: where the candidate is furthest "
            "from what was possible.",
        )
    ]
    if declined:
        sections.append(
            Section("Runs that got most worse than the parent (train)", [item(w) for w in declined])
        )
    return sections
