"""Hostile programs: each ends with the right status, leaves nothing running or written, and
the next evaluation is unaffected.

Run with the static gate off (``static_gate=False``) so the runtime walls are what stops them;
``test_static_gate_refuses_them`` checks the scan alone would have refused most before running.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from simulators.evaluate import evaluate
from simulators.sandbox.toykind import TOY_SEED

OUTSIDE = Path("/tmp/adrs-hostile-was-here")


def policy(decide_body: str, prelude: str = "") -> str:
    """A toy Policy whose decide() runs ``decide_body`` on its first call."""
    body = textwrap.indent(textwrap.dedent(decide_body).strip(), " " * 12)
    return (
        textwrap.dedent(prelude)
        + textwrap.dedent(
            """
        class Policy:
            def __init__(self, job):
                self.first = True

            def decide(self, obs):
                if self.first:
                    self.first = False
        """
        )
        + body
        + "\n        return 2\n"
    )


HOSTILE: dict[str, tuple[str, str]] = {
    "infinite_loop": (policy("while True:\n    pass"), "timeout"),
    "sleep_forever": (policy("import time\ntime.sleep(10**6)"), "timeout"),
    # No new signal handler at all (seccomp): a handler would receive a harness frame.
    "ignore_sigterm": (
        policy(
            "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass"
        ),
        "violation",
    ),
    "allocate_gigabytes": (policy("hoard = bytearray(8 * 1024**3)"), "memory"),
    "allocate_numpy": (policy("import numpy\nhoard = numpy.ones(2 * 1024**3)"), "memory"),
    "huge_file": (
        policy("with open('big.bin', 'wb') as f:\n    while True:\n        f.write(b'x' * 2**20)"),
        "violation",
    ),
    "write_outside_scratch": (policy(f"open({str(OUTSIDE)!r}, 'w').write('pwned')"), "violation"),
    "read_trace_files": (
        policy("data = open(ROOT + '/series.json').read()", prelude="ROOT = '{root}'\n"),
        "violation",
    ),
    "obfuscated_open": (
        policy(
            "b = __builtins__\nname = 'op' + 'en'\n"
            "f = b[name] if isinstance(b, dict) else getattr(b, name)\n"
            "f('/etc/passwd').read()"
        ),
        "violation",
    ),
    "socket": (
        policy("import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=1)"),
        "violation",
    ),
    "fork_bomb": (policy("import os\nwhile True:\n    os.fork()"), "violation"),
    "subprocess": (policy("import subprocess\nsubprocess.run(['ls', '/'])"), "violation"),
    "os_system": (policy("import os\nos.system('touch /tmp/adrs-hostile-was-here')"), "violation"),
    "ctypes": (policy("import ctypes\nlibc = ctypes.CDLL(None)\nlibc.fork()"), "violation"),
    "kill_parent": (
        policy("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"),
        "violation",
    ),
    "gc_peek": (
        policy("import gc\nfuture = [o for o in gc.get_objects() if isinstance(o, list)]"),
        "violation",
    ),
    # No frame at all: sys._getframe raises (f_back and f_locals raise no audit event).
    "frame_peek": (policy("import sys\nupper = sys._getframe(1).f_locals"), "error"),
    "traceback_peek": (
        policy(
            "try:\n    1/0\nexcept ZeroDivisionError as e:\n    frame = e.__traceback__.tb_frame"
        ),
        "violation",
    ),
    "os_exit": (policy("import os\nos._exit(0)"), "error"),
    "system_exit": (policy("raise SystemExit(0)"), "error"),
    "keyboard_interrupt": (policy("raise KeyboardInterrupt"), "error"),
    "recursion": (policy("def f(n):\n    return f(n + 1)\nf(0)"), "error"),
    "invalid_return": (
        (
            "class Policy:\n    def __init__(self, job): pass\n"
            "    def decide(self, obs): return float('nan')\n"
        ),
        "invalid",
    ),
    "unserialisable_return": (
        (
            "class Policy:\n    def __init__(self, job): pass\n"
            "    def decide(self, obs): return object()\n"
        ),
        "invalid",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_program(toy, leftovers, name):
    source, expected = HOSTILE[name]
    source = source.replace("{root}", str(toy.root))
    OUTSIDE.unlink(missing_ok=True)
    before = {p.name for p in toy.root.iterdir()}
    started = time.monotonic()
    result = evaluate(toy, source, "train", timeout_s=3, static_gate=False, checks=())
    assert result.status == expected, (result.status, result.error)
    assert result.error and "\n" not in result.error
    assert time.monotonic() - started < 20
    assert leftovers() == []
    assert not OUTSIDE.exists()
    assert {p.name for p in toy.root.iterdir()} == before
    after = evaluate(toy, TOY_SEED, "train", checks=())
    assert after.status == "ok" and after.score == 6.0


def test_background_thread_dies_with_the_child(toy, leftovers):
    source = policy(
        "import threading\n"
        "threading.Thread(target=lambda: [None for _ in iter(int, 1)], daemon=False).start()"
    )
    result = evaluate(toy, source, "train", timeout_s=5, static_gate=False, checks=())
    assert result.status == "ok"
    assert leftovers() == []


def test_stdout_flood_is_truncated(toy, leftovers):
    source = policy("import sys\nfor _ in range(20000):\n    sys.stdout.write('y' * 1000 + '\\n')")
    result = evaluate(toy, source, "train", timeout_s=10, static_gate=False, checks=())
    assert result.status == "ok"
    assert len(result.stdout) <= 70 * 1024 and "[output truncated]" in result.stdout
    assert leftovers() == []


def test_rewriting_prices_and_builtins_changes_nothing(toy):
    source = TOY_SEED + textwrap.dedent(
        """
        import builtins
        import simulators.json_ticks as ticks
        ticks.JsonTickFeed = None
        builtins.sum = lambda *a, **k: 0
        builtins.len = lambda *a, **k: 0
        """
    )
    result = evaluate(toy, source, "train", static_gate=False, checks=())
    # The player runs beside the candidate and uses the builtins too: breaking them may end the
    # candidate's own run, but can never change what the parent scores. The harness's modules
    # are out of sys.modules while candidate code runs, so importing one reads the disk: the
    # sandbox refuses that (violation).
    assert (result.status, result.score) in (("ok", 6.0), ("error", None), ("violation", None)), (
        result.error
    )


def test_the_scoring_code_is_not_in_the_child(toy):
    """The kind (prices, data, scoring) lives in the parent only: importing it in the child
    needs the file system, which the sandbox refuses."""
    source = TOY_SEED + "\nimport simulators.sandbox.toykind\n"
    result = evaluate(toy, source, "train", static_gate=False, checks=())
    assert result.status == "violation", (result.status, result.error)


def test_static_gate_refuses_them(toy):
    refused = [
        name
        for name, (source, _) in HOSTILE.items()
        if evaluate(toy, source.replace("{root}", "/x"), "train", checks=()).status == "violation"
    ]
    # Pure-Python misbehaviour (loops, allocation, exits) is the runtime's job, not the scan's.
    runtime_only = {
        "infinite_loop",
        "sleep_forever",
        "allocate_gigabytes",
        "allocate_numpy",
        "recursion",
        "system_exit",
        "keyboard_interrupt",
        "invalid_return",
        "unserialisable_return",
    }
    assert set(HOSTILE) - set(refused) <= runtime_only


def test_no_evaluation_leaves_a_process_behind(toy, leftovers):
    """A mix of endings in a row; afterwards only the zygotes themselves remain ours."""
    sleeper = policy("import time\ntime.sleep(10**6)")
    for source, timeout in (
        (TOY_SEED, 10),
        (sleeper, 2),
        (HOSTILE["fork_bomb"][0], 10),
        (HOSTILE["os_exit"][0], 10),
        (TOY_SEED, 10),
    ):
        evaluate(toy, source, "train", timeout_s=timeout, static_gate=False, checks=())
        assert leftovers() == []


def test_killed_zygote_takes_its_child_along(toy, leftovers):
    """Even if the zygote is killed mid-evaluation, the candidate it forked does not linger."""
    import os
    import signal
    import threading

    from tests.support.processes import descendants, is_zygote

    sleeper = policy("import time\ntime.sleep(10**6)")
    evaluate(toy, TOY_SEED, "train", checks=())  # lanes and zygotes up

    def kill_busy_zygote() -> None:
        for _ in range(100):
            ours = descendants(os.getpid())
            busy = [p for p in ours if is_zygote(p) and any(q.ppid == p.pid for q in ours)]
            if busy:
                os.kill(busy[0].pid, signal.SIGKILL)
                killed.append(busy[0].pid)
                return
            time.sleep(0.05)

    killed: list[int] = []
    killer = threading.Timer(1.0, kill_busy_zygote)
    killer.start()
    result = evaluate(toy, sleeper, "train", timeout_s=30, static_gate=False, checks=())
    killer.join()
    assert killed, "no zygote was running the sleeper"
    assert (result.status == "error" and "sandbox" in result.error) or result.status == "timeout"
    time.sleep(0.5)
    orphans = [
        (p.name, _state(p))
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and _uid(p) == 200_000 + killed[0]
    ]
    assert [o for o in orphans if o[1] != "Z"] == []  # dead; a zombie only waits for init
    assert evaluate(toy, TOY_SEED, "train", checks=()).score == 6.0


def _state(proc: Path) -> str:
    try:
        return (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def _uid(proc: Path) -> int:
    try:
        status = (proc / "status").read_text()
    except OSError:
        return -1
    return int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
