"""What the evolved program sees: the ``Job`` it is given once and the ``Observation`` of each tick.

The candidate module defines::

    class Policy:
        def __init__(self, job: Job) -> None: ...
        def decide(self, obs: Observation) -> str: ...   # "NONE", "SPOT" or "ON_DEMAND"

``decide`` is called once per tick. It may return the strings above or members of ``Action``
(a ``StrEnum`` whose values are those strings). Anything else makes the run invalid.

All times are integer **seconds** (so the arithmetic of the tick model is exact); prices are
dollars per hour. The observation carries the present and the past only: the simulator never
hands the policy anything computed from future ticks.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    """What to run during the coming tick (also the type of instance currently running)."""

    NONE = "NONE"  # idle: free, no progress
    SPOT = "SPOT"  # cheap, only when available, preempted when it vanishes
    ON_DEMAND = "ON_DEMAND"  # expensive, always available


#: Index of each action in the compact action strings ("0", "1", "2") and in the simulator.
NONE, SPOT, ON_DEMAND = 0, 1, 2
ACTION_NAMES: tuple[Action, Action, Action] = (Action.NONE, Action.SPOT, Action.ON_DEMAND)
#: Accepted return values of ``decide``; StrEnum members hash and compare like their strings.
ACTION_CODES: dict[str, int] = {"NONE": NONE, "SPOT": SPOT, "ON_DEMAND": ON_DEMAND}

ON_DEMAND_PRICE = 3.06  # $/h
SPOT_PRICE = 0.9731  # $/h


@dataclass(frozen=True, slots=True)
class Job:
    """The job's parameters, fixed for the whole run.

    duration_s: compute the job needs (D), in seconds.
    deadline_s: the job must finish by this time after the start, in seconds.
    restart_overhead_s: O, paid (clock running, tick billed) after every launch: a switch to
        another instance type, or a relaunch after a preemption or after idling.
    gap_s: length of one tick in seconds; a decision holds for a whole tick.
    on_demand_price, spot_price: dollars per hour of instance time.
    """

    duration_s: int
    deadline_s: int
    restart_overhead_s: int
    gap_s: int
    on_demand_price: float = ON_DEMAND_PRICE
    spot_price: float = SPOT_PRICE


class Observation:
    """The state at the start of one tick, before the policy's decision.

    tick: index of this tick (0, 1, ...).
    elapsed_s: time since the start, ``tick * gap_s``.
    done_s: work completed so far; ``left_s = duration_s - done_s`` is the work still to do.
    time_to_deadline_s: ``deadline_s - elapsed_s``.
    spot_available: whether spot capacity can be had during this tick.
    cur: the instance type running now (an ``Action``), NONE after a preemption or idling.
    pending_overhead_s: restart overhead still to pay if the current instance keeps running
        (0 when ``cur`` is NONE: any launch starts a fresh overhead).
    preempted: the job was on spot and spot vanished at this tick (``cur`` is now NONE).
    preemptions: preemptions so far, this tick included.
    spot_history: availability of ticks 0..tick (the present is the last entry); the past only.

    The simulator updates one Observation object in place every tick, for speed: read the
    fields during ``decide``; copy the values you want to remember (never keep ``obs`` itself).
    """

    __slots__ = (
        "cur",
        "done_s",
        "elapsed_s",
        "left_s",
        "pending_overhead_s",
        "preempted",
        "preemptions",
        "spot_available",
        "spot_history",
        "tick",
        "time_to_deadline_s",
    )

    def __init__(self, job: Job) -> None:
        self.tick = 0
        self.elapsed_s = 0
        self.done_s = 0
        self.left_s = job.duration_s
        self.time_to_deadline_s = job.deadline_s
        self.spot_available = False
        self.cur = Action.NONE
        self.pending_overhead_s = 0
        self.preempted = False
        self.preemptions = 0
        self.spot_history: list[bool] = []

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__[:-1])
        return f"Observation({fields})"
