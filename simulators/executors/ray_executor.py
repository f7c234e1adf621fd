"""``RayExecutor``: the same chunks as Ray tasks, for users who outgrow one machine.

Each task calls ``run_chunk`` in a Ray worker, so the candidate meets the very same sandbox
(a zygote per scenario folder in that worker, a forked locked-down child per chunk). The
scenario folder must be readable at the same path on every node. ``ray`` is an optional extra.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from simulators.errors import MissingExtra
from simulators.executors.base import Executor, SandboxLimits, Workload, run_chunk
from simulators.sandbox.outcome import ChildOutcome


def _task(
    root: str, source: str, chunk: list[Workload], limits: dict[str, Any], isolate: bool
) -> dict[str, Any]:
    outcome = run_chunk(Path(root), source, chunk, SandboxLimits(**limits), isolate)
    return asdict(outcome)


class RayExecutor(Executor):
    """Chunks as Ray tasks (one CPU each). Connects to ``address`` or starts a local Ray."""

    def __init__(
        self, address: str | None = None, workers: int | None = None, **init_kwargs: Any
    ) -> None:
        # Under `uv run`, Ray by default ships the working directory to every worker and runs
        # it with `uv run` there: a fresh virtualenv per worker. Workers share our interpreter
        # and installed packages instead (read when ray is first imported).
        os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
        try:
            import ray
        except ImportError:
            raise MissingExtra(
                "the Ray executor needs the 'ray' extra: uv sync --extra ray"
            ) from None
        self._ray = ray
        if not ray.is_initialized():
            ray.init(address=address, **init_kwargs)
        self.workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._remote = ray.remote(num_cpus=1)(_task)

    def run_chunks(
        self,
        root: Path,
        source: str,
        chunks: list[list[Workload]],
        limits: SandboxLimits,
        isolate: bool = True,
    ) -> list[ChildOutcome]:
        refs = [
            self._remote.remote(str(root), source, chunk, asdict(limits), isolate)
            for chunk in chunks
        ]
        return [ChildOutcome(**d) for d in self._ray.get(refs)]
