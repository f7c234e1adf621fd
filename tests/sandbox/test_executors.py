"""Executors: lanes and Ray tasks give the same scores as one sandbox run; batching."""

from __future__ import annotations

import pytest

from simulators.batching import batches, split_for_workers
from simulators.evaluate import evaluate
from simulators.executors import LocalExecutor
from simulators.lockstep import Timeline
from simulators.sandbox.toykind import TOY_SEED


def test_batches_follow_clocks_and_start_times():
    """One batch per clock, sorted by start (split order breaks ties); no clock: one batch."""
    items = [
        {"id": i, "clock": c, "start": s}
        for i, (c, s) in enumerate(
            [("a", 30), ("b", 0), ("a", 10), (None, 0), ("a", 10), ("b", 5), (None, 0)]
        )
    ]

    def line(w):
        return None if w["clock"] is None else Timeline(w["clock"], w["start"], 10)

    assert [[w["id"] for w in b] for b in batches(items, line)] == [[2, 4, 0], [1, 5], [3, 6]]


def test_split_for_workers_halves_the_largest_contiguously():
    big, small = [{"id": i} for i in range(40)], [{"id": 99}]
    parts = split_for_workers([big, small], 4, 8)
    assert [len(p) for p in parts] == [10, 10, 20, 1]
    assert [w["id"] for p in parts[:3] for w in p] == list(range(40))
    assert split_for_workers([small], 4, 8) == [small]  # too small to be worth halving


def test_local_two_workers_same_as_one(toy):
    one = evaluate(toy, TOY_SEED, "many", executor=LocalExecutor(1), checks=())
    two = evaluate(toy, TOY_SEED, "many", executor=LocalExecutor(2), checks=())
    assert one.status == two.status == "ok"
    assert one.runs == two.runs == 48
    assert one.per_workload == two.per_workload and one.score == two.score


def test_failure_in_one_chunk_fails_the_split(toy):
    # Only series "d" is unavailable at tick 7 with work left... and it sits in every chunk.
    source = TOY_SEED.replace(
        "self.done += 1",
        "self.done += 1\n        if obs['t'] == 2 and not obs['available']: raise ValueError('late')",
    )
    result = evaluate(toy, source, "many", executor=LocalExecutor(2), checks=())
    assert result.status == "error" and "late" in result.error


@pytest.mark.ray
def test_ray_executor_matches_local(toy, monkeypatch):
    # Workers use this interpreter, not a `uv run` copy of the project (read at import).
    monkeypatch.setenv("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    ray = pytest.importorskip("ray")
    from simulators.executors.ray_executor import RayExecutor

    # A raylet gives its dashboard agent a fixed ~15 s to start (ray-project/ray#65983); on a
    # heavily loaded machine it can miss that, so the start is retried.
    for attempt in range(3):
        try:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
            break
        except Exception:
            ray.shutdown()
            if attempt == 2:
                raise
    try:
        executor = RayExecutor()
        assert executor.workers == 2
        remote = evaluate(toy, TOY_SEED, "many", executor=executor)
        local = evaluate(toy, TOY_SEED, "many", executor=LocalExecutor(2))
        assert remote.status == "ok", remote.error
        assert remote.per_workload == local.per_workload and remote.score == local.score
        assert remote.checks["causality"]["passed"] is True
        sleeper = "import time\n" + TOY_SEED.replace("self.done += 1", "time.sleep(100)")
        hostile = evaluate(toy, sleeper, "many", executor=executor, timeout_s=3, checks=())
        assert hostile.status == "timeout"
    finally:
        ray.shutdown()


def test_a_lane_that_lost_a_reply_is_replaced_not_reused(toy, monkeypatch):
    """A reply the parent could not take (too large: the lane is still running, out of step
    with its socket) fails that evaluation alone; the next one gets a fresh lane."""
    from simulators.executors import local

    executor = LocalExecutor(1)
    try:
        first = evaluate(toy, TOY_SEED, "many", executor=executor, checks=())
        assert first.status == "ok"
        [lane] = executor._lanes
        monkeypatch.setattr(local.Lane, "_recv", lambda self: None)
        lost = evaluate(toy, TOY_SEED, "many", executor=executor, checks=())
        assert lost.status == "error" and "lane died" in lost.error
        assert not lane.alive()
        monkeypatch.undo()
        again = evaluate(toy, TOY_SEED, "many", executor=executor, checks=())
        assert again.status == "ok" and again.score == first.score
        assert executor._lanes[-1] is not lane and executor._lanes[-1].alive()
    finally:
        executor.close()
