"""Configuration and result types of the program database (see ``memory.program_db``).

Kept apart so scenarios and the graph can declare behaviour descriptors and read choices
without pulling in the database code.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Descriptor:
    """One behaviour axis: values in [low, high] are cut into ``bins`` equal bins (clamped)."""

    name: str
    low: float
    high: float
    bins: int = 10

    def bin_of(self, value: float) -> int:
        """The bin index of ``value``; out-of-range values go to the edge bins."""
        if self.high <= self.low or not math.isfinite(value):
            return 0
        position = (value - self.low) / (self.high - self.low)
        return min(self.bins - 1, max(0, int(position * self.bins)))


@dataclass(frozen=True)
class ProgramDbConfig:
    """Shape and policy of the database. ``direction`` is the scenario objective's ("min" when
    lower scores are better); the exploitation/exploration ratios leave the rest to random."""

    descriptors: tuple[Descriptor, ...] = ()
    num_islands: int = 4
    direction: str = "max"
    exploitation: float = 0.7
    exploration: float = 0.2
    elite_pool: int = 5
    num_inspirations: int = 3
    migration_interval: int = 10
    migration_count: int = 2

    def __post_init__(self) -> None:
        # Accept lists and dicts too, so a config rebuilt on resume compares equal to the stored.
        descriptors = tuple(
            d if isinstance(d, Descriptor) else Descriptor(**d) for d in self.descriptors
        )
        object.__setattr__(self, "descriptors", descriptors)
        if self.direction not in ("min", "max"):
            raise ValueError(f"direction must be 'min' or 'max', not {self.direction!r}")
        if self.num_islands < 1:
            raise ValueError("num_islands must be at least 1")
        if not 0 <= self.exploitation + self.exploration <= 1:
            raise ValueError("exploitation + exploration must lie in [0, 1]")

    def to_json(self) -> str:
        """The config as stored in ``program_db_state``."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProgramDbConfig:
        """Inverse of ``asdict``/``to_json`` (descriptors given as dicts)."""
        return cls(**data)


@dataclass(frozen=True)
class Placement:
    """Where ``place`` put a program: its cell, and whether it became that niche's elite."""

    cell: str
    island: int
    placed: bool
    displaced_program_id: int | None = None


@dataclass(frozen=True)
class ParentChoice:
    """A parent for one hypothesis, how it was picked, and inspirations to show the coder."""

    program_id: int
    island: int
    mode: str  # exploit | explore | random | fallback
    inspirations: list[int] = field(default_factory=list)
