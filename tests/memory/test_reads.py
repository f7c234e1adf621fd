"""The read model: each named query returns the facts written through the store's API."""

from __future__ import annotations

import pytest

from memory.reads import (
    BaselineScore,
    CandidateScore,
    LineageNode,
    RankedProgram,
    RoleUsage,
    VerdictReasons,
    VerdictSummary,
)


def _code(tag: str) -> str:
    return f"def decide(s):\n    return {tag!r}\n"


def _evaluate(store, program_id: int, split: str, stage: str, score: float | None) -> None:
    store.add_evaluation(program_id, split, stage, score, score is not None, "ok")


@pytest.fixture
def history(store, session_id) -> dict[str, int]:
    """A seed, a baseline and two candidates (one accepted, one rejected) with scores,
    hypotheses, critiques, verdicts and model calls."""
    seed = store.add_program(session_id, _code("seed"), origin="seed").program_id
    base = store.add_program(session_id, _code("base"), origin="baseline:greedy").program_id
    h1 = store.add_hypothesis(session_id, 1, "wait for spot when slack allows")
    good = store.add_program(
        session_id, _code("good"), parent_id=seed, hypothesis_id=h1, iteration=1
    ).program_id
    h2 = store.add_hypothesis(session_id, 2, "peek at future prices")
    bad = store.add_program(
        session_id, _code("bad"), parent_id=good, hypothesis_id=h2, iteration=2, island=1
    ).program_id
    _evaluate(store, seed, "train", "full", 10.0)
    _evaluate(store, base, "train", "stage1", 13.0)
    _evaluate(store, base, "train", "full", 12.0)
    _evaluate(store, good, "train", "stage1", 1.0)
    _evaluate(store, good, "train", "full", 8.0)
    _evaluate(store, good, "heldout", "full", 8.5)
    _evaluate(store, bad, "train", "full", 5.0)
    store.add_verdict(good, True, [])
    store.add_verdict(bad, False, ["future_peek: reads prices ahead"])
    store.add_critique(session_id, 1, "slack threshold too tight", program_id=good)
    store.add_critique(session_id, 1, "try a safety margin", program_id=good)
    for role, tokens, error in (
        ("planner", 10, None),
        ("coder", 30, "timeout"),
        ("coder", 5, None),
    ):
        store.record_llm_call(
            session_id,
            3,
            {"role": role, "input_tokens": tokens, "output_tokens": 1, "cost_usd": 0.5},
        )
        if error:
            store.record_llm_call(session_id, 3, {"role": role, "error": error})
    return {"seed": seed, "base": base, "good": good, "bad": bad, "h1": h1, "h2": h2}


def test_session_lineage_is_the_candidate_tree_with_train_scores(store, session_id, history):
    nodes = store.session_lineage(session_id)
    assert nodes == [
        LineageNode(history["seed"], None, 0, "pending", "seed", None, 10.0),
        LineageNode(
            history["good"],
            history["seed"],
            1,
            "pending",
            "llm",
            "wait for spot when slack allows",
            8.0,
        ),
        LineageNode(
            history["bad"], history["good"], 2, "rejected", "llm", "peek at future prices", 5.0
        ),
    ]
    assert [n.id for n in store.session_lineage(session_id, limit=1)] == [history["seed"]]


def test_verdict_summaries_newest_first_with_iteration_and_hypothesis(store, session_id, history):
    assert store.verdict_summaries(session_id) == [
        VerdictSummary(
            2,
            history["bad"],
            False,
            ["future_peek: reads prices ahead"],
            2,
            "peek at future prices",
        ),
        VerdictSummary(1, history["good"], True, [], 1, "wait for spot when slack allows"),
    ]
    newest = store.verdict_summaries(session_id, limit=1)
    assert [(v.program_id, v.accepted, v.reasons, v.iteration) for v in newest] == [
        (history["bad"], False, ["future_peek: reads prices ahead"], 2)
    ]


def test_verdict_reasons_count_every_verdict(store, session_id, history):
    assert sorted(store.verdict_reasons(session_id), key=lambda v: v.accepted) == [
        VerdictReasons(False, ["future_peek: reads prices ahead"]),
        VerdictReasons(True, []),
    ]


def test_session_iterations_joins_calls_hypotheses_and_programs(store, session_id, history):
    assert store.session_iterations(session_id) == [0, 1, 2, 3]
    other = store.create_session("run-2", "spot_single")
    assert store.session_iterations(other) == []


def test_change_stamps_move_when_the_session_or_workspace_changes(store, session_id, history):
    before = store.session_change_stamp(session_id)
    assert before == store.session_change_stamp(session_id)
    store.add_event(session_id, "note", {"x": 1})
    after_event = store.session_change_stamp(session_id)
    assert after_event != before
    _evaluate(store, history["seed"], "heldout", "full", 9.0)
    assert store.session_change_stamp(session_id) != after_event

    workspace = store.workspace_change_stamp()
    assert workspace.startswith("1-")
    store.create_session("run-2", "spot_single")
    assert store.workspace_change_stamp().startswith("2-")


def test_candidate_scores_skip_baselines_and_first_stage(store, session_id, history):
    assert store.candidate_scores(session_id) == [
        CandidateScore(history["seed"], 0, "pending", 10.0),
        CandidateScore(history["good"], 1, "pending", 8.0),
        CandidateScore(history["bad"], 2, "rejected", 5.0),
    ]
    heldout = store.candidate_scores(session_id, "heldout")
    assert [(c.id, c.score) for c in heldout] == [
        (history["seed"], None),
        (history["good"], 8.5),
        (history["bad"], None),
    ]


def test_baseline_scores_prefer_the_full_stage(store, session_id, history):
    assert store.baseline_scores(session_id) == [
        BaselineScore(history["base"], "baseline:greedy", 12.0)
    ]
    assert store.baseline_scores(session_id, "heldout") == [
        BaselineScore(history["base"], "baseline:greedy", None)
    ]


def test_role_usage_sums_calls_per_role(store, session_id, history):
    assert store.role_usage(session_id) == [
        RoleUsage("coder", 3, 35, 2, 1.0, 0.0, 1),
        RoleUsage("planner", 1, 10, 1, 0.5, 0.0, 0),
    ]


def test_ranked_programs_follow_the_direction_and_leave_out_rejected(store, session_id, history):
    lowest = store.ranked_programs(session_id, "min")
    assert [(p.id, p.score, p.heldout) for p in lowest] == [
        (history["good"], 8.0, 8.5),
        (history["seed"], 10.0, None),
    ]
    assert lowest[0] == RankedProgram(
        history["good"],
        1,
        0,
        history["seed"],
        "pending",
        "llm",
        "wait for spot when slack allows",
        8.0,
        8.5,
    )
    highest = store.ranked_programs(session_id, "max", limit=1)
    assert [p.id for p in highest] == [history["seed"]]
    assert [p.id for p in store.ranked_programs(session_id, split="heldout")] == [history["good"]]


def test_evaluation_tally_counts_per_split_and_stage(store, session_id, history):
    assert store.evaluation_tally() == {
        ("train", "full"): 4,
        ("train", "stage1"): 2,
        ("heldout", "full"): 1,
    }


def test_evaluation_count_and_program_critiques(store, session_id, history):
    assert store.evaluation_count(session_id) == 7
    assert store.evaluation_count(store.create_session("run-2", "spot_single")) == 0
    critiques = store.program_critiques(history["good"])
    assert [(c.iteration, c.text) for c in critiques] == [
        (1, "slack threshold too tight"),
        (1, "try a safety margin"),
    ]
    assert store.program_critiques(history["seed"]) == []


def test_latest_event_of_one_kind_or_any_of_several(store, session_id):
    pause = store.add_event(session_id, "pause_requested")
    store.add_event(session_id, "note")
    assert store.latest_event(session_id, "pause_requested").id == pause
    assert store.latest_event(session_id, ("pause_requested", "resume_requested")).id == pause
    resume = store.add_event(session_id, "resume_requested", {"by": "chat"})
    latest = store.latest_event(session_id, ("pause_requested", "resume_requested"))
    assert (latest.id, latest.kind, latest.payload) == (resume, "resume_requested", {"by": "chat"})
    assert store.latest_event(session_id, ("plan_approved", "plan_rejected")) is None


def test_search_any_word_matches_any_word_of_a_session(store, session_id, history):
    hits = store.search_any_word(session_id, ["slack", "nothingmatches"])
    assert {(h.kind, h.ref_id) for h in hits} == {("hypothesis", history["h1"]), ("critique", 1)}
    assert all("slack" in h.snippet and "[slack]" not in h.snippet for h in hits)  # no markers
    assert store.search_any_word(session_id, ["prices"], limit=1)[0].ref_id == history["h2"]
    assert store.search_any_word(session_id, []) == []
