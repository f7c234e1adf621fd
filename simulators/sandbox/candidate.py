"""Child side: turn candidate source into a module namespace and let the kind's player run it.

Runs only inside a sandboxed child. The player answers the trusted feed over the lockstep
channel (``stream.Channel``) until the feed says the run is over; the decisions themselves stay
with the feed. Every failure becomes a report with a one-line reason, so the parent can say
*which* of syntax error, missing entry point, exception or bad output it was.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from simulators.lockstep import Player
from simulators.sandbox.protocol import bounded, one_line
from simulators.sandbox.stream import Channel, ChannelClosed
from simulators.violation import OutputViolation

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
    exec(code, namespace)
    return namespace


def _noop() -> None:
    pass


def play(player: Player, channel: Channel) -> None:
    """Answer the feed until it says the run is over (``ChannelClosed`` if it vanished)."""
    opening = channel.recv()
    if opening is None:
        return
    channel.send(player.open(opening))
    while (message := channel.recv()) is not None:
        channel.send(player.step(message))


def run_candidate(
    player_class: type[Player],
    source: str,
    channel: Channel,
    arm: Callable[[], None] = _noop,
    disarm: Callable[[], None] = _noop,
) -> dict[str, Any]:
    """Compile the candidate and let the player run it against the feed; always returns a
    report dict (``raw`` is empty: the feed in the parent collected the decisions).

    ``arm``/``disarm`` switch the audit guard on exactly while candidate code can run, so the
    harness's own traceback formatting (which reads frames) is not mistaken for an attack.
    """
    try:
        namespace = compile_candidate(source, arm)
    except SyntaxError as err:
        disarm()
        where = f" (line {err.lineno})" if err.lineno else ""
        return {"outcome": "error", "error": one_line(f"syntax error{where}: {err.msg}")}
    except BaseException as err:
        disarm()
        return _failure(_outcome_of(err), f"program failed while loading: {_describe(err)}", err)
    entry = player_class.entry_point
    if entry not in namespace:
        disarm()
        return {"outcome": "error", "error": f"program does not define '{entry}'"}
    try:
        play(player_class(namespace), channel)
        disarm()
    except ChannelClosed as err:
        disarm()
        return {"outcome": "error", "error": one_line(f"the run was cut short: {err}")}
    except OutputViolation as err:
        disarm()
        return _failure("invalid", f"invalid output: {err}", err)
    except BaseException as err:
        disarm()
        return _failure(_outcome_of(err), f"program raised {_describe(err)}", err)
    return {"outcome": "ok", "raw": {}}


def _outcome_of(err: BaseException) -> str:
    return "memory" if isinstance(err, MemoryError) else "error"


def _describe(err: BaseException) -> str:
    text = str(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _failure(outcome: str, message: str, err: BaseException) -> dict[str, Any]:
    return {"outcome": outcome, "error": one_line(message), "traceback": _candidate_traceback(err)}
