"""The zygote: one pre-loaded process per scenario that forks a locked-down child per evaluation.

Started by ``client.Zygote`` as ``python -m simulators.sandbox.zygote CTL_FD ROOT SCRATCH ISOLATE``.
It imports numpy and common modules, loads the scenario's data (``engine.preload``) and enters
its namespaces once; then each evaluation costs one ``fork`` instead of a fresh interpreter.
Requests and replies are frames on CTL_FD (see ``protocol``). The zygote is trusted code: it
reads the child's bytes only as bytes, enforces the wall clock and reaps the child.
"""

from __future__ import annotations

import gc
import importlib
import os
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

from simulators.sandbox.candidate import CANDIDATE_FILENAME, run_candidate
from simulators.sandbox.guard import install_guard
from simulators.sandbox.lockdown import lock_child, make_scratch, prepare_zygote
from simulators.sandbox.protocol import MAX_REPORT_BYTES, encode_report, recv_frame, send_frame
from simulators.sandbox.runner import drain, kill_group
from simulators.scenario import load_scenario

PRELOADED_MODULES = (
    "numpy",
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


def _child(
    walls: Any,
    engine: Any,
    request: dict[str, Any],
    scratch: Path,
    result_w: int,
    out_w: int,
    zygote_pid: int,
) -> None:
    """Runs in the forked child; never returns."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    os.dup2(result_w, 3)
    os.closerange(4, 1 << 16)  # the control channel and everything else the zygote held
    arm, disarm = install_guard(3, CANDIDATE_FILENAME)
    lock_child(
        walls, scratch, float(request["cpu_s"]), int(request["memory_mb"]), die_with=zygote_pid
    )
    report = run_candidate(engine, request["source"], request["workloads"], arm, disarm)
    try:
        data = encode_report(report)
    except (TypeError, ValueError, RecursionError) as err:
        data = encode_report({"outcome": "invalid", "error": f"result is not plain JSON: {err}"})
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    view = memoryview(data)
    while view:
        view = view[os.write(3, view) :]
    os._exit(0)  # no interpreter teardown: candidate threads and atexit hooks never run


def _drain_child(pid: int, result_r: int, out_r: int, timeout_s: float) -> dict[str, Any]:
    started = time.monotonic()
    buffers = {result_r: bytearray(), out_r: bytearray()}
    caps = {result_r: MAX_REPORT_BYTES + 1, out_r: MAX_OUTPUT_BYTES}
    timed_out, overflow = drain(buffers, caps, started + timeout_s)
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


def serve(ctl: int, root: str, scratch_base: Path, isolate: bool) -> None:
    """Preload, lock the zygote's own namespaces, then fork one child per request."""
    for name in PRELOADED_MODULES:
        importlib.import_module(name)
    scenario = load_scenario(root)
    scenario.engine.preload()
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
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                _child(walls, scenario.engine, request, scratch, result_w, out_w, zygote_pid)
            finally:
                os._exit(CHILD_CRASH_EXIT)
        try:
            os.setpgid(pid, pid)  # also here: no window where a kill could miss the child
        except OSError:
            pass
        os.close(result_w)
        os.close(out_w)
        send_frame(ctl, {"started": pid})
        reply, report = _drain_child(pid, result_r, out_r, float(request["timeout_s"]))
        os.close(result_r)
        os.close(out_r)
        shutil.rmtree(scratch, ignore_errors=True)
        send_frame(ctl, reply, report)


def main() -> None:
    ctl, root, scratch_base, isolate = sys.argv[1:5]
    try:
        serve(int(ctl), root, Path(scratch_base), isolate == "1")
    except Exception as err:
        try:
            send_frame(int(ctl), {"ready": False, "error": f"{type(err).__name__}: {err}"})
        except OSError:
            pass
        raise


if __name__ == "__main__":
    main()
