"""Causality on spot-multi: honest policies pass; reading future availability is caught."""

from __future__ import annotations

from simulators.spot_single.causality import probe_set

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
    gap = engine.traces(engine.splits["train"].data).gap_s
    probes = probe_set(engine.workloads("train"), 10, seed=3, gap_s=gap)
    for cls in baseline_classes.values():
        raw = engine.run_in_process({"Policy": cls}, probes)
        assert engine.score(probes, raw).artifacts["causality_violations"] == []


def test_future_reader_is_caught(scenario):
    """Originals and probes in separate runs, as the verifier's check runs them."""
    namespace: dict = {}
    exec(FUTURE_READER, namespace)  # noqa: S102 - a known hostile test program
    engine = scenario.engine
    originals = engine.workloads("train")[::60]
    probes = [engine.perturbed(w, seed=i) for i, w in enumerate(originals)]
    first = engine.score(originals, engine.run_in_process(namespace, originals))
    second = engine.score(probes, engine.run_in_process(namespace, probes))
    problems = engine.causality_violations(probes, first.artifacts, second.artifacts)
    assert len(problems) >= len(originals) // 2


def test_perturbation_keeps_the_past_of_every_region(scenario):
    engine = scenario.engine
    workload = engine.workloads("test")[0]
    probe = engine.perturbed(workload, seed=1, after=200)
    (a0, p0), (a1, p1) = engine.matrices(workload), engine.matrices(probe)
    assert (a0[:, :201] == a1[:, :201]).all() and (p0[:, :201] == p1[:, :201]).all()
    assert (a0[:, 201:] != a1[:, 201:]).any() and (p0[:, 201:] != p1[:, 201:]).any()
