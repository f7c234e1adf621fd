"""The ``[splits.*]`` tables of a spot scenario: which traces and which job grid make a split.

A split is the product zones x windows x deadlines x overheads for one job duration. Windows are
given as ``first``, ``last`` (inclusive) and ``step``, so the scenario file reads like the issue
("windows 0, 10, ..., 290"). Validation errors name the field in one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulators.errors import ScenarioError
from simulators.scenario import split_params

#: Highest window index a split may name. Trace files hold hundreds of windows; a bound far
#: above that still refuses a typo like ``last = 10**14`` before ``values()`` allocates it.
MAX_WINDOW = 1_000_000


class WindowRange(BaseModel):
    """Windows ``first, first + step, ..., last`` (inclusive)."""

    model_config = ConfigDict(extra="forbid")
    first: int = Field(ge=0, le=MAX_WINDOW)
    last: int = Field(ge=0, le=MAX_WINDOW)
    step: int = Field(1, gt=0, le=MAX_WINDOW)

    @model_validator(mode="after")
    def _ordered(self) -> WindowRange:
        if self.last < self.first:
            raise ValueError("last must be >= first")
        return self

    def values(self) -> list[int]:
        return list(range(self.first, self.last + 1, self.step))


class SpotSplit(BaseModel):
    """One split of spot-single: traces (``data`` file, ``zones``, ``windows``) and the job grid."""

    model_config = ConfigDict(extra="forbid")
    data: str  # .npz file, relative to the scenario folder
    zones: list[str] = Field(min_length=1)
    windows: WindowRange
    duration_h: float = Field(gt=0)
    deadlines_h: list[float] = Field(min_length=1)
    overheads_h: list[float] = Field(min_length=1)

    @model_validator(mode="after")
    def _deadlines_after_duration(self) -> SpotSplit:
        if min(self.deadlines_h) < self.duration_h:
            raise ValueError("every deadline must be >= duration_h")
        if min(self.overheads_h) < 0:
            raise ValueError("overheads must be >= 0")
        return self


def whole_seconds(hours: float, field: str) -> int:
    """Hours to integer seconds; the tick model is exact only on whole seconds."""
    seconds = round(hours * 3600)
    if abs(seconds - hours * 3600) > 1e-6:
        raise ScenarioError(f"field '{field}': {hours} h is not a whole number of seconds")
    return seconds


def parse_split(name: str, raw: dict[str, Any], model: type[BaseModel] = SpotSplit) -> Any:
    """Validate one split table; a bad field raises ``ScenarioError`` naming it."""
    return split_params(name, raw, model)


def check_traces(name: str, split: SpotSplit, root: Path, traces: Any) -> None:
    """Every zone and window exists and every window is long enough for the longest deadline."""
    for zone in split.zones:
        if zone not in traces.zones:
            raise ScenarioError(
                f"scenario.toml: field 'splits.{name}.zones': unknown zone {zone} "
                f"({split.data} has {zone_list(traces.zones)})"
            )
        if split.windows.last >= traces.windows(zone):
            raise ScenarioError(
                f"scenario.toml: field 'splits.{name}.windows': {zone} has "
                f"{traces.windows(zone)} windows"
            )
        need = -(-whole_seconds(max(split.deadlines_h), "deadlines_h") // traces.gap_s)
        if need > traces.ticks(zone):
            raise ScenarioError(
                f"scenario.toml: field 'splits.{name}.deadlines_h': traces of {zone} cover "
                f"{traces.ticks(zone) * traces.gap_s / 3600:g} h"
            )


def zone_list(zones: tuple[str, ...], shown: int = 12) -> str:
    """The zones a trace file has, for an error that names one it lacks."""
    more = f" and {len(zones) - shown} more" if len(zones) > shown else ""
    return ", ".join(zones[:shown]) + more


def expand(split: SpotSplit) -> list[dict[str, Any]]:
    """The workloads of a split in a fixed order (zone, window, deadline, overhead)."""
    workloads = []
    for zone in split.zones:
        for window in split.windows.values():
            for deadline in split.deadlines_h:
                for overhead in split.overheads_h:
                    workloads.append(
                        {
                            "id": f"{zone}/w{window}/dl{deadline:g}/o{overhead:g}",
                            "data": split.data,
                            "zone": zone,
                            "window": window,
                            "duration_h": split.duration_h,
                            "deadline_h": deadline,
                            "overhead_h": overhead,
                        }
                    )
    return workloads
