"""Causality probes: a decision at tick t may depend on ticks 0..t only.

A probe workload is a copy of a workload whose availability after tick ``perturb_after`` is
replaced by seeded random bits (``traces.perturbed``). Running the candidate on both, every action
up to and including that tick must be identical; a difference means the policy saw the future
(read the trace through the call stack, a cache, a file...).

The verifier's causality check (``simulators.checks.causality``) runs the originals and the
copies apart, through the ordinary evaluation path (the perturbation is data in the workload, so
the candidate runs in the sandbox like any other time); this module supplies the copies
(``probes``, the contract's ``causality_probes``) and the decisions to compare
(``actions_until``).
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
    }


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
