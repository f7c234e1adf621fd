"""Parent side of the zygote: start it, send one evaluation at a time, survive its death.

``ZygotePool`` keeps idle zygotes per scenario folder so repeated evaluations in one process
(the research loop, an executor worker) pay the preload once. Thread-safe: a zygote serves one
evaluation at a time, and a caller that finds none idle starts another.
"""

from __future__ import annotations

import atexit
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from simulators.sandbox.protocol import recv_frame, send_frame
from simulators.sandbox.runner import ChildExit, kill_group

#: Extra seconds the parent waits beyond the child's own timeout before declaring the zygote hung.
ZYGOTE_GRACE_S = 10.0
STARTUP_TIMEOUT_S = 120.0
#: Single-threaded numeric libraries: a forked child inherits no thread pools, and one
#: evaluation uses one core (parallelism comes from the executor, not from BLAS).
ZYGOTE_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}


class ZygoteDied(Exception):
    """The zygote itself failed; the message says how. ``mid_run`` when it died while a
    candidate was running (then the candidate may be the cause, and it is not retried)."""

    def __init__(self, message: str, mid_run: bool = False) -> None:
        super().__init__(message)
        self.mid_run = mid_run


class Zygote:
    """One zygote process for one scenario folder."""

    def __init__(self, root: Path, isolate: bool = True) -> None:
        self.root = root
        self.isolate = isolate
        self.scratch_base = Path(tempfile.mkdtemp(prefix="adrs-sandbox-"))
        parent_end, child_end = socket.socketpair()
        self._sock = parent_end
        env = {**os.environ, **ZYGOTE_ENV}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simulators.sandbox.zygote",
                str(child_end.fileno()),
                str(root),
                str(self.scratch_base),
                "1" if isolate else "0",
            ],
            pass_fds=(child_end.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env=env,
        )
        child_end.close()
        ready = self._recv(STARTUP_TIMEOUT_S)
        if ready is None or not ready[0].get("ready"):
            reason = (ready[0].get("error") if ready else None) or self._stderr_tail()
            self.close()
            raise ZygoteDied(f"sandbox failed to start for {root}: {reason}")
        self.active: list[str] = ready[0]["active"]

    def _stderr_tail(self) -> str:
        try:
            self.proc.wait(timeout=5)
            assert self.proc.stderr is not None
            return self.proc.stderr.read().decode(errors="replace").strip().splitlines()[-1]
        except (subprocess.TimeoutExpired, IndexError, AssertionError):
            return "no reply"

    def _recv(self, timeout_s: float) -> tuple[dict[str, Any], bytes] | None:
        # Wait for the frame to begin; the rest of a frame follows at once.
        ready, _, _ = select.select([self._sock], [], [], timeout_s)
        if not ready:
            return None
        try:
            return recv_frame(self._sock.fileno())
        except (OSError, ValueError):
            return None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def run(
        self,
        source: str,
        workloads: list[dict[str, Any]],
        *,
        timeout_s: float,
        cpu_s: float,
        memory_mb: int,
    ) -> ChildExit:
        """One evaluation in a fresh forked child; the zygote enforces the wall clock."""
        started = time.monotonic()
        request = {
            "source": source,
            "workloads": workloads,
            "timeout_s": timeout_s,
            "cpu_s": cpu_s,
            "memory_mb": memory_mb,
        }
        try:
            send_frame(self._sock.fileno(), request)
        except OSError as err:
            raise ZygoteDied(f"sandbox zygote gone: {err}") from None
        began = self._recv(STARTUP_TIMEOUT_S)
        if began is None:
            raise ZygoteDied("sandbox zygote did not start the evaluation")
        child_pid = int(began[0]["started"])
        done = self._recv(timeout_s + ZYGOTE_GRACE_S)
        if done is None:
            kill_group(child_pid)
            self.close()
            raise ZygoteDied(
                "sandbox zygote died or stopped answering during the run", mid_run=True
            )
        reply, report = done
        return ChildExit(
            report=report,
            output=reply["output"],
            returncode=reply["returncode"],
            timed_out=reply["timed_out"],
            report_overflow=reply["report_overflow"],
            wall_s=time.monotonic() - started,
            cpu_s=reply["cpu_s"],
        )

    def close(self) -> None:
        """Stop the zygote (its private tmpfs goes with its mount namespace)."""
        try:
            self._sock.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            kill_group(self.proc.pid)
        self.proc.wait()
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        shutil.rmtree(self.scratch_base, ignore_errors=True)


class ZygotePool:
    """Idle zygotes per (scenario folder, isolation); created on demand, closed at exit."""

    def __init__(self) -> None:
        self._idle: dict[tuple[str, bool], list[Zygote]] = {}
        self._all: list[Zygote] = []
        self._lock = threading.Lock()

    def acquire(self, root: Path, isolate: bool = True) -> Zygote:
        key = (str(root), isolate)
        with self._lock:
            idle = self._idle.setdefault(key, [])
            while idle:
                zygote = idle.pop()
                if zygote.alive():
                    return zygote
        zygote = Zygote(root, isolate)
        with self._lock:
            self._all.append(zygote)
        return zygote

    def release(self, zygote: Zygote) -> None:
        with self._lock:
            if zygote.alive():
                self._idle.setdefault((str(zygote.root), zygote.isolate), []).append(zygote)

    def close_all(self) -> None:
        with self._lock:
            zygotes, self._all, self._idle = self._all, [], {}
        for zygote in zygotes:
            zygote.close()


POOL = ZygotePool()
atexit.register(POOL.close_all)
