"""How candidates are judged, in words, from the session's own settings: a planner that knows
the verifier's test aims at what it rewards (a held-out gain across many workloads, not a
lucky mean), and statuses like ``stage1_rejected`` stop being jargon."""

from __future__ import annotations

from graph.context.groups import groups_of
from graph.runtime import SessionRuntime
from simulators.objectives import describe_constraint


def judging_rules(rt: SessionRuntime) -> str:
    """One paragraph: the cascade, the champion rule, and why held-out is shown by group only."""
    cascade, config = rt.scenario.spec.cascade, rt.config
    heldout = len(groups_of(rt.scenario, "heldout")) if "heldout" in rt.scenario.spec.splits else 0
    subset = f"a fixed subset of {cascade.stage1_workloads} train workloads"
    checks = "the mechanical checks (causality probes, static scan)"
    review = " and a code review for rigging" if config.review else ""
    return constraint_rule(rt) + (
        f"Stage 1: each candidate runs on {subset}; if it is more than {cascade.tolerance:.0%} "
        "worse than its parent there, it stops (status stage1_rejected; stage-1 means are of "
        "that subset, not comparable with train means). Then it runs on the full train split. "
        "Only a candidate better than the champion on the train mean runs on held-out. It "
        "becomes the champion only if its held-out mean is better, a one-sided paired "
        f"Wilcoxon signed-rank test over the {heldout} held-out workloads (a rank test: many "
        "small losses outweigh a few large wins; ties split between the signs) "
        f"gives p < {config.alpha:g}, its train gain exceeds its held-out gain by at most "
        f"{config.max_gap:.0%}, and {checks}{review} pass. Held-out results are shown per group "
        "only, never run by run: the held-out split must stay a fair judge of what the search "
        "did not tune to."
    )


def constraint_rule(rt: SessionRuntime) -> str:
    """The scenario's constraints as a rule, first: they decide before any mean does."""
    constraints = rt.scenario.spec.objective.constraints
    if not constraints:
        return ""
    kept = "; ".join(describe_constraint(c, rt.references.reference) for c in constraints)
    return (
        f"Constraint: {kept}, on every workload of train and of held-out. A candidate that "
        "misses it on any workload is rejected however good its "
        f"{rt.scenario.spec.objective.name} (the reason names the metric and the "
        "workloads). "
    )
