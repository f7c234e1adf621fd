"""A cost breakdown's parts add up to the score, for every bundled scenario whose score is a sum.

Before: the report stacked every ``*_usd`` metric, so spot-single's restart overhead (dollars
already inside the spot and on-demand dollars) was counted twice: $60.57 + $4.10 + $30.19 =
$94.86 for a program that cost $90.76.
"""

from __future__ import annotations

import pytest

from simulators.evaluate import evaluate, stage1_workload_ids
from simulators.scenario import available_scenarios, load_scenario

#: Scenarios whose objective is a sum of parts, and the parts their kind names.
SUMS = {
    "spot-single": {"spot, working", "on-demand, working", "restart overhead"},
    "spot-multi": {"spot, working", "on-demand, working", "restart overhead"},
    "cloudcast": {"egress", "instances"},
}


@pytest.mark.parametrize("name", sorted(available_scenarios()))
def test_parts_add_up_to_the_score(name):
    scenario = load_scenario(name)
    programs = {"seed": scenario.seed_path.read_text()} | {
        baseline: path.read_text() for baseline, path in scenario.baseline_paths().items()
    }
    ids = stage1_workload_ids(scenario)[:12]
    for label, source in programs.items():
        result = evaluate(scenario, source, "train", workload_ids=ids, checks=())
        assert result.status == "ok", (label, result.error)
        if name not in SUMS:
            assert result.parts == {}, (label, result.parts)  # e.g. balancedness: a ratio
            continue
        assert result.score is not None, (label, result.infeasible_runs)
        assert set(result.parts) == SUMS[name], result.parts
        assert all(value >= -1e-9 for value in result.parts.values()), result.parts
        assert sum(result.parts.values()) == pytest.approx(result.score, rel=1e-9), (
            label,
            result.parts,
            result.score,
        )


def test_every_scenario_is_covered():
    """A new bundled scenario must say here whether its score is a sum."""
    assert set(SUMS) <= set(available_scenarios())
    assert "eplb" in available_scenarios()
