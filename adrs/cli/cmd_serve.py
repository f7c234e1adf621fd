"""``adrs serve``: the web dashboard of a workspace (sessions, scores, lineage, transcripts).

Binds 127.0.0.1 by default. Any other address is refused unless a token is given, because the
pages show prompts, code and costs; with a token every request must carry it.
"""

from __future__ import annotations

import argparse
import os
import sys

from adrs.cli.common import add_workspace_flag, workspace_from
from adrs.errors import UsageError
from adrs.web.security import check_bind

DEFAULT_PORT = 8765


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` subcommand."""
    parser = subparsers.add_parser(
        "serve", help="web dashboard: sessions, score charts, lineage, transcripts",
        description="Serve the dashboard. Off loopback a token is required (--token or "
                    "ADRS_SERVE_TOKEN); open the printed URL once, a cookie keeps it.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    parser.add_argument("--token", default=None,
                        help="secret every request must carry (default: $ADRS_SERVE_TOKEN)")
    add_workspace_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the bind rule, then serve until Ctrl-C."""
    token = args.token or os.environ.get("ADRS_SERVE_TOKEN") or None
    check_bind(args.host, token)
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a TCP port (1-65535)")
    try:
        import uvicorn

        from adrs.web.app import create_app
    except ImportError as err:
        raise UsageError(f"the dashboard needs the web extra ({err.name} is missing): "
                         "run `uv sync --extra web`") from None
    app = create_app(workspace_from(args), token=token)
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown_host}:{args.port}/" + ("?token=" + token if token else "")
    print(f"ADRS dashboard on {url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                    access_log=False, server_header=False)
    except SystemExit as exc:  # uvicorn exits 1 when the port is taken
        raise UsageError(f"could not serve on {args.host}:{args.port}: is the port in use?") \
            from exc
    return 0
