"""The report a sandboxed child sends back: JSON only, size-capped, validated by the parent.

Nothing from the child is ever unpickled: a hostile program controls every byte it writes, so
the parent accepts one JSON object of a known shape and treats its content as untrusted data.
"""

from __future__ import annotations

import json
import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

#: Largest report accepted from a child (decisions for a whole split fit well below this).
MAX_REPORT_BYTES = 64 * 1024 * 1024
MAX_ERROR_CHARS = 300
MAX_TRACEBACK_CHARS = 4000

ChildOutcome = Literal["ok", "error", "memory", "invalid", "violation"]


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


# --- framing between the parent and a zygote (both trusted; the blob is the child's bytes) ---

MAX_HEADER_BYTES = 16 * 1024 * 1024


def send_frame(fd: int, header: dict[str, Any], blob: bytes = b"") -> None:
    """Write one frame: 4-byte header length, 8-byte blob length, JSON header, raw blob."""
    head = json.dumps(header, separators=(",", ":")).encode()
    data = len(head).to_bytes(4, "big") + len(blob).to_bytes(8, "big") + head + blob
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def recv_frame(fd: int) -> tuple[dict[str, Any], bytes] | None:
    """Read one frame; None when the other side closed the channel."""
    lengths = _read_exact(fd, 12)
    if lengths is None:
        return None
    head_len, blob_len = int.from_bytes(lengths[:4], "big"), int.from_bytes(lengths[4:], "big")
    if head_len > MAX_HEADER_BYTES or blob_len > MAX_REPORT_BYTES + 1:
        raise BadReport("frame too large")
    head = _read_exact(fd, head_len)
    blob = _read_exact(fd, blob_len) if blob_len else b""
    if head is None or blob is None:
        return None
    return json.loads(head), blob
