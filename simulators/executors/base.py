"""The executor interface and the one function every executor ends up calling: ``run_chunk``.

Whatever runs the chunk (a local thread waiting on a zygote, a Ray task on another machine),
the candidate meets the same sandbox: a child forked from a zygote for that scenario folder.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulators.sandbox.client import POOL, ZygoteDied
from simulators.sandbox.outcome import ChildOutcome, classify
from simulators.scenario import Limits

Workload = dict[str, Any]


@dataclass(frozen=True)
class SandboxLimits:
    """Budget of one child: wall clock, CPU seconds, address space."""

    timeout_s: float
    cpu_s: float
    memory_mb: int

    @classmethod
    def from_spec(cls, limits: Limits, timeout_s: float | None = None) -> SandboxLimits:
        wall = timeout_s if timeout_s is not None else limits.timeout_s
        return cls(timeout_s=wall, cpu_s=min(limits.cpu_s, wall), memory_mb=limits.memory_mb)


def chunked(workloads: list[Workload], parts: int) -> list[list[Workload]]:
    """Split into at most ``parts`` contiguous, nearly equal chunks (order kept)."""
    parts = max(1, min(parts, len(workloads)))
    size, extra = divmod(len(workloads), parts)
    chunks, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        chunks.append(workloads[start:end])
        start = end
    return [c for c in chunks if c] or [[]]


def run_chunk(
    root: Path, source: str, chunk: list[Workload], limits: SandboxLimits, isolate: bool = True
) -> ChildOutcome:
    """Run one chunk in a forked child of this process's zygote for ``root``."""
    for attempt in range(2):  # a zygote that died between uses is replaced once
        zygote = POOL.acquire(root, isolate)
        try:
            child = zygote.run(
                source,
                chunk,
                timeout_s=limits.timeout_s,
                cpu_s=limits.cpu_s,
                memory_mb=limits.memory_mb,
            )
        except ZygoteDied as err:
            if attempt or err.mid_run:
                return ChildOutcome(status="error", error=f"sandbox failure: {err}")
            continue
        finally:
            POOL.release(zygote)
        return classify(child, limits.cpu_s)
    raise AssertionError("unreachable")


class Executor(ABC):
    """Runs chunks of workloads in sandboxes, ``workers`` at a time."""

    workers: int = 1

    @abstractmethod
    def run_chunks(
        self,
        root: Path,
        source: str,
        chunks: list[list[Workload]],
        limits: SandboxLimits,
        isolate: bool = True,
    ) -> list[ChildOutcome]:
        """One outcome per chunk, in chunk order."""

    def close(self) -> None:
        """Release workers (zygotes, Ray handles)."""
