"""The limit of spot-multi: the omniscient optimum, spot-single's dynamic program with regions.

State: idle; spot in region r with a pending overhead; on-demand with a pending overhead; and the
progress in units of gcd(gap, O). On-demand needs no region in the state: it costs the same
everywhere, and moving it is a launch like a switch of type, so an optimal schedule never moves
it. Spot rows form one array [region, pending, progress] and move together: per tick there is
one push per pending value (continue in place) plus one launch push for all regions at once,
whose source is the cheapest of idling, on-demand and spot in *another* region (the move).
Forward in time, every deadline of a (window, region set, overhead) triple comes out of one pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from simulators.spot_single.optimum import grouped_optima, pending_ladder, push, split_optimum
from simulators.spot_single.optimum import optimal_costs as single_region_costs

if TYPE_CHECKING:
    from simulators.spot_multi.kind import Kind


def _min_over_others(per_region: np.ndarray) -> np.ndarray:
    """out[r] = min over r' != r of per_region[r'] (prefix and suffix minima)."""
    n = per_region.shape[0]
    inf = np.full_like(per_region[:1], np.inf)
    prefix = np.minimum.accumulate(np.concatenate([inf, per_region[:-1]]), axis=0)
    suffix = np.minimum.accumulate(np.concatenate([per_region[1:], inf])[::-1], axis=0)[::-1]
    return np.minimum(prefix[:n], suffix[:n])


def optimal_costs(
    avail: np.ndarray,
    spot_price: np.ndarray,
    gap_s: int,
    duration_s: int,
    overhead_s: int,
    deadlines_s: list[int],
    on_demand_price: float,
) -> list[float]:
    """Minimum cost to finish by each deadline; ``avail``/``spot_price`` are [region, tick]."""
    unit, pendings, after, shift = pending_ladder(gap_s, overhead_s)
    full = -(-duration_s // unit)
    k = len(pendings)
    regions = avail.shape[0]
    idle = np.full(full + 1, np.inf)
    idle[0] = 0.0
    spot = np.full((regions, k, full + 1), np.inf)
    demand = np.full((k, full + 1), np.inf)
    ticks_for = [-(-d // gap_s) for d in deadlines_s]
    horizon = max(ticks_for)
    finished_by = np.full(horizon + 1, np.inf)
    best = np.inf
    od_tick = on_demand_price * gap_s / 3600.0
    tick_usd = spot_price * (gap_s / 3600.0)
    for t in range(horizon):
        up = avail[:, t]
        spot_min = spot.min(axis=1)  # [region, progress]
        if not up.all():  # spot vanished there: preempted, now idle
            idle = np.minimum(idle, spot_min[~up].min(axis=0))
            spot_min[~up] = np.inf
            spot[~up] = np.inf
        demand_any = demand.min(axis=0)
        spot_any = spot_min.min(axis=0)
        new_idle = np.minimum(np.minimum(idle, demand_any), spot_any)
        new_spot = np.full_like(spot, np.inf)
        new_demand = np.full_like(demand, np.inf)
        if up.any():
            cost = np.where(up, tick_usd[:, t], np.inf)
            for j in range(k):
                push(new_spot[:, after[j]], spot[:, j], shift[j], cost, full)
            launch = np.minimum(np.minimum(idle, demand_any), _min_over_others(spot_min))
            push(
                new_spot[:, after[0]], np.broadcast_to(launch, spot_min.shape), shift[0], cost, full
            )
        for j in range(k):
            push(new_demand[after[j]], demand[j], shift[j], od_tick, full)
        push(new_demand[after[0]], np.minimum(idle, spot_any), shift[0], od_tick, full)
        best = min(
            best,
            float(new_idle[full]),
            float(new_spot[..., full].min()),
            float(new_demand[:, full].min()),
        )
        new_idle[full] = np.inf
        new_spot[..., full] = np.inf
        new_demand[:, full] = np.inf
        finished_by[t + 1] = best
        idle, spot, demand = new_idle, new_spot, new_demand
    return [float(finished_by[n]) for n in ticks_for]


def relaxed_lower_bound(
    avail: np.ndarray,
    spot_price: np.ndarray,
    gap_s: int,
    duration_s: int,
    overhead_s: int,
    deadlines_s: list[int],
    on_demand_price: float,
) -> list[float]:
    """A proven lower bound, fast: the optimum when moving between regions is free.

    Relaxation: spot counts as available when any region has it, at the cheapest price among
    those regions, and a region move is no launch. Every real schedule maps to a relaxed one
    with the same types per tick, a subset of its launches (so never less progress) and
    cheaper or equal ticks; hence relaxed optimum <= real optimum. It is spot-single's program
    with a per-tick spot price.
    """
    cheapest = np.where(avail, spot_price, np.inf).min(axis=0)
    return single_region_costs(
        np.asarray(avail.any(axis=0)),  # an array, avail being 2-D (the stubs say maybe a bool)
        gap_s,
        duration_s,
        overhead_s,
        deadlines_s,
        np.where(np.isfinite(cheapest), cheapest, 0.0) * gap_s / 3600.0,
        on_demand_price * gap_s / 3600.0,
    )


def exact_subset(kind: Kind, workloads: list[dict]) -> list[dict]:
    """The workloads whose exact optimum is computed: every run on small region sets, and the
    first few windows of the larger sets (``exact_max_regions``, ``exact_windows`` in params)."""
    max_regions = int(kind.spec.params.get("exact_max_regions", 3))
    n_windows = int(kind.spec.params.get("exact_windows", 2))
    first = sorted({w["window"] for w in workloads})[:n_windows]
    return [w for w in workloads if len(w["regions"]) <= max_regions or w["window"] in first]


def workload_optima(
    kind: Kind, workloads: list[dict], progress: bool = False, exact: bool = True
) -> dict[str, float]:
    """Per workload: the exact optimum, or with ``exact=False`` the relaxed lower bound; one
    pass per (region set, window, overhead, perturbation) serves every deadline."""
    program = optimal_costs if exact else relaxed_lower_bound

    def solve(members: list[dict]) -> list[float]:
        job = kind.job_of(members[0])
        avail, price = kind.matrices(members[0])
        deadlines = [kind.job_of(w).deadline_s for w in members]
        return program(
            avail,
            price,
            job.gap_s,
            job.duration_s,
            job.restart_overhead_s,
            deadlines,
            job.on_demand_price,
        )

    return grouped_optima(workloads, solve, progress)


def _bound_and_subset(kind: Kind, workloads: list[dict], progress: bool = False) -> dict:
    bound = workload_optima(kind, workloads, progress, exact=False)
    exact = workload_optima(kind, exact_subset(kind, workloads), progress, exact=True)
    return {"bound": bound, "exact": exact}


def split_limits(kind: Kind, split: str, cache_dir: Path) -> dict[str, dict[str, float]]:
    """``{"bound": per-workload lower bound, "exact": per-workload optimum on the subset}``,
    computed once per split and cached in the workspace."""
    return split_optimum(kind, split, cache_dir, compute=_bound_and_subset)


def multi_split_optimum(kind: Kind, split: str, cache_dir: Path) -> dict[str, float]:
    """The per-workload limit: the exact optimum where computed, the proven bound elsewhere."""
    limits = split_limits(kind, split, cache_dir)
    return {**limits["bound"], **limits["exact"]}
