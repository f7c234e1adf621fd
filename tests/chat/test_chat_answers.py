"""Free-text questions reach the planner's model with retrieved memory, and are stored."""

from __future__ import annotations

from adrs.chat import PlannerChat
from agents.llm import RoleModel
from agents.scripted import ScriptedChatModel


def scripted(*answers) -> tuple[RoleModel, ScriptedChatModel]:
    chat = ScriptedChatModel(answers=list(answers))
    return RoleModel(role="planner", name="scripted", chat=chat), chat


def test_question_carries_digest_search_hits_and_named_program(store, sample):
    ids = sample[1]
    model, chat = scripted("It read the future of the trace, so the verifier rejected it.")
    planner = PlannerChat(store, ids["session"], model=model)
    reply = planner.ask(f"Why was the price data idea (#{ids['price_peek']}) rejected?")
    assert reply == "It read the future of the trace, so the verifier rejected it."
    prompt = chat.requests[0]["prompt"]
    assert "# Session demo (spot-single)" in prompt  # the digest
    assert "never use price data" in prompt  # active directives
    assert "## Memory matching the question" in prompt  # full-text hits
    assert "causality check failed: decisions change" in prompt  # the verdict's reason
    assert f"## Program #{ids['price_peek']}" in prompt  # the named program
    assert 'if tick < 10 else "ON_DEMAND"' in prompt
    assert prompt.rstrip().endswith("rejected?")


def test_two_named_programs_bring_their_diff(store, sample):
    ids = sample[1]
    model, chat = scripted("The safety net triggers earlier.")
    PlannerChat(store, ids["session"], model=model).ask(
        f"How does #{ids['safety_net']} differ from #{ids['hysteresis']}?"
    )
    prompt = chat.requests[0]["prompt"]
    assert f"## Diff #{ids['safety_net']} -> #{ids['hysteresis']}" in prompt
    assert "+        if slack > 6.0:" in prompt


def test_exchange_is_stored_as_a_chat_llm_call_and_kept_as_history(store, sample):
    sid = sample[1]["session"]
    model, chat = scripted("Three iterations ran.", "The last one was accepted.")
    planner = PlannerChat(store, sid, model=lambda: model)  # a factory, called once
    planner.ask("How many iterations ran?")
    planner.ask("And the last?")
    calls = store.llm_calls(sid, role="chat")
    assert [c.response for c in calls] == ["Three iterations ran.", "The last one was accepted."]
    assert calls[0].iteration == 3 and calls[0].model == "scripted"
    assert calls[0].input_tokens > 100
    second = [m["content"] for m in chat.requests[1]["messages"]]
    assert "How many iterations ran?" in second and "Three iterations ran." in second
    assert store.get_session(sid).llm_calls == 11


def test_model_failure_is_one_line_and_recorded(store, sample):
    sid = sample[1]["session"]
    model, _ = scripted(ConnectionError("server went away"))
    reply = PlannerChat(store, sid, model=model).ask("what next?")
    assert reply == "the model failed: ConnectionError: server went away"
    assert store.llm_calls(sid, role="chat")[0].error == "ConnectionError: server went away"


def test_a_waiting_plan_is_part_of_the_context(store, sample):
    from graph import control

    sid = sample[1]["session"]
    hid = store.add_hypothesis(sid, 4, "raise the spot threshold to 3 h of slack")
    control.announce_plan(store, sid, [hid])
    model, chat = scripted("I plan to raise the threshold.")
    PlannerChat(store, sid, model=model).ask("What do you plan next?")
    assert f"- h{hid}: raise the spot threshold to 3 h of slack" in chat.requests[0]["prompt"]
