"""Helpers shared by subcommands: workspace flag, deferred options, JSON output.

Nothing here imports beyond the standard library at module level: every command module
imports this one while ``adrs --help`` is being built.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from memory.records import Session
    from memory.store import Store

#: Adds options to a subcommand's parser.
OptionAdder = Callable[[argparse.ArgumentParser], None]


class CommandParser(argparse.ArgumentParser):
    """A subcommand's parser whose options may be added on first use.

    Building the ``adrs`` parser must import none of the commands' dependencies, yet some
    options show a value kept in a heavy module (the endpoint failure limit, the agents'
    roles). Options added with :func:`add_later` are added when this parser first parses or
    prints its help, which happens only for the command the user chose.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: list[OptionAdder] = []

    def add_later(self, adder: OptionAdder) -> None:
        self._pending.append(adder)

    def _complete(self) -> None:
        while self._pending:
            self._pending.pop(0)(self)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._complete()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        self._complete()
        return super().format_usage()

    def format_help(self) -> str:
        self._complete()
        return super().format_help()


def add_later(parser: argparse.ArgumentParser, adder: OptionAdder) -> None:
    """Add options with ``adder`` when ``parser`` is first used (at once on a plain parser)."""
    if isinstance(parser, CommandParser):
        parser.add_later(adder)
    else:
        adder(parser)


def add_workspace_flag(parser: argparse.ArgumentParser) -> None:
    """Accept ``--workspace`` after the subcommand too (``adrs eval --workspace W ...``)."""
    parser.add_argument("--workspace", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def workspace_from(args: argparse.Namespace) -> Path:
    """The workspace the user chose for this invocation."""
    from adrs.workspace import workspace_dir

    return workspace_dir(getattr(args, "workspace", None))


def print_json(obj: Any) -> None:
    """One JSON object on stdout, one line, the format scripts depend on."""
    sys.stdout.write(json.dumps(obj, default=str) + "\n")


def session_or_newest(store: Store, ref: str | None) -> Session:
    """The session named (or numbered) ``ref``, or the newest one when none is named; a
    one-line error when the workspace has none."""
    from adrs.errors import UsageError

    if ref is not None:
        return store.resolve_session(ref)
    newest = store.list_sessions(limit=1)
    if not newest:
        raise UsageError("this workspace has no session yet: start one with `adrs run`")
    return newest[0]
