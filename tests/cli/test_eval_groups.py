"""``adrs eval --json`` shows where a program wins and loses: per group, beside the reference
baseline and the limit on the same workloads, for every bundled scenario (a user tuning a policy
had written wrappers around the evaluator to see which cells lost)."""

from __future__ import annotations

import json

import pytest

from adrs.cli.main import main
from simulators.scenario import available_scenarios, load_scenario


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(available_scenarios()))
def test_eval_reports_every_group_beside_the_reference_and_the_limit(name, tmp_path, capsys):
    scenario = load_scenario(name)
    code = main(["--workspace", str(tmp_path), "eval", name, str(scenario.seed_path), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["status"] == "ok" and out["feasible"], out.get("error")
    engine = scenario.engine
    workloads = engine.workloads("train")
    expected = {engine.group_of(w) for w in workloads}
    rows = out["groups"]["group"]
    assert {row["group"] for row in rows} == expected
    assert sum(row["runs"] for row in rows) == out["runs"] == len(workloads)
    for row in rows:
        assert row["infeasible_runs"] == 0
        assert isinstance(row["score"], float) and isinstance(row["reference"], float), row
        assert isinstance(row["limit"], float), row
        if scenario.spec.objective.direction == "min":
            assert row["limit"] <= row["score"] + 1e-9 and row["limit"] <= row["reference"] + 1e-9
        else:
            assert row["limit"] >= row["score"] - 1e-9
    # The groups partition the split: their run-weighted means give back the overall numbers.
    weighted = sum(row["score"] * row["runs"] for row in rows) / out["runs"]
    assert weighted == pytest.approx(out["score"], rel=1e-9)
    reference = sum(row["reference"] * row["runs"] for row in rows) / out["runs"]
    assert reference == pytest.approx(out["reference"]["score"], rel=1e-9)
    assert out["reference"]["name"] == scenario.spec.reference_baseline
    # Other facets (the zone of a spot trace) are groupings of the same runs.
    for axis, axis_rows in out["groups"].items():
        assert sum(row["runs"] for row in axis_rows) == out["runs"], axis
