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


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "new-scenario",
        help="scaffold a working scenario folder (simulator, seed, baselines, splits) to adapt",
        description="Write DIR/NAME: scenario.toml, simulator.py, seed.py, baselines/, README.md.",
    )
    parser.add_argument("name", help="scenario name: lower-case letters, digits, '-' and '_'")
    parser.add_argument("--dir", default=".", help="parent folder (default: current directory)")
    parser.set_defaults(func=run)


def check_parent(parent: Path) -> None:
    """``--dir`` must be a folder, or not exist yet below a folder (it is then created).

    Checked before anything is written: a ``--dir`` that is a file (or lies under one) would
    otherwise fail halfway, after creating the folders above it.
    """
    for ancestor in (parent, *parent.parents):
        if ancestor.is_dir():
            return
        if ancestor.exists() or ancestor.is_symlink():
            raise UsageError(
                f"--dir {parent}: {ancestor} is a file, not a folder: pick a folder for the "
                "new scenario"
            )


def run(args: argparse.Namespace) -> int:
    from adrs.scaffold import valid_name, write_scenario

    if not valid_name(args.name):
        raise UsageError(
            f"invalid scenario name '{args.name}': use lower-case letters, digits, "
            "'-' and '_', starting with a letter"
        )
    folder = Path(args.dir) / args.name
    check_parent(Path(args.dir))
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} already exists and is not an empty folder")
    shown = os.path.relpath(folder) if not folder.is_absolute() else str(folder)
    try:
        written = write_scenario(args.name, folder, shown_as=shown)
    except OSError as err:  # e.g. no permission: one line, not a traceback
        reason = err.strerror or err
        raise UsageError(f"cannot write the scenario into {folder}: {reason}") from None
    for path in written:
        print(f"wrote {path}")
    print(f"next: adrs eval {shown} {shown}/seed.py && adrs baselines {shown}")
    return 0
