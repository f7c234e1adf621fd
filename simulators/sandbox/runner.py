"""Parent side of one sandboxed run: spawn the child, enforce the wall clock, read the report.

The child gets its own session (hence its own process group) so a timeout kills everything it
started with one ``killpg``; a thread or asyncio timeout would leave the code running.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulators.sandbox.protocol import MAX_REPORT_BYTES

MAX_OUTPUT_BYTES = 64 * 1024


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


def drain(
    fds: dict[int, bytearray], caps: dict[int, int], deadline: float
) -> tuple[bool, set[int]]:
    """Read every fd until EOF or the deadline, keeping at most ``caps[fd]`` bytes of each.

    Returns (timed_out, fds that overflowed their cap). Output beyond the cap is read and
    dropped so a child flooding stdout cannot block on a full pipe or fill our memory.
    """
    overflow: set[int] = set()
    with selectors.DefaultSelector() as sel:
        for fd in fds:
            os.set_blocking(fd, False)
            sel.register(fd, selectors.EVENT_READ)
        open_fds = set(fds)
        while open_fds:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True, overflow
            for key, _ in sel.select(remaining):
                fd = key.fd
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
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_plain_child(
    root: Path, source: str, workloads: list[dict[str, Any]], timeout_s: float
) -> ChildExit:
    """Run the candidate in a fresh interpreter in its own process group (no zygote, no limits)."""
    started = time.monotonic()
    result_r, result_w = os.pipe()
    out_r, out_w = os.pipe()
    request = json.dumps({"root": str(root), "source": source, "workloads": workloads}).encode()
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulators.sandbox.child", str(result_w)],
        stdin=subprocess.PIPE,
        stdout=out_w,
        stderr=out_w,
        pass_fds=(result_w,),
        start_new_session=True,
    )
    os.close(result_w)
    os.close(out_w)
    try:
        assert proc.stdin is not None
        proc.stdin.write(request)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    buffers = {result_r: bytearray(), out_r: bytearray()}
    caps = {result_r: MAX_REPORT_BYTES + 1, out_r: MAX_OUTPUT_BYTES}
    timed_out, overflow = drain(buffers, caps, started + timeout_s)
    kill_group(proc.pid)  # the report is in; nothing the candidate started may outlive it
    returncode = proc.wait()
    os.close(result_r)
    os.close(out_r)
    output = bytes(buffers[out_r]).decode("utf-8", "replace")
    if out_r in overflow:
        output += "\n[output truncated]"
    return ChildExit(
        report=bytes(buffers[result_r]),
        output=output,
        returncode=returncode,
        timed_out=timed_out,
        report_overflow=result_r in overflow,
        wall_s=time.monotonic() - started,
    )
