"""The verifier's decision: may this candidate replace the champion?

All of these must hold, and every failed one becomes a stored reason:
- it is feasible and better than the champion on the *held-out* split, not only on train;
- its train-to-held-out gap is bounded: the relative gain it shows on train may exceed the
  relative gain on held-out by at most ``max_gap`` (memorising training windows shows up here);
- the held-out improvement is significant across workloads (one-sided paired Wilcoxon test);
- every constraint the scenario declares holds on every held-out workload (and on train);
- the mechanical checks passed (causality, output validity, static scan);
- the model's code review found no rigging.

Every reason names the metric it is about: with a constrained objective a reader must not have
to guess whether "not better" means slower or less balanced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from scipy.stats import wilcoxon

from simulators.direction import Direction, gain


class Rule(StrEnum):
    """The rules a candidate can fail, named by the words its reason starts with. Reports group
    rejections by rule: the full texts differ in every verdict (scores, p-values)."""

    TRAIN = "not better on train"
    CONSTRAINT = "constraint not met"
    HELDOUT_FAILS = "fails on held-out"
    HELDOUT = "not better on held-out"
    OVERFIT = "overfit"
    SIGNIFICANCE = "not significant"
    REVIEW = "code review found rigging"


#: A failed mechanical check is its own rule: "static check failed: line 3: imports 'os'".
CHECK_FAILED = " check failed"


def rule_of(reason: str) -> str | None:
    """The rule a stored reason reports; None for the context lines that follow the rules
    (the groups where a candidate lost). Knows the wording of earlier versions too."""
    for rule in Rule:
        if reason.startswith(rule.value):
            return rule.value
    if reason.startswith("not better than champion"):  # before the rules had names
        return Rule.TRAIN.value
    head = reason.partition(":")[0]
    return head if head.endswith(CHECK_FAILED) else None


@dataclass(frozen=True)
class Standing:
    """A program's scores on both splits; ``heldout`` keeps per-workload values for pairing."""

    train: float
    heldout_mean: float
    heldout: dict[str, float]


@dataclass
class Verdict:
    accepted: bool
    reasons: list[str] = field(default_factory=list)
    p_value: float | None = None
    gap: float | None = None


def _relative_gain(candidate: float, champion: float, direction: Direction) -> float:
    """Relative improvement over the champion; positive is better in either direction."""
    if champion == 0:
        return 0.0
    return gain(candidate, champion, direction) / abs(champion)


def _relative(share: float) -> str:
    """``1.56% better`` / ``0.40% worse``: in words, because a signed percentage reads as a
    change in the score (a cost) in one place and as a gain in another."""
    return f"{abs(share):.2%} {'better' if share >= 0 else 'worse'}"


def paired_p_value(
    candidate: dict[str, float], champion: dict[str, float], direction: Direction
) -> float:
    """One-sided Wilcoxon signed-rank p-value that the candidate is better workload by workload."""
    common = sorted(set(candidate) & set(champion))
    diffs = [gain(candidate[k], champion[k], direction) for k in common]
    if not any(abs(d) > 1e-12 for d in diffs):
        return 1.0
    return float(wilcoxon(diffs, alternative="greater", zero_method="zsplit").pvalue)


def tally(
    candidate: dict[str, float], champion: dict[str, float], direction: Direction
) -> tuple[int, int, int]:
    """(better, worse, equal) workload counts of the candidate against the champion: what a
    rank test weighs, which a mean can hide (a few large wins, many small losses)."""
    better = worse = 0
    common = set(candidate) & set(champion)
    for key in common:
        ahead = gain(candidate[key], champion[key], direction)
        better, worse = better + (ahead > 1e-12), worse + (ahead < -1e-12)
    return better, worse, len(common) - better - worse


def decide(
    candidate: Standing,
    champion: Standing,
    direction: Direction,
    *,
    checks: dict[str, Any],
    review_rigged: bool | None,
    review_reasons: list[str] | None = None,
    alpha: float = 0.05,
    max_gap: float = 0.05,
    metric: str = "score",
    constraint_reasons: list[str] | None = None,
) -> Verdict:
    """Apply every rule; the verdict lists each one that failed (or why it passed).
    ``metric`` names the optimised metric in every reason; ``constraint_reasons`` are the
    held-out constraint failures the caller found (``simulators.objectives``)."""
    reasons: list[str] = list(constraint_reasons or [])
    held_gain = _relative_gain(candidate.heldout_mean, champion.heldout_mean, direction)
    train_gain = _relative_gain(candidate.train, champion.train, direction)
    gap = train_gain - held_gain
    if held_gain <= 0:
        reasons.append(
            f"{Rule.HELDOUT}: {metric} {candidate.heldout_mean:.4f} vs champion "
            f"{champion.heldout_mean:.4f} ({_relative(held_gain)})"
        )
    if gap > max_gap:
        reasons.append(
            f"{Rule.OVERFIT}: {metric} {_relative(train_gain)} on train but "
            f"{_relative(held_gain)} on held-out (gap {gap:.2%} > {max_gap:.0%})"
        )
    p_value = paired_p_value(candidate.heldout, champion.heldout, direction)
    if p_value >= alpha:
        better, worse, equal = tally(candidate.heldout, champion.heldout, direction)
        reasons.append(
            f"{Rule.SIGNIFICANCE} across held-out workloads in {metric} (Wilcoxon "
            f"p={p_value:.3g}; better on {better}, worse on {worse}, equal on "
            f"{equal} workloads)"
        )
    for name, result in checks.items():
        if isinstance(result, dict) and result.get("passed") is False:
            detail = result.get("reason") or "; ".join(map(str, result.get("findings", [])[:3]))
            reasons.append(f"{name}{CHECK_FAILED}: {detail}".rstrip(": "))
    if review_rigged:
        reasons.append(f"{Rule.REVIEW}: " + "; ".join(review_reasons or ["no reason"]))
    accepted = not reasons
    if accepted:
        reasons.append(
            f"accepted: {metric} {_relative(held_gain)} on held-out (p={p_value:.3g}), "
            f"{_relative(train_gain)} on train"
        )
    return Verdict(accepted=accepted, reasons=reasons, p_value=p_value, gap=gap)
