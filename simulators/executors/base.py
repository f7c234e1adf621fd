"""The executor interface and the one function every executor ends up calling: ``run_chunk``.

Whatever runs the chunk (a local thread waiting on a zygote, a Ray task on another machine),
the candidate meets the same sandbox: a fresh child per conflict-free batch, forked from a
zygote for the scenario's player, fed by this process in lockstep from the scenario's data.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulators.sandbox.client import POOL, ZygoteDied
from simulators.sandbox.outcome import ChildOutcome, classify, merge_raw, worst
from simulators.scenario import Limits, Scenario, load_spec

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


@lru_cache(maxsize=16)
def _engine(root: str, stamp: int) -> Any:
    return Scenario(Path(root), load_spec(Path(root))).engine


def engine_at(root: Path) -> Any:
    """The scenario family of a folder, loaded once per process (again if its file changed)."""
    return _engine(str(root), (Path(root) / "scenario.toml").stat().st_mtime_ns)


def run_chunk(
    root: Path, source: str, chunk: list[Workload], limits: SandboxLimits, isolate: bool = True
) -> ChildOutcome:
    """Run one chunk: each conflict-free batch in its own child, the union of their decisions.

    The first batch that does not end ``ok`` ends the chunk (its verdict is the chunk's).
    """
    engine = engine_at(root)
    outcomes = []
    for batch in engine.batches(chunk):
        outcome = run_batch(engine, source, batch, limits, isolate)
        outcomes.append(outcome)
        if outcome.status != "ok":
            return outcome
    if not outcomes:
        return ChildOutcome(status="ok", raw={})
    merged = worst(outcomes)
    merged.raw = merge_raw([o.raw or {} for o in outcomes])
    merged.output = "".join(o.output for o in outcomes)
    merged.wall_s = sum(o.wall_s for o in outcomes)
    merged.cpu_s = sum(o.cpu_s for o in outcomes)
    return merged


def run_batch(
    engine: Any, source: str, batch: list[Workload], limits: SandboxLimits, isolate: bool = True
) -> ChildOutcome:
    """One batch in a forked child of this process's zygote for the engine's player."""
    player = engine.player_ref()
    for attempt in range(2):  # a zygote that died between uses is replaced once
        feed = engine.feed(batch)
        zygote = POOL.acquire(player, isolate)
        try:
            child = zygote.run(
                source,
                feed,
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
        outcome = classify(child, limits.cpu_s)
        if outcome.status == "ok":
            outcome.raw = feed.decisions()
        return outcome
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

    def close(self) -> None:  # noqa: B027 - an optional hook: in-process executors hold nothing
        """Release workers (zygotes, Ray handles)."""
