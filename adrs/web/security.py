"""Who may see the dashboard: loopback by default, a token for anything else.

The dashboard shows prompts, code and costs, and the web viewers of other research tools were
open to anyone on the network. So ``adrs serve`` binds 127.0.0.1 unless told
otherwise, refuses any other address without a token, and with a token every request must carry
it: ``?token=T`` once (it is then kept in an HttpOnly cookie so links work), the cookie, or an
``Authorization: Bearer T`` header. Tokens are compared in constant time.

Every request must also name an allowed host (``host_allowed``), against DNS rebinding: a page
on ``attacker.example`` whose name the attacker re-points at 127.0.0.1 is, to the browser, the
same origin as its own server, so its scripts could read the dashboard of a loopback ``adrs
serve`` that has no token. Such requests still carry ``Host: attacker.example``, which is how
they are told apart. Accepted: ``localhost``, any IP literal (a rebinding needs a name the
attacker controls, and an address is nobody's name), the name ``--host`` gave, on all
interfaces the machine's hostname, and the names given to ``--allow-host``. With a token the
allow-list is a second wall: the token alone already stops a rebinding page, which never has
the cookie of the dashboard's real origin.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import socket
from collections.abc import Iterable

from adrs.errors import UsageError

COOKIE = "adrs_token"

#: Names always accepted in the Host header (IP literals are accepted too: see host_allowed).
LOOPBACK_NAMES = frozenset({"localhost"})

#: Refusal of a request whose Host is not allowed. 421 Misdirected Request (RFC 9110 15.5.20)
#: says this server does not answer for that authority, which is the case; 403 would suggest a
#: credential could help, and no token makes a rebinding page's requests acceptable.
MISDIRECTED = 421
MISDIRECTED_TEXT = (
    "misdirected request: open the dashboard as localhost, an IP address, or a "
    "name given to `adrs serve --allow-host NAME`\n"
)

_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
_PORT = re.compile(r"(:[0-9]{0,5})?")

#: Headers on every answer: no framing, no third-party content (there is no CDN to allow).
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'"
    ),
}


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to expose the dashboard beyond loopback without a token (one-line UsageError)."""
    if token is not None and len(token) < 8:
        raise UsageError("--token must be at least 8 characters: pick a longer, random one")
    if not is_loopback(host) and not token:
        raise UsageError(
            f"refusing to serve on {host} without a token: anyone on the network could read "
            "prompts and code; add --token T (or bind 127.0.0.1)"
        )


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``text`` as an IP address (IPv6 without brackets), or None when it is not one."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def host_name(value: str | None) -> str | None:
    """The host of a ``Host`` header or a ``--allow-host`` value: lower case, without the port,
    the brackets of an IPv6 literal or a final dot; None when missing or malformed. The port is
    split off after ``]`` for IPv6 (``[::1]:8765``), since the address itself holds colons."""
    value = (value or "").strip().lower()
    if value.startswith("["):
        name, bracket, port = value[1:].partition("]")
        if not bracket or not isinstance(_ip(name), ipaddress.IPv6Address):
            return None
    else:
        name, colon, port = value.partition(":")
        port = colon + port
        if not _NAME.fullmatch(name):
            return None
    if not _PORT.fullmatch(port):
        return None
    return name.removesuffix(".") or None


def allowed_hosts(bind_host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The host names (beyond IP literals) the dashboard bound to ``bind_host`` answers to.

    A bound name is one a user browses to. Bound to all interfaces (0.0.0.0 or ::), users
    browse to any address of the machine (accepted as IP literals) or to its name, so the
    hostname is added; other names (a DNS alias, a ``.local`` name) come from ``extra``, the
    ``--allow-host`` values, which raise a one-line UsageError when they are not host names.
    """
    names = set(LOOPBACK_NAMES)
    address = _ip(bind_host.strip("[]"))
    if address is None:  # a name: the one users browse to
        own = host_name(bind_host)
    elif address.is_unspecified:  # all interfaces: the machine's own name too
        own = host_name(socket.gethostname())
    else:  # an address: accepted as an IP literal anyway
        own = None
    if own:
        names.add(own)
    for value in extra:
        name = host_name(value)
        if name is None:
            raise UsageError(f"--allow-host {value!r} is not a host name (like dash.example.org)")
        names.add(name)
    return frozenset(names)


def host_allowed(header: str | None, allowed: frozenset[str]) -> bool:
    """Whether a request's ``Host`` header names this dashboard: an allowed name or any IP
    literal, with any port. A missing or malformed header is refused."""
    name = host_name(header)
    return name is not None and (name in allowed or _ip(name) is not None)


def token_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison; a missing token never matches."""
    if not given:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def token_of(query: dict, cookies: dict, authorization: str | None) -> tuple[str | None, bool]:
    """The token a request carries and whether it came in the URL (then a cookie is set)."""
    if query.get("token"):
        return query["token"], True
    if cookies.get(COOKIE):
        return cookies[COOKIE], False
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip(), False
    return None, False
