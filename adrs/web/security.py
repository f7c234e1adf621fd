"""Who may see the dashboard: loopback by default, a token for anything else.

The dashboard shows prompts, code and costs, and the web viewers of other research tools were
open to anyone on the network (DESIGN.md 9). So ``adrs serve`` binds 127.0.0.1 unless told
otherwise, refuses any other address without a token, and with a token every request must carry
it: ``?token=T`` once (it is then kept in an HttpOnly cookie so links work), the cookie, or an
``Authorization: Bearer T`` header. Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
import ipaddress

from adrs.errors import UsageError

COOKIE = "adrs_token"

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


def token_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison; a missing token never matches."""
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def token_of(query: dict, cookies: dict, authorization: str | None) -> tuple[str | None, bool]:
    """The token a request carries and whether it came in the URL (then a cookie is set)."""
    if query.get("token"):
        return query["token"], True
    if cookies.get(COOKIE):
        return cookies[COOKIE], False
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip(), False
    return None, False
