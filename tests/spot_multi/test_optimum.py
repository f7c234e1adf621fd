"""The limit of spot-multi: the region DP equals brute force, the relaxed bound never exceeds
it, and the reported limit bounds every baseline on every run."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

from simulators.contract import OutputViolation
from simulators.spot_multi.interface import RegionJob, action_codes
from simulators.spot_multi.optimum import optimal_costs, relaxed_lower_bound
from simulators.spot_single.replay import replay


def brute_force(job: RegionJob, avail, prices) -> float:
    codes = action_codes(len(job.regions))
    n_ticks = -(-job.deadline_s // job.gap_s)
    best = math.inf
    for length in range(1, n_ticks + 1):
        for combo in itertools.product(codes, repeat=length):
            try:
                rec = replay("".join(combo), job, avail, prices, codes=codes)
            except OutputViolation:
                continue
            if rec.finished:
                best = min(best, rec.cost_usd)
    return best


def tiny_instance(seed: int, regions: int = 2):
    rng = random.Random(seed)
    gap = rng.choice([6, 10])
    overhead = rng.choice([0, 3, gap, gap + 4])
    duration = rng.randint(1, 3) * gap - rng.choice([0, 1])
    deadlines = sorted({duration + rng.randint(0, 3 * gap) for _ in range(2)})
    avail = np.array([[rng.random() < 0.55 for _ in range(12)] for _ in range(regions)])
    prices = np.array([[rng.choice([0.5, 1.0, 2.0]) for _ in range(12)] for _ in range(regions)])
    return gap, overhead, duration, deadlines, avail, prices


@pytest.mark.parametrize("seed", range(16))
def test_region_dynamic_program_equals_brute_force(seed):
    gap, overhead, duration, deadlines, avail, prices = tiny_instance(seed)
    dp = optimal_costs(avail, prices, gap, duration, overhead, deadlines, 3.06)
    for deadline, got in zip(deadlines, dp, strict=True):
        if -(-deadline // gap) > 5:
            continue  # brute force is 5^n
        job = RegionJob(duration, deadline, overhead, gap, ("r0", "r1"))
        want = brute_force(job, avail.tolist(), prices.tolist())
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12), (job, avail, prices)


@pytest.mark.parametrize("seed", range(20))
def test_relaxed_bound_never_exceeds_the_optimum(seed):
    gap, overhead, duration, deadlines, avail, prices = tiny_instance(seed, regions=3)
    exact = optimal_costs(avail, prices, gap, duration, overhead, deadlines, 3.06)
    bound = relaxed_lower_bound(avail, prices, gap, duration, overhead, deadlines, 3.06)
    for b, e in zip(bound, exact, strict=True):
        assert b <= e + 1e-12


@pytest.mark.slow
@pytest.mark.parametrize("split", ["train", "heldout", "test"])
def test_limit_bounds_every_baseline_on_every_run(scenario, workspace, split):
    from adrs.cli.cmd_baselines import baseline_result
    from adrs.workspace import cache_dir
    from simulators.spot_multi.optimum import split_limits

    cache = cache_dir(workspace)
    engine = scenario.engine
    limits = split_limits(engine, split, cache)
    ids = {w["id"] for w in engine.workloads(split)}
    assert set(limits["bound"]) == ids and limits["exact"]
    for i, exact in limits["exact"].items():
        assert limits["bound"][i] <= exact + 1e-9
    limit = engine.limit(split, cache)
    for name in scenario.spec.baselines:
        result = baseline_result(scenario, name, split, cache)
        assert result["infeasible_runs"] == 0, name
        worse = [i for i, cost in result["per_workload"].items() if limit[i] > cost + 1e-9]
        assert not worse, f"{name}: limit above the baseline on {worse[:3]}"


@pytest.mark.parametrize("split", ["train", "heldout", "test"])
def test_shipped_limits_are_current_and_match_a_fresh_solve(scenario, tmp_path, split):
    """Sessions read bound and exact subset from ``scenarios/spot_multi/limits``: the table must
    be found for today's data and agree with both programs on a sample."""
    from simulators.spot_multi.optimum import exact_subset, workload_optima
    from simulators.spot_single.optimum import split_optimum

    def no_compute(*args, **kwargs):
        raise AssertionError("the shipped table was not used")

    engine = scenario.engine
    shipped = split_optimum(engine, split, tmp_path, compute=no_compute)
    assert set(shipped) == {"bound", "exact"}
    workloads = engine.workloads(split)
    assert set(shipped["bound"]) == {w["id"] for w in workloads}
    assert set(shipped["exact"]) == {w["id"] for w in exact_subset(engine, workloads)}
    sample = workloads[::23]
    bound = workload_optima(engine, sample, exact=False)
    for w in sample:
        assert shipped["bound"][w["id"]] == pytest.approx(bound[w["id"]], rel=1e-12)
    in_subset = [w for w in sample if w["id"] in shipped["exact"]][:8]
    assert in_subset
    exact = workload_optima(engine, in_subset, exact=True)
    for w in in_subset:
        assert shipped["exact"][w["id"]] == pytest.approx(exact[w["id"]], rel=1e-12)
