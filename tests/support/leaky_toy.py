"""A scenario author's mistake, for testing the second wall: a toy kind whose feed puts each
workload's whole series in the opening. Lockstep cannot protect what the feed itself hands
over; the verifier's causality probes must still catch a policy that uses it."""

from __future__ import annotations

from simulators.json_ticks import JsonTickFeed
from simulators.sandbox.toykind import Kind as ToyKind


class LeakyKind(ToyKind):
    def feed(self, batch: list[dict]) -> JsonTickFeed:
        feed = super().feed(batch)
        for config, workload in zip(feed.configs, batch, strict=True):
            config["series"] = self._values(workload)
        return feed
