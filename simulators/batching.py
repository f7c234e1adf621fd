"""Batches for lockstep runs: workloads one child may run side by side without a leak.

Workloads cut from one underlying series (spot windows of one trace file, which overlap by
hundreds of ticks) share a clock: their ``Timeline`` has the same key, and the feed reveals
their ticks in the order of that clock, every tick at the instant it happens on the series
(``spot_single.feed``). At any moment the child holds nothing later than the present instant,
whichever window it came from, so overlapping windows may share a child and the whole split
costs one round trip per instant of the series instead of one per tick of every window.

Workloads on different clocks never share a child: nothing says how one clock's instants
relate to another's. Workloads with no timeline (independent seeds, static inputs) share one
batch, each starting at step 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulators.lockstep import Timeline

Workload = dict[str, Any]


def batches(
    workloads: list[Workload], timeline: Callable[[Workload], Timeline | None]
) -> list[list[Workload]]:
    """One batch per clock (``Timeline.key`` and tick length), each sorted by start time
    (stable, so split order breaks ties), in order of first appearance."""
    groups: dict[tuple[str, int] | None, list[tuple[int, Workload]]] = {}
    for workload in workloads:
        line = timeline(workload)
        key = None if line is None else (line.key, line.step)
        groups.setdefault(key, []).append((0 if line is None else line.start, workload))
    return [[w for _, w in sorted(group, key=lambda pair: pair[0])] for group in groups.values()]


def split_for_workers(
    groups: list[list[Workload]], workers: int, minimum: int
) -> list[list[Workload]]:
    """Halve the largest batch until there are ``workers`` batches or none is worth halving.

    A part of a batch is a batch (it shows its child less, never more); halves are contiguous
    in start order, so each child spans about half the clock.
    """
    out = [list(g) for g in groups]
    while len(out) < workers:
        largest = max(range(len(out)), key=lambda i: len(out[i]))
        if len(out[largest]) < 2 * minimum:
            break
        batch = out.pop(largest)
        half = len(batch) // 2
        out[largest:largest] = [batch[:half], batch[half:]]
    return out
