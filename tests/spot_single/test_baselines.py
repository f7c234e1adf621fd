"""The baselines behave as their rules say (Greedy's safety net, Uniform Progress's line), on
hand-made traces."""

from __future__ import annotations

from simulators.spot_single.interface import Job
from simulators.spot_single.simulate import run_policy

GAP = 600


def actions(cls, job: Job, avail) -> str:
    return run_policy(cls(job).decide, job, avail)


def test_on_demand_only(baseline_classes):
    job = Job(duration_s=1800, deadline_s=6000, restart_overhead_s=0, gap_s=GAP)
    assert actions(baseline_classes["on_demand"], job, [True] * 10) == "222"


def test_greedy_waits_for_spot_then_locks_on_demand_for_good(baseline_classes):
    # D = 6 ticks, deadline 10 ticks, O = 0: lock when (deadline - t) - gap < left.
    job = Job(duration_s=6 * GAP, deadline_s=10 * GAP, restart_overhead_s=0, gap_s=GAP)
    avail = [False, False, True, True, False, True, True, True, True, True, True]
    # t0, t1: no spot, slack fine -> NONE; t2, t3 spot (2 done); t4: 6*600 - 600 < 4*600? no
    # (3000 >= 2400) -> NONE; t5: (5*600-600)=2400 < 2400? no -> SPOT (cur NONE, spot up);
    # t6: cur SPOT, spot up -> SPOT; t7, t8 SPOT -> done.
    assert actions(baseline_classes["greedy"], job, avail) == "0011011111"[:9]


def test_greedy_lock_is_permanent_even_when_spot_returns(baseline_classes):
    job = Job(duration_s=4 * GAP, deadline_s=6 * GAP, restart_overhead_s=0, gap_s=GAP)
    avail = [False, False, True, True, True, True, True]
    # t0: 3000 < 2400? no -> NONE; t1: 2400 < 2400? no -> NONE; t2: 1800 < 2400 -> lock.
    assert actions(baseline_classes["greedy"], job, avail) == "002222"


def test_uniform_progress_catches_up_on_demand_and_prefers_spot(baseline_classes):
    # D = 5 ticks, deadline 10 ticks: the line needs 0.5 tick of work per tick.
    job = Job(duration_s=5 * GAP, deadline_s=10 * GAP, restart_overhead_s=0, gap_s=GAP)
    avail = [False, False, True, True, True, False, False, False, False, False, False]
    got = actions(baseline_classes["uniform_progress"], job, avail)
    # t0: on the line, spot down -> NONE. t1: behind (0 < 300) -> ON_DEMAND. t2: spot up, on
    # OD, done 600 <= line(1200)=600 -> hysteresis keeps OD. t3: done 1200 > line(1800+0)=900
    # and spot up -> SPOT. t4 SPOT. t5: spot gone, done 3000 > line 1500 -> NONE (ahead).
    assert got[:5] == "02211"
    assert got[5] == "0"


def test_uniform_progress_safety_net_switches_to_on_demand_near_deadline(baseline_classes):
    job = Job(duration_s=4 * GAP, deadline_s=5 * GAP, restart_overhead_s=60, gap_s=GAP)
    # Spot always up, but the job is tight: ceil((left + 2O)/gap)*gap >= remaining from t0.
    got = actions(baseline_classes["uniform_progress"], job, [True] * 6)
    assert got[0] == "2"
