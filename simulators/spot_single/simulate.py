"""The live simulation: runs a candidate policy tick by tick (inside the sandbox).

It records only the action the policy *asked for* at each tick, as one character ('0' NONE,
'1' SPOT, '2' ON_DEMAND). The trusted parent replays that string against the real trace
(``replay.py``) to recompute every number, so nothing this loop computes is ever trusted.

The loop is the hot path (called once per tick, ~400 k ticks per training split): it keeps the
state in locals, updates one ``Observation`` in place (``cur`` only when it changes), writes the
action into a preallocated buffer, and does no history re-summing. ``avail`` must hold Python
bools (``Kind.avail_of`` gives them), so the loop converts nothing.
Tick model (issue 2)::

    for t = 0, 1, 2, ...:
      if done >= D: finished at t*gap; stop
      if t*gap >= deadline: deadline missed; stop
      if cur == SPOT and not avail[t]: cur = NONE            # preempted
      a = policy.decide(obs_t)
      if a == SPOT and not avail[t]: a = NONE                # refused, counted
      if a == NONE: cur = NONE; continue                     # free, no progress
      if a != cur: pending = O                               # launch, relaunch or switch
      work = max(gap - pending, 0); pending = max(pending - gap, 0)
      done = min(D, done + work); cost += price[a] * gap / 3600; cur = a
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from simulators.contract import OutputViolation
from simulators.spot_single.interface import (
    ACTION_CODES,
    ACTION_NAMES,
    NONE,
    SPOT,
    Job,
    Observation,
)

#: Action indices 0, 1, 2 to the characters "0", "1", "2" of the action string.
_TO_CHARS = bytes((i + ord("0")) % 256 for i in range(256))


def tick_count(job: Job) -> int:
    """Ticks that may run before the deadline: those with ``t * gap < deadline``."""
    return -(-job.deadline_s // job.gap_s)


def run_policy(
    decide: Callable[[Observation], Any], job: Job, avail: Sequence[bool], label: str = ""
) -> str:
    """Run one job under ``decide``; return the requested actions as a '0/1/2' string.

    Raises ``OutputViolation`` when ``decide`` returns something other than an action.
    """
    gap = job.gap_s
    duration = job.duration_s
    deadline = job.deadline_s
    overhead = job.restart_overhead_s
    codes_of = ACTION_CODES
    names = ACTION_NAMES
    obs = Observation(job)
    remember = obs.spot_history.append
    ticks = tick_count(job)
    out = bytearray(ticks)
    done = cur = pending = preemptions = elapsed = 0
    shown_cur = NONE
    preempted = False
    t = -1
    for t, up in zip(range(ticks), avail):
        if done >= duration:
            t -= 1
            break
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
        out[t] = a
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
        if done > duration:  # noqa: PLR1730 (hot loop: min() is a call)
            done = duration
        cur = a
    del out[t + 1:]
    return out.translate(_TO_CHARS).decode("ascii")
