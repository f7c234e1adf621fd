"""A stand-in for a hosted model: an OpenAI-compatible chat server that answers after a fixed
latency, so the research loop's throughput can be measured at real model latency without a
network, a key or a bill. Answers come from the scripted research team (tests/support), with the
coder a hill-climber: it scales its parent's safety margin by a seeded draw per prompt, so
candidates differ, some improve on their parent and some go too far. It counts requests in
flight, so a benchmark can check how many model calls the loop really keeps open at once.

    python -m bench.standin --latency 2.0 [--port 0] [--seed N]   # prints "PORT <n>", serves

    with StandinServer(latency=2.0) as server:
        ChatOpenAI(base_url=server.base_url, api_key="x", model="m")
        server.stats()  # {"served", "in_flight", "max_in_flight", "mean_in_flight", ...}
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the scripted team lives in tests/

from tests.support.fault_server import send_json
from tests.support.research_script import ResearchScript

#: The coder is a hill-climber over two ideas of spot-single policies: the safety margin before
#: the deadline (scaled by a draw from ``STEP``; smaller is cheaper, below ~0.6 overheads
#: deadlines are missed) and a pace rule, on-demand while spot is down and progress lags ``pace``
#: times the uniform line (in this crude form it costs more than it saves). Some steps improve a
#: program, most do not: a search with something to find and much to reject.
STEP = (0.6, 1.1)
#: Whole lines (a SEARCH block must copy lines exactly: no newline before, nothing cut after).
MARGIN = re.compile(
    r"^[ \t]*margin = ([\d.]+) \* job\.restart_overhead_s \+ job\.gap_s$", re.MULTILINE
)
PACE = re.compile(
    r"^[ \t]*if obs\.done_s < ([\d.]+) \* obs\.elapsed_s \* job\.duration_s "
    r"/ job\.deadline_s:$",
    re.MULTILINE,
)
NONE_LINE = '        return "NONE"'


def pace_lines(pace: float) -> str:
    return (
        f"        if obs.done_s < {pace} * obs.elapsed_s * job.duration_s / job.deadline_s:\n"
        f'            return "ON_DEMAND"\n{NONE_LINE}'
    )


def step(parent: str, rng: random.Random) -> list[tuple[str, str]]:
    """One hill-climbing step on a program's text: (search, replace) pairs."""
    margin, pace = MARGIN.search(parent), PACE.search(parent)
    if rng.random() < 0.5 and margin is not None:
        old = margin.group(0)
        new = old.replace(margin.group(1), f"{float(margin.group(1)) * rng.uniform(*STEP):.4f}")
        return [(old, new)]
    if pace is None:
        return [(NONE_LINE, pace_lines(round(rng.uniform(0.5, 1.0), 4)))]
    old = pace.group(0)
    return [
        (old, old.replace(pace.group(1), f"{float(pace.group(1)) * rng.uniform(0.8, 1.2):.4f}"))
    ]


def apply(code: str, edits: list[tuple[str, str]]) -> str:
    for old, new in edits:
        code = code.replace(old, new, 1)
    return code


class StandinScript(ResearchScript):
    """ResearchScript whose coder takes one seeded hill-climbing ``step`` on the parent (so
    candidates differ, some improve on their parent and some fail), keyed on the prompt."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        self.seed = seed

    def coder(self, prompt: str) -> str:
        digest = hashlib.sha1(prompt.encode()).hexdigest()
        parent = prompt.split("# Current program", 1)[-1]  # not the champion's or inspirations'
        edits = step(parent, random.Random(f"{self.seed}:{digest}"))
        return (
            "\n".join(
                f"<<<<<<< SEARCH\n{old}\n=======\n{new}\n>>>>>>> REPLACE" for old, new in edits
            )
            + "\n"
        )


class Stats:
    """Requests served and in flight; the in-flight count is integrated over time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.served, self.max_in_flight, self.area = 0, self.in_flight, 0.0
            self.start = self.last = time.monotonic()
            self.roles: dict[str, int] = {}

    def _advance(self) -> None:  # call with the lock held
        now = time.monotonic()
        self.area += self.in_flight * (now - self.last)
        self.last = now

    def enter(self, role: str) -> None:
        with self._lock:
            self._advance()
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.roles[role] = self.roles.get(role, 0) + 1

    def leave(self) -> None:
        with self._lock:
            self._advance()
            self.in_flight -= 1
            self.served += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            self._advance()
            elapsed = self.last - self.start
            return {
                "served": self.served,
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
                "mean_in_flight": self.area / elapsed if elapsed > 0 else 0.0,
                "elapsed_s": elapsed,
                "roles": dict(self.roles),
            }


def prompt_of(body: dict[str, Any]) -> str:
    """The message contents joined by blank lines, as ScriptedChatModel sees a prompt."""
    parts = []
    for m in body.get("messages", []):
        content = m.get("content") or ""
        if isinstance(content, list):  # content parts
            content = "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
        parts.append(str(content))
    return "\n\n".join(parts)


def completion(body: dict[str, Any], answer: str) -> dict[str, Any]:
    """The chat.completion body. With tools and no response_format, a JSON answer comes back
    as a call of the first tool (as function calling expects); otherwise as content."""
    message: dict[str, Any] = {"role": "assistant", "content": answer}
    tools = body.get("tools") or []
    if tools and not body.get("response_format") and answer.lstrip().startswith("{"):
        name = tools[0].get("function", {}).get("name", "answer")
        message["content"] = None
        message["tool_calls"] = [
            {"id": "call_0", "type": "function", "function": {"name": name, "arguments": answer}}
        ]
    prompt_words = len(prompt_of(body).split())
    out_words = len(answer.split()) or 1
    return {
        "id": f"chatcmpl-standin-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "standin"),
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if "tool_calls" in message else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_words,
            "completion_tokens": out_words,
            "total_tokens": prompt_words + out_words,
        },
    }


def make_server(latency: float, port: int = 0, seed: int = 0) -> ThreadingHTTPServer:
    """A threaded server on 127.0.0.1 (not yet serving); ``port`` 0 picks a free port."""
    script, stats = StandinScript(seed), Stats()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, data: Any) -> None:
            send_json(self, status, json.dumps(data).encode())

        def do_GET(self) -> None:
            path = self.path.rstrip("/")
            if path == "/v1/models":
                self._send(
                    200,
                    {
                        "object": "list",
                        "data": [{"id": "standin", "object": "model", "owned_by": "standin"}],
                    },
                )
            elif path == "/stats":
                self._send(200, stats.snapshot())
            else:
                self._send(404, {"error": {"message": f"not found: {self.path}"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            path = self.path.rstrip("/")
            if path == "/stats/reset":
                stats.reset()
                return self._send(200, {"ok": True})
            if path != "/v1/chat/completions":
                return self._send(404, {"error": {"message": f"not found: {self.path}"}})
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return self._send(400, {"error": {"message": "body is not JSON"}})
            prompt = prompt_of(body)
            stats.enter(script.role_of(prompt))
            try:
                time.sleep(latency)
                self._send(200, completion(body, script(prompt)))
            finally:
                stats.leave()

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.daemon_threads = True
    return httpd


class StandinServer:
    """Runs ``python -m bench.standin`` in its own session; a context manager that kills it."""

    def __init__(self, latency: float, seed: int = 0, start_timeout_s: float = 60.0) -> None:
        self.latency, self.seed, self.start_timeout_s = latency, seed, start_timeout_s
        self.port: int | None = None
        self._proc: subprocess.Popen[str] | None = None

    @property
    def base_url(self) -> str:
        """The ``/v1`` URL to give ChatOpenAI."""
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> Self:
        cmd = [
            sys.executable,
            "-m",
            "bench.standin",
            "--latency",
            str(self.latency),
            "--port",
            "0",
            "--seed",
            str(self.seed),
        ]
        self._proc = subprocess.Popen(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True
        )
        timer = threading.Timer(self.start_timeout_s, self._proc.kill)
        timer.start()
        try:
            line = self._proc.stdout.readline() if self._proc.stdout else ""
        finally:
            timer.cancel()
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError(f"stand-in server did not start (said {line!r})")
        self.port = int(line.split()[1])
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """SIGTERM the server's process group, SIGKILL if it lingers."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(5.0)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        proc.wait()
        if proc.stdout:
            proc.stdout.close()

    def _call(self, method: str, path: str) -> dict[str, Any]:
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            data=b"" if method == "POST" else None,
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    def stats(self) -> dict[str, Any]:
        """served, in_flight, max_in_flight, mean_in_flight, elapsed_s, roles (since reset)."""
        return self._call("GET", "/stats")

    def reset_stats(self) -> None:
        """Start counting afresh (the in-flight count carries over)."""
        self._call("POST", "/stats/reset")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, required=True, help="seconds per answer")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    httpd = make_server(args.latency, args.port, args.seed)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"PORT {httpd.server_address[1]}", flush=True)
    try:
        httpd.serve_forever()
    finally:
        httpd.server_close()


if __name__ == "__main__":
    main()
