"""Our own secrets out of whatever a candidate writes: errors, tracebacks, captured output.

The sandbox never receives our environment (``client.zygote_environment``), so a candidate has
no way to learn a key; this is the second wall. Before anything a candidate controls is printed,
stored or put in a prompt, the values of our secret-looking variables are replaced. Values
shorter than ``MIN_SECRET_CHARS`` are left alone: replacing "abc" would rewrite ordinary words.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

REDACTED = "[REDACTED]"
MIN_SECRET_CHARS = 8
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|SESSION|COOKIE", re.IGNORECASE)


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of the variables whose names look secret, longest first."""
    environ = os.environ if environ is None else environ
    values = {
        value
        for name, value in environ.items()
        if _SECRET_NAME.search(name) and len(value) >= MIN_SECRET_CHARS
    }
    return sorted(values, key=len, reverse=True)


def redact(text: str | None, secrets: list[str] | None = None) -> str | None:
    """``text`` with every secret value replaced by ``[REDACTED]``."""
    if not text:
        return text
    for value in secret_values() if secrets is None else secrets:
        if value in text:
            text = text.replace(value, REDACTED)
    return text
