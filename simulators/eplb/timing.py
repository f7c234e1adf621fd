"""Paired timing inside the sandbox: the candidate's call and the reference's, on the same
input, one right after the other, in the same process.

Why paired: a run time alone measures the machine as much as the program (two cores shared with
other jobs, frequency scaling, a cold cache). The ratio of two calls made back to back on the
same input, alternating which goes first, cancels most of that, so a ratio can be compared
across evaluations where milliseconds cannot.

Why this is hard to fool, given that the candidate runs in this process:
- only the call is timed, with a clock bound when this module was imported (before any
  candidate code), as a default argument read once per call, so replacing it mid-call changes
  nothing; rewriting a function's code or defaults in place is refused by the sandbox's audit
  guard (``simulators.sandbox.guard``), and rebinding a name is caught here (below);
- every timed call gets a different input (each window is timed once): an answer remembered
  from an earlier call is an answer to another input;
- the inputs of later calls are not in the process yet (the feed sends them after the plans
  come back), so nothing done at import or between calls can work on them;
- before every timed call, ``Integrity.check`` refuses the run if the candidate left a thread
  running or an interval timer armed, changed numpy's error handling, or rebound anything in
  numpy, builtins, math, time, gc or the timing harness (a slower ``numpy.argsort`` would slow
  the reference and flatter the ratio);
- garbage collection is off during each timed call, so a candidate cannot fill the heap to make
  the collector run inside the reference's call; signals are held, so a handler it armed (a CPU
  limit's SIGXCPU) cannot run there either; and the answer is copied on the clock, so a
  finaliser cannot fill in the returned arrays after the clock stopped;
- the harness's own modules are out of ``sys.modules`` while candidate code runs
  (``simulators.sandbox.guard.hide_harness``), so the candidate finds neither this module nor
  the player to rebind.

A security probe beat the first version four ways: a finaliser that did the work
after the clock, the integrity object disabled through ``sys.modules``, the reference's
namespace captured through a patched ``__import__``, and a SIGXCPU handler burning CPU inside
the reference's call. ``tests/eplb/test_speed_timing.py`` keeps each of them.
"""

from __future__ import annotations

import _thread
import gc
import signal
import sys
import time
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from simulators.violation import OutputViolation

#: Modules whose contents the reference and the harness rely on (plus every numpy module).
WATCHED = ("builtins", "math", "time", "gc", "signal", "_thread", __name__)
TIMERS = (signal.ITIMER_REAL, signal.ITIMER_VIRTUAL, signal.ITIMER_PROF)
ALL_SIGNALS = signal.valid_signals()
RULE = "rule 'timing-integrity'"


def timed(
    fn: Callable[..., Any],
    args: tuple,
    settle: Callable[[Any], Any] = lambda out: out,
    clock: Callable[[], float] = time.perf_counter,
    collecting: Callable[[], bool] = gc.isenabled,
    pause: Callable[[], None] = gc.disable,
    resume: Callable[[], None] = gc.enable,
    collect: Callable[[], int] = gc.collect,
    mask: Callable[..., Any] = signal.pthread_sigmask,
) -> tuple[Any, float]:
    """``settle(fn(*args))`` and its wall time in milliseconds, with the collector paused and
    signals held until the clock has stopped (a handler the candidate armed would otherwise
    run inside someone else's call). ``settle`` runs on the clock: it takes the answer out of
    the callee's hands (copies its arrays), so no finaliser can finish the work after the clock
    stopped; and the garbage the call left is collected on its clock too, so its finalisers run
    there (the zygote froze everything older: a collection sees only this child's objects).
    The defaults are bound at import (see the module docstring)."""
    was_on = collecting()
    pause()
    held = mask(signal.SIG_BLOCK, ALL_SIGNALS)
    try:
        start = clock()
        out = settle(fn(*args))
        collect()
        elapsed = clock() - start
    finally:
        mask(signal.SIG_SETMASK, held)
        if was_on:
            resume()
    return out, elapsed * 1000.0


class Integrity:
    """What the process looked like before any candidate code ran; ``check`` compares. No
    instance dictionary: an attribute set on the object cannot shadow ``check``."""

    __slots__ = ("errstate", "expected", "itimer", "modules", "thread_count")

    def __init__(self, modules: list[types.ModuleType]) -> None:
        self.modules = modules
        self.expected = self._state()
        self.errstate = (np.geterr(), np.geterrcall())
        self.thread_count = _thread._count
        self.itimer = signal.getitimer

    @classmethod
    def seal(cls, *extra: str) -> Integrity:
        """Snapshot every loaded numpy module, ``WATCHED`` and the modules named in ``extra``
        (the player's own). Call it at import, in the zygote."""
        names = [*WATCHED, *extra]
        modules = [
            m
            for n, m in list(sys.modules.items())
            if isinstance(m, types.ModuleType)
            and (n in names or n == "numpy" or n.startswith("numpy."))
        ]
        return cls(modules)

    def _state(self) -> dict[tuple[str, str], Any]:
        """Every watched module's contents, and which module object ``import`` would give.
        Objects, compared by ``is`` (``id()`` raises an audit event per call, which the
        sandbox's guard would have to weigh thousands of times per check)."""
        state = {
            (module.__name__, key): value
            for module in self.modules
            for key, value in list(vars(module).items())
        }
        # The harness's own classes too (object.__subclasses__() finds them, and writing to a
        # class raises no audit event): a probe replaced the player's timing method.
        state.update(
            {
                (f"{module.__name__}.{name}", key): value
                for module in self.modules
                if module.__name__.startswith("simulators")
                for name, cls in list(vars(module).items())
                if isinstance(cls, type) and cls.__module__ == module.__name__
                for key, value in list(vars(cls).items())
            }
        )
        # The harness's own modules leave sys.modules on purpose (``hide_harness``).
        state.update(
            {
                ("sys.modules", module.__name__): sys.modules.get(module.__name__)
                for module in self.modules
                if not module.__name__.startswith("simulators")
            }
        )
        return state

    def check(self) -> None:
        """``OutputViolation`` naming what changed since the seal."""
        if self.thread_count():
            raise OutputViolation(
                f"{RULE}: the program left a thread running (only its own "
                "calls are timed, and a thread would run during others)"
            )
        if any(self.itimer(which) != (0.0, 0.0) for which in TIMERS):
            raise OutputViolation(f"{RULE}: the program armed an interval timer")
        if (np.geterr(), np.geterrcall()) != self.errstate:
            raise OutputViolation(f"{RULE}: the program changed numpy's error handling")
        now = self._state()
        missing = object()
        # Names added since the seal change no existing lookup; rebound or deleted ones do.
        for key, value in self.expected.items():
            if now.get(key, missing) is not value:
                module, name = key
                raise OutputViolation(
                    f"{RULE}: the program changed {module}.{name} (the "
                    "reference is timed with the same modules)"
                )
