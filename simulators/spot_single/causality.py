"""Causality probes: a decision at tick t may depend on ticks 0..t only.

A probe workload is a copy of a workload whose availability after tick ``perturb_after`` is
replaced by seeded random bits (``traces.perturbed``). Running the candidate on both, every action
up to and including that tick must be identical; a difference means the policy saw the future
(read the trace through the call stack, a cache, a file...).

Two ways to use it, both through the ordinary evaluation path (the perturbation is data in the
workload, so the candidate runs in the sandbox like any other time):

- one run: ``probe_set(workloads, n, seed)`` returns originals plus perturbed copies (each copy
  names its original in ``perturb_of``); ``score`` then reports
  ``artifacts["causality_violations"]`` by itself;
- two runs: run the originals and the copies apart and call ``causality_violations`` on the two
  raw results (or on the ``artifacts`` of small evaluations, which carry the action strings).
"""

from __future__ import annotations

import random
from typing import Any

from simulators.contract import CausalityProbe, Workload

#: Where probes cut the run (fractions of its ticks): spread over the whole run, because a
#: policy may peek ahead only in some situations (near the deadline, after a preemption).
PROBE_FRACTIONS = (0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95)
#: ``perturb_seed`` meaning "mirror the future" (see ``traces.perturbed``).
MIRROR = -1


def perturbed(
    workload: Workload, seed: int, after: int | None = None, gap_s: int = 600
) -> Workload:
    """A copy of ``workload`` whose availability after tick ``after`` is redrawn from ``seed``.

    ``after`` defaults to a seeded tick in the first half of the run, where decisions matter.
    """
    if after is None:
        ticks = int(workload["deadline_h"] * 3600 // gap_s)
        after = random.Random(seed).randrange(1, max(2, ticks // 2))
    return {
        **workload,
        "id": f"{workload['id']}~after{after}~seed{seed}",
        "perturb_after": int(after),
        "perturb_seed": int(seed),
        "perturb_of": workload["id"],
    }


def probe_set(workloads: list[Workload], n: int, seed: int, gap_s: int = 600) -> list[Workload]:
    """``n`` workloads spread over the list, each followed by its perturbed copy."""
    step = max(1, len(workloads) // max(n, 1))
    chosen = workloads[::step][:n]
    out: list[Workload] = []
    for i, workload in enumerate(chosen):
        out += [workload, perturbed(workload, seed + i, gap_s=gap_s)]
    return out


def first_difference(before: str, after: str, upto: int) -> int | None:
    """First tick <= ``upto`` where two action strings differ (a missing tick counts), or None."""
    a, b = before[: upto + 1], after[: upto + 1]
    if a == b:
        return None
    for t, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return t
    return min(len(a), len(b))


def _actions(result: dict[str, Any]) -> dict[str, str]:
    """Action strings from a raw run result or from evaluation artifacts (both say ``actions``)."""
    return result.get("actions") or {}


def causality_violations(
    workloads: list[Workload], original: dict[str, Any], perturbed_run: dict[str, Any]
) -> list[str]:
    """One line per perturbed workload whose actions up to ``perturb_after`` changed."""
    before = _actions(original)
    after = _actions(perturbed_run)
    problems = []
    for workload in workloads:
        if "perturb_of" not in workload:
            continue
        source = before.get(workload["perturb_of"])
        probe = after.get(workload["id"])
        if source is None or probe is None:
            problems.append(f"causality: no actions to compare for {workload['id']}")
            continue
        tick = first_difference(source, probe, int(workload["perturb_after"]))
        if tick is not None:
            problems.append(
                f"causality: action at tick {tick} changed when only ticks after "
                f"{workload['perturb_after']} changed (workload {workload['perturb_of']})"
            )
    return problems


def violations_within(workloads: list[Workload], actions: dict[str, str]) -> list[str]:
    """The same check when originals and their copies ran in one batch."""
    present = [w for w in workloads if w.get("perturb_of") in actions]
    raw = {"actions": actions}
    return causality_violations(present, raw, raw)


def probes(workload: Workload, gap_s: int) -> list[CausalityProbe]:
    """Copies of ``workload`` with the future mirrored after ticks spread over the run; the
    contract's hook (``ScenarioKind.causality_probes``) for both spot families."""
    ticks = int(workload["deadline_h"] * 3600 // gap_s)
    cuts = sorted({max(1, int(ticks * fraction)) for fraction in PROBE_FRACTIONS})
    return [
        CausalityProbe(workload["id"], after, perturbed(workload, MIRROR, after, gap_s))
        for after in cuts
    ]


def actions_until(raw: dict[str, Any], workload_id: str, tick: int) -> str:
    """The action string of one workload up to and including ``tick``."""
    return raw["actions"][workload_id][: tick + 1]
