"""Causality probes: honest policies pass, a policy that reads the future trace is caught."""

from __future__ import annotations

from simulators.spot_single.causality import first_difference, probe_set

FUTURE_READER = """
import sys

class Policy:
    def __init__(self, job):
        pass

    def decide(self, obs):
        avail = sys._getframe(1).f_locals["avail"]  # the simulator's trace: the future too
        ahead = sum(1 for up in avail[obs.tick + 1 : obs.tick + 30] if up)
        if ahead > 20:
            return "SPOT" if obs.spot_available else "NONE"
        return "ON_DEMAND"
"""


def run_batch(scenario, program: dict, workloads):
    engine = scenario.engine
    raw = engine.run_candidate(program, workloads)
    return raw, engine.score(workloads, raw)


def test_first_difference():
    assert first_difference("0121", "0122", 2) is None
    assert first_difference("0121", "0221", 3) == 1
    assert first_difference("01", "012", 2) == 2


def test_honest_baselines_have_no_violations(scenario, baseline_classes):
    probes = probe_set(scenario.engine.workloads("train"), 12, seed=7)
    assert sum("perturb_of" in w for w in probes) == 12
    for cls in baseline_classes.values():
        _, scored = run_batch(scenario, {"Policy": cls}, probes)
        assert scored.artifacts["causality_violations"] == []
        assert scored.metrics["causality_violations"] == 0


def test_future_reader_is_caught_in_one_batch_and_in_two_runs(scenario):
    namespace: dict = {}
    exec(FUTURE_READER, namespace)  # noqa: S102 - a known hostile test program
    engine = scenario.engine
    originals = engine.workloads("train")[::90]
    probes = [engine.perturbed(w, seed=i) for i, w in enumerate(originals)]
    _, scored = run_batch(scenario, namespace, originals + probes)
    assert scored.metrics["causality_violations"] >= len(originals) // 2
    assert "changed when only ticks after" in scored.artifacts["causality_violations"][0]
    # Two runs, compared on the artifacts small evaluations carry.
    _, first = run_batch(scenario, namespace, originals)
    _, second = run_batch(scenario, namespace, probes)
    assert engine.causality_violations(probes, first.artifacts, second.artifacts)


def test_perturbation_changes_only_the_future(scenario):
    engine = scenario.engine
    workload = engine.workloads("test")[5]
    probe = engine.perturbed(workload, seed=3, after=100)
    before, after = engine.avail_of(workload), engine.avail_of(probe)
    assert before[:101] == after[:101] and before[101:] != after[101:]
