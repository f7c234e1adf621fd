"""``LocalExecutor``: chunks run in parallel on this machine, in lane processes, one per core.

A lockstep run is a conversation: the trusted feed sends a step, the sandboxed child answers,
thousands of times per split. Each lane is a process of its own (``lane.py``), pinned to one
CPU together with the children it feeds (``client.LANES``), so a round trip is a switch on one
CPU, not a wake-up across CPUs, and no lane waits for another's turn at the GIL. Measured on
a 2-core VM: a round trip costs 50 us between CPUs and 8 us on one; two driving threads in one
process gave most of that gain back to GIL hand-offs. Lanes start on first use and live as
long as the executor; each dies with its parent, and its zygotes with it.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import socket
import subprocess
import sys
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from simulators.executors.base import Executor, SandboxLimits, Workload
from simulators.sandbox.client import _PROJECT_ROOT
from simulators.sandbox.outcome import ChildOutcome
from simulators.sandbox.protocol import BadReport, recv_frame, send_frame


class LaneDied(Exception):
    """A lane process ended or answered nonsense; the message says how."""


class Lane:
    """One lane process and our end of its socket."""

    def __init__(self, cpu: int) -> None:
        self.cpu = cpu
        ours, theirs = socket.socketpair()
        self._sock = ours
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simulators.executors.lane",
                str(theirs.fileno()),
                str(cpu),
                str(os.getpid()),
            ],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches the session, which ends the lanes itself
            cwd=_PROJECT_ROOT,
        )
        theirs.close()
        if self._recv() is None:
            self.close()
            raise LaneDied("an evaluation lane failed to start")

    def _recv(self) -> tuple[dict, bytes] | None:
        try:
            return recv_frame(self._sock.fileno())
        except (OSError, ValueError, BadReport):
            return None

    def call(
        self, root: Path, source: str, chunk: list[Workload], limits: SandboxLimits, isolate: bool
    ) -> ChildOutcome:
        try:
            send_frame(
                self._sock.fileno(), {}, pickle.dumps((root, source, chunk, limits, isolate))
            )
        except OSError as err:
            raise LaneDied(f"evaluation lane gone: {err}") from None
        reply = self._recv()
        if reply is None:
            raise LaneDied("evaluation lane died during a run")
        header, blob = reply
        if "error" in header:
            raise LaneDied(f"evaluation lane failed: {header['error']}")
        outcome = pickle.loads(blob)
        assert isinstance(outcome, ChildOutcome)
        return outcome

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class LocalExecutor(Executor):
    """Process-level parallelism bounded by ``workers`` (default: the cores we may use)."""

    def __init__(self, workers: int | None = None) -> None:
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        self.workers = max(1, workers or len(cpus) or os.cpu_count() or 1)
        self._cpus = cpus if len(cpus) > 1 else [-1]
        self._idle: queue.Queue[Lane | int] = queue.Queue()
        for index in range(self.workers):  # a lane slot: a started Lane, or its CPU until used
            self._idle.put(self._cpus[index % len(self._cpus)])
        self._lanes: list[Lane] = []
        self._lock = threading.Lock()
        self._threads = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="adrs-lane")
        weakref.finalize(self, _close_lanes, self._lanes)  # an executor dropped unclosed

    def _run(
        self, root: Path, source: str, chunk: list[Workload], limits: SandboxLimits, isolate: bool
    ) -> ChildOutcome:
        slot = self._idle.get()
        try:
            if not isinstance(slot, Lane) or not slot.alive():
                slot = Lane(slot if isinstance(slot, int) else slot.cpu)
                with self._lock:
                    self._lanes.append(slot)
            return slot.call(root, source, chunk, limits, isolate)
        except LaneDied as err:
            # A lane whose reply never came (or came too large to take) may still run, out of
            # step with its socket: every later call on it would fail too. Start afresh.
            if isinstance(slot, Lane):
                slot.proc.kill()
                slot.close()
                slot = slot.cpu
            return ChildOutcome(status="error", error=f"sandbox failure: {err}")
        finally:
            self._idle.put(slot)

    def run_chunks(
        self,
        root: Path,
        source: str,
        chunks: list[list[Workload]],
        limits: SandboxLimits,
        isolate: bool = True,
    ) -> list[ChildOutcome]:
        futures = [
            self._threads.submit(self._run, root, source, chunk, limits, isolate)
            for chunk in chunks
        ]
        return [f.result() for f in futures]

    def close(self) -> None:
        self._threads.shutdown(wait=True)
        with self._lock:
            _close_lanes(self._lanes)


def _close_lanes(lanes: list[Lane]) -> None:
    while lanes:
        lanes.pop().close()


_default: LocalExecutor | None = None
_default_lock = threading.Lock()


def default_executor() -> LocalExecutor:
    """The process-wide executor ``evaluate`` uses when none is given."""
    global _default
    with _default_lock:
        if _default is None:
            _default = LocalExecutor()
        return _default
