"""Child side: turn candidate source into a module namespace and let the kind run it.

Runs only inside a sandboxed child. Every failure becomes a report with a one-line reason, so
the parent can say *which* of syntax error, missing entry point, exception or bad output it was.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
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


def compile_candidate(source: str, arm: Callable[[], None] | None = None) -> dict[str, Any]:
    """Execute the source in a fresh module namespace (raises what the source raises).

    Compiling is the harness's work (a syntax error makes CPython look for the source file);
    the guard is armed only when the candidate's own code starts.
    """
    code = compile(source, CANDIDATE_FILENAME, "exec")
    if arm is not None:
        arm()
    namespace: dict[str, Any] = {"__name__": "candidate", "__file__": CANDIDATE_FILENAME}
    exec(code, namespace)  # noqa: S102 - this is the sandboxed child; running it is the point
    return namespace


def _noop() -> None:
    pass


def run_candidate(
    engine: ScenarioKind,
    source: str,
    workloads: list[Workload],
    arm: Callable[[], None] = _noop,
    disarm: Callable[[], None] = _noop,
) -> dict[str, Any]:
    """Compile and run the candidate on ``workloads``; always returns a report dict.

    ``arm``/``disarm`` switch the audit guard on exactly while candidate code can run, so the
    harness's own traceback formatting (which reads frames) is not mistaken for an attack.
    """
    try:
        namespace = compile_candidate(source, arm)
    except SyntaxError as err:
        disarm()
        where = f" (line {err.lineno})" if err.lineno else ""
        return {"outcome": "error", "error": one_line(f"syntax error{where}: {err.msg}")}
    except BaseException as err:  # noqa: BLE001 - SystemExit at import is a candidate error too
        disarm()
        return _failure(_outcome_of(err), f"program failed while loading: {_describe(err)}", err)
    entry = engine.entry_point
    if entry not in namespace:
        disarm()
        return {"outcome": "error", "error": f"program does not define '{entry}'"}
    try:
        raw = engine.run_candidate(namespace, workloads)
        disarm()
    except OutputViolation as err:
        disarm()
        return _failure("invalid", f"invalid output: {err}", err)
    except BaseException as err:  # noqa: BLE001 - includes SystemExit / KeyboardInterrupt
        disarm()
        return _failure(_outcome_of(err), f"program raised {_describe(err)}", err)
    if not isinstance(raw, dict):
        return {"outcome": "invalid", "error": "run_candidate returned a non-dict result"}
    return {"outcome": "ok", "raw": raw}


def _outcome_of(err: BaseException) -> str:
    return "memory" if isinstance(err, MemoryError) else "error"


def _describe(err: BaseException) -> str:
    text = str(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _failure(outcome: str, message: str, err: BaseException) -> dict[str, Any]:
    return {"outcome": outcome, "error": one_line(message), "traceback": _candidate_traceback(err)}
