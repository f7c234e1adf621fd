"""What the evolved multi-region program sees: its ``RegionJob`` and the ``RegionObservation``.

The candidate module defines::

    class Policy:
        def __init__(self, job: RegionJob) -> None: ...
        def decide(self, obs: RegionObservation): ...

``decide`` returns, once per tick, one of:
- ``"NONE"``: idle (free, no progress);
- ``("SPOT", r)`` or ``("ON_DEMAND", r)``: run that type in region index ``r`` (a tuple or list;
  ``Action`` members work in place of the strings);
- ``"SPOT"`` or ``"ON_DEMAND"`` alone: that type in the job's current region (``obs.region``, or
  the region it last ran in, 0 at the start).

Any launch pays the restart overhead: a switch of type, a relaunch after idling or a
preemption, and a move to another region. Spot is billed at the price of the region the job
runs in at that tick; on-demand costs the same everywhere. Times are integer seconds, prices $/h.
The observation shows every region's availability and price now and in the past, never later.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulators.spot_single.interface import ON_DEMAND_PRICE, Action

__all__ = ["Action", "RegionJob", "RegionObservation"]


@dataclass(frozen=True, slots=True)
class RegionJob:
    """The job's parameters, fixed for the whole run.

    duration_s, deadline_s, restart_overhead_s, gap_s: as in spot-single (D, deadline, O, tick).
    regions: the zone names, in the order region indices refer to.
    on_demand_price: dollars per hour, the same in every region.
    """

    duration_s: int
    deadline_s: int
    restart_overhead_s: int
    gap_s: int
    regions: tuple[str, ...]
    on_demand_price: float = ON_DEMAND_PRICE


class RegionObservation:
    """The state at the start of one tick, before the decision.

    tick, elapsed_s, done_s, left_s, time_to_deadline_s: as in spot-single.
    spot_available: tuple of bools, one per region, for this tick.
    spot_prices: tuple of spot prices ($/h), one per region, for this tick.
    cur: instance type running now (an ``Action``); NONE after a preemption or idling.
    region: index of the region the current instance runs in; -1 when ``cur`` is NONE.
    last_region: the region the job last ran in (0 before the first launch); bare "SPOT" or
        "ON_DEMAND" mean this region.
    pending_overhead_s: restart overhead still to pay if the current instance keeps running.
    preempted: spot vanished in the current region at this tick; preemptions: count so far.
    spot_history, price_history: the per-tick tuples of ticks 0..tick (present last).

    One object is updated in place every tick: copy what you keep, never keep ``obs`` itself.
    """

    __slots__ = (
        "cur",
        "done_s",
        "elapsed_s",
        "last_region",
        "left_s",
        "pending_overhead_s",
        "preempted",
        "preemptions",
        "price_history",
        "region",
        "spot_available",
        "spot_history",
        "spot_prices",
        "tick",
        "time_to_deadline_s",
    )

    def __init__(self, job: RegionJob) -> None:
        self.tick = 0
        self.elapsed_s = 0
        self.done_s = 0
        self.left_s = job.duration_s
        self.time_to_deadline_s = job.deadline_s
        self.spot_available: tuple[bool, ...] = ()
        self.spot_prices: tuple[float, ...] = ()
        self.cur = Action.NONE
        self.region = -1
        self.last_region = 0
        self.pending_overhead_s = 0
        self.preempted = False
        self.preemptions = 0
        self.spot_history: list[tuple[bool, ...]] = []
        self.price_history: list[tuple[float, ...]] = []


def action_codes(n_regions: int) -> dict[str, tuple[int, int]]:
    """Action characters of the compact string: '.' NONE, 'a'+r SPOT in r, 'A'+r ON_DEMAND in r.

    Values are (type, region) as the shared replay (``spot_single.replay``) expects.
    """
    from simulators.spot_single.interface import NONE, ON_DEMAND, SPOT

    codes = {".": (NONE, 0)}
    for r in range(n_regions):
        codes[chr(ord("a") + r)] = (SPOT, r)
        codes[chr(ord("A") + r)] = (ON_DEMAND, r)
    return codes
