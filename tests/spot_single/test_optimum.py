"""The limit: the dynamic program equals brute force, and bounds every baseline on every run."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from simulators.contract import OutputViolation
from simulators.spot_single.interface import Job
from simulators.spot_single.optimum import optimal_costs
from simulators.spot_single.replay import replay


def brute_force(job: Job, avail) -> float:
    """Cheapest finished run over every action string, with the trusted replay as the oracle."""
    n_ticks = -(-job.deadline_s // job.gap_s)
    best = math.inf
    for length in range(1, n_ticks + 1):
        for combo in itertools.product("012", repeat=length):
            try:
                rec = replay("".join(combo), job, [avail])
            except OutputViolation:  # the run ends earlier or later than this string
                continue
            if rec.finished:
                best = min(best, rec.cost_usd)
    return best


@pytest.mark.parametrize("seed", range(30))
def test_dynamic_program_equals_brute_force(seed):
    rng = random.Random(seed)
    gap = rng.choice([6, 10, 12])
    overhead = rng.choice([0, 2, 4, gap, gap + 3, 2 * gap + 1])
    duration = rng.randint(1, 4) * gap - rng.choice([0, 1, 2])
    deadlines = sorted({duration + rng.randint(0, 4 * gap) for _ in range(3)})
    job_prices = {"spot_price": 0.9731, "on_demand_price": 3.06}
    avail = [rng.random() < 0.5 for _ in range(20)]
    dp = optimal_costs(
        avail,
        gap,
        duration,
        overhead,
        deadlines,
        0.9731 * gap / 3600,
        3.06 * gap / 3600,
    )
    for deadline, got in zip(deadlines, dp):
        if -(-deadline // gap) > 8:
            continue  # brute force is 3^n
        job = Job(
            duration_s=duration,
            deadline_s=deadline,
            restart_overhead_s=overhead,
            gap_s=gap,
            **job_prices,
        )
        want = brute_force(job, avail)
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12), (job, avail)


@pytest.mark.slow
@pytest.mark.parametrize("split", ["train", "heldout", "test"])
def test_optimum_bounds_every_baseline_on_every_run(scenario, workspace, split):
    from adrs.cli.cmd_baselines import baseline_result
    from adrs.workspace import cache_dir

    cache = cache_dir(workspace)
    optimum = scenario.engine.limit(split, cache)
    workloads = scenario.engine.workloads(split)
    assert set(optimum) == {w["id"] for w in workloads}
    for name in scenario.spec.baselines:
        result = baseline_result(scenario, name, split, cache)
        assert result["infeasible_runs"] == 0, name
        worse = [i for i, cost in result["per_workload"].items() if optimum[i] > cost + 1e-9]
        assert not worse, f"{name}: optimum above the baseline on {worse[:3]}"


@pytest.mark.parametrize("split", ["train", "heldout", "test"])
def test_shipped_optimum_is_current_and_matches_a_fresh_solve(
    scenario, tmp_path, split, monkeypatch
):
    """Sessions read the optimum from ``scenarios/spot_single/limits`` instead of spending
    minutes on it: the table must be found for today's data, cover the split, and agree with
    the dynamic program on a sample spread over zones, windows, deadlines and overheads."""
    from simulators.spot_single import optimum

    def no_compute(*args, **kwargs):
        raise AssertionError("the shipped table was not used")

    shipped = optimum.split_optimum(scenario.engine, split, tmp_path, compute=no_compute)
    workloads = scenario.engine.workloads(split)
    assert set(shipped) == {w["id"] for w in workloads}
    sample = workloads[::37]
    fresh = optimum.workload_optima(scenario.engine, sample)
    assert len(sample) >= 20
    for w in sample:
        assert shipped[w["id"]] == pytest.approx(fresh[w["id"]], rel=1e-12), w["id"]


def test_a_changed_scenario_misses_the_shipped_table(scenario, tmp_path, monkeypatch):
    """Another price means another optimum: the shipped table must not be served for it."""
    from simulators.spot_single import optimum

    calls = []

    def compute(kind, workloads, progress=False):
        calls.append(len(workloads))
        return {w["id"]: 1.0 for w in workloads}

    monkeypatch.setattr(scenario.engine, "spot_price", scenario.engine.spot_price + 0.01)
    assert set(
        optimum.split_optimum(scenario.engine, "train", tmp_path, compute=compute).values()
    ) == {1.0}
    assert calls == [len(scenario.engine.workloads("train"))]
