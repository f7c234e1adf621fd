"""``adrs eval`` and ``adrs baselines`` on spot-multi."""

from __future__ import annotations

import json

import pytest

from adrs.cli.main import main
from simulators.scenario import SCENARIOS_ROOT

SEED = SCENARIOS_ROOT / "spot_multi" / "seed.py"


def test_a_region_out_of_range_exits_1(tmp_path, capsys):
    program = tmp_path / "bad.py"
    program.write_text(
        "class Policy:\n    def __init__(self, job): pass\n"
        "    def decide(self, obs): return ('SPOT', 99)\n"
    )
    code = main(["--workspace", str(tmp_path), "eval", "spot-multi", str(program), "--json"])
    captured = capsys.readouterr()
    assert code == 1 and json.loads(captured.out)["status"] == "invalid"
    assert len(captured.err.strip().splitlines()) == 1 and "('SPOT', 99)" in captured.err


@pytest.mark.slow
def test_seed_scores_and_baselines_report_the_limit(workspace, capsys):
    code = main(["--workspace", str(workspace), "eval", "spot-multi", str(SEED), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["feasible"] and out["reference"]["score"] > out["optimum"]
    assert main(["--workspace", str(workspace), "baselines", "spot-multi", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for split in ("train", "heldout", "test"):
        rep = report["splits"][split]
        assert rep["optimum"] <= min(rep["uniform_progress_round_robin"], rep["on_demand"])
        limit = rep["limit"]
        assert limit["exact_runs"] > 0
        assert limit["lower_bound_on_subset"] <= limit["exact_optimum_on_subset"] + 1e-9
