"""``adrs report SESSION [-o FILE]``: a self-contained HTML report of a session.

Score curve against the baselines and the limit, the cost breakdown of the best program
against the baselines, verdict statistics, tokens and dollars; charts are inlined PNGs, so the
one file opens offline anywhere.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adrs.cli.common import add_workspace_flag, workspace_from
from adrs.errors import UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand."""
    parser = subparsers.add_parser(
        "report",
        help="self-contained HTML report of a session (charts inlined)",
        description="Write an HTML report; default file: <session>-report.html.",
    )
    parser.add_argument("session", help="session name or id")
    parser.add_argument("-o", "--output", default=None, help="file to write ('-' for stdout)")
    add_workspace_flag(parser)
    parser.set_defaults(func=run)


def _ensure_references(store, session, workspace: Path) -> None:
    """Sessions that did not record their baselines and limit get them now, from the
    workspace cache that ``adrs run`` filled (computed once otherwise), so the report always
    compares against them; they are stored, so the dashboard shows them too."""
    from adrs.report.data import record_references, references

    if references(store, session) or session.scenario in ("", None):
        return
    try:
        from adrs.launch import load_references
        from adrs.progress import progress
        from graph.session import scenario_of

        with progress(f"scoring the baselines and the limit of {session.scenario}"):
            loaded = load_references(scenario_of(session), workspace)
    except Exception as err:  # a report without references beats no report
        print(f"adrs: no baselines in the report ({type(err).__name__}: {err})", file=sys.stderr)
        return
    record_references(
        store, session.id, loaded.means(), parts=loaded.parts, metrics=loaded.metric_means()
    )


def run(args: argparse.Namespace) -> int:
    """Build the report and write it."""
    try:
        from adrs.report.render import build_report
    except ImportError as err:
        raise UsageError(
            f"reports need the web extra ({err.name} is missing): run `uv sync --extra web`"
        ) from None
    from memory import open_store

    workspace = workspace_from(args)
    with open_store(workspace) as store:
        session = store.resolve_session(args.session)
        _ensure_references(store, session, workspace)
        html = build_report(store, session.id)
    if args.output == "-":
        sys.stdout.write(html)
        return 0
    path = Path(args.output or f"{session.name}-report.html")
    try:
        path.write_text(html, encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror}") from None
    print(f"wrote {path} ({len(html) // 1024} KiB)", file=sys.stderr)
    return 0
