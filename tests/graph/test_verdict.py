"""The verifier's decision rules, each shown to reject on its own."""

import numpy as np

from graph.verdict import Standing, decide, paired_p_value, tally

rng = np.random.default_rng(0)
BASE = {f"w{i}": float(c) for i, c in enumerate(rng.uniform(80, 120, size=40))}
OK_CHECKS = {"causality": {"passed": True}, "static": {"passed": True, "findings": []}}


def standing(per_workload: dict[str, float], train: float) -> Standing:
    return Standing(
        train=train, heldout_mean=float(np.mean(list(per_workload.values()))), heldout=per_workload
    )


def test_clear_improvement_is_accepted():
    champion = standing(BASE, train=100.0)
    better = standing({k: v * 0.9 for k, v in BASE.items()}, train=90.0)
    verdict = decide(better, champion, "min", checks=OK_CHECKS, review_rigged=False)
    assert verdict.accepted, verdict.reasons
    assert verdict.p_value < 1e-6


def test_overfit_candidate_is_rejected_for_its_gap():
    champion = standing(BASE, train=100.0)
    # 40% better on train, only 1% on held-out: memorised the training windows.
    overfit = standing({k: v * 0.99 for k, v in BASE.items()}, train=60.0)
    verdict = decide(overfit, champion, "min", checks=OK_CHECKS, review_rigged=False)
    assert not verdict.accepted
    assert any(r.startswith("overfit") for r in verdict.reasons)


def test_noise_is_not_significant():
    champion = standing(BASE, train=100.0)
    jitter = rng.normal(0, 1.0, size=len(BASE))
    noisy = standing({k: v + j - 0.05 for (k, v), j in zip(BASE.items(), jitter)}, train=99.9)
    verdict = decide(noisy, champion, "min", checks=OK_CHECKS, review_rigged=False)
    assert not verdict.accepted
    assert any("not significant" in r for r in verdict.reasons)


def test_failed_check_and_rigging_are_each_reasons():
    champion = standing(BASE, train=100.0)
    better = standing({k: v * 0.9 for k, v in BASE.items()}, train=90.0)
    checks = {
        "causality": {"passed": False, "reason": "decision at tick 10 changed"},
        "static": {"passed": True, "findings": []},
    }
    verdict = decide(
        better,
        champion,
        "min",
        checks=checks,
        review_rigged=True,
        review_reasons=["reads trace file"],
    )
    assert not verdict.accepted
    assert any("causality check failed" in r for r in verdict.reasons)
    assert any("reads trace file" in r for r in verdict.reasons)


def test_direction_max_flips_the_test():
    assert (
        paired_p_value(
            {"a": 2, "b": 3, "c": 4, "d": 5, "e": 6, "f": 7},
            {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6},
            "max",
        )
        < 0.05
    )
    assert paired_p_value({"a": 1.0}, {"a": 1.0}, "min") == 1.0


def test_an_insignificant_verdict_counts_wins_losses_and_ties():
    champion = {f"w{i}": 10.0 for i in range(10)}
    candidate = {**champion, "w0": 1.0, "w1": 10.5, "w2": 10.5, "w3": 10.5}  # one big win
    assert tally(candidate, champion, "min") == (1, 3, 6)
    assert tally(candidate, champion, "max") == (3, 1, 6)
    mean = sum(candidate.values()) / 10
    verdict = decide(
        Standing(9.0, mean, candidate),
        Standing(10.0, 10.0, champion),
        "min",
        checks={},
        review_rigged=False,
    )
    assert not verdict.accepted  # a better mean, but a rank test says no
    assert any("better on 1, worse on 3, equal on 6 workloads" in r for r in verdict.reasons)
