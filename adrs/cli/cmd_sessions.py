"""``adrs sessions [--json]``: the sessions of the workspace with their status and best scores
(the champion's test-split score once the session has stopped: see ``graph.final``)."""

from __future__ import annotations

import argparse
import dataclasses

from adrs.cli.common import add_workspace_flag, print_json, workspace_from


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sessions`` subcommand."""
    parser = subparsers.add_parser("sessions", help="list research sessions in the workspace")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    add_workspace_flag(parser)
    parser.set_defaults(func=run)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def run(args: argparse.Namespace) -> int:
    """List sessions, newest first."""
    from graph.final import reported_test_score
    from memory.store import open_store

    with open_store(workspace_from(args)) as store:
        sessions = store.list_sessions()
        tests = {s.id: reported_test_score(store, s.id) for s in sessions}
        # "running" in a row whose process is gone (kill -9, power loss) shows as interrupted.
        statuses = {s.id: store.live_status(s) for s in sessions}
    if args.json:
        keys = (
            "id",
            "name",
            "scenario",
            "scenario_version",
            "status",
            "iterations",
            "best_train_score",
            "best_heldout_score",
            "champion_program_id",
            "llm_calls",
            "input_tokens",
            "output_tokens",
            "cost_usd",
            "seed",
            "created_at",
            "updated_at",
        )
        print_json(
            {
                "sessions": [
                    {
                        **{k: v for k, v in dataclasses.asdict(s).items() if k in keys},
                        "status": statuses[s.id],
                        "test_score": tests[s.id],
                    }
                    for s in sessions
                ]
            }
        )
        return 0
    if not sessions:
        print("no sessions yet: start one with `adrs run`")
        return 0
    header = (
        "ID",
        "NAME",
        "SCENARIO",
        "STATUS",
        "ITER",
        "BEST TRAIN",
        "BEST HELD-OUT",
        "TEST",
        "COST $",
    )
    rows = [
        (
            str(s.id),
            s.name,
            s.scenario,
            statuses[s.id],
            str(s.iterations),
            _fmt(s.best_train_score),
            _fmt(s.best_heldout_score),
            _fmt(tests[s.id]),
            f"{s.cost_usd:.4f}",
        )
        for s in sessions
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0
