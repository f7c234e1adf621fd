"""Whether the model endpoint is still there, judged from the calls a session makes.

A failed model call is data (``RoleModel.call`` records it and the agent carries on), which is
right for a malformed answer and wrong for a dead server: with the server gone every later call
fails the same way, and a session would burn its whole budget on connection errors and then
report "finished". So a call that got no answer is asked again after a pause (``pause_s``), and the
session counts such transport failures (connection refused or reset, a timeout) in a row,
across every role and lane; at ``limit`` the endpoint is declared down and the call, and every
later call or iteration claim, raises :class:`EndpointDown`. No iteration is spent on a dead
server: the session stops as ``interrupted`` and resumes once the server is back. Any answer,
even a useless one, proves the server is up and resets the count.
"""

from __future__ import annotations

import threading

import httpx

#: Transport failures in a row that end a session (``--endpoint-failures``). Small, because
#: each failed call has already been retried by the client (``max_retries``).
DEFAULT_LIMIT = 3


class EndpointDown(Exception):
    """The model endpoint failed ``limit`` calls in a row at the transport level."""


def is_transport_failure(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it was raised from) means the request never got an answer:
    whatever the client library calls it (openai's ``APIConnectionError`` and
    ``APITimeoutError``, LangChain's ``OpenAIConnectionError`` subclass, httpx's transport
    errors, the builtin connection and timeout errors)."""
    import openai

    transport = (openai.APIConnectionError, httpx.TransportError, ConnectionError, TimeoutError)
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, transport):
            return True
        current = current.__cause__ or current.__context__
    return False


class EndpointHealth:
    """Counts transport failures in a row; thread-safe (lanes call at once)."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        if limit < 1:
            raise ValueError("the endpoint failure limit must be at least 1")
        self.limit = limit
        self._failures = 0
        self._last_error = ""
        self._lock = threading.Lock()

    def observe(self, transport_failed: bool, error: str | None = None) -> None:
        """Count one finished call: a transport failure, or anything the server answered."""
        with self._lock:
            if transport_failed:
                self._failures += 1
                self._last_error = error or self._last_error
            else:
                self._failures = 0

    def pause_s(self) -> float:
        """How long to wait before asking again: 1 s, doubling per failure in a row, up to 8 s."""
        with self._lock:
            return min(8.0, 2.0 ** max(0, self._failures - 1))

    @property
    def down(self) -> bool:
        with self._lock:
            return self._failures >= self.limit

    def check(self) -> None:
        """Raise :class:`EndpointDown` once the endpoint is judged down."""
        with self._lock:
            if self._failures < self.limit:
                return
            failures, last = self._failures, self._last_error
        raise EndpointDown(
            f"{failures} model calls in a row failed to reach the endpoint (last: {last})"
        )
