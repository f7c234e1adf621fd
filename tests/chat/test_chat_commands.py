"""Each chat command answers from memory, without a model, and the exchange is stored."""

from __future__ import annotations

import os

from adrs.chat import HELP, PlannerChat
from graph import control


def chat_for(store, ids, model=None) -> PlannerChat:
    return PlannerChat(store, ids["session"], model=model)


def test_help_lists_every_command(store, sample):
    reply = chat_for(store, sample[1]).ask("/help")
    assert reply == HELP
    for command in (
        "/status",
        "/best",
        "/show",
        "/diff",
        "/directive",
        "/directives",
        "/approve",
        "/pause",
        "/resume",
        "/help",
    ):
        assert command in reply


def test_status_reports_totals_and_champion(store, sample):
    ids = sample[1]
    reply = chat_for(store, ids).ask("/status")
    assert "session demo" in reply and "finished" in reply
    assert "iterations 3, 9 model calls" in reply
    assert f"champion #{ids['safety_net']} train 60.4 held-out 61.2 test 62.7" in reply
    assert "paused: no" in reply


def test_best_orders_by_training_cost_lowest_first_without_rejected(store, sample):
    ids = sample[1]
    reply = chat_for(store, ids).ask("/best 3")
    lines = reply.splitlines()
    # spot-single minimises cost; the rejected price peek (55.0 on train) is left out.
    assert len(lines) == 5
    assert lines[1].startswith(f"  #{ids['safety_net']} it3 train 60.4 held-out 61.2 champion")
    assert lines[2].startswith(f"  #{ids['hysteresis']} it1 train 62.1")
    assert lines[3].startswith(f"  #{ids['seed']} it0 train 80.3")
    assert f"#{ids['price_peek']} " not in reply
    assert f"champions: #{ids['hysteresis']} (it1, held-out 63) -> #{ids['safety_net']}" in reply


def test_show_gives_hypothesis_scores_verdict_and_code(store, sample):
    ids = sample[1]
    reply = chat_for(store, ids).ask(f"/show #{ids['price_peek']}")
    assert "hypothesis: Peek at the spot price data" in reply
    assert "score train/full: 55 (ok)" in reply
    assert "verdict: rejected: causality check failed: decisions change" in reply
    assert "critique: iteration 2" in reply
    assert 'return "NONE" if tick < 10 else "ON_DEMAND"' in reply


def test_show_unknown_program_is_one_line(store, sample):
    reply = chat_for(store, sample[1]).ask("/show 9999")
    assert reply == "/show: no program 9999 in this session"
    assert chat_for(store, sample[1]).ask("/show abc").startswith("/show: 'abc' is not a program")


def test_diff_between_two_programs(store, sample):
    ids = sample[1]
    reply = chat_for(store, ids).ask(f"/diff {ids['hysteresis']} {ids['safety_net']}")
    assert reply.startswith(f"--- #{ids['hysteresis']}\n+++ #{ids['safety_net']}")
    assert "-        if slack > 6.0:" in reply and "+        if slack > 4.5:" in reply
    same = chat_for(store, ids).ask(f"/diff {ids['seed']} {ids['seed']}")
    assert same == f"#{ids['seed']} and #{ids['seed']} have the same code"
    assert chat_for(store, ids).ask("/diff 1").startswith("/diff: usage")


def test_directive_round_trip_reaches_active_directives(store, sample):
    ids = sample[1]
    chat = chat_for(store, ids)
    reply = chat.ask("/directive try hysteresis on preemption rate")
    assert reply.startswith("directive d") and "next plan" in reply
    texts = [d.text for d in store.active_directives(ids["session"])]
    assert texts == ["never use price data", "try hysteresis on preemption rate"]
    listing = chat.ask("/directives")
    assert "[active] try hysteresis on preemption rate" in listing
    store.consume_directive(ids["directive"], 4)
    assert "[consumed at iteration 4] never use price data" in chat.ask("/directives")
    assert chat.ask("/directive").startswith("/directive: usage")


def test_pause_and_resume_use_the_control_protocol(store, sample):
    sid = sample[1]["session"]
    chat = chat_for(store, sample[1])
    assert "pause requested" in chat.ask("/pause")
    assert control.is_paused(store, sid)
    assert "paused: yes" in chat.ask("/status")
    assert chat.ask("/resume") == "resume requested"
    assert not control.is_paused(store, sid)


def test_approve_edit_and_reject_a_waiting_plan(store, sample):
    sid = sample[1]["session"]
    chat = chat_for(store, sample[1])
    assert chat.ask("/approve") == "no plan is waiting for approval"
    h1 = store.add_hypothesis(sid, 4, "raise the spot threshold")
    h2 = store.add_hypothesis(sid, 4, "idle less near the deadline")
    pending = control.announce_plan(store, sid, [h1, h2])
    assert "a plan of 2 hypotheses waits" in chat.ask("/status")
    assert f"h{h1}: raise the spot threshold" in chat.ask("/plan")
    assert chat.ask(f"/edit {h1} raise it to 3 h of slack").startswith(f"h{h1} will read")
    assert chat.ask("/edit 999 nope").startswith("/edit: usage")
    assert chat.ask("/approve") == "plan of 2 hypotheses approved with 1 edited"
    decision = control.wait_for_decision(store, sid, pending, poll_s=0.01, timeout_s=1)
    assert decision == {"approved": True, "edits": {str(h1): "raise it to 3 h of slack"}}
    assert control.pending_plan(store, sid) is None

    again = control.announce_plan(store, sid, [h2])
    assert chat.ask("/reject too timid") == "plan rejected: the session will plan again"
    decision = control.wait_for_decision(store, sid, again, poll_s=0.01, timeout_s=1)
    assert decision == {"approved": False, "reason": "too timid"}


def test_commands_are_stored_as_chat_events(store, sample):
    sid = sample[1]["session"]
    chat = chat_for(store, sample[1])
    chat.ask("/status")
    chat.ask("/nonsense")
    events = store.events(sid, kind="chat")
    assert [e.payload["command"] for e in events] == ["/status", "/nonsense"]
    assert events[1].payload["reply"] == "unknown command /nonsense: type /help"


def test_free_text_without_model_points_to_commands(store, sample):
    reply = chat_for(store, sample[1]).ask("what failed?")
    assert reply.startswith("no model is configured")


def test_status_shows_what_the_lanes_of_a_running_session_do(store, sample):
    ids = sample[1]
    store.set_session_status(ids["session"], "running")
    store.set_lane(ids["session"], 0, "plan", 4)
    store.set_lane(ids["session"], 1, "evaluate", 5)
    store.set_lane(ids["session"], 2, "code", 6, calls=2)
    store.set_lane_calls(ids["session"], 0, 1)
    assert ": interrupted" in chat_for(store, ids).ask("/status")  # nobody drives it yet
    with store.lease(ids["session"], command="adrs run demo"):
        reply = chat_for(store, ids).ask("/status")
    assert f"driven by process {os.getpid()}" in reply and "adrs run demo" in reply
    assert "3 lanes (1 planning, 1 evaluating, 1 coding) · 3 model calls in flight" in reply
    store.set_session_status(ids["session"], "finished")
    assert "lanes" not in chat_for(store, ids).ask("/status")
