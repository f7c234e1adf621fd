"""Bring your own scenario: ``adrs new-scenario`` writes a folder that evaluates as it is, its
simulator file is loaded from the folder (``kind = "simulator.py:Kind"``), its limit bounds every
program, and a short scripted research session runs on it."""

from __future__ import annotations

import json

import pytest

from adrs.cli.main import main
from simulators.errors import ScenarioError
from simulators.evaluate import evaluate
from simulators.scenario import load_scenario
from tests.scenarios.sessions import assert_session_completed, run_session


def test_new_scenario_writes_folder_and_refuses_to_overwrite(tmp_path, capsys):
    assert main(["new-scenario", "my-sched", "--dir", str(tmp_path)]) == 0
    folder = tmp_path / "my-sched"
    for rel in (
        "scenario.toml",
        "simulator.py",
        "seed.py",
        "baselines/peak.py",
        "baselines/reactive.py",
        "README.md",
    ):
        assert (folder / rel).is_file(), rel
    assert 'name = "my-sched"' in (folder / "scenario.toml").read_text()
    assert "# EVOLVE-BLOCK-START" in (folder / "seed.py").read_text()
    assert f"adrs eval {folder}" in (folder / "README.md").read_text()
    assert main(["new-scenario", "my-sched", "--dir", str(tmp_path)]) == 2
    assert main(["new-scenario", "Bad Name", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "invalid scenario name" in err


def test_kind_from_a_file_of_the_folder(scaffold, tmp_path):
    scenario = load_scenario(str(scaffold))
    assert scenario.engine.entry_point == "Policy"
    assert type(scenario.engine).__module__.startswith("adrs_scenario_")
    # Loading again reuses the module; a missing file is a one-line scenario error.
    assert type(load_scenario(str(scaffold)).engine) is type(scenario.engine)
    broken = tmp_path / "broken"
    broken.mkdir()
    text = (scaffold / "scenario.toml").read_text().replace("simulator.py:Kind", "nothere.py:Kind")
    (broken / "scenario.toml").write_text(text)
    with pytest.raises(ScenarioError, match=r"nothere.py"):
        load_scenario(str(broken))


def test_scaffold_evaluates_and_limit_bounds_every_program(scaffold):
    scenario = load_scenario(str(scaffold))
    seed = scenario.seed_path.read_text()
    for split in ("train", "heldout"):
        result = evaluate(scenario, seed, split)
        assert result.status == "ok" and result.feasible, (split, result.error)
        assert result.checks["static"]["passed"]
        if split == "train":
            assert result.checks["causality"]["passed"], result.checks["causality"]
            assert result.checks["causality"]["applicable"]
            assert set(result.metrics) >= {"mean_servers", "drop_share"}
        limit = scenario.engine.limit(split, scaffold)
        assert all(limit[w] <= cost + 1e-9 for w, cost in result.per_workload.items())
    # Decisions are validated in the parent: more servers than exist is rejected.
    cheat = seed.replace("return min(self.max_servers, math.ceil(", "return 10**6 + min(0, int(")
    assert cheat != seed
    rejected = evaluate(scenario, cheat, "train", stage="stage1")
    assert rejected.status == "invalid" and "outside 0..60" in rejected.error, rejected.error
    floats = seed.replace("return min(self.max_servers, math.ceil(", "return 0.5 + min(0, int(")
    rejected = evaluate(scenario, floats, "train", stage="stage1")
    assert rejected.status == "invalid" and "must be an integer" in rejected.error, rejected.error


def test_adrs_eval_and_baselines_on_the_scaffold(scaffold, tmp_path, capsys):
    ws = ["--workspace", str(tmp_path / "ws")]
    assert main([*ws, "eval", str(scaffold), str(scaffold / "seed.py"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "ok" and out["feasible"] and out["objective"]["direction"] == "min"
    assert out["optimum"] <= out["score"] and out["reference"]["name"] == "reactive"
    assert main([*ws, "baselines", str(scaffold), "--split", "heldout", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    heldout = report["splits"]["heldout"]
    assert heldout["optimum"] <= heldout["reactive"] <= heldout["peak"]
    assert heldout["infeasible_runs"] == {"peak": 0, "reactive": 0}


def test_scripted_session_on_the_scaffold(scaffold, tmp_path):
    scenario = load_scenario(str(scaffold))
    store, outcome, script = run_session(tmp_path, scenario, iterations=2, k=2)
    assert_session_completed(store, outcome, script, iterations=2, k=2)
    # The coder edited the headroom constant; every candidate got a verdict or a cascade outcome.
    candidates = [p for p in store.programs(outcome.session_id) if p.origin != "seed"]
    assert all("self.headroom = 1.3\n" not in p.code for p in candidates)
    # A lower headroom is cheaper and still feasible on held-out: the verifier promoted one.
    assert any(p.status in ("accepted", "champion") for p in candidates)
    champion = store.champion(outcome.session_id)
    assert champion.iteration > 0 and champion.heldout_score is not None


def test_scaffold_readme_states_the_problem_for_the_agents(scaffold):
    from graph.context.problem import problem_statement, readme_problem

    scenario = load_scenario(str(scaffold))
    problem = readme_problem(scenario)
    assert problem is not None and "<!--" not in problem  # the note to the author is not sent
    assert "**Objective** `cost`, **minimise**" in problem and "**Splits**" in problem
    assert problem_statement(scenario) == problem
    short = problem_statement(scenario, short=True)  # small models: the description
    assert "lower is better" in short and len(short) < len(problem)
