"""``Store``: the one handle on a workspace's SQLite memory (``<workspace>/adrs.db``).

The class is assembled from parts of one idea each: sessions and champions, attempts
(programs, evaluations), judgements (hypotheses, critiques, verdicts), logs (LLM calls,
directives, events), full-text search, research lanes (iteration claims, the live board),
session leases (one live process per session), the program database's niches, and the read
model (named queries the views read).
Open one per process; it is safe to share between threads.
"""

from __future__ import annotations

from pathlib import Path

from memory.attempts import AttemptsMixin
from memory.base import DB_FILENAME
from memory.judgements import JudgementsMixin
from memory.lanes import LanesMixin
from memory.lease import LeaseMixin
from memory.logs import LogsMixin
from memory.niches import NichesMixin
from memory.reads import ReadsMixin
from memory.search import SearchMixin
from memory.sessions import SessionsMixin


class Store(
    SessionsMixin,
    AttemptsMixin,
    JudgementsMixin,
    LogsMixin,
    SearchMixin,
    LanesMixin,
    LeaseMixin,
    NichesMixin,
    ReadsMixin,
):
    """The workspace memory. ``Store(path)`` opens (creating and migrating) a database file."""


def open_store(workspace: str | Path) -> Store:
    """Open the store of a workspace folder (``<workspace>/adrs.db``)."""
    return Store(Path(workspace) / DB_FILENAME)
