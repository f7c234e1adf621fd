"""Cascade, cache and the verifier's checks on the toy scenario.

The cascade and the cache are the research loop's (``graph.evaluation.CandidateEvaluator``):
stage 1 on a fixed subset, then the full split; every result kept in memory by normalised code.
"""

from __future__ import annotations

import textwrap
from types import SimpleNamespace

import pytest

from graph.evaluation import CandidateEvaluator
from memory.normalize import code_hash
from memory.records import Program
from memory.store import Store, open_store
from simulators.checks import static_scan
from simulators.checks.causality import PROBED_WORKLOADS
from simulators.evaluate import clears_stage1, evaluate, stage1_workload_ids
from simulators.sandbox.toykind import TOY_SEED
from simulators.scenario import Objective, load_scenario
from tests.support.leaky_toy import LEAK_READER, write_leaky_scenario

ALWAYS_EXPENSIVE = (
    "class Policy:\n    def __init__(self, job):\n        self.left = job['need']\n"
    "    def decide(self, obs):\n        self.left -= 1\n"
    "        return 2 if self.left >= 0 else 0\n"
)

# Reads the future through the frame of the harness's loop, as it could before lockstep
# revelation; now that frame holds only the present tick.
CHEATER = textwrap.dedent(
    """
    import sys

    class Policy:
        def __init__(self, job):
            self.need = job["need"]
            self.done = 0

        def decide(self, obs):
            if self.done >= self.need:
                return 0
            frame = sys._getframe(0).f_back
            values = frame.f_locals.get("values", [])
            later = values[obs["t"] + 1:]
            self.done += 1
            # Pay for on-demand now only if the next tick will not be cheap.
            if obs["available"] or (later and later[0]):
                return 1
            return 2
    """
)


def test_stage1_subset_is_fixed_and_spread(toy):
    ids = stage1_workload_ids(toy)
    assert ids == ["train-a", "train-d"]
    assert ids == stage1_workload_ids(toy)


def stored(store: Store, toy, session: str, code: str) -> Program:
    """``code`` as a program of a new session of the toy scenario in ``store``."""
    sid = store.create_session(session, toy.spec.name, scenario_version=toy.spec.version)
    program = store.get_program(store.add_program(sid, code).program_id)
    assert program is not None
    return program


@pytest.mark.parametrize(
    ("direction", "score", "cleared"),
    [("min", 11.0, True), ("min", 11.5, False), ("max", 9.0, True), ("max", 8.5, False)],
)
def test_stage1_clears_within_tolerance_of_the_reference(direction, score, cleared):
    """Better than the reference, or worse by at most ``tolerance`` of it (here 10%)."""
    spec = SimpleNamespace(
        objective=Objective(name="x", direction=direction),
        cascade=SimpleNamespace(tolerance=0.1),
    )
    scenario = SimpleNamespace(spec=spec)
    assert clears_stage1(scenario, score, 10.0) is cleared
    assert clears_stage1(scenario, 10.0 + (-5 if direction == "min" else 5), 10.0)
    assert clears_stage1(scenario, score, None) and not clears_stage1(scenario, None, 10.0)


def test_cascade_stops_after_stage1_when_worse(toy, tmp_path):
    with open_store(tmp_path) as store:
        evaluator = CandidateEvaluator(store, toy)
        program = stored(store, toy, "worse", ALWAYS_EXPENSIVE)
        first, full = evaluator.cascade(program, reference_stage1=4.0)
    assert first.stage == "stage1" and first.runs == 2 and first.score == 9.0
    assert full is None and evaluator.executed == 1


def test_cascade_runs_full_when_close(toy, tmp_path):
    with open_store(tmp_path) as store:
        evaluator = CandidateEvaluator(store, toy)
        first, full = evaluator.cascade(stored(store, toy, "close", TOY_SEED), reference_stage1=7.0)
    assert first.passed and full is not None and full.runs == 6 and full.score == 6.0
    assert evaluator.executed == 2


def test_cache_ignores_comments_and_formatting(toy, tmp_path):
    """A result is found again by normalised code, from another session of the workspace."""
    reformatted = "# a comment\n" + TOY_SEED.replace("return 0", "return  0  # idle")
    assert code_hash(TOY_SEED) == code_hash(reformatted)
    with open_store(tmp_path) as store:
        first = CandidateEvaluator(store, toy).score(stored(store, toy, "one", TOY_SEED), "train")
        later = CandidateEvaluator(store, toy)
        program = stored(store, toy, "two", reformatted)
        again = later.score(program, "train")
        assert not first.cached and again.cached and again.score == first.score
        assert again.run_time_s == first.run_time_s and later.executed == 0  # nothing ran
        other_stage = later.score(program, "train", "stage1")
        assert not other_stage.cached and later.executed == 1


def test_checks_reported_for_honest_program(toy):
    result = evaluate(toy, TOY_SEED, "train")
    assert result.checks["static"] == {"passed": True, "blocking": False, "findings": []}
    assert result.checks["validity"] == {"passed": True, "blocking": False, "error": None}
    assert result.checks["causality"]["passed"] is True
    # The toy kind makes three probes per probed workload.
    assert result.checks["causality"]["probes"] == 3 * PROBED_WORKLOADS


def test_the_frames_above_a_policy_are_out_of_reach(toy):
    """The frame that called ``decide`` holds only the present tick (lockstep), and the cheater
    does not even get there: in the sandbox ``sys._getframe`` raises, since a frame's
    ``f_back`` and ``f_locals`` raise no audit event and would lead to the harness's state."""
    result = evaluate(toy, CHEATER, "train", static_gate=False)
    assert result.status == "error", (result.status, result.error)
    assert "frames are not available in the sandbox" in result.error
    assert result.checks["static"]["passed"] is False


def test_causality_catches_a_policy_using_a_leaky_feed(tmp_path):
    """The second wall: a scenario whose feed leaks the series (an author's mistake) still
    cannot get a future-reader past the verifier's probes."""
    leaky = load_scenario(str(write_leaky_scenario(tmp_path / "leaky")))
    result = evaluate(leaky, LEAK_READER, "train")
    assert result.status == "ok", result.error
    assert result.checks["causality"]["passed"] is False
    assert "changed" in result.checks["causality"]["violations"][0]


def test_invalid_output_fails_validity(toy):
    source = (
        "class Policy:\n    def __init__(self, job): pass\n    def decide(self, obs): return 7\n"
    )
    result = evaluate(toy, source, "train")
    assert result.status == "invalid"
    assert result.checks["validity"]["passed"] is False and "bad action" in result.error


def test_static_gate_refuses_frame_walking(toy):
    result = evaluate(toy, CHEATER, "train")
    assert result.status == "violation" and "static scan" in result.error


def test_static_scan_findings():
    report = static_scan(
        "import os\nx = open('f')\nimport sys\ny = sys.modules\n"
        "TABLE = [" + ", ".join(["1"] * 600) + "]\n"
    )
    text = " | ".join(str(f) for f in report.findings)
    assert "imports 'os'" in text and "calls open()" in text and ".modules" in text
    assert "literal table of 600" in text
    assert not report.passed and report.blocked
    table_only = static_scan("TABLE = [" + ", ".join(["1"] * 600) + "]\n")
    assert not table_only.passed and not table_only.blocked
    assert static_scan(TOY_SEED).passed
