"""Child side: turn candidate source into a module namespace and let the kind run it.

Runs only inside a sandboxed child. Every failure becomes a report with a one-line reason, so
the parent can say *which* of syntax error, missing entry point, exception or bad output it was.
"""

from __future__ import annotations

import traceback
from typing import Any

from simulators.contract import OutputViolation, ScenarioKind, Workload
from simulators.sandbox.protocol import bounded, one_line

CANDIDATE_FILENAME = "<candidate>"


def _candidate_traceback(err: BaseException) -> str:
    """Traceback limited to the candidate's own frames when possible (the harness is noise)."""
    frames = traceback.extract_tb(err.__traceback__)
    own = [f for f in frames if f.filename == CANDIDATE_FILENAME]
    lines = traceback.format_list(own or frames[-5:])
    lines += traceback.format_exception_only(type(err), err)
    return bounded("".join(lines)) or ""


def compile_candidate(source: str) -> dict[str, Any]:
    """Execute the source in a fresh module namespace (raises what the source raises)."""
    code = compile(source, CANDIDATE_FILENAME, "exec")
    namespace: dict[str, Any] = {"__name__": "candidate", "__file__": CANDIDATE_FILENAME}
    exec(code, namespace)  # noqa: S102 - this is the sandboxed child; running it is the point
    return namespace


def run_candidate(engine: ScenarioKind, source: str, workloads: list[Workload]) -> dict[str, Any]:
    """Compile and run the candidate on ``workloads``; always returns a report dict."""
    try:
        namespace = compile_candidate(source)
    except SyntaxError as err:
        where = f" (line {err.lineno})" if err.lineno else ""
        return {"outcome": "error", "error": one_line(f"syntax error{where}: {err.msg}")}
    except BaseException as err:  # noqa: BLE001 - SystemExit at import is a candidate error too
        return _failure("error", f"program failed while loading: {_describe(err)}", err)
    entry = engine.entry_point
    if entry not in namespace:
        return {"outcome": "error", "error": f"program does not define '{entry}'"}
    try:
        raw = engine.run_candidate(namespace, workloads)
    except OutputViolation as err:
        return _failure("invalid", f"invalid output: {err}", err)
    except BaseException as err:  # noqa: BLE001 - includes SystemExit / KeyboardInterrupt
        return _failure("error", f"program raised {_describe(err)}", err)
    if not isinstance(raw, dict):
        return {"outcome": "invalid", "error": "run_candidate returned a non-dict result"}
    return {"outcome": "ok", "raw": raw}


def _describe(err: BaseException) -> str:
    text = str(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _failure(outcome: str, message: str, err: BaseException) -> dict[str, Any]:
    return {"outcome": outcome, "error": one_line(message), "traceback": _candidate_traceback(err)}
