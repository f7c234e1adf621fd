"""The sandboxed half of a spot-single run: one ``Policy`` per job, fed tick by tick.

Imported by the sandbox zygote, so it imports only what a policy sees (``interface``) and the
live loop (``simulate``): no trace loader, no data. ``feed.py`` states the protocol; this side
keeps the jobs that have started, grouped by the phase of their ticks on the clock, so each
instant touches only the jobs that have a tick then.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from simulators.lockstep import Player
from simulators.spot_single.interface import Job
from simulators.spot_single.simulate import FINISHED, live_run

_AS_BOOL = (False, True)
CLOCK_BYTES = 8
_NEVER = 1 << 62


class SpotPlayer(Player):
    """Builds ``Policy(job)`` for every job of the batch and answers each instant for the jobs
    that have a tick then, in batch order."""

    entry_point = "Policy"

    def open(self, opening: bytes) -> bytes:
        spec = json.loads(opening)
        policy_class = self.program[self.entry_point]
        self.row_bytes: int = spec["row_bytes"]
        self.waiting: list[tuple[int, int, int, Any]] = []  # (start, gap, last instant, send)
        for fields, label, ticks, start in zip(
            spec["jobs"], spec["labels"], spec["ticks"], spec["starts"], strict=True
        ):
            if ticks <= 0:
                continue
            job = self.make_job(fields)
            send = self.live(policy_class(job).decide, job, label)
            self.waiting.append((start, job.gap_s, start + (ticks - 1) * job.gap_s, send))
        self.waiting.reverse()  # pop() from the end takes the earliest start
        self.gap = self.waiting[0][1] if self.waiting else 1  # one tick length per batch
        self.phases: dict[int, list[tuple[int, Any]]] = {}
        self.expiry: dict[int, int] = {}  # per phase, the earliest last instant of its jobs
        return b""

    def make_job(self, fields: dict[str, Any]) -> Any:
        return Job(**fields)

    def live(self, decide: Any, job: Any, label: str) -> Callable[..., int]:
        """The primed live loop of one job: call it with a tick's data, get the action byte."""
        run = live_run(decide, job, label)
        next(run)
        return run.send

    def answers(self, sends: list[Any], payload: bytes) -> bytes:
        as_bool = _AS_BOOL
        return bytes([send(as_bool[up]) for send, up in zip(sends, payload, strict=True)])

    def step(self, message: bytes) -> bytes:
        now = int.from_bytes(message[:CLOCK_BYTES], "big", signed=True)
        waiting = self.waiting
        while waiting and waiting[-1][0] <= now:
            start, gap, last, send = waiting.pop()
            phase = start % gap
            self.phases.setdefault(phase, []).append((last, send))
            self.expiry[phase] = min(last, self.expiry.get(phase, last))
        phase = now % self.gap
        running = self.phases.get(phase, [])
        reply = self.answers([send for _, send in running], message[CLOCK_BYTES:])
        if FINISHED in reply or self.expiry.get(phase, _NEVER) <= now:
            running[:] = [
                entry for entry, code in zip(running, reply) if code != FINISHED and entry[0] > now
            ]
            self.expiry[phase] = min((last for last, _ in running), default=_NEVER)
        return reply
