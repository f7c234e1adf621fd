"""The embedded-server manager with a stub server: readiness, one-line errors, and no orphans
(stop, SIGTERM and kill -9 of the parent all take the server's whole process group down)."""

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from agents.embedded import EmbeddedServer, EmbeddedServerError

STUB = textwrap.dedent("""
    import http.server, signal, subprocess, sys, time
    port, delay, ignore_term = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3] == "1"
    if ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    grandchild = subprocess.Popen(["sleep", "300"])
    print("grandchild", grandchild.pid, flush=True)
    time.sleep(delay)
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
        def log_message(self, *a):
            pass
    http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
""")


class StubServer(EmbeddedServer):
    def __init__(self, delay: float = 0.0, ignore_term: bool = False, **kw):
        super().__init__(notice=lambda text: None, **kw)
        self.delay, self.ignore_term = delay, ignore_term

    def server_command(self, port: int) -> list[str]:
        return [
            sys.executable,
            "-c",
            STUB,
            str(port),
            str(self.delay),
            "1" if self.ignore_term else "0",
        ]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def wait_gone(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


def grandchild_pid(log: Path) -> int:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if line.startswith("grandchild"):
                return int(line.split()[1])
        time.sleep(0.05)
    raise AssertionError("stub did not report its grandchild")


def test_start_waits_until_ready_and_stop_kills_the_group(tmp_path):
    server = StubServer(delay=0.5, ignore_term=True, log_path=tmp_path / "log")
    with server:
        assert server.running and server.startup_s >= 0.5
        assert httpx.get(server.base_url + "/models").status_code == 200
        pid, grandchild = server.process.pid, grandchild_pid(tmp_path / "log")
    # SIGTERM was ignored: stop() escalated to SIGKILL for the whole group.
    assert wait_gone(pid) and wait_gone(grandchild)


def test_early_exit_and_timeout_are_one_line_errors(tmp_path):
    class Crashing(StubServer):
        def server_command(self, port):
            return [sys.executable, "-c", "import sys; print('boom: bad model file'); sys.exit(3)"]

    with pytest.raises(EmbeddedServerError) as err:
        Crashing(log_path=tmp_path / "a").start()
    assert "exited with code 3" in str(err.value) and "boom: bad model file" in str(err.value)
    assert "\n" not in str(err.value)
    slow = StubServer(delay=30, startup_timeout_s=1.0, log_path=tmp_path / "b")
    with pytest.raises(EmbeddedServerError, match="did not answer within 1 s"):
        slow.start()
    assert slow.process is None


PARENT = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {tests!r})
    from test_agents_embedded_manager import StubServer
    server = StubServer(log_path={log!r}).start()
    print(server.process.pid, flush=True)
    time.sleep(60)
""")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_server_dies_with_its_parent(tmp_path, sig):
    log = tmp_path / "log"
    script = PARENT.format(tests=str(Path(__file__).parent), log=str(log))
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        child = int(parent.stdout.readline())
        grandchild = grandchild_pid(log)
        assert alive(child)
        parent.send_signal(sig)
        parent.wait(timeout=10)
        assert wait_gone(child), f"server {child} outlived its parent ({sig.name})"
        if sig == signal.SIGTERM:  # a clean stop takes the group with it
            assert wait_gone(grandchild)
        else:
            # PDEATHSIG covers the direct child only (llama.cpp's server has no children).
            with contextlib.suppress(ProcessLookupError):
                os.kill(grandchild, signal.SIGKILL)
    finally:
        parent.kill()
