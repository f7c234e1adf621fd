"""Approval mode: the session pauses after each plan (LangGraph ``interrupt``) until a reviewer
in another process approves, edits or rejects it through memory (what ``adrs chat`` does)."""

from __future__ import annotations

import threading
import time

from graph import control
from graph.budget import Budget
from graph.runtime import Models, SessionConfig
from graph.session import checkpointer, create_session, drive, make_runtime
from memory.store import open_store
from simulators.scenario import load_scenario
from tests.support.research_script import ResearchScript, scripted_models


def wait_for_plan(store, session_id, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        plan = control.pending_plan(store, session_id)
        if plan:
            return plan
        time.sleep(0.1)
    raise AssertionError("no plan awaited approval")


def test_plan_waits_for_approval_and_edits_reach_the_coder(tmp_path):
    scenario = load_scenario("spot-single")
    store = open_store(tmp_path)
    config = SessionConfig(
        hypotheses_per_iteration=1, budget=Budget(iterations=2), approve=True, review=False
    )
    session_id = create_session(store, scenario, "gated", config)
    script = ResearchScript()
    rt = make_runtime(store, scenario, session_id, Models(fixed=scripted_models(script)))
    outcome: dict = {}
    runner = threading.Thread(
        target=lambda: outcome.setdefault("o", drive(rt, checkpointer(tmp_path)))
    )
    runner.start()

    reviewer = open_store(tmp_path)  # a second connection, as adrs chat would hold
    first = wait_for_plan(reviewer, session_id)
    time.sleep(0.5)
    assert not script.prompts["coder"], "the coder ran before the plan was approved"
    assert reviewer.get_session(session_id).status == "awaiting_approval"
    control.approve_plan(
        reviewer, session_id, {first[0].id: "Wait for spot until 3 overheads remain"}
    )

    second = wait_for_plan(reviewer, session_id)
    assert second[0].id != first[0].id
    control.reject_plan(reviewer, session_id, "not this one")
    runner.join(timeout=600)
    assert not runner.is_alive()

    assert any("Wait for spot until 3 overheads remain" in p for p in script.prompts["coder"])
    assert len(script.prompts["coder"]) >= 1
    rejected = reviewer.get_hypothesis(second[0].id)
    assert rejected.outcome == "rejected_by_user"
    assert reviewer.get_session(session_id).status == "finished"
