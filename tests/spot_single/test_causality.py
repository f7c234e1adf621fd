"""Causality probes: honest policies pass, a policy that reads the future trace is caught."""

from __future__ import annotations

from simulators.spot_single.causality import first_difference, probe_set

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


def test_future_reader_is_caught_in_two_runs(scenario):
    """Originals and probes in separate runs, as the verifier's check runs them (in one run
    the reader could not tell its row from its probe's: they agree up to the perturbation)."""
    namespace: dict = {}
    exec(FUTURE_READER, namespace)  # noqa: S102 - a known hostile test program
    engine = scenario.engine
    originals = engine.workloads("train")[::90]
    probes = [engine.perturbed(w, seed=i) for i, w in enumerate(originals)]
    _, first = run_batch(scenario, namespace, originals)
    _, second = run_batch(scenario, namespace, probes)
    problems = engine.causality_violations(probes, first.artifacts, second.artifacts)
    assert len(problems) >= len(originals) // 2
    assert "changed when only ticks after" in problems[0]


def test_perturbation_changes_only_the_future(scenario):
    engine = scenario.engine
    workload = engine.workloads("test")[5]
    probe = engine.perturbed(workload, seed=3, after=100)
    before, after = engine.avail_of(workload), engine.avail_of(probe)
    assert before[:101] == after[:101] and before[101:] != after[101:]
