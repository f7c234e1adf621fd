"""``adrs logs``: the agents' reasoning logs — prompt, answer, hidden reasoning, tokens, cost,
latency — per role and iteration, searchable, and tailed live while a session runs.

Reading is by row id (``llm_calls`` ids only grow), so ``--follow`` polls with ``id > last``: no
row is shown twice or skipped, however long the session or the pause between polls. Follow
stops by itself once the session has ended and its last calls are shown, so scripts can use it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from datetime import datetime
from typing import TYPE_CHECKING

from adrs.cli.common import add_later, add_workspace_flag, session_or_newest, workspace_from
from adrs.errors import UsageError
from adrs.terminal import printable


def log_roles() -> tuple[str, ...]:
    """Roles a call is recorded under: the four agents, and ``chat`` for the planner answering
    in ``adrs chat`` (``adrs.chat`` records its answers under that role). The agents' roles
    live with their settings (pydantic), imported only once a command needs them."""
    from agents.settings import ROLES

    return (*ROLES, "chat")


if TYPE_CHECKING:  # rich is imported when a call is printed, not when the CLI starts
    from rich.text import Text


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``logs`` subcommand."""
    parser = subparsers.add_parser(
        "logs",
        help="the agents' reasoning logs (prompts, answers, reasoning, tokens, cost)",
        description="Every model call of a session, oldest first. Default session: the newest.",
    )
    parser.set_defaults(func=run)
    add_later(parser, add_options)


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``adrs logs``, in the order its help lists them."""
    parser.add_argument("session", nargs="?", default=None, help="session name or id")
    parser.add_argument("--role", default=None, help=f"one of {', '.join(log_roles())}")
    parser.add_argument("--iteration", type=int, default=None, help="one iteration only")
    parser.add_argument(
        "--search",
        default=None,
        metavar="TEXT",
        help="full-text search in prompts, answers, reasoning and errors",
    )
    parser.add_argument(
        "--follow",
        "-f",
        action="store_true",
        help="keep printing new calls until the session ends (Ctrl-C to stop)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--full", action="store_true", help="do not shorten long texts")
    parser.add_argument("--limit", type=int, default=1000, help="at most this many calls")
    parser.add_argument("--interval", type=float, default=1.0, help=argparse.SUPPRESS)
    add_workspace_flag(parser)


def run(args: argparse.Namespace) -> int:
    """Print the matching calls, then (``--follow``) poll for new ones."""
    from memory import open_store
    from memory.vocabulary import SessionStatus

    #: Session states after which no new call can appear.
    ended = {
        SessionStatus.FINISHED,
        SessionStatus.STOPPED,
        SessionStatus.FAILED,
        SessionStatus.INTERRUPTED,
    }
    if args.limit <= 0:
        raise UsageError("--limit must be a positive number of calls")
    _check_role(args.role)
    with open_store(workspace_from(args)) as store:
        session = session_or_newest(store, args.session)
        printer = _JsonPrinter() if args.json else _RichPrinter(full=args.full)
        last_id, shown = 0, 0
        while True:
            calls = store.llm_calls(
                session.id,
                role=args.role,
                iteration=args.iteration,
                query=args.search,
                after_id=last_id,
                limit=args.limit - shown if not args.follow else 500,
            )
            for call in calls:
                printer.show(call)
            shown += len(calls)
            last_id = calls[-1].id if calls else last_id
            if not args.follow:
                break
            if not calls:
                current = store.get_session(session.id)
                if current is None or current.status in ended:
                    break
                time.sleep(args.interval)
        if not args.json and shown == 0 and not args.follow:
            print("no model calls match", file=sys.stderr)
    return 0


def _check_role(role: str | None) -> None:
    """Refuse a role no call is ever recorded under: the filter would silently match nothing,
    which reads as "this agent made no calls" rather than as a typo."""
    if role is not None and role not in (known := log_roles()):
        raise UsageError(f"unknown role {role!r}: expected one of {', '.join(known)}")


class _JsonPrinter:
    """One JSON object per call and line, flushed at once so a pipe sees calls as they come."""

    def show(self, call) -> None:
        sys.stdout.write(json.dumps(dataclasses.asdict(call), default=str) + "\n")
        sys.stdout.flush()


class _RichPrinter:
    """A header line per call, then prompt, reasoning and answer; colours only on a terminal.

    Everything from the record is untrusted (model answers, program text): it goes through
    :func:`adrs.terminal.printable` and into ``Text`` objects, never into markup, so neither an
    escape sequence nor ``[link=...]`` or ``:emoji:`` in it is acted on.
    """

    def __init__(self, full: bool) -> None:
        from rich.console import Console

        self.console = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)
        self.full = full

    def _clip(self, text: str, limit: int) -> str:
        text = text.rstrip()
        if self.full or len(text) <= limit:
            return text
        return text[:limit] + f"\n… ({len(text) - limit} more characters: --full)"

    def _line(self, label: str, style: str, text: str) -> Text:
        """``label: text`` with only the label styled (a message's label is untrusted too)."""
        from rich.text import Text

        return Text.assemble((printable(f"{label}:"), style), " ", printable(text))

    def show(self, call) -> None:
        from rich.rule import Rule
        from rich.text import Text

        when = datetime.fromtimestamp(call.created_at).strftime("%H:%M:%S")
        head = Text.assemble(
            f"#{call.id} it{call.iteration} ",
            (printable(call.role), "bold"),
            f" {printable(call.model)} {when}  {call.input_tokens} in / {call.output_tokens} out "
            f"tokens  ${call.cost_usd:.4f}  {call.latency_s:.2f} s",
        )
        self.console.print(Rule(head, align="left", style="cyan"))
        for message in call.messages:
            content = self._clip(str(message.get("content", "")), 1200)
            self.console.print(self._line(str(message.get("role", "?")), "dim", content))
        if call.reasoning:
            self.console.print(self._line("reasoning", "magenta", self._clip(call.reasoning, 2000)))
        if call.error:
            self.console.print(self._line("error", "red", call.error))
        self.console.print(self._line("answer", "green", self._clip(call.response, 4000)))
