"""Iteration claims: one number per plan, found again by a re-run, refused by the budget with
what is in flight counted; and the budget's arithmetic."""

from __future__ import annotations

from graph.budget import Budget, refusal
from memory import open_store
from memory.lanes import RoundCounts


def never(counts: RoundCounts) -> None:
    return None


def test_claims_are_unique_and_a_rerun_finds_its_claim(tmp_path):
    store = open_store(tmp_path)
    sid = store.create_session("s", "spot-single")
    assert store.claim_iteration(sid, 0, 0, never) == 1
    assert store.claim_iteration(sid, 1, 0, never) == 2
    assert store.claim_iteration(sid, 0, 0, never) == 1, "a re-run of lane 0's plan"
    assert store.claim_iteration(sid, 0, 1, never) == 3
    assert store.round_counts(sid).in_flight == 3
    store.record_iteration(sid, 2)
    store.record_iteration(sid, 2)  # a record step re-run after a crash counts nothing
    counts = store.round_counts(sid)
    assert (counts.done, counts.in_flight) == (1, 2)
    assert store.get_session(sid).iterations == 1


def test_a_refused_claim_takes_no_number(tmp_path):
    store = open_store(tmp_path)
    sid = store.create_session("s", "spot-single")
    budget = Budget(iterations=2)

    def refuse(counts: RoundCounts) -> str | None:
        return refusal(budget, counts, minutes=0.0)

    assert store.claim_iteration(sid, 0, 0, refuse) == 1
    assert store.claim_iteration(sid, 1, 0, refuse) == 2
    assert store.claim_iteration(sid, 2, 0, refuse) == "iteration budget reached (2/2)"
    assert store.db.execute("SELECT count(*) FROM rounds").fetchone()[0] == 2


def test_sessions_from_before_claims_continue_their_numbering(tmp_path):
    store = open_store(tmp_path)
    sid = store.create_session("s", "spot-single")
    store.record_iteration(sid, 4)  # unclaimed: an older session's count
    assert store.claim_iteration(sid, 0, 4, never) == 5


def test_budget_refusals_count_what_is_in_flight():
    def counts(done=0, in_flight=0, since=0, usd=0.0):
        return RoundCounts(done=done, in_flight=in_flight, since_champion=since, cost_usd=usd)

    assert refusal(Budget(iterations=5), counts(3, 1), 0) is None
    assert refusal(Budget(iterations=5), counts(3, 2), 0) == "iteration budget reached (5/5)"
    # $1 spent on 4 iterations, 3 in flight: $1.75 committed.
    assert refusal(Budget(iterations=None, usd=2.0), counts(4, 3, usd=1.0), 0) is None
    assert "dollar budget" in refusal(Budget(iterations=None, usd=1.7), counts(4, 3, usd=1.0), 0)
    assert "time budget" in refusal(Budget(iterations=None, minutes=10), counts(), 10.5)
    assert refusal(Budget(iterations=None, stagnation=3), counts(since=2), 0) is None
    assert "stagnation" in refusal(Budget(iterations=None, stagnation=3), counts(since=3), 0)


def test_a_near_miss_lost_on_held_out_not_on_train_to_a_newer_champion(tmp_path):
    store = open_store(tmp_path)
    sid = store.create_session("s", "spot-single")
    seed = store.add_program(sid, "x = 0\n", None, 0, None, 0).program_id
    lost_on_heldout = store.add_program(sid, "x = 1\n", seed, 0, None, 1).program_id
    rejudged = store.add_program(sid, "x = 2\n", seed, 0, None, 1).program_id
    for pid in (lost_on_heldout, rejudged):  # both ran on held-out
        store.add_evaluation(pid, "heldout", "full", 1.0, True, "ok", {}, {}, {}, 0.1)
    store.add_verdict(lost_on_heldout, False, ["not significant"], {"static": {"passed": True}})
    store.set_program_status(lost_on_heldout, "rejected")
    assert store.latest_near_miss(sid) == lost_on_heldout
    # Judged again after the champion changed, it lost on train: no near miss.
    store.add_verdict(rejudged, False, ["not better than champion 9 on train"], None)
    store.set_program_status(rejudged, "rejected")
    assert store.latest_near_miss(sid) == lost_on_heldout
