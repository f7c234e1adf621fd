"""How many model calls may be in flight at once, and what a rate limit does to that number.

A hosted model answers in 5-60 s, so a research loop is only as fast as the number of calls it
keeps in flight. Every role's calls pass one ``CallGate`` of the session: at most ``limit`` at a
time (``--concurrency``). An HTTP 429 does not fail a call: the gate holds *every* new call until
the server's ``Retry-After`` has passed, halves the number it lets through, and grows it back by
one for each ``limit`` calls that succeed (additive increase, multiplicative decrease), so a
shared quota is probed again gently instead of hammered by eight lanes at once.

The gate also keeps the numbers the live view and the throughput benchmark print: calls in
flight now, at most, and on average over time, and per research lane (``LANE``).
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

#: The research lane the current call belongs to (set by the graph's nodes; 0 when unset).
LANE: contextvars.ContextVar[int] = contextvars.ContextVar("adrs_lane", default=0)

#: Without a Retry-After header, waits double from here up to ``MAX_WAIT_S``.
FIRST_WAIT_S = 1.0
MAX_WAIT_S = 60.0


@dataclass(frozen=True)
class GateStats:
    """A snapshot of the gate: what the live view shows and the benchmark prints."""

    limit: int
    allowed: int
    in_flight: int
    waiting: int
    max_in_flight: int
    mean_in_flight: float
    calls: int
    rate_limited: int
    held_s: float
    per_lane: dict[int, int]


def is_rate_limit(exc: BaseException) -> bool:
    """An HTTP 429 from any OpenAI-compatible client (``openai.RateLimitError`` and kin)."""
    return getattr(exc, "status_code", None) == 429 or type(exc).__name__ == "RateLimitError"


def retry_after_s(exc: BaseException) -> float | None:
    """The server's ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date), if any."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        if headers.get("retry-after-ms") is not None:
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class CallGate:
    """At most ``limit`` calls in flight (fewer after a rate limit); thread-safe."""

    def __init__(
        self,
        limit: int = 8,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[int, int], None] | None = None,
    ) -> None:
        if limit < 1:
            raise ValueError("the concurrency limit must be at least 1")
        self.limit = limit
        self.allowed = limit
        self._sleep = sleep
        self._clock = clock
        #: Called with (lane, calls that lane now has in flight) after every change.
        self.on_change = on_change
        #: Called with (lane, seconds every new call is held, calls now let through) when a
        #: call is rate-limited.
        self.on_rate_limit: Callable[[int, float, int], None] | None = None
        self._cond = threading.Condition()
        self._in_flight = 0
        self._waiting = 0
        self._per_lane: dict[int, int] = {}
        self._hold_until = 0.0
        self._successes = 0
        self._max = 0
        self._calls = 0
        self._rate_limited = 0
        self._held_s = 0.0
        self._since = clock()
        self._area = 0.0  # integral of calls in flight over time
        self._mark = self._since

    def _account(self) -> None:
        now = self._clock()
        self._area += self._in_flight * (now - self._mark)
        self._mark = now

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the gate's places for the duration of a call."""
        lane = LANE.get()
        with self._cond:
            self._waiting += 1
            while True:
                wait = self._hold_until - self._clock()
                if wait <= 0 and self._in_flight < self.allowed:
                    break
                self._cond.wait(timeout=wait if wait > 0 else None)
            self._waiting -= 1
            self._account()
            self._in_flight += 1
            self._calls += 1
            self._max = max(self._max, self._in_flight)
            count = self._per_lane[lane] = self._per_lane.get(lane, 0) + 1
        self._changed(lane, count)
        try:
            yield
        finally:
            with self._cond:
                self._account()
                self._in_flight -= 1
                count = self._per_lane[lane] = self._per_lane[lane] - 1
                self._cond.notify_all()
            self._changed(lane, count)

    def _changed(self, lane: int, count: int) -> None:
        if self.on_change is not None:
            self.on_change(lane, count)

    def succeeded(self) -> None:
        """A call came back: after ``allowed`` successes in a row, let one more through."""
        with self._cond:
            self._successes += 1
            if self.allowed < self.limit and self._successes >= self.allowed:
                self.allowed += 1
                self._successes = 0
                self._cond.notify_all()

    def rate_limited(self, exc: BaseException, attempt: int) -> float:
        """A 429: hold every new call for the server's Retry-After (or a doubling wait) and
        halve the calls let through. Sleeps here, outside the gate, and returns the wait."""
        told = retry_after_s(exc)
        wait = min(MAX_WAIT_S, told if told is not None else FIRST_WAIT_S * 2**attempt)
        with self._cond:
            self._rate_limited += 1
            self._successes = 0
            self.allowed = max(1, self.allowed // 2)
            self._hold_until = max(self._hold_until, self._clock() + wait)
            self._held_s += wait
            allowed = self.allowed
        if self.on_rate_limit is not None:
            self.on_rate_limit(LANE.get(), wait, allowed)
        self._sleep(wait)
        return wait

    def stats(self) -> GateStats:
        with self._cond:
            self._account()
            span = self._mark - self._since
            return GateStats(
                limit=self.limit,
                allowed=self.allowed,
                in_flight=self._in_flight,
                waiting=self._waiting,
                max_in_flight=self._max,
                mean_in_flight=self._area / span if span > 0 else float(self._in_flight),
                calls=self._calls,
                rate_limited=self._rate_limited,
                held_s=self._held_s,
                per_lane={k: v for k, v in self._per_lane.items() if v},
            )

    def reset_stats(self) -> None:
        """Start the in-flight average and maximum afresh (e.g. after a warm-up)."""
        with self._cond:
            self._account()
            self._since = self._mark
            self._area = 0.0
            self._max = self._in_flight
            self._calls = 0


def call_through(
    gate: CallGate | None, invoke: Callable[[], Any], patience_s: float = 1800.0
) -> Any:
    """``invoke()`` inside the gate; rate limits are waited out (up to ``patience_s`` of waiting
    in total, then the last 429 is raised like any other failure)."""
    if gate is None:
        return invoke()
    waited, attempt = 0.0, 0
    while True:
        try:
            with gate.slot():
                result = invoke()
        except Exception as exc:
            if not is_rate_limit(exc) or waited >= patience_s:
                raise
            waited += gate.rate_limited(exc, attempt)
            attempt += 1
            continue
        gate.succeeded()
        return result
