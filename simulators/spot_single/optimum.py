"""The limit: the omniscient optimum of spot-single, by an exact dynamic program.

State at the start of a tick: the instance type running (NONE, SPOT, ON_DEMAND), the restart
overhead still pending, and the work done. Every quantity of the tick model is a whole multiple
of ``g = gcd(gap, O)`` seconds (work per tick is ``gap - pending``, pending is ``O - k * gap``),
so progress is counted in units of g and the program is exact. It runs *forward* in time from
(NONE, 0 done): one array over progress per (type, pending) row, pushed by a shift per action,
numpy over the progress axis. Reaching the full duration is absorbing; the cheapest way to have
finished by the start of tick t, minimised over t, answers every deadline of a (trace, O) pair
in one pass. About a tenth of a second per trace.

The optimum knows the whole trace, so it bounds every causal policy from below.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

import numpy as np

from simulators.progress import step as progress_step

if TYPE_CHECKING:
    from simulators.spot_single.kind import Kind

CACHE_VERSION = "spot-optimum-1"
#: Folder of a scenario holding its precomputed limits (same file format as the cache).
SHIPPED_DIR = "limits"


def push(
    dest: np.ndarray, src: np.ndarray, shift: int, cost: float | np.ndarray, full: int
) -> None:
    """``dest[..., min(d + shift, full)] = min(dest, src[..., d] + cost)``: progress capped.

    The last axis is progress; leading axes (regions in spot-multi) go along, ``cost`` is a
    scalar or an array over the leading axes.
    """
    column = np.asarray(cost)[..., None] if np.ndim(cost) else cost
    if shift == 0:
        np.minimum(dest, src + column, out=dest)
    elif shift >= full:
        dest[..., full] = np.minimum(dest[..., full], src[..., :full].min(axis=-1) + cost)
    else:
        np.minimum(
            dest[..., shift:full], src[..., : full - shift] + column, out=dest[..., shift:full]
        )
        tail = src[..., full - shift : full].min(axis=-1) + cost
        dest[..., full] = np.minimum(dest[..., full], tail)


def pending_ladder(gap_s: int, overhead_s: int) -> tuple[int, list[int], list[int], list[int]]:
    """Progress unit, the pending-overhead values, the index each goes to after a tick, and the
    progress (in units) a tick makes at each: the part of the state the overhead creates."""
    unit = math.gcd(gap_s, overhead_s) if overhead_s else gap_s
    pendings = [overhead_s - k * gap_s for k in range(-(-overhead_s // gap_s))] + [0]
    index_of = {p: j for j, p in enumerate(pendings)}
    after = [index_of[max(p - gap_s, 0)] for p in pendings]
    shift = [max(gap_s - p, 0) // unit for p in pendings]
    return unit, pendings, after, shift


def optimal_costs(
    avail: Sequence[bool] | np.ndarray,
    gap_s: int,
    duration_s: int,
    overhead_s: int,
    deadlines_s: Sequence[int],
    spot_tick_usd: float | Sequence[float] | np.ndarray,
    on_demand_tick_usd: float,
) -> list[float]:
    """Minimum cost to finish by each deadline (``inf`` when impossible), one forward pass.

    ``spot_tick_usd`` is the price of a spot tick, fixed or per tick (spot-multi's bound).
    """
    per_tick = np.broadcast_to(np.asarray(spot_tick_usd, dtype=float), (len(avail),))
    unit, pendings, after, shift = pending_ladder(gap_s, overhead_s)
    full = -(-duration_s // unit)  # progress index meaning "finished"
    k = len(pendings)
    # Rows: 0 idle; 1..k spot with pending[j]; k+1..2k on-demand with pending[j].
    frontier = np.full((1 + 2 * k, full + 1), np.inf)
    frontier[0, 0] = 0.0
    ticks_for = [-(-d // gap_s) for d in deadlines_s]
    horizon = max(ticks_for)
    finished_by = np.full(horizon + 1, np.inf)  # cheapest finish at the start of tick t
    best = np.inf
    avail = np.asarray(avail, dtype=bool)
    for t in range(horizon):
        spot = frontier[1 : k + 1]
        demand = frontier[k + 1 :]
        up = bool(avail[t])
        idle = frontier[0] if up else np.minimum(frontier[0], spot.min(axis=0))
        demand_any = demand.min(axis=0)
        nxt = np.full_like(frontier, np.inf)
        nxt[0] = np.minimum(idle, demand_any)
        if up:
            spot_any = spot.min(axis=0)
            np.minimum(nxt[0], spot_any, out=nxt[0])
            for j in range(k):
                push(nxt[1 + after[j]], spot[j], shift[j], per_tick[t], full)
            push(nxt[1 + after[0]], np.minimum(idle, demand_any), shift[0], per_tick[t], full)
            od_launch_from = np.minimum(idle, spot_any)
        else:
            od_launch_from = idle
        for j in range(k):
            push(nxt[k + 1 + after[j]], demand[j], shift[j], on_demand_tick_usd, full)
        push(nxt[k + 1 + after[0]], od_launch_from, shift[0], on_demand_tick_usd, full)
        best = min(best, float(nxt[:, full].min()))
        nxt[:, full] = np.inf
        finished_by[t + 1] = best
        frontier = nxt
    return [float(finished_by[n]) for n in ticks_for]


def trace_key(workload: dict) -> tuple:
    """Workloads with equal keys share one pass: same trace, job length and overhead."""
    where = tuple(workload["regions"]) if "regions" in workload else workload["zone"]
    return (
        workload["data"],
        where,
        workload["window"],
        workload["duration_h"],
        workload["overhead_h"],
        workload.get("perturb_after"),
        workload.get("perturb_seed"),
    )


def grouped_optima(
    workloads: list[dict],
    solve: Callable[[list[dict]], list[float]],
    show: bool = False,
) -> dict[str, float]:
    """Run ``solve(members)`` (one cost per member) once per ``trace_key`` group; keep the
    finite costs by workload id. Shared by spot-single and spot-multi."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for w in workloads:
        groups[trace_key(w)].append(w)
    out: dict[str, float] = {}
    with progress_step("computing the limit (once per split)", len(groups), show) as step:
        for members in groups.values():
            for w, cost in zip(members, solve(members), strict=True):
                if math.isfinite(cost):
                    out[w["id"]] = cost
            step.advance()
    return out


def workload_optima(kind: Kind, workloads: list[dict], progress: bool = False) -> dict[str, float]:
    """Optimum per workload; workloads sharing a trace and an overhead share one pass."""

    def solve(members: list[dict]) -> list[float]:
        job = kind.job_of(members[0])
        return optimal_costs(
            np.asarray(kind.avail_of(members[0])),
            job.gap_s,
            job.duration_s,
            job.restart_overhead_s,
            [kind.job_of(w).deadline_s for w in members],
            kind.spot_price * job.gap_s / 3600.0,  # the job's spot price: the kind's
            job.on_demand_price * job.gap_s / 3600.0,
        )

    return grouped_optima(workloads, solve, progress)


TableT = TypeVar("TableT")


@overload
def split_optimum(kind: Kind, split: str, cache_dir: Path) -> dict[str, float]: ...
@overload
def split_optimum(
    kind: Kind, split: str, cache_dir: Path, compute: Callable[..., TableT]
) -> TableT: ...
def split_optimum(
    kind: Kind,
    split: str,
    cache_dir: Path,
    compute: Callable[..., Any] | None = None,
) -> Any:
    """Per-workload optimum of a split: from the table shipped in the scenario's ``limits/``
    folder, else from ``cache_dir``, else computed once (minutes on a first run) and cached.

    Both tables are named by a fingerprint of everything the optimum depends on (code version,
    workloads, prices, the trace file's bytes), so a changed scenario never gets a stale table:
    it misses and computes. ``python -m simulators.spot_single.optimum SCENARIO`` refreshes the
    shipped tables. ``compute(kind, workloads, progress=True)`` defaults to this module's
    ``workload_optima``; spot-multi passes its own.
    """
    compute = compute or workload_optima
    workloads = kind.workloads(split)
    data_file = (kind.root / kind.splits[split].data).resolve()
    fingerprint = hashlib.sha256(
        json.dumps(
            [CACHE_VERSION, kind.kind, workloads, kind.on_demand_price, kind.spot_price],
            sort_keys=True,
        ).encode()
        + data_file.read_bytes()
    ).hexdigest()[:16]
    name = f"optimum-{kind.spec.name}-{split}-{fingerprint}.json"
    for known in (kind.root / SHIPPED_DIR / name, Path(cache_dir) / name):
        if known.is_file():
            return json.loads(known.read_text())
    path = Path(cache_dir) / name
    optima = compute(kind, workloads, progress=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(optima))
    tmp.replace(path)
    return optima


def write_shipped(scenario_name: str) -> list[Path]:
    """Compute every split's limit into the scenario's ``limits/`` folder, dropping stale ones."""
    from simulators.scenario import load_scenario

    scenario = load_scenario(scenario_name)
    folder = scenario.root / SHIPPED_DIR
    for old in folder.glob(f"optimum-{scenario.spec.name}-*.json"):
        old.unlink()
    for split in scenario.spec.splits:
        scenario.engine.limit(split, folder)
    return sorted(folder.glob("*.json"))


if __name__ == "__main__":
    import sys

    for written in write_shipped(sys.argv[1] if len(sys.argv) > 1 else "spot-single"):
        print(f"wrote {written}")
