"""The trusted half of a spot-multi run: spot-single's instant-by-instant feed with a row per
tick that holds every region's availability and spot price.

A row is ``width`` availability bytes then ``width`` little-endian float64 prices, ``width``
being the most regions of any workload in the batch (a workload with fewer regions leaves the
rest zero). Actions are '.', 'a' + r (spot in region r) or 'A' + r (on-demand in r).
"""

from __future__ import annotations

import numpy as np

from simulators.spot_multi.interface import RegionJob
from simulators.spot_multi.simulate import IDLE_BYTE
from simulators.spot_single.feed import TickFeed
from simulators.spot_single.simulate import TickedJob, tick_count


class RegionFeed(TickFeed):
    """Feed of a batch of multi-region jobs (see the module docstring for a row's layout)."""

    def __init__(
        self,
        ids: list[str],
        jobs: list[RegionJob],
        matrices: list[tuple[np.ndarray, np.ndarray]],
        starts: list[int],
    ) -> None:
        width = max((len(job.regions) for job in jobs), default=0)
        ticks = max((tick_count(job) for job in jobs), default=0)
        rows = np.zeros((len(ids), ticks, 9 * width), dtype=np.uint8)
        for i, (job, (avail, price)) in enumerate(zip(jobs, matrices, strict=True)):
            n, regions = min(tick_count(job), avail.shape[1]), avail.shape[0]
            rows[i, :n, :regions] = avail[:, :n].T
            prices = np.zeros((n, width), dtype="<f8")
            prices[:, :regions] = price[:, :n].T
            rows[i, :n, width:] = prices.view(np.uint8).reshape(n, 8 * width)
        super().__init__(ids, jobs, rows, starts)

    def actions_of(self, job: TickedJob) -> bytes:
        assert isinstance(job, RegionJob)  # this feed is only ever built of region jobs
        regions = range(len(job.regions))
        return bytes([IDLE_BYTE, *(97 + r for r in regions), *(65 + r for r in regions)])
