"""``adrs export SESSION --format jsonl [-o FILE]``: every row of a session, for archiving or
analysis elsewhere."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adrs.cli.common import add_workspace_flag, workspace_from
from adrs.errors import UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``export`` subcommand."""
    parser = subparsers.add_parser("export", help="export a session's rows (JSON Lines)")
    parser.add_argument("session", help="session name or id (see `adrs sessions`)")
    parser.add_argument("--format", default="jsonl", choices=["jsonl"], help="output format")
    parser.add_argument("-o", "--output", default=None, help="file to write (default: stdout)")
    add_workspace_flag(parser)
    parser.set_defaults(func=run)


def checked_output(path: Path) -> Path:
    """``-o`` must name a file in an existing folder. Checked before the workspace is opened,
    so a bad path (a folder, a path under a file) changes nothing and fails in one line."""
    if path.is_dir():
        raise UsageError(
            f"-o {path} is a folder: name a file to write, e.g. {path / 'session.jsonl'}"
        )
    for ancestor in path.parents:
        if ancestor.is_dir():
            break
        if ancestor.exists() or ancestor.is_symlink():
            raise UsageError(f"-o {path}: {ancestor} is a file, not a folder: pick another -o")
    if not path.parent.is_dir():
        raise UsageError(f"folder {path.parent} does not exist: create it or pick another -o")
    return path


def run(args: argparse.Namespace) -> int:
    """Write the export; a summary line goes to stderr when writing a file."""
    from memory.export import export_jsonl
    from memory.store import open_store

    path = None if args.output is None else checked_output(Path(args.output))
    with open_store(workspace_from(args)) as store:
        session = store.resolve_session(args.session)
        if path is None:
            export_jsonl(store, session.id, sys.stdout)
            return 0
        try:
            out = path.open("w", encoding="utf-8")
        except OSError as err:  # e.g. no permission: one line, not a traceback
            reason = err.strerror or err
            raise UsageError(f"cannot write {path}: {reason}: pick another -o") from None
        with out:
            lines = export_jsonl(store, session.id, out)
    print(f"wrote {lines} rows of session {session.name} to {path}", file=sys.stderr)
    return 0
