"""Spot availability traces, packed in ``.npz`` files shipped with the scenarios.

Each file holds, per zone, the availability of every window as packed bits (True = spot
AVAILABLE; the original JSON traces say 1 for UNAVAILABLE, see ``PROVENANCE.md``), the tick
length, and for the multi-region set the per-tick spot price in units of 1e-4 $/h. Unpacking
1.3 M bits takes milliseconds, so the files load in the sandbox zygote before lockdown.

A workload may ask for a *perturbed* trace (``perturb_after``, ``perturb_seed``): availability
after that tick is replaced by seeded random bits. The causality check compares the decisions
up to that tick, which cannot legitimately differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TraceSet:
    """All windows of all zones of one packed file."""

    gap_s: int
    zones: tuple[str, ...]
    avail: dict[str, np.ndarray]  # zone -> bool[windows, ticks]
    spot_price: dict[str, np.ndarray]  # zone -> float[windows, ticks] in $/h (may be empty)
    start_epoch: np.ndarray | None = None  # UTC start of each window, when windows are aligned
    start_tick: dict[str, np.ndarray] | None = None  # zone -> first tick of each window

    def window_start_s(self, zone: str, window: int) -> int | None:
        """When the window starts on the series it was cut from, in seconds on one clock for
        every zone of the file, when the file says so to the tick (``start/<zone>``); None
        otherwise. ``start_epoch`` does not qualify: it is a timestamp, and windows whose
        timestamps put them on one tick grid can still be cut a tick apart (seen in the
        multi-region set: a shift of 687 ticks in the data where the timestamps say 688)."""
        if self.start_tick is not None and zone in self.start_tick:
            return int(self.start_tick[zone][window]) * self.gap_s
        return None

    def windows(self, zone: str) -> int:
        return self.avail[zone].shape[0]

    def ticks(self, zone: str) -> int:
        return self.avail[zone].shape[1]


@lru_cache(maxsize=8)
def load_traces(path: Path) -> TraceSet:
    """Load and unpack one ``.npz`` trace file (cached per process)."""
    with np.load(path) as packed:
        zones = tuple(str(z) for z in packed["zones"])
        avail = {}
        prices = {}
        for zone in zones:
            ticks = int(packed[f"ticks/{zone}"])
            bits = np.unpackbits(packed[f"avail/{zone}"], axis=1, count=ticks)
            avail[zone] = bits.astype(bool)
            key = f"price_e4/{zone}"
            if key in packed:
                prices[zone] = packed[key].astype(np.float64) / 10_000.0
        start = packed.get("start_epoch")
        ticks_at = {z: packed[f"start/{z}"] for z in zones if f"start/{z}" in packed}
        return TraceSet(int(packed["gap_seconds"]), zones, avail, prices, start, ticks_at or None)


def perturbed(avail: np.ndarray, after_tick: int, seed: int) -> np.ndarray:
    """A copy of ``avail`` whose ticks after ``after_tick`` are replaced by seeded random bits,
    or, with a negative ``seed``, mirrored (every later tick flipped): the strongest probe for
    a policy that reads ahead, since every future tick it could peek at is now different."""
    out = np.array(avail, dtype=bool, copy=True)
    start = after_tick + 1
    if start < out.shape[-1]:
        if seed < 0:
            out[..., start:] = ~out[..., start:]
        else:
            rng = np.random.default_rng(seed)
            out[..., start:] = rng.random(out[..., start:].shape) < 0.5
    return out


def workload_avail(traces: TraceSet, workload: dict[str, Any]) -> np.ndarray:
    """Availability of one workload's window (bool[ticks]), perturbed if the workload asks."""
    avail = traces.avail[workload["zone"]][workload["window"]]
    if "perturb_after" in workload:
        avail = perturbed(avail, int(workload["perturb_after"]), int(workload["perturb_seed"]))
    return avail
