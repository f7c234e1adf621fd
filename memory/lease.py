"""One live process per session: a lease that the operating system releases when its holder dies.

Two processes driving one session would each run the same plans and evaluations and write two
stops, and a status column cannot say whether its writer still lives (``kill -9`` leaves
``running`` behind). So a process that drives a session first takes an exclusive ``flock`` on
``<workspace>/leases/session-<id>.lock``. The kernel drops the lock when the process exits in
any way, so a lease is never stale; the ``leases`` row beside it only says who holds it (pid,
host, start time, command) for the one-line refusal. A session whose status says it is running
while nobody holds its lease was interrupted, and shows as such.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from memory.base import StoreBase
from memory.records import Session
from memory.vocabulary import SessionStatus

#: Statuses that claim a live process; without a lease holder they mean "interrupted".
LIVE_STATUSES = (SessionStatus.RUNNING, SessionStatus.AWAITING_APPROVAL)

#: Lease files this process holds, with how many blocks hold each (re-entrancy).
_HELD: dict[str, int] = {}
_HELD_LOCK = threading.Lock()

#: How long taking a lease retries while another process only peeks at it (``holder``).
_PEEK_GRACE_S = 1.0


@dataclass(frozen=True)
class Holder:
    """The process that holds a session's lease."""

    pid: int
    host: str
    started_at: float
    command: str

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started_at))
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"process {self.pid}{where} (since {when}: {self.command or 'adrs'})"


class LeaseHeld(Exception):
    """Another live process drives this session."""

    def __init__(self, session_id: int, holder: Holder | None) -> None:
        self.session_id = session_id
        self.holder = holder
        super().__init__(
            f"session {session_id} is driven by "
            f"{holder.describe() if holder else 'another process'}"
        )


class LeaseMixin(StoreBase):
    """Take, inspect and release session leases."""

    def lease_file(self, session_id: int) -> Path:
        return self.path.parent / "leases" / f"session-{int(session_id)}.lock"

    @contextmanager
    def lease(self, session_id: int, command: str = "") -> Iterator[None]:
        """Hold the session's lease for the block, or raise ``LeaseHeld`` at once. Re-entrant
        within a process: the CLI holds it from start to summary, ``drive`` inside that."""
        path = self.lease_file(session_id)
        key = str(path.resolve())
        with _HELD_LOCK:
            if key in _HELD:
                _HELD[key] += 1
                nested = True
            else:
                nested = False
        if nested:
            try:
                yield
            finally:
                with _HELD_LOCK:
                    _HELD[key] -= 1
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if not _lock(fd, fcntl.LOCK_EX, patience_s=_PEEK_GRACE_S):
                raise LeaseHeld(session_id, self._recorded_holder(session_id))
            with _HELD_LOCK:
                _HELD[key] = 1
            try:
                with self._holding(session_id, command):
                    yield
            finally:
                with _HELD_LOCK:
                    del _HELD[key]
        finally:
            os.close(fd)  # releases the lock

    @contextmanager
    def _holding(self, session_id: int, command: str) -> Iterator[None]:
        """The ``leases`` row that names this process while it holds the lock."""
        mine = Holder(os.getpid(), socket.gethostname(), self.now(), command[:200])
        with self.write():
            self.conn.execute(
                "INSERT OR REPLACE INTO leases (session_id, pid, host, started_at, command) "
                "VALUES (?, ?, ?, ?, ?)",
                (session_id, mine.pid, mine.host, mine.started_at, mine.command),
            )
        try:
            yield
        finally:
            # Only a name tag: a row left behind (a full disk refuses this write) is ignored
            # once the lock is free, and must not replace the error that ended the block.
            with contextlib.suppress(sqlite3.Error, OSError), self.write():
                self.conn.execute(
                    "DELETE FROM leases WHERE session_id = ? AND pid = ?", (session_id, mine.pid)
                )

    def lease_holder(self, session_id: int) -> Holder | None:
        """The live process holding the session's lease, or None (nobody drives it now)."""
        path = self.lease_file(session_id)
        if not path.exists():
            return None
        fd = os.open(path, os.O_RDONLY)
        try:
            if _lock(fd, fcntl.LOCK_SH, patience_s=0.0):
                return None  # nobody holds it: any row left behind is from a dead process
        finally:
            os.close(fd)
        return self._recorded_holder(session_id) or Holder(0, "?", 0.0, "")

    def live_status(self, session: Session) -> SessionStatus:
        """The status to show: ``interrupted`` when the row says running but nothing runs it."""
        if session.status in LIVE_STATUSES and self.lease_holder(session.id) is None:
            return SessionStatus.INTERRUPTED
        return session.status

    def _recorded_holder(self, session_id: int) -> Holder | None:
        row = self._one(
            "SELECT pid, host, started_at, command FROM leases WHERE session_id = ?", (session_id,)
        )
        return (
            None
            if row is None
            else Holder(
                int(row["pid"]), str(row["host"]), float(row["started_at"]), str(row["command"])
            )
        )


def _lock(fd: int, kind: int, patience_s: float) -> bool:
    """Take ``kind`` (``LOCK_EX`` or ``LOCK_SH``) without blocking, retrying for a while: a
    peeking reader holds the shared lock for microseconds and must not make a start fail."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
