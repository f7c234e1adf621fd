"""Each wall on its own, without the audit hook in front of it: seccomp, chroot, network
namespace, rlimits. A tiny script prepares the walls like a zygote, forks, locks the child
like a sandboxed evaluation, then tries one forbidden thing through the lowest-level call.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent(
    """
    import os, sys
    import _socket, ctypes, threading, socket  # loaded before lockdown, like a zygote's preload
    from pathlib import Path
    from simulators.sandbox.lockdown import lock_child, make_scratch, prepare_zygote
    walls = prepare_zygote(Path(sys.argv[1]) / "scratch")
    print("ACTIVE", ",".join(walls.active), flush=True)
    print("NETNS", os.readlink("/proc/self/ns/net"), flush=True)
    print("IFACES", sorted(l.split(":")[0].strip() for l in open("/proc/net/dev").readlines()[2:]))
    scratch = make_scratch(walls, "one")
    pid = os.fork()
    if pid == 0:
        lock_child(walls, scratch, cpu_s=5, memory_mb=1024)
        try:  # never a normal interpreter exit, as in a sandboxed child (it resets handlers)
            exec(sys.argv[2])
        except BaseException:
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print("EXIT", -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))
    """
)


def attempt(tmp_path: Path, code: str) -> tuple[list[str], int, str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), code],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = done.stdout.splitlines()
    active = next(line for line in lines if line.startswith("ACTIVE")).split()[1:]
    exit_line = next(line for line in lines if line.startswith("EXIT"))
    return (active[0].split(",") if active else []), int(exit_line.split()[1]), done.stdout


@pytest.mark.parametrize(
    "code",
    [
        "import posix; posix.fork()",
        "import posix; posix.execv('/bin/true', ['true'])",
        "import _socket; _socket.socket()",
        (
            "import posix; posix.unshare if hasattr(posix, 'unshare') else None; "
            "import ctypes; ctypes.CDLL(None).unshare(0x40000000)"
        ),
        # A signal handler receives the frame it interrupts (a harness frame), and a timer of
        # the candidate's own would fire inside a call timed for someone else.
        "import signal; signal.signal(signal.SIGUSR1, lambda *a: None)",
        "import signal; signal.setitimer(signal.ITIMER_REAL, 1.0)",
    ],
)
def test_seccomp_kills_processes_sockets_namespaces(tmp_path, code):
    active, code_exit, _ = attempt(tmp_path, code)
    assert "seccomp" in active
    assert code_exit == -signal.SIGSYS


def test_threads_still_work(tmp_path):
    _active, code_exit, _ = attempt(
        tmp_path, "import threading; t = threading.Thread(target=print); t.start(); t.join()"
    )
    assert code_exit == 0


def test_chroot_hides_the_host(tmp_path):
    (tmp_path / "secret.txt").write_text("trace data")
    active, code_exit, _ = attempt(
        tmp_path, f"import posix, sys; posix.open({str(tmp_path / 'secret.txt')!r}, 0)"
    )
    if "chroot" not in active:
        pytest.fail(f"chroot not available here: {active}")
    assert code_exit == 1  # FileNotFoundError: the path does not exist inside the scratch root


def test_own_network_namespace_with_only_loopback(tmp_path):
    active, _, out = attempt(tmp_path, "pass")
    assert "netns" in active
    host = os.readlink("/proc/self/ns/net")
    assert f"NETNS {host}" not in out
    assert "IFACES ['lo']" in out


def test_file_size_limit(tmp_path):
    _active, code_exit, _ = attempt(
        tmp_path,
        "import posix\nfd = posix.open('big', posix.O_WRONLY | posix.O_CREAT)\n"
        "while True:\n    posix.write(fd, b'x' * 2**20)",
    )
    assert code_exit == -signal.SIGXFSZ


def test_cpu_limit(tmp_path):
    _active, code_exit, _ = attempt(tmp_path, "while True:\n    pass")
    assert code_exit in (-signal.SIGXCPU, -signal.SIGKILL)
