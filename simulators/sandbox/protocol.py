"""The report a sandboxed child sends back: JSON only, size-capped, validated by the parent.

Nothing from the child is ever unpickled: a hostile program controls every byte it writes, so
the parent accepts one JSON object of a known shape and treats its content as untrusted data.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

#: Largest report accepted from a child (decisions for a whole split fit well below this).
MAX_REPORT_BYTES = 64 * 1024 * 1024
MAX_ERROR_CHARS = 300
MAX_TRACEBACK_CHARS = 4000

ChildOutcome = Literal["ok", "error", "invalid", "violation"]


class ChildReport(BaseModel):
    """What the child claims happened. ``raw`` is the kind's JSON-plain decisions."""

    model_config = ConfigDict(extra="forbid")
    outcome: ChildOutcome
    raw: dict[str, Any] | None = None
    error: str | None = None
    traceback: str | None = None


class BadReport(Exception):
    """The child's bytes were not a valid report (too big, not JSON, wrong shape)."""


def one_line(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """Collapse a message to one bounded line (user-facing errors are one line)."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def bounded(text: str | None, limit: int = MAX_TRACEBACK_CHARS) -> str | None:
    """Keep the *end* of a long traceback: the frame that raised is the useful part."""
    if text is None or len(text) <= limit:
        return text
    return "...\n" + text[-limit:]


def encode_report(report: dict[str, Any]) -> bytes:
    """Child side: serialise a report (NaN/inf are refused so the parent never sees them)."""
    return json.dumps(report, allow_nan=False, separators=(",", ":")).encode()


def decode_report(data: bytes) -> ChildReport:
    """Parent side: parse and validate a report; ``BadReport`` on anything unexpected."""
    if len(data) > MAX_REPORT_BYTES:
        raise BadReport(f"report larger than {MAX_REPORT_BYTES} bytes")
    try:
        payload = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
        report = ChildReport.model_validate(payload)
    except (UnicodeDecodeError, ValueError, ValidationError) as err:
        raise BadReport(one_line(f"malformed report: {err}")) from None
    report.error = one_line(report.error) if report.error else report.error
    report.traceback = bounded(report.traceback)
    return report


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"non-finite number {name} in report")
