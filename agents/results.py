"""What every agent returns: a value (or None) and the call records of every attempt."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass
class AgentResult(Generic[T]):
    """``value`` is None when the model gave nothing usable; ``error`` then says why."""

    value: T | None
    records: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    method: str | None = None  # the structured-output method that worked, if any
