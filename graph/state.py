"""The research graph's state: ids and counters only.

Code, traces and transcripts live in the memory store; checkpoints store every changed value,
so keeping blobs out of the state keeps each checkpoint a few hundred bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict


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


#: A node of the research graph: reads the state, returns the update LangGraph merges into it.
Node = Callable[[ResearchState], dict[str, Any]]
#: A coder branch: one hypothesis (``Send``) in, the staged draft out.
Branch = Callable[[CoderTask], dict[str, Any]]
#: A conditional edge: reads the state, names the next node.
Edge = Callable[[ResearchState], str]
