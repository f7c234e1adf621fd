"""What the report says must be right: breakdowns that add up, rejections grouped by the rule
that failed, and no chart drawn from an all-zero series."""

from __future__ import annotations

import pytest
from matplotlib.container import BarContainer

from adrs.report.data import rejections_by_rule, session_facts
from adrs.report.render import figures
from graph.verdict import Rule, Standing, decide, rule_of
from memory import open_store


def _standing(train: float, heldout: dict[str, float]) -> Standing:
    return Standing(train, sum(heldout.values()) / len(heldout), heldout)


def test_rejections_group_by_the_rule_not_the_text():
    """Eight real verdicts whose texts all differ (p-values, scores) are two rules."""
    champion = _standing(100.0, {f"w{i}": 100.0 for i in range(8)})
    rejected = []
    for step in range(8):
        # Barely better on average, worse on most workloads: not significant, p differs.
        heldout = {f"w{i}": 100.0 + (0.5 + step if i % 3 else -(9.0 + step)) for i in range(8)}
        verdict = decide(
            _standing(99.0, heldout),
            champion,
            "min",
            checks={"static": {"passed": step % 2 == 0, "findings": [f"line {step}: big table"]}},
            review_rigged=None,
        )
        assert not verdict.accepted
        rejected.append([*verdict.reasons, f"held-out groups where it lost to champion {step}: x"])
    assert len({r for reasons in rejected for r in reasons}) > 8  # the texts all differ
    counts = dict(rejections_by_rule(rejected))
    assert counts[Rule.SIGNIFICANCE.value] == 8
    assert counts["static check failed"] == 4
    assert all(rule_of(r) in counts for reasons in rejected for r in reasons if rule_of(r))
    assert not any("groups where it lost" in rule for rule in counts)  # context, not a rule


def test_every_rule_the_verifier_writes_is_recognised():
    checks = {"causality": {"passed": False, "violations": ["w1: changed"]}}
    verdict = decide(
        _standing(120.0, {"a": 130.0, "b": 131.0}),
        _standing(100.0, {"a": 100.0, "b": 100.0}),
        "min",
        checks=checks,
        review_rigged=True,
        review_reasons=["reads the trace"],
    )
    rules = {rule_of(r) for r in verdict.reasons}
    assert rules == {
        Rule.HELDOUT.value,
        Rule.OVERFIT.value,
        Rule.SIGNIFICANCE.value,
        "causality check failed",
        Rule.REVIEW.value,
    }
    assert rule_of("not better than champion 9 on train: 1 vs 2") == Rule.TRAIN.value  # old text


def test_breakdown_rows_add_up_to_their_scores(sample):
    workspace, ids = sample
    with open_store(workspace) as store:
        facts = session_facts(store, ids["session"])
        scores = {
            f"best #{ids['safety_net']}": store.latest_evaluation(
                ids["safety_net"], "train", "full"
            ).score
        }
        scores |= {r.name: r.score for r in facts.references if r.kind == "baseline"}
    assert set(facts.breakdown) == set(scores)  # the best program beside every baseline
    for name, parts in facts.breakdown.items():
        assert sum(parts.values()) == pytest.approx(scores[name]), name


def _bar_series(figure) -> list[list[float]]:
    out = []
    for ax in figure.axes:
        for container in ax.containers:
            if isinstance(container, BarContainer):
                out.append(
                    [
                        max(abs(p.get_height()), abs(p.get_width()))
                        if ax.name == "rectilinear"
                        else 0.0
                        for p in container.patches
                    ]
                )
    return out


def _texts(figure) -> str:
    return " ".join(t.get_text() for ax in figure.axes for t in ax.texts)


def test_a_local_model_session_draws_no_empty_dollar_chart(tmp_path):
    """Every call of a local model costs $0: the dollars panel says so instead of an axis
    from -0.02 to 0.04; no chart anywhere draws an all-zero bar series."""
    with open_store(tmp_path) as store:
        sid = store.create_session("local", "spot-single")
        for role in ("planner", "coder", "critic"):
            store.record_llm_call(
                sid,
                1,
                {
                    "role": role,
                    "model": "embedded",
                    "messages": [],
                    "response": "ok",
                    "input_tokens": 500,
                    "output_tokens": 90,
                    "cost_usd": 0.0,
                },
            )
        facts = session_facts(store, sid)
        charts = figures(store, sid, facts)
    assert charts["spend"] is not None
    assert "no model cost recorded" in _texts(charts["spend"])
    assert "no candidate scored on train yet" in _texts(charts["score"])
    for name, figure in charts.items():
        if figure is None:
            continue
        for series in _bar_series(figure):
            assert any(value > 0 for value in series), (name, series)


def test_the_sample_session_charts_have_no_all_zero_series(sample):
    workspace, ids = sample
    with open_store(workspace) as store:
        facts = session_facts(store, ids["session"])
        charts = figures(store, ids["session"], facts)
    drawn = {name for name, figure in charts.items() if figure is not None}
    assert drawn == {"score", "heldout", "breakdown", "verdicts", "spend"}
    for name in drawn:
        for series in _bar_series(charts[name]):
            assert any(value > 0 for value in series), (name, series)
    assert "no model cost recorded" not in _texts(charts["spend"])  # it did cost something
