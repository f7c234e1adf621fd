"""The ``adrs`` command. Subcommands live one per module in ``adrs/cli/cmd_*.py``.

Each such module defines ``register(subparsers) -> None``, which adds its parser and sets
``func`` (a callable taking the parsed ``argparse.Namespace`` and returning an exit code).
Discovery keeps the subcommands independent: adding one never edits this file.

The parser is built on every invocation, ``adrs --version`` included, so a command module
imports only the standard library and light ``adrs`` modules at module level; what its
command needs (langgraph, models, numpy, the simulators, memory) is imported by ``func``.
Options whose help or default comes from a heavy module are added with
``adrs.cli.common.add_later``, when the chosen command parses.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import signal
import sqlite3
import sys

import adrs.cli as cli_package
from adrs import __version__
from adrs.cli.common import CommandParser
from adrs.errors import DiskFull, exit_code, is_disk_full
from adrs.progress import progress
from simulators.progress import show_with as show_progress_with


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every ``cmd_*`` module's subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="adrs", description="AI-Driven Research for Systems: agents that discover algorithms."
    )
    parser.add_argument("--version", action="version", version=f"adrs {__version__}")
    parser.add_argument(
        "--workspace",
        default=None,
        help="folder holding all state (default: $ADRS_WORKSPACE or ./.adrs)",
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=CommandParser
    )
    for info in sorted(pkgutil.iter_modules(cli_package.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            module = importlib.import_module(f"adrs.cli.{info.name}")
            module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    signal.signal(signal.SIGTERM, _stop_on_term)
    show_progress_with(progress)
    try:
        return int(args.func(args) or 0)
    except (OSError, sqlite3.Error) as err:
        if type(err) is sqlite3.DatabaseError:  # "file is not a database", "malformed"
            print(
                f"adrs: the workspace memory is damaged ({err}): restore adrs.db from a "
                "copy, or choose another workspace",
                file=sys.stderr,
            )
            return 1
        if not is_disk_full(err):
            raise
        print(
            f"adrs: the disk is full ({err}): free some space and run the command again; "
            "nothing already recorded was lost",
            file=sys.stderr,
        )
        return DiskFull.exit_code
    except KeyboardInterrupt:
        print("adrs: interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        code = exit_code(err)
        if code is None:
            raise
        print(f"adrs: {err}", file=sys.stderr)
        return code


def _stop_on_term(signum: int, frame: object) -> None:
    """``kill PID`` stops a session the way Ctrl-C does: the session is marked stopped, every
    completed step is kept, and the process exits (130)."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
