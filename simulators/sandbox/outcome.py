"""From what a child did (exit, signal, report bytes) to a status and, if ok, its decisions.

Kept apart from scoring: the executors merge several children's outcomes before the trusted
engine scores the union.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import Any

from simulators.sandbox.lockdown import VIOLATION_EXIT
from simulators.sandbox.protocol import BadReport, decode_report
from simulators.sandbox.runner import ChildExit
from simulators.scrub import redact, secret_values

#: When chunks of one split end differently, the verdict is the most serious one.
SEVERITY = {"violation": 5, "timeout": 4, "memory": 3, "error": 2, "invalid": 1, "ok": 0}


@dataclass
class ChildOutcome:
    """A child's verdict: ``raw`` decisions when ``status == "ok"``, otherwise a reason."""

    status: str
    raw: dict[str, Any] | None = None
    error: str | None = None
    traceback: str | None = None
    output: str = ""
    wall_s: float = 0.0
    cpu_s: float = 0.0


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def classify(child: ChildExit, cpu_limit_s: float) -> ChildOutcome:
    """Decide the status, with our secrets redacted from every text the candidate controls."""
    out = _classify(child, cpu_limit_s)
    secrets = secret_values()
    out.output = redact(out.output, secrets) or ""
    out.error = redact(out.error, secrets)
    out.traceback = redact(out.traceback, secrets)
    return out


def _classify(child: ChildExit, cpu_limit_s: float) -> ChildOutcome:
    """Signals the kernel sent speak louder than anything the child wrote; a reply the feed
    refused is decided by the parent, whatever the child then reported."""
    out = ChildOutcome(status="error", output=child.output, wall_s=child.wall_s, cpu_s=child.cpu_s)
    code = child.returncode
    if child.timed_out:
        out.status, out.error = "timeout", f"timed out after {child.wall_s:.1f}s wall clock"
        return out
    if child.refused is not None:
        out.status, out.error = "invalid", f"invalid output: {child.refused}"
        return out
    if code == -signal.SIGXCPU or (code == -signal.SIGKILL and child.cpu_s >= cpu_limit_s):
        out.status, out.error = "timeout", f"used its {cpu_limit_s:g}s CPU budget"
        return out
    if code == -signal.SIGSYS:
        out.status, out.error = "violation", "forbidden system call (process, socket or namespace)"
        return out
    if code == -signal.SIGXFSZ:
        out.status, out.error = "violation", "wrote a file beyond the size limit"
        return out
    if child.report_overflow:
        out.status, out.error = "invalid", "result too large"
        return out
    if not child.report:
        if code is not None and code < 0:
            out.error = f"program was killed by {_signal_name(-code)} before reporting"
        else:
            out.error = f"program exited (code {code}) before reporting"
        return out
    try:
        report = decode_report(child.report)
    except BadReport as err:
        out.status, out.error = "invalid", str(err)
        return out
    if code == VIOLATION_EXIT and report.outcome != "violation":
        out.error = "program exited with the sandbox's violation code"
        return out
    if report.outcome == "ok" and code != 0:
        out.error = f"program exited (code {code}) after reporting"
        return out
    if report.outcome == "ok" and not child.completed:
        out.error = "program reported success before the run was over"
        return out
    out.status, out.error, out.traceback = report.outcome, report.error, report.traceback
    if report.outcome == "ok":
        if report.raw is None:
            out.status, out.error = "invalid", "no decisions in report"
        out.raw = report.raw
    return out


def merge_raw(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Union of the decisions of several chunks: dict values are merged key by key, lists
    concatenated, equal scalars kept. Kinds with other shapes override ``merge_raw``."""
    if len(parts) == 1:
        return parts[0]
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key not in merged:
                merged[key] = (
                    dict(value)
                    if isinstance(value, dict)
                    else (list(value) if isinstance(value, list) else value)
                )
            elif isinstance(value, dict) and isinstance(merged[key], dict):
                merged[key].update(value)
            elif isinstance(value, list) and isinstance(merged[key], list):
                merged[key].extend(value)
            elif merged[key] != value:
                raise ValueError(f"chunks disagree on '{key}'")
    return merged


def worst(outcomes: list[ChildOutcome]) -> ChildOutcome:
    """The most serious non-ok outcome, or the first one if all are ok."""
    return max(outcomes, key=lambda o: SEVERITY.get(o.status, 2))
