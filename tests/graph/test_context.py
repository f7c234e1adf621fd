"""The pieces prompts are built from: budgets by whole items, offered parents, headroom, regret."""

from __future__ import annotations

import pytest

from graph.context.budget import Section, compose
from graph.context.groups import worst_by_regret, yardstick
from graph.context.lineage import offered_parents
from graph.context.numbers import change, fmt
from graph.context.runs import details
from graph.context.standings import headroom
from simulators.references import LIMIT_KEY, References
from simulators.scenario import Objective

COST = Objective(name="cost", direction="min", unit="$")


def test_compose_drops_whole_items_and_says_so():
    items = [f"finding {i}: " + "word " * 30 + "end." for i in range(10)]
    text = compose([Section("Problem", ["the problem."]), Section("Findings", items)], 200)
    assert len(text) <= 200 * 4
    kept = [line for line in text.splitlines() if line.startswith("finding")]
    assert kept and all(line.endswith("end.") for line in kept)  # never cut mid-sentence
    assert f"({10 - len(kept)} more left out to fit the prompt)" in text
    assert text.startswith("# Problem\nthe problem.")


def test_offered_parents_are_distinct_and_hold_the_champion():
    assert offered_parents([1, 1], 3) == [1, 3]
    assert offered_parents([3, 1, 3], 3) == [3, 1]
    assert offered_parents([], None) == []
    assert offered_parents([1], 3, near_miss=5) == [1, 3, 5]
    assert offered_parents([5, 3], 3, near_miss=5) == [5, 3]


def test_headroom_is_the_share_of_the_reference_to_limit_gap():
    assert headroom(86.47, 91.64, 81.30) == (91.64 - 86.47) / (91.64 - 81.30)  # min: 50%
    assert headroom(0.75, 0.70, 0.80) == pytest.approx(0.5)  # max: 50%
    assert headroom(95.0, 91.64, 81.30) < 0  # worse than ref
    assert headroom(90.0, None, 81.30) is None
    assert fmt(90.757, "$") == "$90.76" and change(115.67, 114.10) == "+1.4%"


def test_worst_runs_rank_by_regret_not_by_absolute_cost():
    values = {"cheap-but-far": 60.0, "dear-but-optimal": 140.0, "middle": 100.0}
    limit = {"cheap-but-far": 20.0, "dear-but-optimal": 139.0, "middle": 80.0}
    refs = References({LIMIT_KEY: {"train": limit}, "up": {"train": values}}, "up", "optimum")
    name, yard = yardstick(refs, "train", COST)
    assert name == "optimum"
    assert [w for w, _, _ in worst_by_regret(values, yard, "min", 2)] == ["cheap-but-far", "middle"]
    # Without a limit, the best baseline per workload is the yardstick.
    no_limit = References(
        {"a": {"train": {"x": 5.0, "y": 9.0}}, "b": {"train": {"x": 7.0, "y": 4.0}}}
    )
    assert yardstick(no_limit, "train", COST)[1] == {"x": 5.0, "y": 4.0}


def test_losing_groups_name_the_cells_and_zones_that_lost(tmp_path):
    import os
    from pathlib import Path

    from graph.context.groups import groups_of, losing_groups
    from simulators.references import baseline_result
    from simulators.scenario import load_scenario

    scenario = load_scenario("spot-single")
    cache = Path(os.environ["ADRS_CACHE_DIR"])
    cache.mkdir(parents=True, exist_ok=True)
    champion = baseline_result(scenario, "uniform_progress", "heldout", cache)["per_workload"]
    cell = "deadline=52h overhead=0.4h"
    cells = groups_of(scenario, "heldout")
    candidate = {w: v * (1.10 if cells[w] == cell else 0.999) for w, v in champion.items()}
    lost = losing_groups(scenario, "heldout", candidate, champion, scenario.spec.objective)
    assert lost[0].startswith(f"{cell}: $") and lost[0].endswith("(+10.0%)")
    assert len(lost) == 1 + 3  # the one cell, then the three worst zones
    assert all(line.startswith("zone us-west-2") for line in lost[1:])
    assert losing_groups(scenario, "heldout", champion, champion, scenario.spec.objective) == []


def test_run_details_show_tables_and_short_lists_never_digests():
    """Every figure a problem statement explains reaches the critic, whatever its shape."""
    text = details(
        {
            "nodes_per_token": 2.98,
            "peak_causes": {"single_replica_share": 0.4, "hot_node_ratio": 1.1},
            "worst_layers": [[13, 0.49]],
            "plan_digests": ["ab12"],
            "long": list(range(1000)),
        }
    )
    assert "figures: nodes_per_token=2.98" in text
    assert "peak_causes: {'single_replica_share': 0.4, 'hot_node_ratio': 1.1}" in text
    assert "worst_layers: [[13, 0.49]]" in text
    assert "digest" not in text and "long" not in text
