"""``adrs new-scenario NAME [--dir DIR]``: scaffold a working scenario folder to adapt.

Bring-your-own scenarios start from a folder that already evaluates (a toy autoscaler: simulator,
seed with an EVOLVE-BLOCK, baselines, splits, README), because editing something that runs is
far easier than filling in an empty contract. The folder is ``DIR/NAME`` (DIR defaults to the
current directory); an existing non-empty folder is never overwritten (exit 2).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from adrs.errors import UsageError
from adrs.scaffold import valid_name, write_scenario


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "new-scenario",
        help="scaffold a working scenario folder (simulator, seed, baselines, splits) to adapt",
        description="Write DIR/NAME: scenario.toml, simulator.py, seed.py, baselines/, README.md.",
    )
    parser.add_argument("name", help="scenario name: lower-case letters, digits, '-' and '_'")
    parser.add_argument("--dir", default=".", help="parent folder (default: current directory)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not valid_name(args.name):
        raise UsageError(
            f"invalid scenario name '{args.name}': use lower-case letters, digits, "
            "'-' and '_', starting with a letter"
        )
    folder = Path(args.dir) / args.name
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} already exists and is not an empty folder")
    shown = os.path.relpath(folder) if not folder.is_absolute() else str(folder)
    for path in write_scenario(args.name, folder, shown_as=shown):
        print(f"wrote {path}")
    print(f"next: adrs eval {shown} {shown}/seed.py && adrs baselines {shown}")
    return 0
