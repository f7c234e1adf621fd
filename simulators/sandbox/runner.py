"""Helpers for the zygote's side of one run: drain a child's pipes under the wall clock, kill
its process group, and what the parent observed (``ChildExit``).

The child has its own process group so a timeout kills everything it started with one
``killpg``; a thread or asyncio timeout would leave the code running.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import time
from dataclasses import dataclass


@dataclass
class ChildExit:
    """What the parent observed: the report bytes, the captured output and how the child ended."""

    report: bytes
    output: str
    returncode: int | None  # negative: killed by that signal
    timed_out: bool
    report_overflow: bool
    wall_s: float
    cpu_s: float = 0.0
    refused: str | None = None  # the feed's objection to a reply (the run was cut there)
    completed: bool = True  # the feed revealed everything and had every reply


class ParentGone(Exception):
    """The watched control channel became readable mid-run: the parent closed it (it died)."""


def drain(
    fds: dict[int, bytearray], caps: dict[int, int], deadline: float, watch: int | None = None
) -> tuple[bool, set[int]]:
    """Read every fd until EOF or the deadline, keeping at most ``caps[fd]`` bytes of each.

    Returns (timed_out, fds that overflowed their cap). Output beyond the cap is read and
    dropped so a child flooding stdout cannot block on a full pipe or fill our memory.
    ``watch`` is a channel the other side never writes to during a run: readable means closed,
    and ``ParentGone`` is raised.
    """
    overflow: set[int] = set()
    with selectors.DefaultSelector() as sel:
        for fd in fds:
            os.set_blocking(fd, False)
            sel.register(fd, selectors.EVENT_READ)
        if watch is not None:
            sel.register(watch, selectors.EVENT_READ)
        open_fds = set(fds)
        while open_fds:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True, overflow
            for key, _ in sel.select(remaining):
                fd = key.fd
                if fd == watch:
                    raise ParentGone
                try:
                    chunk = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not chunk:
                    sel.unregister(fd)
                    open_fds.discard(fd)
                    continue
                room = caps[fd] - len(fds[fd])
                if room > 0:
                    fds[fd] += chunk[:room]
                if len(chunk) > room:
                    overflow.add(fd)
    return False, overflow


def kill_group(pgid: int) -> None:
    """SIGKILL a whole process group; it may already be gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
