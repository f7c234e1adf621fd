"""``adrs baselines SCENARIO [--split S] [--json]``: each baseline's score and the limit.

Generic over simulator families: baselines are evaluated through the same ``evaluate`` entry
point as candidates (the same child process, the same trusted scoring), and the limit comes
from ``engine.limit``. Both are cached in the workspace, keyed by what they depend on, so the
minutes the optimum takes are paid once. Results are reported per split and per report cell
(``engine.group_of``, e.g. one (deadline, overhead) pair).
"""

from __future__ import annotations

import argparse
import sys
from statistics import fmean
from typing import TYPE_CHECKING, Any

from adrs.cli.common import add_workspace_flag, print_json, workspace_from
from adrs.errors import UsageError
from simulators.direction import word

if TYPE_CHECKING:  # the simulators (pydantic, numpy) are imported when a command runs
    from pathlib import Path

    from simulators.scenario import Scenario


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "baselines",
        help="score the scenario's baselines and its limit, per split and per cell",
        description="Mean objective of every baseline and of the limit (optimum or bound).",
    )
    parser.add_argument("scenario", help="scenario name (spot-single) or folder")
    parser.add_argument("--split", help="only this split (default: all)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    add_workspace_flag(parser)
    parser.set_defaults(func=run)


def check_split(scenario: Scenario, split: str) -> None:
    """Exit 2 on a split the scenario does not define."""
    if split not in scenario.spec.splits:
        known = ", ".join(scenario.spec.splits)
        raise UsageError(f"unknown split '{split}' for {scenario.name} (splits: {known})")


def baseline_result(scenario: Scenario, name: str, split: str, cache: Path) -> dict[str, Any]:
    """One baseline on one split (cached); a failing baseline is a scenario bug and says so."""
    from simulators import references

    try:
        return references.baseline_result(scenario, name, split, cache)
    except references.BaselineFailed as err:
        raise UsageError(str(err)) from None


def split_report(scenario: Scenario, split: str, cache: Path) -> dict[str, Any]:
    """Baselines and limit of one split: means, deadline misses, and per-cell means."""
    from simulators.objectives import metric_means
    from simulators.references import LIMIT_KEY

    engine = scenario.engine
    workloads = engine.workloads(split)
    columns: dict[str, dict[str, float]] = {}
    report: dict[str, Any] = {"runs": len(workloads)}
    misses: dict[str, int] = {}
    metrics: dict[str, dict[str, float]] = {}
    for name in scenario.spec.baselines:
        result = baseline_result(scenario, name, split, cache)
        columns[name] = result["per_workload"]
        report[name] = result["score"]
        misses[name] = result["infeasible_runs"]
        if result.get("per_metric"):
            metrics[name] = metric_means(result["per_metric"])
    limit = engine.limit(split, cache)
    if limit is not None:
        columns[LIMIT_KEY] = limit
        report[LIMIT_KEY] = fmean(limit.values()) if limit else None
    report["infeasible_runs"] = misses
    if metrics:  # every metric the kind reports, beside the score (traffic beside balance)
        report["metrics"] = metrics
    details = getattr(engine, "limit_report", None)  # families whose limit is partly a bound
    if callable(details):
        report["limit"] = details(split, cache)
    cells: dict[str, list[str]] = {}
    for w in workloads:
        cells.setdefault(engine.group_of(w), []).append(w["id"])
    report["cells"] = {
        cell: {"runs": len(ids)}
        | {col: _mean_or_none([values.get(i) for i in ids]) for col, values in columns.items()}
        for cell, ids in cells.items()
    }
    return report


def _mean_or_none(values: list[float | None]) -> float | None:
    """Mean over a cell, None if any run of the cell was infeasible (never averaged in)."""
    if not values or any(v is None for v in values):
        return None
    return fmean(values)  # type: ignore[arg-type]


def run(args: argparse.Namespace) -> int:
    from adrs.workspace import cache_dir
    from simulators.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    splits = [args.split] if args.split else list(scenario.spec.splits)
    for split in splits:
        check_split(scenario, split)
    cache = cache_dir(workspace_from(args))
    out = {
        "scenario": scenario.name,
        "objective": scenario.spec.objective.model_dump(),
        "splits": {split: split_report(scenario, split, cache) for split in splits},
    }
    if args.json:
        print_json(out)
    else:
        _print_table(out, list(scenario.spec.baselines))
    return 0


def _money(value: float | None, unit: str) -> str:
    if value is None:
        return "infeasible"
    return f"{unit}{value:,.2f}" if unit == "$" else f"{value:.4g}{unit}"


def _print_table(out: dict[str, Any], baselines: list[str]) -> None:
    from simulators.references import LIMIT_KEY

    objective = out["objective"]
    unit = objective.get("unit", "")
    better = word(objective["direction"])
    columns = [*baselines, LIMIT_KEY]
    print(f"{out['scenario']}: {objective['name']} ({better} is better)")
    for split, rep in out["splits"].items():
        print(f"\n[{split}] {rep['runs']} runs")
        width = max(len(c) for c in rep["cells"]) if rep["cells"] else 10
        cols = [c for c in columns if c in rep]
        print(" " * (width + 2) + "".join(f"{c:>18}" for c in cols))
        print(f"{'all':<{width + 2}}" + "".join(f"{_money(rep[c], unit):>18}" for c in cols))
        for cell, values in rep["cells"].items():
            print(f"{cell:<{width + 2}}" + "".join(f"{_money(values[c], unit):>18}" for c in cols))
        for name, means in rep.get("metrics", {}).items():
            print(f"  {name}: " + ", ".join(f"{m} {v:.4g}" for m, v in means.items()))
        if isinstance(rep.get("limit"), dict):
            print(
                "  limit: "
                + ", ".join(
                    f"{k} {v:.4g}" for k, v in rep["limit"].items() if isinstance(v, int | float)
                )
            )
    sys.stdout.flush()
