"""The ``[splits.*]`` tables of spot-multi: a period of time, region sets, and the job grid.

The multi-region windows all start at random instants of the same six weeks, so windows drawn at
random would overlap across splits (the leak of the published evaluator). A split here is a
*period*: it holds the windows whose whole horizon (start to the latest deadline) lies inside
it, so train, held-out and test never share an hour of trace.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulators.errors import ScenarioError
from simulators.spot_single.splits import zone_list
from simulators.spot_single.traces import TraceSet


class RegionSplit(BaseModel):
    """One split of spot-multi."""

    model_config = ConfigDict(extra="forbid")
    data: str  # .npz file relative to the scenario folder (time-aligned zones with prices)
    period: tuple[dt.date, dt.date]  # [first day, last day) in UTC
    region_sets: dict[str, list[str]] = Field(min_length=1)
    duration_h: float = Field(gt=0)
    deadlines_h: list[float] = Field(min_length=1)
    overheads_h: list[float] = Field(min_length=1)

    @field_validator("region_sets")
    @classmethod
    def _set_sizes(cls, sets: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, zones in sets.items():
            if not 2 <= len(zones) <= 26 or len(set(zones)) != len(zones):
                raise ValueError(f"set '{name}' needs 2 to 26 distinct zones")
        return sets

    @model_validator(mode="after")
    def _consistent(self) -> RegionSplit:
        if self.period[1] <= self.period[0]:
            raise ValueError("period must end after it starts")
        if min(self.deadlines_h) < self.duration_h or min(self.overheads_h) < 0:
            raise ValueError("deadlines must be >= duration_h and overheads >= 0")
        return self


def _epoch(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def windows_in_period(split: RegionSplit, traces: TraceSet) -> list[int]:
    """Windows whose horizon (start .. start + latest deadline) lies inside the period."""
    if traces.start_epoch is None:
        raise ScenarioError(f"field 'data': {split.data} has no window start times")
    first, end = _epoch(split.period[0]), _epoch(split.period[1])
    horizon = max(split.deadlines_h) * 3600
    starts = traces.start_epoch
    return sorted(
        int(w) for w in range(len(starts)) if first <= starts[w] and starts[w] + horizon <= end
    )


def check(name: str, split: RegionSplit, traces: TraceSet) -> None:
    """Zones exist, windows are long enough, and the period holds at least one window."""
    where = f"scenario.toml: field 'splits.{name}"
    for set_name, zones in split.region_sets.items():
        for zone in zones:
            if zone not in traces.zones:
                raise ScenarioError(
                    f"{where}.region_sets.{set_name}': unknown zone {zone} "
                    f"({split.data} has {zone_list(traces.zones)})"
                )
        need = -(-round(max(split.deadlines_h) * 3600) // traces.gap_s)
        if need > min(traces.ticks(z) for z in zones):
            raise ScenarioError(f"{where}.deadlines_h': longer than the traces")
    if not windows_in_period(split, traces):
        raise ScenarioError(f"{where}.period': no window lies wholly inside it")


def expand(split: RegionSplit, traces: TraceSet) -> list[dict[str, Any]]:
    """Workloads in a fixed order: region set, window, deadline, overhead."""
    out = []
    windows = windows_in_period(split, traces)
    for set_name, zones in split.region_sets.items():
        for window in windows:
            for deadline in split.deadlines_h:
                for overhead in split.overheads_h:
                    out.append(
                        {
                            "id": f"{set_name}/w{window}/dl{deadline:g}/o{overhead:g}",
                            "data": split.data,
                            "region_set": set_name,
                            "regions": list(zones),
                            "window": window,
                            "duration_h": split.duration_h,
                            "deadline_h": deadline,
                            "overhead_h": overhead,
                        }
                    )
    return out
