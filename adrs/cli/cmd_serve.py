"""``adrs serve``: the web dashboard of a workspace (sessions, scores, lineage, transcripts).

Binds 127.0.0.1 by default. Any other address is refused unless a token is given, because the
pages show prompts, code and costs; with a token every request must carry it. Every request
must also name a host the dashboard answers to (against DNS rebinding): loopback, an IP address,
the ``--host`` name, the machine's name when bound to all interfaces, or an ``--allow-host``.
"""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys

from adrs.cli.common import add_workspace_flag, workspace_from
from adrs.errors import AdrsError, UsageError

DEFAULT_PORT = 8765


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` subcommand."""
    parser = subparsers.add_parser(
        "serve",
        help="web dashboard: sessions, score charts, lineage, transcripts",
        description="Serve the dashboard. Off loopback a token is required (--token or "
        "ADRS_SERVE_TOKEN); open the printed URL once, a cookie keeps it.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    parser.add_argument(
        "--token", default=None, help="secret every request must carry (default: $ADRS_SERVE_TOKEN)"
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="another host name the dashboard is browsed by (repeatable); "
        "localhost, IP addresses and the --host name always work",
    )
    add_workspace_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the bind rule, bind the port, then serve until Ctrl-C."""
    from adrs.web.security import check_bind

    token = args.token or os.environ.get("ADRS_SERVE_TOKEN") or None
    check_bind(args.host, token)
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a TCP port (1-65535)")
    try:
        import uvicorn

        from adrs.web.app import create_app
    except ImportError as err:
        raise UsageError(
            f"the dashboard needs the web extra ({err.name} is missing): run `uv sync --extra web`"
        ) from None
    sockets = listening_sockets(args.host, args.port)
    try:
        app = create_app(
            workspace_from(args), token=token, host=args.host, allow_hosts=args.allow_host
        )
        url = f"http://{shown(args.host)}:{args.port}/" + ("?token=" + token if token else "")
        print(f"ADRS dashboard on {url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
        server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", access_log=False, server_header=False)
        )
        server.run(sockets=sockets)
    except KeyboardInterrupt:  # Ctrl-C is how the server is meant to stop
        pass
    except SystemExit as exc:  # uvicorn exits when the app fails to start
        raise AdrsError(f"the dashboard on {shown(args.host)}:{args.port} failed to start") from exc
    finally:
        for sock in sockets:
            sock.close()
    return 0


def shown(host: str) -> str:
    """``host`` as written in a URL: an IPv6 address goes in brackets (once)."""
    return f"[{host.strip('[]')}]" if ":" in host else host


def listening_sockets(host: str, port: int) -> list[socket.socket]:
    """Sockets bound to every address ``host`` resolves to, bound here rather than by uvicorn so
    a name that does not resolve, an address this machine does not have and a port already in
    use each get their own one-line UsageError (uvicorn only logs the OSError and exits 1)."""
    sockets: list[socket.socket] = []
    try:
        found = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
        for family, address in dict.fromkeys((info[0], info[4]) for info in found):
            sockets.append(bound_socket(family, address))
    except OSError as err:
        for sock in sockets:
            sock.close()
        raise UsageError(bind_failure(host, port, err)) from None
    return sockets


def bound_socket(family: int, address: tuple) -> socket.socket:
    """A TCP socket bound to ``address`` with the options asyncio would set: SO_REUSEADDR (a
    restart right after Ctrl-C is not refused for the old connections' TIME_WAIT) and, for
    IPv6, V6ONLY (``::`` means IPv6 only, as before; Linux would otherwise take IPv4 too)."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def bind_failure(host: str, port: int, err: OSError) -> str:
    """One line saying why ``host:port`` could not be bound and what to do instead."""
    where = f"cannot serve on {shown(host)}:{port}"
    if isinstance(err, socket.gaierror):
        return (
            f"{where}: {host} does not resolve to an address ({err.strerror}); "
            "give a name or address of this machine with --host"
        )
    if err.errno == errno.EADDRINUSE:
        return f"{where}: the port is in use; stop what listens there or pick another --port"
    if err.errno == errno.EADDRNOTAVAIL:
        return (
            f"{where}: {host} is not an address of this machine; "
            "give one it has with --host (or 127.0.0.1)"
        )
    if err.errno == errno.EACCES and port < 1024:
        return f"{where}: ports below 1024 need root; pick another --port"
    return f"{where}: {err.strerror or err}"
