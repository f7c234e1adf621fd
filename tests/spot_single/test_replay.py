"""The trusted replay equals a literal transcription of the tick model run live on the policy."""

from __future__ import annotations

import math
import random

import pytest

from simulators.spot_single.interface import Action, Job, Observation
from simulators.spot_single.replay import replay
from simulators.spot_single.simulate import run_policy


def literal_tick_model(policy, job: Job, avail):
    """The tick model of ``simulate.py``, line by line (slow and obvious on purpose)."""
    D, deadline, overhead, gap = job.duration_s, job.deadline_s, job.restart_overhead_s, job.gap_s
    price = {"SPOT": job.spot_price, "ON_DEMAND": job.on_demand_price}
    done, cost, cur, pending, t = 0, 0.0, "NONE", 0, 0
    obs = Observation(job)
    preemptions = 0
    while True:
        if done >= D:
            return True, cost, t
        if t * gap >= deadline:
            return False, cost, t
        preempted = cur == "SPOT" and not avail[t]
        if preempted:
            cur = "NONE"
            preemptions += 1
        obs.tick, obs.elapsed_s, obs.done_s, obs.left_s = t, t * gap, done, D - done
        obs.time_to_deadline_s, obs.spot_available, obs.cur = (
            deadline - t * gap,
            avail[t],
            Action(cur),
        )
        obs.pending_overhead_s = pending if cur != "NONE" else 0
        obs.preempted, obs.preemptions = preempted, preemptions
        obs.spot_history.append(avail[t])
        a = str(policy.decide(obs))
        t += 1
        if a == "SPOT" and not avail[t - 1]:
            a = "NONE"
        if a == "NONE":
            cur = "NONE"
            continue
        if a != cur:
            pending = overhead
        work = max(gap - pending, 0)
        pending = max(pending - gap, 0)
        done = min(D, done + work)
        cost += price[a] * gap / 3600
        cur = a


class RandomPolicy:
    """Seeded random choices, biased towards staying put, so runs have long segments."""

    def __init__(self, job, seed):
        self.rng = random.Random(seed)

    def decide(self, obs):
        if self.rng.random() < 0.7 and obs.cur != "NONE":
            return obs.cur
        return self.rng.choice(["NONE", "SPOT", "ON_DEMAND"])


@pytest.mark.parametrize("seed", range(40))
def test_replay_matches_literal_model_for_random_policies(seed):
    rng = random.Random(seed)
    gap = rng.choice([60, 195, 600])
    job = Job(
        duration_s=gap * rng.randint(3, 30),
        deadline_s=gap * rng.randint(20, 60) + rng.choice([0, 17]),
        restart_overhead_s=rng.choice([0, 30, gap, int(2.5 * gap)]),
        gap_s=gap,
    )
    avail = [rng.random() < 0.6 for _ in range(200)]
    finished, cost, ticks = literal_tick_model(RandomPolicy(job, seed), job, avail)
    actions = run_policy(RandomPolicy(job, seed).decide, job, avail)
    rec = replay(actions, job, [avail])
    assert len(actions) == ticks == rec.ticks
    assert rec.finished == finished
    assert math.isclose(rec.cost_usd, cost, rel_tol=1e-12, abs_tol=1e-12)


def test_replay_matches_literal_model_for_baselines_on_real_traces(scenario, baseline_classes):
    engine = scenario.engine
    workloads = engine.workloads("train")[::97] + engine.workloads("test")[::89]
    for workload in workloads:
        job, avail = engine.job_of(workload), engine.avail_of(workload)
        for cls in baseline_classes.values():
            finished, cost, ticks = literal_tick_model(cls(job), job, avail)
            rec = replay(run_policy(cls(job).decide, job, avail), job, [avail])
            assert (rec.finished, rec.ticks) == (finished, ticks)
            assert math.isclose(rec.cost_usd, cost, rel_tol=1e-12)
