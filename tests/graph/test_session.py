"""A scripted research team drives real sessions on spot-single; memory is checked after."""

from __future__ import annotations

import time

import pytest

from graph.budget import Budget
from graph.runtime import Models, SessionConfig
from graph.session import checkpointer, create_session, drive, make_runtime
from memory.store import open_store
from simulators.scenario import load_scenario
from tests.support.research_script import ResearchScript, scripted_models


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("spot-single")


def run_session(tmp_path, scenario, script, iterations=2, name="s1", directive=None):
    store = open_store(tmp_path)
    config = SessionConfig(hypotheses_per_iteration=2, budget=Budget(iterations=iterations), seed=7)
    session_id = create_session(store, scenario, name, config)
    if directive:
        store.add_directive(session_id, directive)
    rt = make_runtime(store, scenario, session_id, Models(fixed=scripted_models(script)))
    outcome = drive(rt, checkpointer(tmp_path))
    return store, rt, outcome


def test_scripted_session_fills_memory(tmp_path, scenario):
    script = ResearchScript()
    store, _rt, outcome = run_session(tmp_path, scenario, script, directive="never use price data")
    session = store.get_session(outcome.session_id)
    assert session.iterations == 2
    assert session.status == "finished"
    assert "iteration budget" in outcome.stop_reason
    programs = store.programs(outcome.session_id)
    assert len(programs) == 1 + 4  # the seed and two candidates per iteration
    hypotheses = store.hypotheses(outcome.session_id)
    assert len(hypotheses) == 4
    assert all(h.outcome for h in hypotheses), [h.outcome for h in hypotheses]
    # Every candidate that ran the full train split got a verdict with reasons.
    judged = [p for p in programs if p.status in ("accepted", "rejected")]
    for program in judged:
        verdicts = store.verdicts(program.id)
        assert verdicts and verdicts[0].reasons
    calls = store.llm_calls(outcome.session_id)
    roles = {c.role for c in calls}
    assert {"planner", "coder", "critic"} <= roles
    assert all(c.input_tokens > 0 and c.output_tokens > 0 for c in calls)
    assert store.critiques(outcome.session_id)
    # The directive reached every plan's prompt.
    assert len(script.prompts["planner"]) == 2
    assert all("never use price data" in p for p in script.prompts["planner"])
    champion = store.champion(outcome.session_id)
    assert champion is not None and champion.heldout_score is not None


def test_same_seed_same_session(tmp_path, scenario):
    first = run_session(tmp_path / "a", scenario, ResearchScript(), iterations=1)
    second = run_session(tmp_path / "b", scenario, ResearchScript(), iterations=1)
    codes = [
        [p.code for p in store.programs(outcome.session_id)]
        for store, _, outcome in (first, second)
    ]
    assert codes[0] == codes[1]
    # The second workspace found nothing cached from the first: it really evaluated.
    assert second[1].evaluator.executed > 0


class FirstIdeaSlow(ResearchScript):
    """The same answers, but the coder of each plan's first idea answers last."""

    def __call__(self, prompt: str) -> str:
        if self.role_of(prompt) == "coder" and "idea 0)" in prompt:
            time.sleep(0.4)
        return super().__call__(prompt)


def test_program_ids_follow_the_plan_whatever_order_coders_finish_in(tmp_path, scenario):
    """Parent selection, tie-breaks and prompts see program ids, so the same session must file
    the same code under the same ids even when parallel coder branches finish in another order."""
    runs = [
        run_session(tmp_path / name, scenario, script, iterations=2)
        for name, script in (("plain", ResearchScript()), ("slow", FirstIdeaSlow()))
    ]
    filed = [
        [
            (p.id, p.hypothesis_id, p.code)
            for p in store.programs(outcome.session_id, newest_first=False)
        ]
        for store, _, outcome in runs
    ]
    assert filed[0] == filed[1]
    assert len(filed[0]) >= 3
    for store, _, outcome in runs:  # within an iteration, ids ascend with the plan's order
        programs = [
            p for p in store.programs(outcome.session_id, newest_first=False) if p.hypothesis_id
        ]
        assert [p.hypothesis_id for p in programs] == sorted(p.hypothesis_id for p in programs)
        assert not store.db.execute("SELECT count(*) FROM drafts").fetchone()[0]
