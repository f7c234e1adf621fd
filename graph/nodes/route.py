"""route: after an iteration, honour a pause, then loop back to plan."""

from __future__ import annotations

import time

from graph.control import is_paused
from graph.runtime import SessionRuntime
from graph.state import Edge, ResearchState
from memory.vocabulary import EventKind


def make_route(rt: SessionRuntime, poll_s: float = 0.5) -> Edge:
    """After an iteration: wait while the user has the session paused, then plan again (the
    plan's claim decides whether the budget allows another iteration)."""

    def route(state: ResearchState) -> str:
        if is_paused(rt.store, rt.session_id) and not rt.stopping.is_set():
            rt.notify(EventKind.PAUSED, iteration=state["iteration"], lane=state.get("lane", 0))
            while is_paused(rt.store, rt.session_id) and not rt.stopping.is_set():
                time.sleep(poll_s)
            rt.notify(EventKind.RESUMED, iteration=state["iteration"], lane=state.get("lane", 0))
        return "plan"

    return route
