"""The clock that lets overlapping windows share a child (``simulators.batching``).

Two things must hold for every bundled split: the window start times in the trace files are
true (where two windows overlap on the clock their availability is identical, tick for tick),
and the feed reveals ticks in clock order, each tick at its own instant, so a child never holds
anything later than the present instant of the series.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from simulators.scenario import load_scenario
from simulators.spot_single.simulate import FINISHED


def spot_scenarios():
    return [load_scenario("spot-single"), load_scenario("spot-multi")]


def test_overlapping_windows_agree_where_they_overlap():
    """Where a file gives exact start ticks, windows share a clock: check them on the data."""
    engine = load_scenario("spot-single").engine
    for data in ("data/single_region.npz",):
        traces = engine.traces(data)
        compared = 0
        for zone in traces.zones:
            rows, gap = traces.avail[zone], traces.gap_s
            starts = [traces.window_start_s(zone, w) for w in range(rows.shape[0])]
            for a, b in itertools.combinations(range(rows.shape[0]), 2):
                shift = starts[b] - starts[a]
                if shift < 0:
                    a, b, shift = b, a, -shift
                if shift % gap or shift // gap >= rows.shape[1]:
                    continue  # not on one grid, or no overlap: nothing to compare
                k = shift // gap
                assert np.array_equal(rows[a, k:], rows[b, : rows.shape[1] - k]), (data, zone, a, b)
                compared += 1
        assert compared > 100, data  # the check had something to check


def test_timestamps_alone_do_not_make_a_clock():
    """The multi-region set has window timestamps, not ticks: two windows the timestamps put
    688 ticks apart are 687 apart in the data. So its windows never share a child."""
    engine = load_scenario("spot-single").engine
    traces = engine.traces("data/multi_region.npz")
    zone = traces.zones[0]
    a, b = traces.avail[zone][83], traces.avail[zone][44]
    assert (int(traces.start_epoch[44]) - int(traces.start_epoch[83])) // traces.gap_s == 688
    assert np.array_equal(a[687:], b[: a.size - 687]) and not np.array_equal(
        a[688:], b[: a.size - 688]
    )
    assert traces.window_start_s(zone, 83) is None
    multi = load_scenario("spot-multi").engine
    for batch in multi.batches(multi.workloads("train")):
        assert len({w["window"] for w in batch}) == 1


@pytest.mark.parametrize("scenario", spot_scenarios(), ids=lambda s: s.name)
def test_the_feed_reveals_each_tick_at_its_instant_in_clock_order(scenario):
    engine = scenario.engine
    for split in scenario.spec.splits:
        for batch in engine.batches(engine.workloads(split)):
            feed = engine.feed(batch)
            starts = {
                wid: engine.timeline(w).start for wid, w in zip(feed.ids, feed_batch(feed, batch))
            }
            reply, last, messages = b"", None, 0
            while (message := feed.advance(reply)) is not None:
                now = int.from_bytes(message[:8], "big", signed=True)
                assert last is None or now > last
                for i, k in zip(feed.active, feed.k):
                    assert (
                        starts[feed.ids[i]] + int(k) * engine.traces(batch[0]["data"]).gap_s == now
                    )
                last, messages = now, messages + 1
                reply = bytes([FINISHED if k > 300 else ord_idle(scenario) for k in feed.k])
            assert messages > 0


def feed_batch(feed, batch):
    by_id = {w["id"]: w for w in batch}
    return [by_id[wid] for wid in feed.ids]


def ord_idle(scenario) -> int:
    return ord("0") if scenario.name == "spot-single" else ord(".")
