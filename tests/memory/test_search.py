"""Full-text search over hypotheses, critiques, verdict reasons and LLM calls."""

from __future__ import annotations

import pytest

SEED = "def decide(s):\n    return 'SPOT'\n"


@pytest.fixture
def filled(store, session_id):
    store.add_hypothesis(
        session_id,
        1,
        "Add hysteresis on the preemption rate",
        "flapping costs restarts",
        "fewer restarts",
    )
    pid = store.add_program(session_id, SEED).program_id
    store.add_verdict(pid, False, ["causality probe: decisions changed after tick 40"])
    store.add_critique(session_id, 1, "idle stretches before the deadline", pid)
    store.record_llm_call(
        session_id,
        1,
        {
            "role": "planner",
            "messages": [{"role": "user", "content": "propose ideas about on-demand fallback"}],
            "response": "use a safety margin",
        },
    )
    store.record_llm_call(
        session_id,
        2,
        {"role": "coder", "messages": [], "response": "a safety net near the deadline"},
    )
    return session_id


def test_each_kind_is_found(store, filled):
    assert [h.kind for h in store.search("hysteresis")] == ["hypothesis"]
    assert [h.kind for h in store.search("causality")] == ["verdict"]
    assert [h.kind for h in store.search("idle stretches")] == ["critique"]
    hits = store.search("deadline")
    assert {h.kind for h in hits} == {"critique", "llm_call"}
    assert "[deadline]" in hits[0].snippet


def test_filters_and_safe_syntax(store, filled):
    assert store.search("deadline", kinds=["llm_call"])[0].kind == "llm_call"
    assert store.search("deadline", session_id=filled + 1) == []
    # Punctuation that is FTS syntax is treated as text; the last word is a prefix.
    assert store.search("on-demand fallback:")[0].kind == "llm_call"
    assert store.search("preempt")[0].kind == "hypothesis"
    assert store.search('"') == []
    with pytest.raises(ValueError):
        store.search("x", kinds=["programs"])


def test_llm_calls_filtered_by_query_role_and_iteration(store, filled):
    assert [c.role for c in store.llm_calls(filled, query="safety")] == ["planner", "coder"]
    assert [c.role for c in store.llm_calls(filled, query="safety", role="coder")] == ["coder"]
    assert [c.iteration for c in store.llm_calls(filled, query="safety", iteration=1)] == [1]
    assert store.llm_calls(filled, query="hysteresis") == []


def test_model_calls_are_indexed_when_searched_each_once(store, filled):
    assert len(store.search("safety", kinds=["llm_call"])) == 2  # indexed on this search
    store.record_llm_call(
        filled, 3, {"role": "critic", "messages": [], "response": "the safety margin wastes slack"}
    )
    hits = store.search("safety", kinds=["llm_call"])
    assert len(hits) == 3  # the new call, no repeats
    assert [c.iteration for c in store.llm_calls(filled, query="slack")] == [3]
    rows = store.conn.execute(
        "SELECT count(*) FROM search_index WHERE kind = 'llm_call'"
    ).fetchone()[0]
    assert rows == 3
