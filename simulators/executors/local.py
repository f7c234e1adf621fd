"""``LocalExecutor``: chunks run in parallel on this machine, at most one per core.

The parallel workers are processes (one zygote each, from the shared pool, each forking one
sandboxed child per chunk); the threads here only wait on their sockets, so the GIL is no limit.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from simulators.executors.base import Executor, SandboxLimits, Workload, run_chunk
from simulators.sandbox.outcome import ChildOutcome


class LocalExecutor(Executor):
    """Process-level parallelism bounded by ``workers`` (default: the machine's cores)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._threads = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="adrs-eval")

    def run_chunks(
        self,
        root: Path,
        source: str,
        chunks: list[list[Workload]],
        limits: SandboxLimits,
        isolate: bool = True,
    ) -> list[ChildOutcome]:
        if len(chunks) == 1:
            return [run_chunk(root, source, chunks[0], limits, isolate)]
        futures = [
            self._threads.submit(run_chunk, root, source, chunk, limits, isolate)
            for chunk in chunks
        ]
        return [f.result() for f in futures]

    def close(self) -> None:
        self._threads.shutdown(wait=True)


_default: LocalExecutor | None = None
_default_lock = threading.Lock()


def default_executor() -> LocalExecutor:
    """The process-wide executor ``evaluate`` uses when none is given."""
    global _default
    with _default_lock:
        if _default is None:
            _default = LocalExecutor()
        return _default
