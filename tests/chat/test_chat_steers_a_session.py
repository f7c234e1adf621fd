"""Chat steering a real running session (the lead's graph, scripted models, spot-single):
a plan waits in approval mode, chat shows it, edits it, approves it, and the edit reaches the
coder; a directive typed in chat is in the next planner prompt."""

from __future__ import annotations

import threading
import time

import pytest

from adrs.chat import PlannerChat
from graph.budget import Budget
from graph.runtime import Models, SessionConfig
from graph.session import checkpointer, create_session, drive, make_runtime
from memory.store import open_store
from simulators.scenario import load_scenario
from tests.support.research_script import ResearchScript, scripted_models

pytestmark = pytest.mark.slow


def wait_until(predicate, timeout=300.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_chat_approves_an_edited_plan_and_directs_the_next_one(tmp_path):
    scenario = load_scenario("spot-single")
    store = open_store(tmp_path)
    config = SessionConfig(
        hypotheses_per_iteration=1, budget=Budget(iterations=2), approve=True, review=False
    )
    session_id = create_session(store, scenario, "steered", config)
    script = ResearchScript()
    rt = make_runtime(store, scenario, session_id, Models(fixed=scripted_models(script)))
    runner = threading.Thread(target=lambda: drive(rt, checkpointer(tmp_path)))
    runner.start()

    chat = PlannerChat(open_store(tmp_path), session_id)  # its own connection, like adrs chat
    try:
        wait_until(lambda: "waits for approval" in chat.ask("/status"))
        plan = chat.ask("/plan")
        hid = int(plan.splitlines()[1].split(":")[0].strip().lstrip("h"))
        assert "awaiting_approval" in chat.ask("/status")
        chat.ask(f"/edit {hid} Wait for spot until 3 overheads remain")
        chat.ask("/directive never go idle in the last 4 hours")
        assert chat.ask("/approve") == "plan of 1 hypotheses approved with 1 edited"

        wait_until(lambda: "waits for approval" in chat.ask("/status"))
        assert chat.ask("/reject enough for today") == "plan rejected: the session will plan again"
    finally:
        runner.join(timeout=600)
    assert not runner.is_alive()

    assert any("Wait for spot until 3 overheads remain" in p for p in script.prompts["coder"])
    assert "never go idle in the last 4 hours" in script.prompts["planner"][1]
    assert "never go idle in the last 4 hours" not in script.prompts["planner"][0]
    assert store.get_session(session_id).status == "finished"
