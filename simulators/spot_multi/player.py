"""The sandboxed half of a spot-multi run: spot-single's player with region rows.

Imported by the sandbox zygote: it imports the interface and the live loop only, no data.
Each tick's row (``feed.py``) becomes the two tuples a ``RegionObservation`` shows.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from simulators.spot_multi.interface import RegionJob
from simulators.spot_multi.simulate import live_run
from simulators.spot_single.player import SpotPlayer


class RegionPlayer(SpotPlayer):
    """Builds ``Policy(job)`` per job; each tick unpacks its row into (availability, prices)."""

    def make_job(self, fields: dict[str, Any]) -> RegionJob:
        return RegionJob(**{**fields, "regions": tuple(fields["regions"])})

    def live(self, decide: Any, job: RegionJob, label: str) -> Callable[[bytes, int], int]:
        """The primed live loop of one job, fed a tick's row at ``offset`` of a payload."""
        width = self.row_bytes // 9
        regions = len(job.regions)
        unpack = struct.Struct(f"<{regions}?{width - regions}x{regions}d").unpack_from
        run = live_run(decide, job, label)
        next(run)
        send = run.send

        def tick(payload: bytes, offset: int) -> int:
            values = unpack(payload, offset)
            return send((values[:regions], values[regions:]))

        return tick

    def answers(self, sends: list[Any], payload: bytes) -> bytes:
        size = self.row_bytes
        return bytes([tick(payload, k * size) for k, tick in enumerate(sends)])
