"""The spot-single tick model, edge by edge, on hand-made traces (live loop and replay agree)."""

from __future__ import annotations

import pytest

from simulators.contract import OutputViolation
from simulators.spot_single.interface import Action, Job
from simulators.spot_single.replay import replay
from simulators.spot_single.simulate import run_policy

GAP = 600


def job(duration=1800, deadline=3600, overhead=0, gap=GAP) -> Job:
    return Job(duration_s=duration, deadline_s=deadline, restart_overhead_s=overhead, gap_s=gap)


def scripted(actions):
    """A decide function returning the given actions in order, recording each obs it saw."""
    seen = []
    it = iter(actions)

    def decide(obs):
        seen.append(
            {s: getattr(obs, s) for s in obs.__slots__ if s != "spot_history"}
            | {"history": list(obs.spot_history)}
        )
        return next(it)

    return decide, seen


def run(j: Job, avail, actions):
    decide, seen = scripted(actions)
    string = run_policy(decide, j, avail)
    return string, replay(string, j, [avail]), seen


def test_all_on_demand_finishes_exactly_at_duration():
    string, rec, _ = run(job(), [True] * 6, ["ON_DEMAND"] * 6)
    assert string == "222"  # 3 ticks of 600 s do 1800 s; the 4th tick sees done >= D
    assert rec.finished and rec.end_s == 1800 and rec.slack_s == 1800
    assert rec.cost_usd == pytest.approx(3 * 3.06 * 600 / 3600)


def test_restart_overhead_on_launch_and_switch():
    j = job(duration=1800, deadline=6000, overhead=300)
    string, rec, seen = run(j, [True] * 10, ["SPOT", "SPOT", "ON_DEMAND", "ON_DEMAND", "ON_DEMAND"])
    # SPOT launch: 300 s work; SPOT cont: 600; switch to OD: 300; OD: 600 -> 1800 done.
    assert string == "1122"
    assert [s["done_s"] for s in seen] == [0, 300, 900, 1200]
    assert [s["pending_overhead_s"] for s in seen] == [0, 0, 0, 0]
    assert rec.launches == 2 and rec.finished and rec.end_s == 2400
    assert rec.overhead_usd == pytest.approx(300 / 3600 * (0.9731 + 3.06))


def test_overhead_longer_than_a_tick_carries_over():
    j = job(duration=600, deadline=6000, overhead=900)
    string, rec, seen = run(j, [True] * 10, ["ON_DEMAND"] * 10)
    # launch: pending 900 -> tick 0 no work, 300 pending; tick 1: 300 work; tick 2: 300 work.
    assert string == "222"
    assert [s["pending_overhead_s"] for s in seen] == [0, 300, 0]
    assert [s["done_s"] for s in seen] == [0, 0, 300]
    assert rec.end_s == 1800


def test_preemption_then_relaunch_pays_overhead_and_is_counted():
    j = job(duration=1200, deadline=6000, overhead=300)
    avail = [True, True, False, True, True, True, True]
    string, rec, seen = run(j, avail, ["SPOT", "SPOT", "NONE", "SPOT", "SPOT", "SPOT"])
    assert [s["preempted"] for s in seen][:4] == [False, False, True, False]
    assert seen[2]["cur"] == Action.NONE and seen[2]["preemptions"] == 1
    assert seen[3]["history"] == avail[:4]  # the past and the present only
    # work: 300, 600, idle, 300 (relaunch), -> 1200 at start of tick 4
    assert string == "1101"
    assert rec.preemptions == 1 and rec.launches == 2 and rec.idle_s == 600


def test_spot_refused_when_unavailable_counts_and_idles():
    j = job(duration=600, deadline=3000)
    string, rec, _ = run(j, [False, False, True], ["SPOT", "SPOT", "SPOT"])
    assert string == "111"
    assert rec.refused == 2 and rec.idle_s == 1200 and rec.finished
    assert rec.cost_usd == pytest.approx(0.9731 * 600 / 3600)


def test_deadline_miss_is_infeasible_with_the_work_left():
    j = job(duration=1800, deadline=1500)  # ticks 0,1,2 (2*600 < 1500 < 3*600)
    string, rec, _ = run(j, [True] * 5, ["NONE", "ON_DEMAND", "ON_DEMAND", "ON_DEMAND"])
    assert string == "022"
    assert not rec.finished and rec.slack_s == -(1800 - 1200)


def test_finishing_exactly_at_the_deadline_is_feasible():
    j = job(duration=1800, deadline=1800)
    _string, rec, _ = run(j, [True] * 5, ["ON_DEMAND"] * 5)
    assert rec.finished and rec.end_s == 1800 and rec.slack_s == 0


def test_enum_members_are_accepted():
    string, rec, _ = run(job(), [True] * 5, [Action.SPOT] * 5)
    assert string == "111" and rec.finished


@pytest.mark.parametrize("bad", ["spot", None, 1, ["SPOT"], "ONDEMAND"])
def test_invalid_return_value_is_an_output_violation(bad):
    with pytest.raises(OutputViolation, match="decide returned"):
        run(job(), [True] * 5, [bad])


@pytest.mark.parametrize("string", ["12", "2222", "22x"])
def test_replay_rejects_strings_that_do_not_fit_the_run(string):
    with pytest.raises(OutputViolation):
        replay(string, job(), [[True] * 6])


def test_habit_counters_name_the_usual_bugs():
    # Spot up for the first four ticks. Tick 0 launches spot, tick 1 leaves it for on-demand
    # while spot is still up (abandoned after one tick, and a switch away from live spot);
    # ticks 2-3 stay on on-demand while spot is up; the work (4 ticks) is done after tick 3.
    avail = [True, True, True, True, False, False]
    rec = replay("1222", job(duration=2400, deadline=3600), [avail])
    assert rec.finished
    assert (rec.spot_abandoned, rec.left_spot_up, rec.on_demand_spot_up) == (1, 1, 3)
    assert rec.idle_low_slack == 0


def test_idle_with_little_slack_is_counted_and_spot_kept_is_not():
    # 2 ticks of work by a 6-tick deadline, overhead 60 s: slack is 2400 s at tick 0 and falls
    # by a tick per idle tick; only the idle tick at 600 s (< 600 + 2 * 60) counts. The deadline
    # is then missed by the overhead: the counter names the cause.
    rec = replay("000022", job(duration=1200, deadline=3600, overhead=60), [[False] * 6])
    assert not rec.finished and rec.idle_low_slack == 1
    steady = replay("111", job(duration=1800, deadline=3600), [[True] * 6])
    assert (
        steady.spot_abandoned,
        steady.left_spot_up,
        steady.on_demand_spot_up,
        steady.idle_low_slack,
    ) == (0, 0, 0, 0)
