"""``adrs run --replay``: a recorded session's answers, replayed, reproduce its programs."""

from __future__ import annotations

from adrs.replay import replay_models
from graph.budget import Budget
from graph.runtime import Models, SessionConfig
from graph.session import checkpointer, create_session, drive, make_runtime
from memory.store import open_store
from simulators.scenario import load_scenario
from tests.support.research_script import ResearchScript, scripted_models


def test_replay_reproduces_the_recorded_programs(tmp_path):
    scenario = load_scenario("spot-single")
    store = open_store(tmp_path)
    config = SessionConfig(hypotheses_per_iteration=2, budget=Budget(iterations=2), seed=3)
    original = create_session(store, scenario, "original", config)
    drive(
        make_runtime(store, scenario, original, Models(fixed=scripted_models(ResearchScript()))),
        checkpointer(tmp_path),
    )

    replayed = create_session(store, scenario, "replayed", config)
    rt = make_runtime(store, scenario, replayed, replay_models(store, "original"))
    drive(rt, checkpointer(tmp_path))

    def codes(session_id):
        return sorted(p.code for p in store.programs(session_id, limit=1000))

    assert codes(replayed) == codes(original)
    answers = [c.response for c in store.llm_calls(replayed, limit=1000)]
    assert answers and all(answers)
    # Nothing was evaluated again: the replay found every result in memory.
    assert rt.evaluator.executed == 0
