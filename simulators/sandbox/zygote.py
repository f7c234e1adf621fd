"""The zygote: one pre-loaded process per scenario family that forks a locked-down child per run.

Started by ``client.Zygote`` as ``python -m simulators.sandbox.zygote CTL_FD PLAYER SCRATCH
ISOLATE PARENT`` (PARENT > 0: die with that process), with an allow-listed environment. It imports numpy, common modules and
the family's player (``package.module:Class``) and enters its namespaces once; then each run
costs one ``fork`` instead of a fresh interpreter. It never loads a scenario or any data: a
child forked from it holds nothing but the candidate and what the parent's feed reveals over
the lockstep socket, whose other end goes to the parent (``SCM_RIGHTS``) when the child starts.

Requests and replies are frames on CTL_FD (see ``protocol``). The zygote is trusted code: it
reads the child's bytes only as bytes, enforces the wall clock and reaps the child. It exits
when the parent goes (a death signal when started from the parent's main thread, and end of
file on CTL_FD, watched while a child runs too), and its child goes with it.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import importlib
import os
import shutil
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from simulators.lockstep import Player, load_player
from simulators.sandbox.candidate import CANDIDATE_FILENAME, run_candidate
from simulators.sandbox.guard import hide_harness, install_guard
from simulators.sandbox.lockdown import die_with_parent, lock_child, make_scratch, prepare_zygote
from simulators.sandbox.protocol import MAX_REPORT_BYTES, encode_report, recv_frame, send_frame
from simulators.sandbox.runner import ParentGone, drain, kill_group
from simulators.sandbox.stream import Channel

#: Everything a candidate may import, loaded before the walls go up. Importing a package that
#: is not loaded yet lists its folder, which the guard refuses; numpy loads several of its own
#: submodules lazily (``np.unique`` imports ``numpy.ma`` on first use), so they are all here.
PRELOADED_MODULES = (
    "numpy",
    "numpy.random",
    "numpy.ma",
    "numpy.fft",
    "numpy.linalg",
    "numpy.polynomial",
    "numpy.strings",
    "numpy.char",
    "numpy.rec",
    "numpy.dtypes",
    "numpy.exceptions",
    "numpy.lib.stride_tricks",
    "math",
    "cmath",
    "random",
    "statistics",
    "collections",
    "collections.abc",
    "itertools",
    "functools",
    "heapq",
    "bisect",
    "dataclasses",
    "enum",
    "typing",
    "abc",
    "re",
    "json",
    "copy",
    "operator",
    "fractions",
    "decimal",
    "array",
    "string",
    "time",
    "datetime",
    "traceback",
    "numbers",
    "contextlib",
)
MAX_OUTPUT_BYTES = 64 * 1024
CHILD_CRASH_EXIT = 70


#: Descriptors of a child: 0 /dev/null, 1 and 2 its output pipe, 3 the report, 4 the lockstep.
REPORT_FD, STREAM_FD = 3, 4


def _place(targets: dict[int, int]) -> None:
    """dup2 each source onto its target without clobbering another source on the way."""
    high = {target: fcntl.fcntl(source, fcntl.F_DUPFD, 100) for target, source in targets.items()}
    for target, source in high.items():
        os.dup2(source, target)


def _child(
    walls: Any,
    player: type[Player],
    request: dict[str, Any],
    scratch: Path,
    fds: dict[int, int],
    zygote_pid: int,
) -> None:
    """Runs in the forked child; never returns."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if request.get("cpu") is not None:  # the CPU of the thread that feeds it (client.LANES)
        os.sched_setaffinity(0, {int(request["cpu"])})
    _place({0: os.open("/dev/null", os.O_RDONLY), **fds})
    os.closerange(STREAM_FD + 1, 1 << 16)  # the control channel and all else the zygote held
    arm, disarm = install_guard(REPORT_FD, CANDIDATE_FILENAME)
    lock_child(
        walls, scratch, float(request["cpu_s"]), int(request["memory_mb"]), die_with=zygote_pid
    )
    _harness = hide_harness()  # alive until the child exits (os._exit below)
    report = run_candidate(player, request["source"], Channel(STREAM_FD), arm, disarm)
    try:
        data = encode_report(report)
    except (TypeError, ValueError, RecursionError) as err:
        data = encode_report({"outcome": "invalid", "error": f"result is not plain JSON: {err}"})
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    view = memoryview(data)
    while view:
        view = view[os.write(REPORT_FD, view) :]
    os._exit(0)  # no interpreter teardown: candidate threads and atexit hooks never run


def _drain_child(
    pid: int, result_r: int, out_r: int, timeout_s: float, ctl: int
) -> tuple[dict[str, Any], bytes]:
    started = time.monotonic()
    buffers = {result_r: bytearray(), out_r: bytearray()}
    caps = {result_r: MAX_REPORT_BYTES + 1, out_r: MAX_OUTPUT_BYTES}
    try:
        timed_out, overflow = drain(buffers, caps, started + timeout_s, watch=ctl)
    except ParentGone:
        kill_group(pid)
        os._exit(0)  # the parent is gone: nobody waits for this run, and the child goes too
    kill_group(pid)  # whatever the candidate left behind goes with it
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - started
    output = bytes(buffers[out_r]).decode("utf-8", "replace")
    if out_r in overflow:
        output += "\n[output truncated]"
    return {
        "returncode": -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status),
        "timed_out": timed_out,
        "report_overflow": result_r in overflow,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "output": output,
    }, bytes(buffers[result_r])


def serve(ctl: int, player_ref: str, scratch_base: Path, isolate: bool) -> None:
    """Preload, lock the zygote's own namespaces, then fork one child per request."""
    for name in PRELOADED_MODULES:
        importlib.import_module(name)
    player = load_player(player_ref)
    ctl_socket = socket.socket(fileno=ctl)
    walls = prepare_zygote(scratch_base, isolate)
    # Move everything loaded so far out of the collector's reach: a child's garbage collection
    # then never touches (and copies) the zygote's pages.
    gc.collect()
    gc.freeze()
    send_frame(ctl, {"ready": True, "active": walls.active, "pid": os.getpid()})
    serial, zygote_pid = 0, os.getpid()
    while (frame := recv_frame(ctl)) is not None:
        request = frame[0]
        serial += 1
        scratch = make_scratch(walls, f"eval-{serial}")
        result_r, result_w = os.pipe()
        out_r, out_w = os.pipe()
        feed_end, player_end = socket.socketpair()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                fds = {1: out_w, 2: out_w, REPORT_FD: result_w, STREAM_FD: player_end.fileno()}
                _child(walls, player, request, scratch, fds, zygote_pid)
            finally:
                os._exit(CHILD_CRASH_EXIT)
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)  # also here: no window where a kill could miss the child
        os.close(result_w)
        os.close(out_w)
        player_end.close()
        send_frame(ctl, {"started": pid})
        socket.send_fds(ctl_socket, [b"S"], [feed_end.fileno()])  # the parent's end
        feed_end.close()
        reply, report = _drain_child(pid, result_r, out_r, float(request["timeout_s"]), ctl)
        os.close(result_r)
        os.close(out_r)
        shutil.rmtree(scratch, ignore_errors=True)
        send_frame(ctl, reply, report)


def main() -> None:
    ctl, player_ref, scratch_base, isolate, parent = sys.argv[1:6]
    if int(parent) > 0:
        die_with_parent(int(parent))
    try:
        serve(int(ctl), player_ref, Path(scratch_base), isolate == "1")
    except Exception as err:
        with contextlib.suppress(OSError):
            send_frame(int(ctl), {"ready": False, "error": f"{type(err).__name__}: {err}"})
        raise


if __name__ == "__main__":
    main()
