"""A check's ``blocking`` flag never contradicts the status it decided.

Before: a program whose only static finding was a big literal table was not run (status
``violation``, score null) while ``checks.static`` said ``"blocking": false``. Now only blocking
findings stop a run; a warning runs, and the failed check is the verifier's to weigh.
"""

from __future__ import annotations

import pytest

from simulators.evaluate import MAX_PROGRAM_BYTES, evaluate
from simulators.sandbox.toykind import TOY_SEED
from tests.support.leaky_toy import LEAK_READER, write_leaky_scenario

BIG_TABLE = "TABLE = [" + ", ".join(["1"] * 600) + "]\n" + TOY_SEED
FORBIDDEN = "import os\n" + TOY_SEED
INVALID = "class Policy:\n    def __init__(self, job): pass\n    def decide(self, obs): return 7\n"
DEEP = "X = 1" + " + 0" * 500 + "\n" + TOY_SEED
HUGE = TOY_SEED + "#" * (MAX_PROGRAM_BYTES + 1)


def assert_consistent(result) -> None:
    """Whenever a check decided a status other than ok, it says it blocks; a check that passed
    never claims to block."""
    failed = {name: c for name, c in result.checks.items() if c.get("passed") is False}
    for name, check in result.checks.items():
        assert isinstance(check.get("blocking"), bool), (name, check)
        if check.get("passed"):
            assert check["blocking"] is False, (name, check)
    if result.status in ("violation", "invalid"):
        assert any(c["blocking"] for c in failed.values()), result.checks


@pytest.mark.parametrize(
    ("source", "status", "check"),
    [
        (FORBIDDEN, "violation", "static"),
        (DEEP, "violation", "static"),
        (HUGE, "violation", "size"),
        (INVALID, "invalid", "validity"),
    ],
)
def test_a_check_that_decided_the_status_blocks(toy, source, status, check):
    result = evaluate(toy, source, "train")
    assert result.status == status, result.error
    assert result.checks[check]["passed"] is False and result.checks[check]["blocking"] is True
    assert_consistent(result)


def test_a_warning_runs_and_is_left_to_the_verifier(toy):
    result = evaluate(toy, BIG_TABLE, "train")
    assert result.status == "ok" and result.score is not None, result.error
    static = result.checks["static"]
    assert static["passed"] is False and static["blocking"] is False
    assert "literal table of 600" in static["findings"][0]
    assert_consistent(result)


def test_an_honest_program_has_no_blocking_check(toy):
    result = evaluate(toy, TOY_SEED, "train")
    assert result.status == "ok"
    assert not any(c["blocking"] for c in result.checks.values())
    assert_consistent(result)


def test_reading_the_future_blocks_though_the_program_scored(tmp_path):
    from simulators.scenario import load_scenario

    leaky = load_scenario(str(write_leaky_scenario(tmp_path / "leaky")))
    result = evaluate(leaky, LEAK_READER, "train")
    assert result.status == "ok"
    assert result.checks["causality"]["passed"] is False
    assert result.checks["causality"]["blocking"] is True
    assert_consistent(result)
