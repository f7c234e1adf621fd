"""A short scripted research session on any scenario, and what memory must show after it."""

from __future__ import annotations

from graph.budget import Budget
from graph.runtime import Models, SessionConfig
from graph.session import checkpointer, create_session, drive, make_runtime
from memory.store import open_store
from tests.support.generic_script import GenericScript, generic_models


def run_session(workspace, scenario, iterations=1, k=2, script=None):
    """Drive a real session with the generic scripted team; return (store, outcome, script)."""
    script = script or GenericScript()
    store = open_store(workspace)
    config = SessionConfig(hypotheses_per_iteration=k, budget=Budget(iterations=iterations), seed=3)
    session_id = create_session(store, scenario, "scripted", config)
    rt = make_runtime(store, scenario, session_id, Models(fixed=generic_models(script)))
    outcome = drive(rt, checkpointer(workspace))
    return store, outcome, script


def assert_session_completed(store, outcome, script, iterations, k):
    """What any completed scripted session must show in memory, whatever the scenario."""
    session = store.get_session(outcome.session_id)
    assert session.status == "finished", session
    assert session.iterations == iterations
    assert "iteration budget" in outcome.stop_reason
    hypotheses = store.hypotheses(outcome.session_id)
    assert len(hypotheses) == iterations * k
    assert all(h.outcome for h in hypotheses), [(h.outcome, h.outcome_detail) for h in hypotheses]
    programs = store.programs(outcome.session_id)
    candidates = [p for p in programs if p.origin != "seed"]
    # Every coder answer applied and gave a new, distinct program (no duplicates, no failures).
    assert len(candidates) == iterations * k, [h.outcome for h in hypotheses]
    assert len({p.code_hash for p in programs}) == len(programs)
    failed = [(p.id, p.status) for p in candidates if p.status == "failed"]
    assert not failed, [(h.outcome, h.outcome_detail) for h in hypotheses]
    assert len(script.prompts["planner"]) == iterations
    assert len(script.prompts["coder"]) == iterations * k
    champion = store.champion(outcome.session_id)
    assert champion is not None and champion.train_score is not None
    assert champion.heldout_score is not None
