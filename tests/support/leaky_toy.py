"""A scenario author's mistake, for testing the second wall: a toy kind whose feed puts each
workload's whole series in the opening. Lockstep cannot protect what the feed itself hands
over; the verifier's causality probes must still catch a policy that uses it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from simulators.json_ticks import JsonTickFeed
from simulators.sandbox.toykind import Kind as ToyKind
from simulators.sandbox.toykind import write_toy_scenario

#: A policy that reads the leaked series and waits only when it knows enough cheap ticks are
#: coming: always feasible, and cheaper than an honest policy, so only the causality probes can
#: tell.
LEAK_READER = textwrap.dedent(
    """
    class Policy:
        def __init__(self, job):
            self.need, self.series, self.done = job["need"], job["series"], 0

        def decide(self, obs):
            if self.done >= self.need:
                return 0
            if not obs["available"] and sum(self.series[obs["t"] + 1:]) >= self.need - self.done:
                return 0
            self.done += 1
            return 1 if obs["available"] else 2
    """
)


class LeakyKind(ToyKind):
    def feed(self, batch: list[dict]) -> JsonTickFeed:
        feed = super().feed(batch)
        for config, workload in zip(feed.configs, batch, strict=True):
            config["series"] = self._values(workload)
        return feed


def write_leaky_scenario(folder: Path) -> Path:
    """The toy scenario at ``folder``, scored by ``LeakyKind``."""
    write_toy_scenario(folder)
    spec = folder / "scenario.toml"
    spec.write_text(
        spec.read_text().replace(
            'kind = "simulators.sandbox.toykind:Kind"', 'kind = "tests.support.leaky_toy:LeakyKind"'
        )
    )
    return folder
