"""``adrs eval SCENARIO PROGRAM.py [--split S] [--json]``: score one program by hand.

The program runs in a child process (``simulators.evaluate``), never in this one. Beside its
score the command prints the comparison a researcher wants: percent saved against the reference
baseline (Uniform Progress for spot-single) and the share of the reference-to-limit gap closed,
overall and per group of the split (spot: deadline x overhead, EPLB: generator cell, Cloudcast:
configuration; and the scenario's other facets, such as the zone, in the JSON), so a policy's
losing cells show without a wrapper around the evaluator.
Exit codes: 0 scored and feasible; 1 the program failed, is infeasible or failed a blocking
check such as causality (one line on stderr); 2 usage errors (unknown scenario or split, missing
file).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from statistics import fmean
from typing import TYPE_CHECKING, Any

from adrs.cli.cmd_baselines import baseline_result, check_split
from adrs.cli.common import add_workspace_flag, print_json, workspace_from
from adrs.errors import UsageError
from simulators.direction import gain, word

if TYPE_CHECKING:  # the simulators (pydantic, numpy) are imported when the command runs
    from simulators.references import PerWorkload
    from simulators.results import EvalResult
    from simulators.scenario import Scenario


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="score a program on a scenario split, beside the reference baseline and the limit",
        description="Score PROGRAM.py on one split of SCENARIO (in a separate process).",
    )
    parser.add_argument("scenario", help="scenario name (spot-single) or folder")
    parser.add_argument("program", help="the program file (defines the scenario's entry point)")
    parser.add_argument("--split", default="train", help="split to score on (default: train)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    add_workspace_flag(parser)
    parser.set_defaults(func=run)


def yardsticks(scenario: Scenario, split: str, cache: Path) -> tuple[PerWorkload, PerWorkload]:
    """Per-workload values of the reference baseline and of the limit ({} when absent)."""
    ref_name = scenario.spec.reference_baseline
    reference = (
        baseline_result(scenario, ref_name, split, cache)["per_workload"] if ref_name else {}
    )
    return dict(reference), dict(scenario.engine.limit(split, cache) or {})


def comparison(
    scenario: Scenario, score: float, reference: PerWorkload, limit_values: PerWorkload
) -> dict[str, Any]:
    """Score against the reference baseline and the limit (both means over the split)."""
    out: dict[str, Any] = {}
    ref_name = scenario.spec.reference_baseline
    ref = fmean(reference.values()) if reference else None
    limit = fmean(limit_values.values()) if limit_values else None
    out["reference"] = {"name": ref_name, "score": ref}
    out["optimum"] = limit
    if ref:
        ahead = gain(score, ref, scenario.spec.objective.direction)
        out["saved_vs_reference_pct"] = 100.0 * ahead / abs(ref)
    if ref is not None and limit is not None and abs(ref - limit) > 1e-12:
        out["gap_closed"] = (ref - score) / (ref - limit)
    return out


def groups(
    scenario: Scenario,
    split: str,
    result: EvalResult,
    reference: PerWorkload,
    limit_values: PerWorkload,
) -> dict[str, list[dict[str, Any]]]:
    """Per axis (``group`` first), one row per group: its runs, the program's infeasible runs
    and mean (None when a run there is infeasible), and the reference's and the limit's means
    on the same workloads, with the program's change against the reference."""
    from graph.context.groups import axes_of, group_means
    from graph.context.numbers import change

    def versus(value: float | None, base: float | None) -> str | None:
        """The program's change against the reference; None when either mean is unknown."""
        return change(value, base) if value is not None and base else None

    out: dict[str, list[dict[str, Any]]] = {}
    for axis, labels in axes_of(scenario, split).items():
        runs = Counter(labels.values())
        missing = Counter(g for wid, g in labels.items() if wid not in result.per_workload)
        mine, ref, limit = (
            group_means(scenario, split, values, axis)
            for values in (result.per_workload, reference, limit_values)
        )
        out[axis] = [
            {
                "group": g,
                "runs": runs[g],
                "infeasible_runs": missing[g],
                "score": mine[g],
                "reference": ref[g],
                "limit": limit[g],
                "vs_reference": versus(mine[g], ref[g]),
            }
            for g in runs
        ]
    return out


def declared(scenario: Scenario, split: str, result: EvalResult, cache: Path) -> dict[str, Any]:
    """With a constrained or weighted objective: every other declared metric's mean beside the
    reference's and the limit's, and each constraint with the workloads that missed it."""
    from simulators.objectives import constraint_misses, describe_constraint, describe_misses

    objective, ref_name = scenario.spec.objective, scenario.spec.reference_baseline
    others = [m for m in objective.metrics if m != objective.name]
    if not others:
        return {}
    theirs = (
        baseline_result(scenario, ref_name, split, cache).get("per_metric", {}) if ref_name else {}
    )
    limits = scenario.engine.metric_limits(split, cache)

    def mean(values: PerWorkload | None) -> float | None:
        return fmean(values.values()) if values else None

    rows = {
        m: {
            "score": mean(result.per_metric.get(m)),
            "reference": mean(theirs.get(m)),
            "limit": mean(limits.get(m)),
        }
        for m in others
    }
    misses = constraint_misses(objective, result.per_metric, theirs)
    constraints = [
        {
            "constraint": describe_constraint(c, ref_name),
            "missed": [m.workload for m in misses if m.metric == c.metric],
            "workloads": len(result.per_metric.get(c.metric, {})),
        }
        for c in objective.constraints
    ]
    line = describe_misses(misses, result.runs) if misses else None
    return {"declared_metrics": rows, "constraints": constraints, "constraint_missed": line}


def failure_line(result: EvalResult) -> str | None:
    """The one-line reason for exit code 1, or None when the program passed."""
    if result.status != "ok":
        return f"{result.status}: {result.error or 'no reason given'}"
    if not result.feasible:
        return (
            f"infeasible: missed the deadline (broke a hard constraint) on "
            f"{result.infeasible_runs} of {result.runs} runs"
        )
    return None


def blocking_check_line(checks: dict[str, Any]) -> str | None:
    """The one-line reason for exit code 1 when a blocking check failed, or None.

    A scored program that failed such a check (it read the future, or its source does what no
    policy may) would never be accepted by the verifier, so its score must not read as a
    success to a script. Every check blocks unless it says ``"blocking": false``: the static
    scan does for findings that only warn the verifier (big literal tables). A check that did
    not apply (``"applicable": false``) did not fail.
    """
    for name, check in checks.items():
        if not isinstance(check, dict) or check.get("passed") is not False:
            continue
        if check.get("blocking") is False or check.get("applicable") is False:
            continue
        details = (
            check.get("findings")
            or check.get("violations")
            or [check.get("error") or check.get("reason") or ""]
        )
        detail = " ".join(str(details[0]).split())
        return f"blocking check '{name}' failed" + (f": {detail}" if detail else "")
    return None


def run(args: argparse.Namespace) -> int:
    from adrs.workspace import cache_dir
    from simulators.evaluate import evaluate
    from simulators.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    check_split(scenario, args.split)
    program = Path(args.program)
    if not program.is_file():
        raise UsageError(f"no such program file: {program}")
    try:
        source = program.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read {program}: {err}") from None
    cache = cache_dir(workspace_from(args))
    result = evaluate(scenario, source, args.split)
    reason = failure_line(result)
    compared: dict[str, Any] = {}
    if result.status == "ok":  # scored: feasible or not, every group can be compared
        reference, limit_values = yardsticks(scenario, args.split, cache)
        if reason is None and result.score is not None:  # ok and feasible: it has a score
            compared = comparison(scenario, result.score, reference, limit_values)
        compared["groups"] = groups(scenario, args.split, result, reference, limit_values)
        compared.update(declared(scenario, args.split, result, cache))
        if reason is None and compared.get("constraint_missed"):
            # The verifier would never accept it: its score must not read as a success.
            reason = f"constraint not met: {compared['constraint_missed']}"
    out = {
        "scenario": scenario.name,
        "program": str(program),
        "split": args.split,
        "status": result.status,
        "score": result.score,
        "feasible": result.feasible,
        "deadline_misses": result.infeasible_runs,
        "runs": result.runs,
        "objective": scenario.spec.objective.model_dump(),
        **compared,
        "metrics": result.metrics,
        "parts": result.parts,
        "checks": result.checks,
        "error": result.error,
        "run_time_s": round(result.run_time_s, 3),
    }
    if args.json:
        print_json(out)
    else:
        _print_human(out)
    reason = reason or blocking_check_line(result.checks)
    if reason is not None:
        print(f"adrs: {reason}", file=sys.stderr)
        return 1
    return 0


def _print_human(out: dict[str, Any]) -> None:
    objective = out["objective"]
    unit = objective.get("unit", "")
    better = word(objective["direction"])

    def fmt(value: float | None) -> str:
        if value is None:
            return "-"
        if unit == "$":
            return f"{unit}{value:,.4f}"
        return f"{value:.6g} {unit}" if unit[:1].isalpha() else f"{value:.6g}{unit}"

    print(
        f"{out['scenario']} [{out['split']}] {out['program']}: {out['status']}, {out['runs']} runs"
    )
    print(f"  score            {fmt(out['score'])}  ({objective['name']}, {better} is better)")
    if out.get("parts"):
        print(
            f"  {'of which':<16} "
            + " + ".join(f"{name} {fmt(value)}" for name, value in out["parts"].items())
        )
    print(f"  deadline misses  {out['deadline_misses']}")
    ref = out.get("reference") or {}
    if ref.get("score") is not None:
        print(
            f"  {ref['name']:<16} {fmt(ref['score'])}  saved {out['saved_vs_reference_pct']:+.2f}%"
        )
    if out.get("optimum") is not None:
        closed = out.get("gap_closed")
        share = f"  gap closed {100 * closed:.1f}%" if closed is not None else ""
        print(f"  optimum          {fmt(out['optimum'])}{share}")
    _print_groups(out, unit)
    for metric, row in (out.get("declared_metrics") or {}).items():
        print(
            f"  {metric:<16} {_plain(row['score'])}  {ref.get('name') or 'reference'} "
            f"{_plain(row['reference'])}  limit {_plain(row['limit'])}"
        )
    for constraint in out.get("constraints") or []:
        missed = constraint["missed"]
        state = (
            f"missed on {len(missed)} of {constraint['workloads']} workloads "
            f"({', '.join(missed[:4])})"
            if missed
            else f"kept on all {constraint['workloads']} workloads"
        )
        print(f"  constraint       {constraint['constraint']}: {state}")
    for name, check in (out.get("checks") or {}).items():
        verdict = "passed" if check.get("passed") else "FAILED"
        if check.get("applicable") is False:
            verdict = "not applicable" + (f" ({check['reason']})" if check.get("reason") else "")
        detail = check.get("findings") or check.get("violations") or []
        more = f": {'; '.join(map(str, detail[:3]))}" if detail else ""
        print(f"  check {name:<10} {verdict}{more}")


def _print_groups(out: dict[str, Any], unit: str) -> None:
    from graph.context.groups import GROUP
    from graph.context.numbers import fmt

    rows = (out.get("groups") or {}).get(GROUP) or []
    if len(rows) < 2:  # one group is the overall line again
        return
    reference = (out.get("reference") or {}).get("name") or "reference"
    width = max(len(row["group"]) for row in rows)
    print(
        f"  {'per group':<{width}}  {'program':>10}  {reference:>16}  {'vs ref':>7}  "
        f"{'limit':>10}  misses"
    )
    for row in rows:
        print(
            f"  {row['group']:<{width}}  {fmt(row['score'], unit):>10}  "
            f"{fmt(row['reference'], unit):>16}  {row['vs_reference'] or '':>7}  "
            f"{fmt(row['limit'], unit):>10}  {row['infeasible_runs']}/{row['runs']}"
        )


def _plain(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"
