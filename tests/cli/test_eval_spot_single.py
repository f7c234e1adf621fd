"""``adrs eval`` and ``adrs baselines`` on spot-single: output shape and exit codes."""

from __future__ import annotations

import json

import pytest

from adrs.cli.main import main
from simulators.scenario import SCENARIOS_ROOT

SEED = SCENARIOS_ROOT / "spot_single" / "seed.py"

BROKEN = {
    "syntax": ("class Policy(:\n", "syntax error"),
    "no_policy": ("class Strategy:\n    pass\n", "does not define 'Policy'"),
    "bad_return": (
        (
            "class Policy:\n    def __init__(self, job): pass\n"
            "    def decide(self, obs): return 'MAYBE'\n"
        ),
        "invalid",
    ),
    "raises": (
        (
            "class Policy:\n    def __init__(self, job): pass\n"
            "    def decide(self, obs): raise RuntimeError('boom')\n"
        ),
        "RuntimeError: boom",
    ),
    "infeasible": (
        (
            "class Policy:\n    def __init__(self, job): pass\n"
            "    def decide(self, obs): return 'NONE'\n"
        ),
        "infeasible",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_failing_programs_exit_1_with_one_line(tmp_path, capsys, case):
    source, reason = BROKEN[case]
    program = tmp_path / "candidate.py"
    program.write_text(source)
    code = main(
        ["--workspace", str(tmp_path / "ws"), "eval", "spot-single", str(program), "--json"]
    )
    captured = capsys.readouterr()
    assert code == 1
    err_lines = captured.err.strip().splitlines()
    assert len(err_lines) == 1 and reason in err_lines[0], captured.err
    assert "Traceback" not in captured.err
    out = json.loads(captured.out)
    assert out["feasible"] is False and out["split"] == "train" and out["runs"] == 1080
    if case == "infeasible":
        assert out["status"] == "ok" and out["deadline_misses"] == 1080
        # Scored: the groups show where the misses are, beside the reference's costs there.
        rows = out["groups"]["group"]
        assert len(rows) == 9 and all(r["infeasible_runs"] == r["runs"] == 120 for r in rows)
        assert all(r["score"] is None and r["reference"] > 0 for r in rows)
    else:
        assert out["status"] == ("invalid" if case == "bad_return" else "error")
        assert "groups" not in out  # nothing was scored
    # A program that does not parse was not scanned: the static check must not claim it passed.
    assert (out["checks"]["static"].get("applicable") is False) == (case == "syntax")


@pytest.mark.parametrize(
    "argv",
    [
        ["eval", "no-such-scenario", str(SEED)],
        ["eval", "spot-single", "/no/such/program.py"],
        ["eval", "spot-single", str(SEED), "--split", "validation"],
        ["baselines", "spot-single", "--split", "validation"],
    ],
)
def test_usage_errors_exit_2(tmp_path, capsys, argv):
    assert main(["--workspace", str(tmp_path), *argv]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.slow
def test_seed_scores_with_comparison(workspace, capsys):
    code = main(["--workspace", str(workspace), "eval", "spot-single", str(SEED), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["status"] == "ok" and out["feasible"] and out["deadline_misses"] == 0
    assert out["reference"]["name"] == "uniform_progress"
    assert out["optimum"] < out["reference"]["score"]
    assert out["optimum"] <= out["score"]
    assert {"saved_vs_reference_pct", "gap_closed"} <= set(out)


@pytest.mark.slow
def test_baselines_json_shape(workspace, capsys):
    assert main(["--workspace", str(workspace), "baselines", "spot-single", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scenario"] == "spot-single"
    for split, runs in {"train": 1080, "heldout": 1080, "test": 810}.items():
        rep = out["splits"][split]
        assert rep["runs"] == runs
        for key in ("greedy", "uniform_progress", "on_demand", "optimum"):
            assert isinstance(rep[key], float)
        assert rep["optimum"] <= min(rep["greedy"], rep["uniform_progress"], rep["on_demand"])
        assert len(rep["cells"]) == 9
