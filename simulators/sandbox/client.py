"""Parent side of the zygote: start it, drive one lockstep run at a time, survive its death.

``ZygotePool`` keeps idle zygotes per player (one per scenario family) so repeated runs in one
process (the research loop, an executor worker) pay the preload once. Thread-safe: a zygote
serves one run at a time, and a caller that finds none idle starts another.

A zygote starts from an allow-listed environment (``ZYGOTE_ENV`` plus ``PASSED_ENV``), never
from ours: API keys and tokens are simply not in the sandbox. It dies when we die (it watches
its control socket), and the scratch folders of dead owners are removed at the next start.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from simulators.lockstep import Feed
from simulators.sandbox.protocol import recv_frame, send_frame
from simulators.sandbox.runner import ChildExit, kill_group
from simulators.sandbox.stream import Channel, ChannelClosed
from simulators.violation import OutputViolation

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
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
}
#: The only variables of ours a zygote may see: where Python finds the project and its packages.
PASSED_ENV = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHASHSEED")
SCRATCH_PREFIX = "adrs-sandbox-"


def zygote_environment() -> dict[str, str]:
    """The allow-listed environment of a zygote (and so of every child it forks)."""
    passed = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    return {**ZYGOTE_ENV, **passed}


def sweep_scratch(base: Path | None = None) -> list[Path]:
    """Remove scratch folders whose owner process is gone (killed before it could clean up).

    Folders are named ``adrs-sandbox-<owner pid>-<random>``; a live owner's are left alone.
    """
    base = base or Path(tempfile.gettempdir())
    removed = []
    for path in base.glob(f"{SCRATCH_PREFIX}*"):
        owner = path.name[len(SCRATCH_PREFIX) :].split("-", 1)[0]
        if not owner.isdigit() or _alive(int(owner)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


class CpuLanes:
    """Which CPU each lockstep pair runs on: a driving thread and its child share one CPU.

    A round trip between processes on two CPUs costs a cross-CPU wake-up each way (measured on
    a 2-core VM: 50 us wall and 25 us of CPU per side); on one CPU it is a local switch (8 us
    and 4-5 us). Pairs are spread over the CPUs the calling thread may use, least busy first;
    a thread already confined to one CPU (an evaluation lane) is left as it is. The CPUs are
    read at each acquire, not at import: a lane pins itself after its imports.
    """

    def __init__(self) -> None:
        self._load: dict[int, int] = {}
        self._lock = threading.Lock()

    def acquire(self) -> int | None:
        try:
            cpus = os.sched_getaffinity(0)
        except (AttributeError, OSError):
            return None
        if len(cpus) < 2:
            return None
        with self._lock:
            cpu = min(cpus, key=lambda c: (self._load.get(c, 0), (c - os.getpid()) % len(cpus)))
            self._load[cpu] = self._load.get(cpu, 0) + 1
            return cpu

    def release(self, cpu: int | None) -> None:
        if cpu is not None:
            with self._lock:
                self._load[cpu] -= 1


LANES = CpuLanes()


@contextlib.contextmanager
def pinned(cpu: int | None) -> Iterator[None]:
    """Run the calling thread on ``cpu`` for the duration (nothing if None)."""
    if cpu is None:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


#: Where ``python -m simulators...`` finds the project when it is not installed.
_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])


class ZygoteDied(Exception):
    """The zygote itself failed; the message says how. ``mid_run`` when it died while a
    candidate was running (then the candidate may be the cause, and it is not retried)."""

    def __init__(self, message: str, mid_run: bool = False) -> None:
        super().__init__(message)
        self.mid_run = mid_run


class Zygote:
    """One zygote process for one player (scenario family)."""

    def __init__(self, player: str, isolate: bool = True) -> None:
        self.player = player
        self.isolate = isolate
        self.scratch_base = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        parent_end, child_end = socket.socketpair()
        self._sock = parent_end
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "simulators.sandbox.zygote",
                str(child_end.fileno()),
                player,
                str(self.scratch_base),
                "1" if isolate else "0",
                # A death signal follows the thread that forked: only the main thread is sure
                # to live as long as we do (lanes serve from it).
                str(os.getpid() if threading.current_thread() is threading.main_thread() else 0),
            ],
            pass_fds=(child_end.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env=zygote_environment(),
            cwd=_PROJECT_ROOT,
        )
        child_end.close()
        ready = self._recv(STARTUP_TIMEOUT_S)
        if ready is None or not ready[0].get("ready"):
            reason = (ready[0].get("error") if ready else None) or self._stderr_tail()
            self.close()
            raise ZygoteDied(f"sandbox failed to start for {player}: {reason}")
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
        feed: Feed,
        *,
        timeout_s: float,
        cpu_s: float,
        memory_mb: int,
    ) -> ChildExit:
        """One lockstep run in a fresh forked child, driven from here by ``feed``; the zygote
        enforces the wall clock. A reply the feed refuses ends the run (``violation_error``)."""
        started = time.monotonic()
        cpu = LANES.acquire()
        request = {
            "source": source,
            "timeout_s": timeout_s,
            "cpu_s": cpu_s,
            "memory_mb": memory_mb,
            "cpu": cpu,
        }
        try:
            try:
                send_frame(self._sock.fileno(), request)
            except OSError as err:
                raise ZygoteDied(f"sandbox zygote gone: {err}") from None
            began = self._recv(STARTUP_TIMEOUT_S)
            if began is None:
                raise ZygoteDied("sandbox zygote did not start the evaluation")
            child_pid = int(began[0]["started"])
            with pinned(cpu):
                refused, completed = self._drive(feed, child_pid)
        finally:
            LANES.release(cpu)
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
            refused=refused,
            completed=completed,
        )

    def _drive(self, feed: Feed, child_pid: int) -> tuple[str | None, bool]:
        """Reveal the feed's steps to the child, each after the reply to the one before.

        Returns the feed's objection to a reply (then the child is killed) or None, and whether
        the feed got to its end. A child that stops answering is the zygote's business: it
        kills it at the wall clock, and the end of file ends this loop.
        """
        try:
            _, fds, _, _ = socket.recv_fds(self._sock, 1, 1)
        except OSError as err:
            raise ZygoteDied(f"sandbox zygote did not hand over the run: {err}") from None
        if not fds:
            raise ZygoteDied("sandbox zygote did not hand over the run")
        channel = Channel(fds[0])
        try:
            channel.send(feed.opening())
            message = feed.advance(_reply(channel))
            while message is not None:
                channel.send(message)
                message = feed.advance(_reply(channel))
            channel.send_end()
        except (ChannelClosed, OSError):
            return None, False  # the child ended early: its report says why
        except OutputViolation as err:
            kill_group(child_pid)
            return str(err), False
        finally:
            os.close(fds[0])
        return None, True

    def close(self) -> None:
        """Stop the zygote (its private tmpfs goes with its mount namespace)."""
        with contextlib.suppress(OSError):
            self._sock.close()
        if self.proc.poll() is None:
            kill_group(self.proc.pid)
        self.proc.wait()
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        shutil.rmtree(self.scratch_base, ignore_errors=True)


def _reply(channel: Channel) -> bytes:
    reply = channel.recv()
    if reply is None:
        raise OutputViolation("the player sent an end-of-run mark instead of a reply")
    return reply


class ZygotePool:
    """Idle zygotes per (player, isolation); created on demand, closed at exit."""

    def __init__(self) -> None:
        self._idle: dict[tuple[str, bool], list[Zygote]] = {}
        self._all: list[Zygote] = []
        self._lock = threading.Lock()
        self._swept = False

    def acquire(self, player: str, isolate: bool = True) -> Zygote:
        key = (player, isolate)
        with self._lock:
            idle = self._idle.setdefault(key, [])
            while idle:
                zygote = idle.pop()
                if zygote.alive():
                    return zygote
            if not self._swept:
                self._swept = True
                sweep_scratch()
        zygote = Zygote(player, isolate)
        with self._lock:
            self._all.append(zygote)
        return zygote

    def release(self, zygote: Zygote) -> None:
        with self._lock:
            if zygote.alive():
                self._idle.setdefault((zygote.player, zygote.isolate), []).append(zygote)

    def close_all(self) -> None:
        with self._lock:
            zygotes, self._all, self._idle = self._all, [], {}
        for zygote in zygotes:
            zygote.close()


POOL = ZygotePool()
atexit.register(POOL.close_all)
