"""Causality on spot-multi: honest policies pass; reading future availability is caught."""

from __future__ import annotations

from simulators.checks.causality import causality_violations, probe_workloads, spread
from simulators.contract import CausalityProbe

# Run in-process (``run_in_process``), the trusted feed is on the stack: the reader takes the
# rows of the feed that continue its history. (In the sandbox nothing like it is in reach.)
FUTURE_READER = """
import sys

def my_trace(obs):
    frame = sys._getframe(1)
    while "feed" not in frame.f_locals:
        frame = frame.f_back
    regions = len(obs.spot_available)
    history = [tuple(t) for t in obs.spot_history]
    for row in frame.f_locals["feed"].rows:
        ticks = [tuple(bool(v) for v in tick[:regions]) for tick in row]
        if ticks[: len(history)] == history:
            return ticks

class Policy:
    def __init__(self, job):
        pass

    def decide(self, obs):
        avail = my_trace(obs)  # per-tick tuples: the future too
        ahead = [sum(1 for tick in avail[obs.tick + 1 : obs.tick + 40] if tick[r])
                 for r in range(len(obs.spot_available))]
        best = max(range(len(ahead)), key=ahead.__getitem__)
        if ahead[best] > 30 and obs.spot_available[best]:
            return ("SPOT", best)
        return ("ON_DEMAND", 0)
"""


def test_honest_policies_have_no_violations(scenario, baseline_classes):
    engine = scenario.engine
    originals = spread(engine.workloads("train"), 4)  # each with all its probes
    probes = engine.causality_probes(originals)
    assert len(probes) > len(originals)
    for cls in baseline_classes.values():
        first = engine.run_in_process({"Policy": cls}, originals)
        second = engine.run_in_process({"Policy": cls}, probe_workloads(probes))
        assert causality_violations(engine, probes, first, second) == []


def middle_probe(probes: list[CausalityProbe]) -> CausalityProbe:
    return probes[len(probes) // 2]


def test_future_reader_is_caught(scenario):
    """Originals and probes in separate runs, as the verifier's check runs them."""
    namespace: dict = {}
    exec(FUTURE_READER, namespace)
    engine = scenario.engine
    originals = spread(engine.workloads("train"), 4)
    # The middle cut of each workload: the reader scans the whole feed at every tick, so each
    # probe costs seconds; one per workload is enough to show it is caught on most of them.
    probes = [middle_probe(engine.causality_probes([w])) for w in originals]
    first = engine.run_in_process(namespace, originals)
    second = engine.run_in_process(namespace, probe_workloads(probes))
    problems = causality_violations(engine, probes, first, second)
    assert len(problems) >= len(originals) // 2, problems


def test_perturbation_keeps_the_past_of_every_region(scenario):
    engine = scenario.engine
    workload = engine.workloads("test")[0]
    probes = engine.causality_probes([workload])
    assert len(probes) > 1
    a0, p0 = engine.matrices(workload)
    for probe in probes:
        (a1, p1), cut = engine.matrices(probe.workload), probe.tick + 1
        assert (a0[:, :cut] == a1[:, :cut]).all() and (p0[:, :cut] == p1[:, :cut]).all()
        assert (a0[:, cut:] != a1[:, cut:]).any() and (p0[:, cut:] != p1[:, cut:]).any()
