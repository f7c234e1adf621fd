"""The research graph's state: ids and counters only.

Code, traces and transcripts live in the memory store; checkpoints store every changed value,
so keeping blobs out of the state keeps each checkpoint a few hundred bytes (DESIGN.md 8).
"""

from __future__ import annotations

from typing import TypedDict


class ResearchState(TypedDict, total=False):
    """State of one lane of a session's loop. ``iteration``: the lane's current (or last)
    iteration; ``candidate_ids``: its filed programs; ``stop_reason``: why the lane ended."""

    session_id: str
    lane: int
    iteration: int
    hypothesis_ids: list[int]
    candidate_ids: list[int]
    evaluated_ids: list[int]
    stop_reason: str | None


class CoderTask(TypedDict):
    """What one ``Send`` branch of the coder receives: one hypothesis to implement."""

    session_id: str
    iteration: int
    hypothesis_id: int
    branch: int
    lane: int
