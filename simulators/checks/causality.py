"""Causality: decisions must not depend on the future of the data.

Re-run the candidate on copies of a few workloads whose data changed only after tick t, at
several t (the kind builds them: ``engine.causality_probes``); every decision up to t must be
identical to the run on the original (``engine.decisions_until``). Originals and probes run in
two separate sandboxed children, so a program cannot replay remembered answers across them.
A program that reads ahead (through frames, ``gc``, or a leak in the harness) changes its past
decisions when the future changes, and is caught whatever trick it used to read it.
``causality_violations`` is the comparison itself, for runs made any other way too (trusted
code run in process, evaluation artifacts).
"""

from __future__ import annotations

from typing import Any

from simulators.contract import CausalityProbe, ScenarioKind, Workload
from simulators.executors import Executor, SandboxLimits, default_executor
from simulators.sandbox.protocol import one_line
from simulators.scenario import Scenario

#: Workloads probed (spread over the evaluated set); each gets the kind's several ticks.
PROBED_WORKLOADS = 6


def spread(items: list[Any], count: int) -> list[Any]:
    """``count`` items spread evenly over ``items`` (first and last included), order kept."""
    if count >= len(items):
        return list(items)
    if count == 1:
        return [items[0]]
    step = (len(items) - 1) / (count - 1)
    return [items[round(i * step)] for i in range(count)]


def probe_workloads(probes: list[CausalityProbe]) -> list[Workload]:
    """The probes' workloads, each under an id of its own (``<base id>@t<tick>``), so they
    can run in one batch beside each other and be told apart in the decisions."""
    return [{**p.workload, "id": f"{p.base_id}@t{p.tick}"} for p in probes]


def causality_violations(
    engine: ScenarioKind,
    probes: list[CausalityProbe],
    original: dict[str, Any],
    perturbed: dict[str, Any],
) -> list[str]:
    """One line per probe whose decisions up to its tick differ between ``original`` (the
    run on the base workloads) and ``perturbed`` (the run on ``probe_workloads(probes)``)."""
    violations = []
    for probe, workload in zip(probes, probe_workloads(probes), strict=True):
        try:
            before = engine.decisions_until(original, probe.base_id, probe.tick)
            after = engine.decisions_until(perturbed, workload["id"], probe.tick)
        except (KeyError, IndexError, TypeError) as err:
            violations.append(one_line(f"{probe.base_id}: decisions missing ({err})"))
            continue
        if before != after:
            violations.append(
                f"{probe.base_id}: decisions up to tick {probe.tick} changed when "
                f"only data after tick {probe.tick} changed"
            )
    return violations


def check_causality(
    scenario: Scenario,
    source: str,
    workloads: list[Workload],
    *,
    limits: SandboxLimits,
    executor: Executor | None = None,
    isolate: bool = True,
    probed: int = PROBED_WORKLOADS,
) -> dict[str, Any]:
    """``{"passed", "blocking", "applicable", "probes": n, "violations": [...]}``; a policy
    that reads the future is unacceptable whatever it scores, so a failure always blocks."""
    engine = scenario.engine
    base = spread(workloads, probed)
    probes = engine.causality_probes(base)
    if not probes:
        return {
            "passed": True,
            "blocking": False,
            "applicable": False,
            "probes": 0,
            "violations": [],
        }
    wanted = {p.base_id for p in probes}
    originals = [w for w in base if w["id"] in wanted]
    executor = executor or default_executor()
    first, second = executor.run_chunks(
        scenario.root, source, [originals, probe_workloads(probes)], limits, isolate
    )
    for label, outcome in (("original", first), ("perturbed", second)):
        if outcome.status != "ok" or outcome.raw is None:
            return {
                "passed": False,
                "blocking": True,
                "applicable": True,
                "probes": len(probes),
                "violations": [one_line(f"{label} run ended '{outcome.status}': {outcome.error}")],
            }
    assert first.raw is not None and second.raw is not None  # both answered: checked above
    violations = causality_violations(engine, probes, first.raw, second.raw)
    return {
        "passed": not violations,
        "blocking": bool(violations),
        "applicable": True,
        "probes": len(probes),
        "violations": violations[:10],
    }
