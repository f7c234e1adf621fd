"""The one scrubber: credentials out of whatever is stored, printed or put in a prompt.

Three kinds of secret, one marker (``[REDACTED]``) and one minimum length:

- key *shapes* (``sk-...``, ``Bearer ...``, ``api_key=...``): LLM call records are written
  verbatim for review, and a prompt, a header dump or an error text can carry a key. The store
  passes everything bound for ``llm_calls`` and event payloads through ``scrub_secrets``;
- configured key *values*: ``agents.llm`` cleans a failed call's error with ``scrub_text`` and
  the keys it was given;
- our own secret-looking *environment values* (``secret_values``): the sandbox never gives a
  candidate our environment, so a candidate has no way to learn a key; as a second wall,
  everything a candidate controls (errors, tracebacks, captured output) is ``redact``-ed of
  them before it is printed, stored or put in a prompt. Only the values: key shapes in a
  candidate's own text are not ours.

Lives at the bottom layer because ``agents``, ``memory`` and the sandbox all need it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[REDACTED]"

#: Configured key values shorter than this are not searched for in text. Local servers take any
#: key, so people set ``x``, ``abc`` or ``EMPTY``: replacing every occurrence of such a value
#: rewrites ordinary words ("Expecting value" became "E***pecting value") and garbles the very
#: error a user needs to read, while protecting nothing (a key that short guards nothing, and no
#: provider issues one). From eight characters on a value seldom occurs inside other text by
#: chance; provider keys are 20 characters and more, so every one of them is still scrubbed.
#: Key *shapes* (``sk-...``, ``Bearer ...``, ``api_key=...``) are matched whatever the setting.
MIN_SECRET_LENGTH = 8

#: Environment variables whose value is ours to keep from a candidate.
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|SESSION|COOKIE", re.IGNORECASE)

#: Field names whose value is a secret whatever it looks like.
_SECRET_KEYS = re.compile(
    r"^(api[_-]?key|apikey|openai[_-]?api[_-]?key|authorization|auth[_-]?token|access[_-]?token|"
    r"secret|client[_-]?secret|password|x-api-key|token)$",
    re.IGNORECASE,
)

#: (triggers, shape): a shape is searched for only when one of its triggers occurs in the
#: lower-cased text. Substring scans are cheap; a regex costs ~1 ms on a 4 kB prompt, and the
#: research loop scrubs ~20 strings per candidate, almost none of which hold a key.
_RULES: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    # OpenAI / Anthropic / OpenRouter style keys: sk-..., sk-proj-..., sk-ant-...
    (("sk-",), re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}")),
    # "Bearer <token>" in headers or logs.
    (("bearer",), re.compile(r"(?i)\bbearer\s+[A-Za-z0-9_\-\.=:+/]{8,}")),
    # key = value / "api_key": "value" written inside free text (the label is kept).
    # Triggers are the label's exact spellings: a loose one ("api", "access") fires on most
    # prompts ("capital", "accessed") and the regex then costs ~0.7 ms on a 12 kB prompt.
    (
        (
            "apikey",
            "api_key",
            "api-key",
            "access_token",
            "access-token",
            "auth_token",
            "auth-token",
            "client_secret",
            "client-secret",
            "password",
        ),
        re.compile(
            r"(?i)((?:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|client[_-]?secret|password)"
            r"[\"']?\s*[:=]\s*[\"']?)([^\s\"',;}]{4,})"
        ),
    ),
    # Other well-known token shapes: GitHub, Hugging Face, Google, AWS access key ids, Slack.
    (
        ("ghp_", "gho_", "ghu_", "ghs_", "github_pat_"),
        re.compile(r"\b(?:ghp|gho|ghu|ghs|github_pat)_[A-Za-z0-9_]{16,}"),
    ),
    (("hf_",), re.compile(r"\bhf_[A-Za-z0-9]{16,}")),
    (("aiza",), re.compile(r"\bAIza[0-9A-Za-z_\-]{30,}")),
    (("akia",), re.compile(r"\bAKIA[0-9A-Z]{16}\b")),
    (("xox",), re.compile(r"\bxox[abprs]-[A-Za-z0-9\-]{10,}")),
)


def _keep_label(match: re.Match[str]) -> str:
    return match.group(1) + REDACTED


def known_secrets(secrets: Iterable[str]) -> list[str]:
    """The configured values worth searching for (see ``MIN_SECRET_LENGTH``), longest first so
    a key that contains another is removed whole."""
    return sorted(
        {s for s in secrets if s and len(s.strip()) >= MIN_SECRET_LENGTH}, key=len, reverse=True
    )


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of the variables (of ``os.environ`` by default) whose names look secret, long
    enough to search for, longest first."""
    environ = os.environ if environ is None else environ
    return known_secrets(value for name, value in environ.items() if _SECRET_NAME.search(name))


def redact(text: str | None, secrets: Iterable[str] | None = None) -> str | None:
    """``text`` with every occurrence of each value of ``secrets`` (default: ``secret_values()``)
    replaced by ``[REDACTED]``; the values are taken as given, so pass them longest first."""
    if not text:
        return text
    for value in secret_values() if secrets is None else secrets:
        if value in text:
            text = text.replace(value, REDACTED)
    return text


def scrub_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace every key-like substring of ``text``, and every occurrence of a configured key
    value in ``secrets`` long enough to be one, with ``[REDACTED]``."""
    text = redact(text, known_secrets(secrets)) or text
    lowered = text.lower()
    for triggers, shape in _RULES:
        if any(trigger in lowered for trigger in triggers):
            text = shape.sub(_keep_label if shape.groups >= 2 else REDACTED, text)
    return text


def scrub_secrets(value: Any) -> Any:
    """A copy of a JSON-plain value with secrets removed: fields named like a key are blanked,
    strings are scanned for key shapes. Non-string leaves pass through unchanged."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            if isinstance(key, str) and _SECRET_KEYS.match(key) and item not in (None, ""):
                cleaned[key] = REDACTED
            else:
                cleaned[key] = scrub_secrets(item)
        return cleaned
    if isinstance(value, (list, tuple)):
        return [scrub_secrets(item) for item in value]
    return value
