"""The attempt log: sessions, programs and duplicates, evaluations, verdicts, counters."""

from __future__ import annotations

import json

import pytest

from memory.errors import StoreError

SEED = "def decide(s):\n    return 'SPOT'\n"


def test_session_lifecycle(store, session_id):
    session = store.get_session(session_id)
    assert (session.name, session.scenario, session.seed, session.config) == (
        "run-1",
        "spot_single",
        11,
        {"k": 3},
    )
    store.set_session_status(session_id, "running")
    store.record_iteration(session_id, 5)
    store.record_iteration(session_id, 3)  # never goes backwards
    session = store.resolve_session("run-1")
    assert (session.status, session.iterations) == ("running", 5)
    assert store.resolve_session(str(session_id)).id == session_id
    with pytest.raises(StoreError):
        store.resolve_session("nope")
    with pytest.raises(StoreError):
        store.create_session("run-1", "eplb")
    assert [e.kind for e in store.events(session_id)] == ["session_created", "status"]


def test_duplicate_programs_are_rejected_before_evaluation(store, session_id):
    first = store.add_program(session_id, SEED, origin="seed")
    again = store.add_program(
        session_id,
        '# same\ndef decide(s):\n  return "SPOT"\n',
        parent_id=first.program_id,
        iteration=2,
    )
    assert not first.duplicate
    assert again.duplicate and again.program_id == first.program_id
    assert len(store.programs(session_id)) == 1
    dup = store.events(session_id, kind="duplicate")
    assert dup[0].payload["existing_program_id"] == first.program_id
    # Another session may hold the same code.
    other = store.create_session("run-2", "spot_single")
    assert not store.add_program(other, SEED).duplicate


def test_lineage_and_children(store, session_id):
    root = store.add_program(session_id, SEED).program_id
    child = store.add_program(session_id, SEED.replace("SPOT", "NONE"), parent_id=root).program_id
    grandchild = store.add_program(session_id, SEED.replace("SPOT", "OD"), parent_id=child)
    assert [p.id for p in store.lineage(grandchild.program_id)] == [
        root,
        child,
        grandchild.program_id,
    ]
    assert [p.id for p in store.children(root)] == [child]


def test_evaluation_cache_by_normalised_hash(store, session_id):
    added = store.add_program(session_id, SEED)
    store.add_evaluation(
        added.program_id,
        "train",
        "full",
        12.5,
        True,
        "ok",
        {"cost": 12.5},
        {"w1": 12.0, "w2": 13.0},
        {"trace": "x"},
        0.4,
    )
    hit = store.find_evaluation_by_hash("spot_single", "train", "full", added.code_hash, "1")
    assert hit.score == 12.5 and hit.feasible and hit.per_workload == {"w1": 12.0, "w2": 13.0}
    assert (
        store.find_evaluation_by_hash("spot_single", "heldout", "full", added.code_hash, "1")
        is None
    )
    assert (
        store.find_evaluation_by_hash("spot_single", "train", "full", added.code_hash, "2") is None
    )
    assert store.latest_evaluation(added.program_id, split="train").metrics == {"cost": 12.5}


def test_hypotheses_verdicts_critiques_and_champion(store, session_id):
    hid = store.add_hypothesis(session_id, 1, "wait for spot", "cheap", "-5% cost")
    pid = store.add_program(session_id, SEED, hypothesis_id=hid, iteration=1).program_id
    store.add_verdict(pid, False, ["held-out cost worse", "not significant"], {"wilcoxon": 0.3})
    store.set_hypothesis_outcome(hid, "rejected", "held-out cost worse")
    store.add_critique(session_id, 1, "money went to on-demand at the end", pid, ["late"])
    assert store.get_program(pid).status == "rejected"
    assert store.verdicts(pid)[0].reasons == ["held-out cost worse", "not significant"]
    assert store.get_hypothesis(hid).outcome == "rejected"
    assert store.critiques(session_id)[0].findings == ["late"]

    store.set_champion(session_id, pid, 1, 10.0, 11.0)
    session = store.get_session(session_id)
    assert (session.champion_program_id, session.best_train_score, session.best_heldout_score) == (
        pid,
        10.0,
        11.0,
    )
    assert store.champion(session_id).program_id == pid


def test_llm_call_counters_and_follow(store, session_id):
    for i in range(3):
        store.record_llm_call(
            session_id,
            i,
            {
                "role": "coder",
                "model": "smol",
                "messages": [{"role": "user", "content": "hi"}],
                "response": "ok",
                "input_tokens": 100,
                "output_tokens": 10,
                "cost_usd": 0.5,
                "latency_s": 1.0,
            },
        )
    session = store.get_session(session_id)
    assert (session.llm_calls, session.input_tokens, session.output_tokens) == (3, 300, 30)
    assert session.cost_usd == pytest.approx(1.5)
    calls = store.llm_calls(session_id)
    assert [c.iteration for c in store.llm_calls_since(session_id, calls[0].id)] == [1, 2]
    assert [c.iteration for c in store.llm_calls(session_id, iteration=2)] == [2]
    assert store.llm_calls(session_id, role="planner") == []


def test_directives(store, session_id):
    first = store.add_directive(session_id, "never use price data")
    second = store.add_directive(session_id, "try hysteresis on preemption rate")
    assert [d.id for d in store.active_directives(session_id)] == [first, second]
    store.consume_directive(second, iteration=4)
    store.revoke_directive(first)
    assert store.active_directives(session_id) == []
    statuses = {d.id: (d.status, d.consumed_iteration) for d in store.directives(session_id)}
    assert statuses == {first: ("revoked", None), second: ("consumed", 4)}


def test_stream_reads_in_order_and_lets_writers_in_between_batches(store, session_id):
    """An export streams a session while the loop writes: the lock is taken per batch, so a
    write from another thread lands between two batches instead of waiting for the reader."""
    import threading

    from memory.vocabulary import EventKind

    for n in range(5):
        store.add_event(session_id, EventKind.STAGE, {"n": n})
    rows = store.stream("events", "session_id", session_id, "id", batch=2)
    first = next(rows)
    writer = threading.Thread(target=store.add_event, args=(session_id, EventKind.STAGE, {"n": 5}))
    writer.start()
    writer.join(timeout=10)
    blocked = writer.is_alive()
    if blocked:  # let the writer go before failing, or the test would hang instead
        rows.close()
        writer.join()
    assert not blocked, "a write waited for the reader to finish"
    seen = [first, *rows]
    numbers = [row["payload"] for row in seen if row["kind"] == EventKind.STAGE]
    assert [json.loads(p)["n"] for p in numbers[:5]] == [0, 1, 2, 3, 4]
    assert [row["id"] for row in seen] == sorted(row["id"] for row in seen)
