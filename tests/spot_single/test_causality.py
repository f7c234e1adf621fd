"""Causality probes: honest policies pass, a policy that reads the future trace is caught."""

from __future__ import annotations

from simulators.checks.causality import causality_violations, probe_workloads, spread

# Run in-process (``run_in_process``), the trusted feed is on the stack: the reader takes the
# row of the feed that continues its history. (In the sandbox nothing like it is in reach.)
FUTURE_READER = """
import sys

def my_trace(history):
    frame = sys._getframe(1)
    while "feed" not in frame.f_locals:
        frame = frame.f_back
    for row in frame.f_locals["feed"].rows:
        if [bool(v) for v in row[: len(history)]] == history:
            return [bool(v) for v in row]

class Policy:
    def __init__(self, job):
        pass

    def decide(self, obs):
        avail = my_trace(list(obs.spot_history))  # the feed's trace: the future too
        ahead = sum(1 for up in avail[obs.tick + 1 : obs.tick + 30] if up)
        if ahead > 20:
            return "SPOT" if obs.spot_available else "NONE"
        return "ON_DEMAND"
"""


def run_batch(scenario, program: dict, workloads):
    engine = scenario.engine
    raw = engine.run_in_process(program, workloads)
    return raw, engine.score(workloads, raw)


def test_honest_baselines_have_no_violations(scenario, baseline_classes):
    engine = scenario.engine
    originals = spread(engine.workloads("train"), 4)  # each with all its probes
    probes = engine.causality_probes(originals)
    assert len(probes) > len(originals)
    for cls in baseline_classes.values():
        first, _ = run_batch(scenario, {"Policy": cls}, originals)
        second, _ = run_batch(scenario, {"Policy": cls}, probe_workloads(probes))
        assert causality_violations(engine, probes, first, second) == []


def test_future_reader_is_caught_in_two_runs(scenario):
    """Originals and probes in separate runs, as the verifier's check runs them (in one run
    the reader could not tell its row from its probe's: they agree up to the perturbation)."""
    namespace: dict = {}
    exec(FUTURE_READER, namespace)
    engine = scenario.engine
    originals = spread(engine.workloads("train"), 4)  # each with all its probes
    probes = engine.causality_probes(originals)
    first, _ = run_batch(scenario, namespace, originals)
    second, _ = run_batch(scenario, namespace, probe_workloads(probes))
    problems = causality_violations(engine, probes, first, second)
    assert len(problems) >= len(originals) // 2
    assert "changed when only data after" in problems[0]


def test_perturbation_changes_only_the_future(scenario):
    engine = scenario.engine
    workload = engine.workloads("test")[5]
    probes = engine.causality_probes([workload])
    assert len(probes) > 1 and {p.base_id for p in probes} == {workload["id"]}
    before = engine.avail_of(workload)
    for probe in probes:
        after, cut = engine.avail_of(probe.workload), probe.tick + 1
        assert before[:cut] == after[:cut] and before[cut:] != after[cut:]
