"""``adrs eval`` exits 1 when a blocking check failed, though the program scored: a score the
verifier would never accept must not read as a success to a script."""

from __future__ import annotations

import json

import pytest

import simulators.evaluate
from adrs.cli import cmd_eval
from adrs.cli.main import main
from simulators.results import EvalResult
from tests.support.leaky_toy import LEAK_READER, write_leaky_scenario

STATIC_FAILED = {
    "passed": False,
    "blocking": True,
    "findings": ["line 1: imports 'os' (I/O, processes or introspection)"],
}
ONLY_WARNED = {
    "passed": False,
    "blocking": False,
    "findings": ["line 3: literal table of 900 elements (memorised data?)"],
}


def eval_with_checks(monkeypatch, tmp_path, capsys, checks: dict, *flags: str):
    """Run ``adrs eval spot-single`` on a program whose evaluation scored, feasible, with
    ``checks``; the sandbox and the baseline comparison are stood in for (they are not what
    is tested here)."""
    scored = EvalResult(
        status="ok", split="train", runs=3, score=12.5, feasible=True, checks=checks
    )
    monkeypatch.setattr(simulators.evaluate, "evaluate", lambda *a, **k: scored)
    monkeypatch.setattr(cmd_eval, "yardsticks", lambda *a, **k: ({}, {}))
    # Nothing this stand-in scores may reach the suite's shared cache of baseline results.
    monkeypatch.setenv("ADRS_CACHE_DIR", str(tmp_path / "cache"))
    program = tmp_path / "candidate.py"
    program.write_text("class Policy:\n    pass\n")
    code = main(["--workspace", str(tmp_path / "ws"), "eval", "spot-single", str(program), *flags])
    return code, capsys.readouterr()


@pytest.mark.parametrize("flags", [(), ("--json",)])
def test_failed_blocking_check_exits_1_with_one_line(monkeypatch, tmp_path, capsys, flags):
    code, captured = eval_with_checks(
        monkeypatch, tmp_path, capsys, {"static": STATIC_FAILED}, *flags
    )
    assert code == 1
    assert captured.err.strip().splitlines() == [
        (
            "adrs: blocking check 'static' failed: line 1: imports 'os' "
            "(I/O, processes or introspection)"
        )
    ]
    if flags:  # the JSON is what it was: scored, with the check as evaluated
        out = json.loads(captured.out)
        assert out["score"] == 12.5 and out["checks"]["static"] == STATIC_FAILED
    else:
        assert "check static     FAILED: line 1: imports 'os'" in captured.out


def test_a_warning_check_or_a_passed_one_keeps_exit_0(monkeypatch, tmp_path, capsys):
    checks = {
        "static": ONLY_WARNED,
        "causality": {"passed": True, "violations": []},
        "validity": {"passed": True, "error": None},
    }
    code, captured = eval_with_checks(monkeypatch, tmp_path, capsys, checks, "--json")
    assert code == 0 and captured.err == ""


def test_a_future_reader_caught_by_causality_exits_1(tmp_path, capsys):
    """End to end: a scenario whose feed leaks the series, a policy that uses it. It scores
    (status ok, feasible), and only the causality probes catch it."""
    folder = write_leaky_scenario(tmp_path / "leaky")
    program = tmp_path / "reader.py"
    program.write_text(LEAK_READER)
    code = main(["--workspace", str(tmp_path / "ws"), "eval", str(folder), str(program), "--json"])
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["status"] == "ok" and out["feasible"] is True
    assert out["checks"]["causality"]["passed"] is False
    assert code == 1
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("adrs: blocking check 'causality' failed: ")
