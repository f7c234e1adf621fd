"""The multi-region tick model: region moves pay the overhead, prices per region and tick, and
the live loop agrees with the shared trusted replay and with a literal transcription."""

from __future__ import annotations

import math
import random

import pytest

from simulators.contract import OutputViolation
from simulators.spot_multi.interface import RegionJob, action_codes
from simulators.spot_multi.simulate import run_policy
from simulators.spot_single.replay import replay

GAP = 600


def job(duration=1800, deadline=6000, overhead=0, regions=2) -> RegionJob:
    return RegionJob(duration, deadline, overhead, GAP, tuple(f"z{r}" for r in range(regions)))


def scripted(answers):
    it = iter(answers)
    seen = []

    def decide(obs):
        seen.append((obs.cur, obs.region, obs.last_region, obs.done_s, obs.preempted))
        return next(it)

    return decide, seen


def run(j, avail_rows, price_rows, answers):
    avail = list(zip(*avail_rows))
    prices = list(zip(*price_rows))
    decide, seen = scripted(answers)
    string = run_policy(decide, j, avail, prices)
    rec = replay(string, j, avail_rows, price_rows, codes=action_codes(len(j.regions)))
    return string, rec, seen


def test_moving_region_pays_the_overhead_and_prices_follow_the_region():
    j = job(duration=1500, overhead=300)
    avail = [[True] * 6, [True] * 6]
    prices = [[1.0] * 6, [2.0] * 6]
    string, rec, seen = run(j, avail, prices, [("SPOT", 0), ("SPOT", 1), ("SPOT", 1), "SPOT"])
    # launch r0: 300 work; move to r1: 300; continue r1: 600 -> 1200; bare SPOT = r1: 1500.
    assert string == "abbb"
    assert [s[3] for s in seen] == [0, 300, 600, 1200]
    assert rec.launches == 2 and rec.region_moves == 1 and rec.finished
    assert rec.spot_usd == pytest.approx((1.0 + 3 * 2.0) * GAP / 3600)


def test_preemption_is_per_region_and_refusal_idles():
    j = job(duration=1800, overhead=0)
    avail = [[True, False, False, False], [False, False, True, True]]
    prices = [[1.0] * 4, [1.0] * 4]
    string, rec, seen = run(j, avail, prices, [("SPOT", 0), ("SPOT", 0), ["SPOT", 1], "SPOT"])
    assert seen[1][4] is True and seen[1][0] == "NONE" and seen[1][1] == -1
    assert string == "aabb" and rec.preemptions == 1 and rec.refused == 1 and rec.finished


def test_on_demand_move_is_a_launch():
    j = job(duration=1200, overhead=300)
    avail = [[False] * 5, [False] * 5]
    prices = [[1.0] * 5, [1.0] * 5]
    string, rec, _ = run(j, avail, prices, [("ON_DEMAND", 0), ("ON_DEMAND", 1)] + ["ON_DEMAND"] * 3)
    assert string.startswith("AB") and rec.launches == 2


@pytest.mark.parametrize("bad", [("SPOT", 2), ("SPOT", -1), "FAST", ("SPOT",), {"SPOT": 0}, None])
def test_invalid_returns_are_violations(bad):
    with pytest.raises(OutputViolation, match="decide returned"):
        run(job(), [[True] * 3, [True] * 3], [[1.0] * 3] * 2, [bad])


def literal(policy, j: RegionJob, avail_rows, price_rows):
    """The tick model with regions, written plainly; returns (finished, cost, ticks)."""
    from simulators.spot_multi.interface import RegionObservation

    done, cost, cur, region, pending, t, last = 0, 0.0, "NONE", -1, 0, 0, 0
    obs = RegionObservation(j)
    while True:
        if done >= j.duration_s:
            return True, cost, t
        if t * j.gap_s >= j.deadline_s:
            return False, cost, t
        up = tuple(row[t] for row in avail_rows)
        price = tuple(row[t] for row in price_rows)
        preempted = cur == "SPOT" and not up[region]
        if preempted:
            cur, region = "NONE", -1
        obs.tick, obs.elapsed_s, obs.done_s, obs.left_s = t, t * j.gap_s, done, j.duration_s - done
        obs.time_to_deadline_s = j.deadline_s - t * j.gap_s
        obs.spot_available, obs.spot_prices, obs.cur, obs.region = up, price, cur, region
        obs.last_region, obs.preempted = last, preempted
        obs.pending_overhead_s = pending if cur != "NONE" else 0
        answer = policy.decide(obs)
        kind, where = (answer, last) if isinstance(answer, str) else tuple(answer)
        t += 1
        if kind == "SPOT" and not up[where]:
            kind = "NONE"
        if kind == "NONE":
            cur, region = "NONE", -1
            continue
        if (kind, where) != (cur, region):
            pending = j.restart_overhead_s
        work = max(j.gap_s - pending, 0)
        pending = max(pending - j.gap_s, 0)
        done = min(j.duration_s, done + work)
        cost += (price[where] if kind == "SPOT" else j.on_demand_price) * j.gap_s / 3600
        cur, region, last = kind, where, where


class RandomPolicy:
    def __init__(self, job, seed):
        self.rng = random.Random(seed)
        self.n = len(job.regions)

    def decide(self, obs):
        if obs.cur != "NONE" and self.rng.random() < 0.7:
            return (obs.cur, obs.region)
        choice = self.rng.choice(["NONE", "SPOT", "ON_DEMAND", "BARE"])
        if choice == "NONE":
            return "NONE"
        if choice == "BARE":
            return self.rng.choice(["SPOT", "ON_DEMAND"])
        return (choice, self.rng.randrange(self.n))


@pytest.mark.parametrize("seed", range(30))
def test_live_loop_and_replay_match_the_literal_model(seed):
    rng = random.Random(seed)
    n = rng.randint(2, 4)
    j = RegionJob(
        duration_s=GAP * rng.randint(2, 20),
        deadline_s=GAP * rng.randint(15, 40) + rng.choice([0, 7]),
        restart_overhead_s=rng.choice([0, 120, GAP, 1500]),
        gap_s=GAP,
        regions=tuple(f"z{r}" for r in range(n)),
    )
    avail = [[rng.random() < 0.5 for _ in range(60)] for _ in range(n)]
    prices = [[round(rng.uniform(0.8, 1.6), 4) for _ in range(60)] for _ in range(n)]
    finished, cost, ticks = literal(RandomPolicy(j, seed), j, avail, prices)
    string = run_policy(RandomPolicy(j, seed).decide, j, list(zip(*avail)), list(zip(*prices)))
    rec = replay(string, j, avail, prices, codes=action_codes(n))
    assert (len(string), rec.ticks, rec.finished) == (ticks, ticks, finished)
    assert math.isclose(rec.cost_usd, cost, rel_tol=1e-12, abs_tol=1e-12)
