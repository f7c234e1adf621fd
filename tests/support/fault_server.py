"""A real OpenAI-compatible HTTP server on loopback that misbehaves on request.

Use it to test what the agents do when a server fails. Script the next answers with
:meth:`FaultServer.script`; each item is one of the fault names below or an answer, consumed one
per ``POST /v1/chat/completions``. Once the script is empty, ``default`` (a string, or a function
of the request JSON returning a string or answer dict) answers normally.

Faults:
- ``"429"``: HTTP 429 rate limit (with ``retry-after: 0``);
- ``"500"``: HTTP 500 server error;
- ``"hang"``: sleeps ``hang_s`` seconds (past the client's timeout) before answering;
- ``"truncated_body"``: HTTP 200 whose JSON body is cut in half;
- ``"truncated_json"``: a normal answer whose *content* is JSON cut in half;
- ``"empty"``: a normal answer with empty content;
- ``"garbage_code"``: a normal answer holding a fenced python block that does not parse.

Answers: a string (the content) or ``{"content": str, "tool_calls": [{"name", "arguments"}],
"reasoning_content": str}``. Every request is kept in ``requests`` (headers and JSON body) so tests
can assert what the client sent.

    with FaultServer(default="hi") as server:
        server.script("429", "500", "hello")
        ChatOpenAI(base_url=server.base_url, api_key="k", model="m", max_retries=0)
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

FAULTS = ("429", "500", "hang", "truncated_body", "truncated_json", "empty", "garbage_code")


def send_json(
    handler: BaseHTTPRequestHandler,
    status: int,
    payload: bytes,
    headers: dict[str, str] | None = None,
) -> None:
    """One JSON response; a client that hung up meanwhile is not an error of the server."""
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(payload)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        handler.wfile.write(payload)


class FaultServer:
    """Threaded loopback server; a context manager that always shuts down."""

    def __init__(
        self,
        default: str | dict | Callable[[dict[str, Any]], Any] = '{"ok": true}',
        hang_s: float = 5.0,
        model: str = "fault-model",
        port: int = 0,
    ) -> None:
        self.default = default
        self.hang_s = hang_s
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.dead = False
        self._script: deque[Any] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The ``/v1`` URL to give ChatOpenAI."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *items: Any) -> None:
        """Queue faults and answers, consumed one per chat request."""
        with self._lock:
            self._script.extend(items)

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """The chat completion requests received so far."""
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def kill(self) -> None:
        """Die as a killed server does: new connections are refused, and a request on a
        connection kept alive from before is dropped without an answer."""
        self.dead = True
        self.close()

    def close(self) -> None:
        """Stop serving and release the port; hanging handlers wake up and return."""
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next(self, body: dict[str, Any]) -> Any:
        with self._lock:
            if self._script:
                return self._script.popleft()
        return self.default(body) if callable(self.default) else self.default

    def _completion(self, answer: Any, body: dict[str, Any]) -> dict[str, Any]:
        if isinstance(answer, str):
            answer = {"content": answer}
        message: dict[str, Any] = {"role": "assistant", "content": answer.get("content", "")}
        if answer.get("tool_calls"):
            message["content"] = None
            message["tool_calls"] = [
                {
                    "id": f"call_{i}",
                    "type": "function",
                    "function": {
                        "name": c["name"],
                        "arguments": c["arguments"]
                        if isinstance(c["arguments"], str)
                        else json.dumps(c["arguments"]),
                    },
                }
                for i, c in enumerate(answer["tool_calls"])
            ]
        if answer.get("reasoning_content"):
            message["reasoning_content"] = answer["reasoning_content"]
        prompt_words = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
        out_words = len(str(message.get("content") or "").split()) or 1
        return {
            "id": "chatcmpl-fault",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", self.model),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if answer.get("tool_calls") else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_words,
                "completion_tokens": out_words,
                "total_tokens": prompt_words + out_words,
            },
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None):
                send_json(self, status, payload, headers)

            def handle_one_request(self) -> None:
                if server.dead:
                    self.close_connection = True
                    return
                super().handle_one_request()

            def do_GET(self) -> None:
                server.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": None}
                )
                if self.path.rstrip("/").endswith("/models"):
                    data = {
                        "object": "list",
                        "data": [
                            {"id": server.model, "object": "model", "owned_by": "fault-server"}
                        ],
                    }
                    self._send(200, json.dumps(data).encode())
                else:
                    self._send(404, b'{"error": {"message": "not found"}}')

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                server.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, b'{"error": {"message": "not found"}}')
                    return
                item = server._next(body)
                if item == "429":
                    self._send(
                        429,
                        b'{"error": {"message": "rate limited", "type": "rate"}}',
                        {"retry-after": "0"},
                    )
                elif item == "500":
                    self._send(500, b'{"error": {"message": "internal failure", "type": "x"}}')
                elif item == "hang":
                    server._stop.wait(server.hang_s)
                    self._send(200, json.dumps(server._completion("late", body)).encode())
                elif item == "truncated_body":
                    full = json.dumps(server._completion('{"ok": true}', body)).encode()
                    self._send(200, full[: len(full) // 2])
                elif item == "truncated_json":
                    text = json.dumps(
                        server._completion(
                            '{"hypotheses": [{"text": "use hysteresis", "rationale": "fewer', body
                        )
                    )
                    self._send(200, text.encode())
                elif item == "empty":
                    self._send(200, json.dumps(server._completion("", body)).encode())
                elif item == "garbage_code":
                    answer = "```python\ndef policy(((:\n    return ]]\n```"
                    self._send(200, json.dumps(server._completion(answer, body)).encode())
                else:
                    self._send(200, json.dumps(server._completion(item, body)).encode())

        return Handler
