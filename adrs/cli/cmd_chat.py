"""``adrs chat [--session S]``: talk with the planner about a running or finished session.

Reads one line at a time, from the terminal (with a prompt) or from a pipe (no prompt, one reply
per line, for scripting: ``printf '/status\\n/best\\n' | adrs chat``). Commands answer from memory;
free text needs a model, built from the agents' settings only when the first question comes, so
a piped list of commands never starts a server. With no endpoint configured the embedded
llama.cpp server is started then, and stopped when the chat ends.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack, suppress

from adrs.cli.cmd_run import add_model_flags, model_flags
from adrs.cli.common import add_workspace_flag, session_or_newest, workspace_from
from adrs.errors import UsageError
from adrs.terminal import printable

QUIT = {"/quit", "/exit", "/q"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``chat`` subcommand."""
    parser = subparsers.add_parser(
        "chat",
        help="talk with the planner about a session (steer, ask, approve)",
        description="Commands (/help) answer from memory; other lines go to the planner model.",
    )
    parser.add_argument("--session", default=None, help="session name or id (default: newest)")
    add_model_flags(parser)
    add_workspace_flag(parser)
    parser.set_defaults(func=run)


class _ModelFactory:
    """Builds the planner's RoleModel on first use; owns the embedded server if it starts one."""

    def __init__(self, args: argparse.Namespace, workspace, resources: ExitStack) -> None:
        self.args, self.workspace, self.resources = args, workspace, resources

    def __call__(self):
        from agents.llm import role_model
        from agents.settings import SettingsError, load_settings

        try:
            settings = load_settings(self.workspace, model_flags(self.args))
        except SettingsError as err:
            raise UsageError(str(err)) from None
        if settings.embedded:
            from adrs.embedded import embedded_endpoint

            settings = self.resources.enter_context(embedded_endpoint(self.workspace, settings))
        return role_model("planner", settings)


def run(args: argparse.Namespace) -> int:
    """Read lines until EOF or /quit and print each reply."""
    from adrs.chat import PlannerChat
    from memory import open_store

    workspace = workspace_from(args)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    with ExitStack() as resources:
        store = resources.enter_context(open_store(workspace))
        session = session_or_newest(store, args.session)
        chat = PlannerChat(store, session.id, model=_ModelFactory(args, workspace, resources))
        if interactive:
            # Line editing and history at the prompt, where the platform has it.
            with suppress(ImportError):
                import readline  # noqa: F401
            print(
                printable(
                    f"chat with the planner of {session.name} ({session.status}); /help, /quit"
                )
            )
        while True:
            try:
                line = input("you> ") if interactive else sys.stdin.readline()
            except EOFError:
                break
            if not interactive and line == "":
                break
            line = line.strip()
            if line in QUIT:
                break
            if not line:
                continue
            reply = chat.ask(line)
            _print_reply(reply, interactive)
    return 0


def _print_reply(reply: str, interactive: bool) -> None:
    """Print one reply. Replies hold model answers and program text (untrusted), so control
    characters are spelled out even in a pipe, which usually ends on a terminal anyway; the
    terminal's rich line takes the reply as plain ``Text``, never as markup."""
    reply = printable(reply)
    if not interactive:
        sys.stdout.write(reply + "\n")
        sys.stdout.flush()
        return
    from rich.console import Console
    from rich.text import Text

    line = Text.assemble(("planner>", "bold cyan"), " ", reply)
    Console(highlight=False, markup=False, emoji=False).print(line)
