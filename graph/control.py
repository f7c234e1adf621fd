"""Steering a running session from another process: approval, pause and resume.

The running ``adrs run`` and an ``adrs chat`` (or the console) share only the SQLite store, so
the protocol is a handful of event kinds in memory. The session writes ``plan_pending`` when an
approval-mode plan waits; a reviewer writes ``plan_approved`` (optionally with edited
hypothesis texts) or ``plan_rejected``; ``pause_requested``/``resume_requested`` toggle a pause
that the loop honours between iterations. Directives are rows of their own
(``store.add_directive``), read at every plan.
"""

from __future__ import annotations

import time
from typing import Any

from memory.records import Hypothesis
from memory.store import Store
from memory.vocabulary import EventKind

DECISIONS = (EventKind.PLAN_APPROVED, EventKind.PLAN_REJECTED)


def announce_plan(store: Store, session_id: int, hypothesis_ids: list[int]) -> int:
    """Called by the session: a plan waits for approval. Returns the event id."""
    return store.add_event(session_id, EventKind.PLAN_PENDING, {"hypothesis_ids": hypothesis_ids})


def pending_plan(store: Store, session_id: int) -> list[Hypothesis] | None:
    """The hypotheses waiting for approval, or None when no plan waits."""
    pending = store.latest_event(session_id, EventKind.PLAN_PENDING)
    if pending is None:
        return None
    decision = store.latest_event(session_id, DECISIONS)
    if decision is not None and decision.id > pending.id:
        return None
    return [h for h in (store.get_hypothesis(i) for i in pending.payload["hypothesis_ids"]) if h]


def approve_plan(store: Store, session_id: int, edits: dict[int, str] | None = None) -> int:
    """Approve the waiting plan; ``edits`` maps hypothesis id to a replacement text."""
    payload = {"edits": {str(k): v for k, v in (edits or {}).items()}}
    return store.add_event(session_id, EventKind.PLAN_APPROVED, payload)


def reject_plan(store: Store, session_id: int, reason: str) -> int:
    """Reject the waiting plan: the session drops it and plans again."""
    return store.add_event(session_id, EventKind.PLAN_REJECTED, {"reason": reason})


def wait_for_decision(
    store: Store,
    session_id: int,
    after_event: int,
    poll_s: float = 0.5,
    timeout_s: float | None = None,
) -> dict[str, Any]:
    """Block until a decision newer than ``after_event``: ``{"approved": bool, ...}``."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    while True:
        decision = store.latest_event(session_id, DECISIONS)
        if decision is not None and decision.id > after_event:
            approved = decision.kind == EventKind.PLAN_APPROVED
            return {"approved": approved, **decision.payload}
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError("no decision on the plan")
        time.sleep(poll_s)


def request_pause(store: Store, session_id: int) -> int:
    """Ask the running session to pause after its current iteration."""
    return store.add_event(session_id, EventKind.PAUSE_REQUESTED, {})


def request_resume(store: Store, session_id: int) -> int:
    """Let a paused session go on."""
    return store.add_event(session_id, EventKind.RESUME_REQUESTED, {})


def is_paused(store: Store, session_id: int) -> bool:
    """Whether the latest pause/resume request is a pause."""
    latest = store.latest_event(session_id, (EventKind.PAUSE_REQUESTED, EventKind.RESUME_REQUESTED))
    return latest is not None and latest.kind == EventKind.PAUSE_REQUESTED
