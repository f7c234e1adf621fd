"""The trusted replay: recompute a run from the actions the candidate asked for and the real trace.

Runs in the parent. It applies the same tick model as ``simulate.py`` (preemption, refusal,
restart overhead, deadline) and accounts for where the money and the time went, which the critic
reads. It is generic over regions so spot-multi reuses it: the job may run in one of several
regions, spot is available and priced per region and tick, and moving spot to another region is
a launch like any other (it pays the restart overhead).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from simulators.contract import OutputViolation
from simulators.spot_single.interface import NONE, ON_DEMAND, SPOT, Job
from simulators.spot_single.simulate import TickedJob

#: Single-region action characters: what ``simulate.run_policy`` records.
SINGLE_REGION_CODES: Mapping[str, tuple[int, int]] = {
    "0": (NONE, 0),
    "1": (SPOT, 0),
    "2": (ON_DEMAND, 0),
}


@dataclass
class RunRecord:
    """Everything the parent knows about one replayed run (times in seconds, money in dollars)."""

    cost_usd: float = 0.0
    finished: bool = False
    end_s: int = 0  # finish time, or the time the deadline stopped the run
    slack_s: int = 0  # deadline - finish time; minus the work left when the deadline was missed
    spot_usd: float = 0.0
    on_demand_usd: float = 0.0
    overhead_usd: float = 0.0  # part of the above spent paying restart overheads
    spot_overhead_usd: float = 0.0  # the part of overhead_usd paid on spot
    spot_work_s: int = 0
    on_demand_work_s: int = 0
    preemptions: int = 0
    refused: int = 0  # SPOT asked for while unavailable (run as NONE)
    launches: int = 0
    region_moves: int = 0  # spot launches in a region other than the last one used
    idle_s: int = 0
    ticks: int = 0
    # Habits that are usually bugs (the critic reads them; nothing is scored on them):
    spot_abandoned: int = 0  # a spot launch left again the next tick while spot was still up
    left_spot_up: int = 0  # ticks that switched away from a running spot instance that was up
    on_demand_spot_up: int = 0  # on-demand ticks while spot was up (in some region)
    idle_low_slack: int = 0  # idle ticks with less than a tick plus two overheads of slack

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def replay(
    actions: str,
    job: TickedJob,
    avail: Sequence[Sequence[bool]],
    spot_price: Sequence[Sequence[float]] | None = None,
    codes: Mapping[str, tuple[int, int]] = SINGLE_REGION_CODES,
    label: str = "",
) -> RunRecord:
    """Replay ``actions`` (one character per tick) on ``avail[region][tick]``.

    ``spot_price[region][tick]`` in $/h, or None for the job's fixed spot price. Raises
    ``OutputViolation`` when the string holds an unknown character or does not cover exactly
    the ticks the run lasts.
    """
    gap = job.gap_s
    duration = job.duration_s
    deadline = job.deadline_s
    overhead = job.restart_overhead_s
    od_tick_usd = job.on_demand_price * gap / 3600.0
    if spot_price is None:
        # Without per-tick prices the job is a single-region one, with its fixed spot price.
        assert isinstance(job, Job)
        fixed_spot_tick_usd = job.spot_price * gap / 3600.0
    else:
        fixed_spot_tick_usd = 0.0
    rec = RunRecord()
    n_ticks = -(-deadline // gap)
    done = pending = 0
    cur = (NONE, 0)
    last_spot_region = -1
    spot_launch_t = -2
    tight = gap + 2 * overhead
    spot_up = avail[0] if len(avail) == 1 else [any(column) for column in zip(*avail)]
    left_up = abandoned = od_up = idle_tight = 0  # the habit counters, kept local: hot loop
    t = 0
    while True:
        if done >= duration:
            rec.finished = True
            break
        if t >= n_ticks:
            break
        if t >= len(actions):
            raise OutputViolation(f"workload {label}: actions stop at tick {t}, the run goes on")
        kind, region = cur
        if kind == SPOT and not avail[region][t]:
            cur = (NONE, 0)
            rec.preemptions += 1
        try:
            a = codes[actions[t]]
        except KeyError:
            raise OutputViolation(
                f"workload {label} tick {t}: unknown action {actions[t]!r}"
            ) from None
        t += 1
        if a[0] == SPOT and not avail[a[1]][t - 1]:
            rec.refused += 1
            a = (NONE, 0)
        if cur[0] == SPOT and a != cur:  # left a spot instance that was still up
            left_up += 1
            if spot_launch_t == t - 2:
                abandoned += 1
        if a[0] == NONE:
            cur = a
            rec.idle_s += gap
            if deadline - (t - 1) * gap - (duration - done) < tight:
                idle_tight += 1
            continue
        if a[0] == ON_DEMAND and spot_up[t - 1]:
            od_up += 1
        if a != cur:
            pending = overhead
            rec.launches += 1
            if a[0] == SPOT:
                spot_launch_t = t - 1
                if last_spot_region >= 0 and a[1] != last_spot_region:
                    rec.region_moves += 1
                last_spot_region = a[1]
        paid_overhead = min(pending, gap)
        work = gap - paid_overhead
        pending -= paid_overhead
        work = min(work, duration - done)
        done += work
        if a[0] == SPOT:
            tick_usd = (
                fixed_spot_tick_usd
                if spot_price is None
                else spot_price[a[1]][t - 1] * gap / 3600.0
            )
            rec.spot_usd += tick_usd
            rec.spot_work_s += work
            rec.spot_overhead_usd += tick_usd * paid_overhead / gap
        else:
            tick_usd = od_tick_usd
            rec.on_demand_usd += tick_usd
            rec.on_demand_work_s += work
        rec.overhead_usd += tick_usd * paid_overhead / gap
        cur = a
    if len(actions) != t:
        raise OutputViolation(f"workload {label}: {len(actions)} actions for a run of {t} ticks")
    rec.ticks = t
    rec.spot_abandoned, rec.left_spot_up = abandoned, left_up
    rec.on_demand_spot_up, rec.idle_low_slack = od_up, idle_tight
    rec.end_s = t * gap
    rec.cost_usd = rec.spot_usd + rec.on_demand_usd
    rec.slack_s = deadline - rec.end_s if rec.finished else -(duration - done)
    return rec
