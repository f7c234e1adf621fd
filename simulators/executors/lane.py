"""A lane process: runs chunks for ``LocalExecutor``, pinned to one CPU with its children.

Started as ``python -m simulators.executors.lane FD CPU PARENT_PID``. Requests and replies are pickled
frames on FD (both ends are trusted code of ours; candidate bytes never travel here unparsed:
``run_chunk`` returns a classified ``ChildOutcome``). The lane leaves when its parent does:
a death signal from the kernel, end of file on FD while idle, a changed parent pid while busy.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
import time

from simulators.sandbox.lockdown import die_with_parent

#: How often a busy lane checks that its parent is still there.
PARENT_CHECK_S = 0.2


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(0)  # the zygotes see their sockets close and go too


def main() -> None:
    fd, cpu, parent = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    die_with_parent(parent)
    if cpu >= 0:
        os.sched_setaffinity(0, {cpu})
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    from simulators.executors.base import run_chunk
    from simulators.sandbox.protocol import recv_frame, send_frame

    send_frame(fd, {"ready": True})
    while (frame := recv_frame(fd)) is not None:
        args = pickle.loads(frame[1])
        try:
            outcome = run_chunk(*args)
        except Exception as err:
            send_frame(fd, {"error": f"{type(err).__name__}: {err}"})
            continue
        send_frame(fd, {}, pickle.dumps(outcome))


if __name__ == "__main__":
    main()
