"""The live simulation: runs a candidate policy tick by tick (inside the sandbox).

``live_run`` is a generator per workload: the player sends it each tick's availability as the
feed reveals it and gets back the action the policy *asked for* ('0' NONE, '1' SPOT,
'2' ON_DEMAND, as a byte) or ``FINISHED`` once the work is done. The trusted parent replays
the collected string against the real trace (``replay.py``) to recompute every number, so
nothing this loop computes is ever trusted; it only keeps the observation the policy reads.

The loop is the hot path (once per tick, ~400 k ticks per training split): the state stays in
the generator's locals, one ``Observation`` is updated in place (``cur`` only when it changes),
and nothing is re-summed. The tick model, exactly::

    for t = 0, 1, 2, ...:
      if done >= D: finished at t*gap; stop
      if t*gap >= deadline: deadline missed; stop          (the feed stops revealing)
      if cur == SPOT and not avail[t]: cur = NONE            # preempted
      a = policy.decide(obs_t)
      if a == SPOT and not avail[t]: a = NONE                # refused, counted
      if a == NONE: cur = NONE; continue                     # free, no progress
      if a != cur: pending = O                               # launch, relaunch or switch
      work = max(gap - pending, 0); pending = max(pending - gap, 0)
      done = min(D, done + work); cost += price[a] * gap / 3600; cur = a
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any, Protocol

from simulators.spot_single.interface import (
    ACTION_CODES,
    ACTION_NAMES,
    NONE,
    SPOT,
    Job,
    Observation,
)
from simulators.violation import OutputViolation

#: Reply bytes: the requested action as the characters of the action string, or FINISHED.
ACTION_BYTES = b"012"
FINISHED = ord("#")


class TickedJob(Protocol):
    """What the tick model reads of any spot job, one region (``Job``) or several
    (``RegionJob``): times in seconds, the on-demand price in $/h."""

    @property
    def duration_s(self) -> int: ...
    @property
    def deadline_s(self) -> int: ...
    @property
    def restart_overhead_s(self) -> int: ...
    @property
    def gap_s(self) -> int: ...
    @property
    def on_demand_price(self) -> float: ...


def tick_count(job: TickedJob) -> int:
    """Ticks that may run before the deadline: those with ``t * gap < deadline``."""
    return -(-job.deadline_s // job.gap_s)


def live_run(
    decide: Callable[[Observation], Any], job: Job, label: str = ""
) -> Generator[int, bool, None]:
    """Prime with ``next``; then ``send`` each tick's availability (a bool) to get the action
    byte the policy asked for, or ``FINISHED`` when the job was done before that tick.

    Raises ``OutputViolation`` when ``decide`` returns something other than an action.
    """
    gap = job.gap_s
    duration = job.duration_s
    deadline = job.deadline_s
    overhead = job.restart_overhead_s
    codes_of = ACTION_CODES
    names = ACTION_NAMES
    as_byte = ACTION_BYTES
    obs = Observation(job)
    remember = obs.spot_history.append
    done = cur = pending = preemptions = elapsed = 0
    shown_cur = NONE
    preempted = False
    code = t = -1
    while True:
        up = yield code
        t += 1
        if done >= duration:
            code = FINISHED
            continue
        if cur == SPOT and not up:
            cur = NONE
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
        if cur != shown_cur:
            obs.cur = names[cur]
            shown_cur = cur
        obs.pending_overhead_s = pending if cur else 0
        remember(up)
        answer = decide(obs)
        try:
            a = codes_of[answer]
        except (KeyError, TypeError):
            raise OutputViolation(
                f"workload {label} tick {t}: decide returned {answer!r}; "
                "expected 'NONE', 'SPOT' or 'ON_DEMAND'"
            ) from None
        code = as_byte[a]
        elapsed += gap
        if a == SPOT and not up:
            a = NONE
        if a == NONE:
            cur = NONE
            continue
        if a != cur:
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
        cur = a


def run_policy(
    decide: Callable[[Observation], Any], job: Job, avail: Sequence[bool], label: str = ""
) -> str:
    """Run one job on a whole availability list at once (trusted code: tests, benchmarks,
    baselines); the action string the lockstep run would collect."""
    live = live_run(decide, job, label)
    next(live)
    out = bytearray()
    for _, up in zip(range(tick_count(job)), avail):
        code = live.send(up)
        if code == FINISHED:
            break
        out.append(code)
    return out.decode("ascii")
