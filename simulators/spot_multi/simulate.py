"""The live multi-region simulation: runs a candidate tick by tick (inside the sandbox).

The tick model is spot-single's with a region attached to every launch: spot in region r is
preempted when r's spot vanishes, SPOT asked in a region without spot is refused (idle), and a
move to another region is a launch that pays the restart overhead. Only the requested actions
leave this loop (one character per tick, ``interface.action_codes``, as a byte; ``FINISHED``
once the work is done); the parent replays them with the shared trusted replay. ``live_run``
is a generator the player sends each tick's (availability, prices) as the feed reveals them.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any

from simulators.spot_multi.interface import RegionJob, RegionObservation
from simulators.spot_single.interface import ACTION_NAMES, NONE, ON_DEMAND, SPOT
from simulators.spot_single.simulate import FINISHED, tick_count
from simulators.violation import OutputViolation

IDLE_BYTE = ord(".")

_TYPE = {"NONE": NONE, "SPOT": SPOT, "ON_DEMAND": ON_DEMAND}


def _answers(n_regions: int) -> dict[Any, tuple[int, int]]:
    """Every hashable valid return value (tuples; StrEnum members hash like their strings)."""
    table: dict[Any, tuple[int, int]] = {"NONE": (NONE, -1), ("NONE", 0): (NONE, -1)}
    table["SPOT"] = (SPOT, -1)  # -1: the current region, resolved per tick
    table["ON_DEMAND"] = (ON_DEMAND, -1)
    for r in range(n_regions):
        table[("SPOT", r)] = (SPOT, r)
        table[("ON_DEMAND", r)] = (ON_DEMAND, r)
    return table


def _parse(answer: Any, table: dict[Any, tuple[int, int]], label: str, t: int) -> tuple[int, int]:
    """Slow path for lists and unusual returns; the message says what was wrong."""
    if isinstance(answer, list):
        answer = tuple(answer)
    try:
        return table[answer]
    except (KeyError, TypeError):
        raise OutputViolation(
            f"workload {label} tick {t}: decide returned {answer!r}; expected 'NONE', "
            "('SPOT', region) or ('ON_DEMAND', region) with a valid region index"
        ) from None


def live_run(
    decide: Callable[[RegionObservation], Any], job: RegionJob, label: str = ""
) -> Generator[int, tuple[tuple[bool, ...], tuple[float, ...]], None]:
    """Prime with ``next``; then ``send`` each tick's (availability, prices) tuples, one entry
    per region, to get the action byte asked for, or ``FINISHED`` once the work is done."""
    gap = job.gap_s
    duration = job.duration_s
    deadline = job.deadline_s
    overhead = job.restart_overhead_s
    table = _answers(len(job.regions))
    names = ACTION_NAMES
    obs = RegionObservation(job)
    remember_avail = obs.spot_history.append
    remember_price = obs.price_history.append
    done = cur = pending = preemptions = elapsed = 0
    region = -1  # region of the running instance
    last = 0  # region of the last launch: what bare "SPOT" / "ON_DEMAND" mean
    shown = (NONE, -1, 0)  # (cur, region, last) as the observation shows them
    preempted = False
    code = t = -1
    while True:
        up, price = yield code
        t += 1
        if done >= duration:
            code = FINISHED
            continue
        if cur == SPOT and not up[region]:
            cur, region = NONE, -1
            preemptions += 1
            obs.preempted = preempted = True
            obs.preemptions = preemptions
        elif preempted:
            obs.preempted = preempted = False
        obs.tick = t
        obs.elapsed_s = elapsed
        obs.done_s = done
        obs.left_s = duration - done
        obs.time_to_deadline_s = deadline - elapsed
        obs.spot_available = up
        obs.spot_prices = price
        if shown != (cur, region, last):  # instances change rarely: skip three stores
            shown = (cur, region, last)
            obs.cur = names[cur]
            obs.region = region
            obs.last_region = last
        obs.pending_overhead_s = pending if cur else 0
        remember_avail(up)
        remember_price(price)
        answer = decide(obs)
        try:
            kind, where = table[answer]
        except (KeyError, TypeError):
            kind, where = _parse(answer, table, label, t)
        if where < 0:
            where = last
        elapsed += gap
        if kind == NONE:
            code = IDLE_BYTE
            cur, region = NONE, -1
            continue
        code = (97 if kind == SPOT else 65) + where
        if kind == SPOT and not up[where]:
            cur, region = NONE, -1
            continue
        if kind != cur or where != region:
            pending = overhead
        if pending:
            if pending < gap:
                done += gap - pending
                pending = 0
            else:
                pending -= gap
        else:
            done += gap
        if done > duration:
            done = duration
        cur, region, last = kind, where, where


def run_policy(
    decide: Callable[[RegionObservation], Any],
    job: RegionJob,
    avail: Sequence[tuple[bool, ...]],
    prices: Sequence[tuple[float, ...]],
    label: str = "",
) -> str:
    """Run one job on whole per-tick tuples at once (trusted code: tests, benchmarks); the
    action string the lockstep run would collect."""
    live = live_run(decide, job, label)
    next(live)
    out = bytearray()
    for _, up, price in zip(range(tick_count(job)), avail, prices):
        code = live.send((up, price))
        if code == FINISHED:
            break
        out.append(code)
    return out.decode("ascii")
