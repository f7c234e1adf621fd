"""The gate every model call passes: a limit on calls in flight, and rate limits (HTTP 429)
that slow the session down instead of failing its calls."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from langchain_openai import ChatOpenAI

from agents.gate import LANE, CallGate, call_through, retry_after_s
from agents.llm import RoleModel
from tests.support.fault_server import FaultServer


class RateLimited(Exception):
    """What openai raises for a 429, reduced to what the gate reads."""

    status_code = 429

    def __init__(self, headers: dict[str, str] | None = None) -> None:
        super().__init__("Error code: 429 - rate limit")
        self.response = SimpleNamespace(headers=headers or {})


class FakeTime:
    """A clock that moves only when the gate sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def failing(times: int, exc_factory):
    calls = {"n": 0}

    def invoke():
        calls["n"] += 1
        if calls["n"] <= times:
            raise exc_factory()
        return "answer"

    return invoke, calls


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.01)


def test_no_more_calls_in_flight_than_the_limit():
    gate = CallGate(2)
    release = threading.Event()
    threads = [threading.Thread(target=call_through, args=(gate, release.wait)) for _ in range(5)]
    for thread in threads:
        thread.start()
    wait_until(lambda: gate.stats().waiting == 3)
    assert gate.stats().in_flight == 2
    release.set()
    for thread in threads:
        thread.join(30)
    stats = gate.stats()
    assert (stats.max_in_flight, stats.calls, stats.in_flight) == (2, 5, 0)


def test_calls_in_flight_are_counted_per_lane():
    seen: list[tuple[int, int]] = []
    gate = CallGate(4, on_change=lambda lane, n: seen.append((lane, n)))

    def in_lane(lane: int) -> None:
        LANE.set(lane)
        call_through(gate, lambda: gate.stats().per_lane)

    threading.Thread(target=in_lane, args=(3,)).run()
    assert seen == [(3, 1), (3, 0)]


def test_a_rate_limit_waits_for_retry_after_then_succeeds():
    fake = FakeTime()
    gate = CallGate(8, sleep=fake.sleep, clock=fake.clock)
    invoke, calls = failing(2, lambda: RateLimited({"retry-after": "7"}))
    assert call_through(gate, invoke) == "answer"
    assert calls["n"] == 3 and fake.sleeps == [7.0, 7.0]
    stats = gate.stats()
    assert stats.rate_limited == 2 and stats.held_s == 14.0
    assert stats.allowed == 2, "each 429 halves the calls let through"


def test_without_retry_after_waits_double_and_the_limit_grows_back():
    fake = FakeTime()
    gate = CallGate(4, sleep=fake.sleep, clock=fake.clock)
    invoke, _ = failing(3, RateLimited)
    call_through(gate, invoke)
    assert fake.sleeps == [1.0, 2.0, 4.0]
    # 4 -> 2 -> 1 -> 1 after three 429s; the success that ended them lets one more through.
    assert gate.stats().allowed == 2
    for _ in range(2 + 3):  # one more let through per `allowed` successes in a row
        call_through(gate, lambda: None)
    assert gate.stats().allowed == 4


def test_other_failures_and_exhausted_patience_are_raised():
    fake = FakeTime()
    gate = CallGate(2, sleep=fake.sleep, clock=fake.clock)
    invoke, calls = failing(1, lambda: ValueError("bad request"))
    with pytest.raises(ValueError):
        call_through(gate, invoke)
    assert calls["n"] == 1 and not fake.sleeps
    invoke, _ = failing(100, lambda: RateLimited({"retry-after": "30"}))
    with pytest.raises(RateLimited):
        call_through(gate, invoke, patience_s=60)
    assert fake.sleeps == [30.0, 30.0]


def test_retry_after_forms():
    assert retry_after_s(RateLimited({"retry-after-ms": "1500"})) == 1.5
    assert retry_after_s(RateLimited({"retry-after": "2"})) == 2.0
    assert retry_after_s(RateLimited({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0
    assert retry_after_s(RateLimited({"retry-after": "soon"})) is None
    assert retry_after_s(RateLimited()) is None


def test_a_real_client_rides_out_429s_from_a_real_server():
    waits: list[float] = []
    gate = CallGate(4)
    gate.on_rate_limit = lambda lane, wait, allowed: waits.append(wait)
    with FaultServer(default="fine") as server:
        server.script("429", "429")
        chat = ChatOpenAI(base_url=server.base_url, api_key="k", model="m", max_retries=0)
        result = RoleModel(role="planner", name="m", chat=chat, gate=gate).call(
            [{"role": "user", "content": "hello"}]
        )
        assert len(server.chat_requests) == 3
    assert result.ok and result.text == "fine"
    assert waits == [0.0, 0.0]  # the server said retry-after: 0
    assert gate.stats().rate_limited == 2
