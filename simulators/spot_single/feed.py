"""The trusted half of a spot run: reveal every tick at its instant on the trace's clock.

``TickFeed`` is shared by spot-single and spot-multi. Each workload of a batch has a start on
the clock of its trace file (``Kind.timeline``); its tick ``k`` happens at
``start + k * gap``. Message ``s`` is instant ``s`` of the batch: the clock time (8 bytes) and
then, for every workload with a tick at that instant that is still running, in batch order,
that tick's data (a fixed-size row). The reply holds one action byte per such workload. So the
child never holds data from later than the present instant, whichever window it came from:
overlapping windows of one trace share a child safely (``simulators.batching``).

A workload stops running when its reply is ``FINISHED`` or its last tick before the deadline
is answered; both halves apply that rule, so neither names the survivors. The opening carries
each job's parameters, tick count and start. The collected bytes are the action strings the
trusted replay scores. Per instant the work here is a few numpy operations, whatever the
number of workloads.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from simulators.lockstep import Feed
from simulators.spot_single.simulate import ACTION_BYTES, FINISHED, TickedJob, tick_count
from simulators.violation import OutputViolation

#: Bytes of the clock time at the head of every message.
CLOCK_BYTES = 8


class _Phase:
    """The workloads of a batch whose ticks fall on one grid (start mod gap), sorted by start:
    at the phase's grid point ``j`` the candidates are a prefix of them."""

    def __init__(self, members: np.ndarray, origin: int, offsets: np.ndarray) -> None:
        self.members = members  # batch indices, by start
        self.origin = origin  # clock time of grid point 0
        self.offsets = offsets  # grid point of each member's first tick


class TickFeed(Feed):
    """Reveals a batch of spot jobs instant by instant. ``rows[i, k]`` is the data of tick
    ``k`` of workload ``i`` (one byte, or a fixed-width row of bytes); ``starts`` are clock
    times, and every job of a batch has the same tick length (one clock per batch).
    Subclasses say which action bytes are valid."""

    def __init__(
        self, ids: list[str], jobs: Sequence[TickedJob], rows: np.ndarray, starts: list[int]
    ) -> None:
        order = np.argsort(np.asarray(starts, dtype=np.int64), kind="stable")
        self.ids = [ids[i] for i in order]
        self.jobs = [jobs[i] for i in order]
        self.rows = rows[order]
        self.start = np.asarray(starts, dtype=np.int64)[order]
        self.ticks = np.array([tick_count(job) for job in self.jobs], dtype=np.int64)
        gaps = {job.gap_s for job in self.jobs}
        if len(gaps) > 1:
            raise ValueError(f"one batch, one tick length: got {sorted(gaps)}")
        self.gap = gaps.pop() if gaps else 1
        self.alive = self.ticks > 0
        self.length = self.ticks.copy()  # length of each action string, cut at FINISHED
        self.codes = np.zeros((len(ids), int(self.ticks.max(initial=0))), dtype=np.uint8)
        self.allowed = np.zeros((len(ids), 256), dtype=bool)  # [workload, reply byte]
        for i, job in enumerate(self.jobs):
            self.allowed[i, list(self.actions_of(job))] = True
        self.allowed[:, FINISHED] = True
        self.phases, self.schedule = self._plan()
        self.s = -1
        self.active = np.zeros(0, dtype=np.int64)
        self.k = np.zeros(0, dtype=np.int64)

    def _plan(self) -> tuple[list[_Phase], np.ndarray]:
        """Phases, and every instant of the batch in clock order as (time, phase, grid point)."""
        phases, parts = [], []
        residue = self.start % self.gap
        for number, value in enumerate(np.unique(residue)):
            members = np.flatnonzero(residue == value)  # already by start
            origin = int(self.start[members[0]])
            offsets = (self.start[members] - origin) // self.gap
            phases.append(_Phase(members, origin, offsets))
            points = np.arange(int((offsets + self.ticks[members]).max()))
            parts.append(
                np.stack([origin + points * self.gap, np.full_like(points, number), points], 1)
            )
        if not parts:
            return phases, np.zeros((0, 3), dtype=np.int64)
        table = np.concatenate(parts)
        return phases, table[np.argsort(table[:, 0], kind="stable")]

    def opening(self) -> bytes:
        return json.dumps(
            {
                "jobs": [asdict(job) for job in self.jobs],
                "labels": self.ids,
                "ticks": self.ticks.tolist(),
                "starts": self.start.tolist(),
                "row_bytes": int(np.prod(self.rows.shape[2:], dtype=np.int64)),
            },
            separators=(",", ":"),
        ).encode()

    def actions_of(self, job: TickedJob) -> bytes:
        """The action bytes a reply may hold for ``job`` (besides ``FINISHED``)."""
        raise NotImplementedError

    def _take(self, reply: bytes) -> None:
        """Record the reply to the last instant; retire finished and expired workloads."""
        active, k = self.active, self.k
        codes = np.frombuffer(reply, dtype=np.uint8)
        if codes.size != active.size:
            raise OutputViolation(f"{codes.size} actions for {active.size} running workloads")
        ok = self.allowed[active, codes]
        if not ok.all():
            bad = int(np.argmin(ok))
            raise OutputViolation(
                f"workload {self.ids[active[bad]]} tick {k[bad]}: unknown action byte"
            )
        self.codes[active, k] = codes
        finished = codes == FINISHED
        if finished.any():
            self.length[active[finished]] = k[finished]
        done = finished | (k + 1 >= self.ticks[active])
        if done.any():
            self.alive[active[done]] = False

    def advance(self, reply: bytes) -> bytes | None:
        if self.s >= 0:
            self._take(reply)
        elif reply:
            raise OutputViolation("the player answered the opening with data")
        schedule = self.schedule
        while True:
            self.s += 1
            if self.s >= len(schedule):
                return None
            now, number, point = schedule[self.s]
            phase = self.phases[number]
            started = int(np.searchsorted(phase.offsets, point, side="right"))
            members = phase.members[:started]
            k = point - phase.offsets[:started]
            keep = self.alive[members] & (k < self.ticks[members])
            if keep.any():
                break
        self.active = active = members[keep]
        self.k = k = k[keep]
        return int(now).to_bytes(CLOCK_BYTES, "big", signed=True) + self.rows[active, k].tobytes()

    def decisions(self) -> dict[str, Any]:
        return {
            "actions": {
                wid: self.codes[i, : self.length[i]].tobytes().decode("ascii")
                for i, wid in enumerate(self.ids)
            }
        }


class SpotFeed(TickFeed):
    """Spot-single: a tick is one byte, 1 when spot is available; actions are '0', '1', '2'."""

    def __init__(
        self, ids: list[str], jobs: Sequence[TickedJob], avail: list[np.ndarray], starts: list[int]
    ) -> None:
        ticks = max((tick_count(job) for job in jobs), default=0)
        rows = np.zeros((len(ids), ticks), dtype=np.uint8)
        for i, (job, line) in enumerate(zip(jobs, avail, strict=True)):
            n = min(tick_count(job), len(line))
            rows[i, :n] = line[:n]
        super().__init__(ids, jobs, rows, starts)

    def actions_of(self, job: TickedJob) -> bytes:
        return ACTION_BYTES
