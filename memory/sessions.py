"""Sessions, their status, cheap running totals (iterations, tokens, dollars) and champions.

Totals live on the session row and are bumped in the same transaction as the row that causes
them, so ``adrs sessions`` and the budget check read one row instead of summing thousands.
"""

from __future__ import annotations

import json
import re
from typing import Any

from memory.base import StoreBase, to_json
from memory.errors import SessionNameRefused, UnknownSession
from memory.records import Champion, Session
from memory.vocabulary import EventKind, ProgramStatus, SessionStatus

#: A session name is a folder name (``sessions/<name>/best.py``) and part of dashboard links:
#: letters, digits and ``-_.``, no leading dot (no ``..``, no hidden folder), at most 80.
SESSION_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,79}")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a session (one line), or None when it can."""
    if SESSION_NAME.fullmatch(name):
        return None
    return (
        f"session name {name[:100]!r} is not allowed: use letters, digits and '-_.' "
        "(at most 80, not starting with a dot)"
    )


class SessionsMixin(StoreBase):
    """Create, find and update sessions; champion tracking."""

    def create_session(
        self,
        name: str,
        scenario: str,
        config: dict[str, Any] | None = None,
        seed: int = 0,
        scenario_version: str = "",
        status: SessionStatus = SessionStatus.CREATED,
    ) -> int:
        """Start a session and return its id. Names are unique in a workspace and safe as a
        folder name (``SESSION_NAME``)."""
        problem = name_problem(name)
        if problem:
            raise SessionNameRefused(problem)
        now = self.now()
        with self.write():
            if self.conn.execute("SELECT 1 FROM sessions WHERE name = ?", (name,)).fetchone():
                raise SessionNameRefused(
                    f"a session named {name!r} already exists: pick another name"
                )
            session_id = self._insert(
                "sessions",
                {
                    "name": name,
                    "scenario": scenario,
                    "scenario_version": scenario_version,
                    "config": to_json(config or {}),
                    "seed": int(seed),
                    "status": status,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            self._event(session_id, EventKind.SESSION_CREATED, {"status": status})
        return session_id

    def set_session_status(
        self, session_id: int, status: SessionStatus, detail: str | None = None
    ) -> None:
        """Record a status change (running, stopped, finished, failed...) as row + event."""
        with self.write():
            self.conn.execute(
                "UPDATE sessions SET status = ?, status_detail = ?, updated_at = ? WHERE id = ?",
                (status, detail, self.now(), session_id),
            )
            self._event(session_id, EventKind.STATUS, {"status": status, "detail": detail})

    def update_session_config(self, session_id: int, values: dict[str, Any]) -> None:
        """Merge ``values`` into the stored config (e.g. the models a resume switched to)."""
        with self.write():
            row = self.conn.execute(
                "SELECT config FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            config = {**json.loads(row["config"] or "{}"), **values}
            self.conn.execute(
                "UPDATE sessions SET config = ?, updated_at = ? WHERE id = ?",
                (to_json(config), self.now(), session_id),
            )

    def get_session(self, session_id: int) -> Session | None:
        """The session with this id, or None."""
        return self._first(Session, "SELECT * FROM sessions WHERE id = ?", (session_id,))

    def session(self, session_id: int) -> Session:
        """The session of an id the memory handed out (a running session's, an event's):
        sessions are never deleted, so a missing one is a bug, not an input (a name or id a
        person typed goes through ``resolve_session``)."""
        session = self.get_session(session_id)
        if session is None:
            raise LookupError(f"no session {session_id} in this workspace")
        return session

    def session_by_name(self, name: str) -> Session | None:
        """The session with this name, or None."""
        return self._first(Session, "SELECT * FROM sessions WHERE name = ?", (name,))

    def resolve_session(self, ref: str | int) -> Session:
        """Find a session by name or numeric id, or raise a one-line ``UnknownSession``."""
        session = self.session_by_name(str(ref))
        if session is None and str(ref).isdigit():
            session = self.get_session(int(ref))
        if session is None:
            raise UnknownSession(f"no session {ref!r} in this workspace: see `adrs sessions`")
        return session

    def list_sessions(self, limit: int = 1000) -> list[Session]:
        """Sessions, newest first."""
        return self._all(Session, "SELECT * FROM sessions ORDER BY id DESC LIMIT ?", (limit,))

    def set_champion(
        self,
        session_id: int,
        program_id: int,
        iteration: int,
        train_score: float | None,
        heldout_score: float | None,
    ) -> int:
        """Make a verified program the session's champion; returns the history row id.

        The session row then reports its scores as the best train and held-out scores.
        """
        with self.write():
            champion_id = self._insert(
                "champions",
                {
                    "session_id": session_id,
                    "program_id": program_id,
                    "iteration": iteration,
                    "train_score": train_score,
                    "heldout_score": heldout_score,
                    "created_at": self.now(),
                },
            )
            self.conn.execute(
                "UPDATE sessions SET champion_program_id = ?, best_train_score = ?, "
                "best_heldout_score = ?, updated_at = ? WHERE id = ?",
                (program_id, train_score, heldout_score, self.now(), session_id),
            )
            self.conn.execute(
                "UPDATE programs SET status = ? WHERE id = ?", (ProgramStatus.CHAMPION, program_id)
            )
            self._event(
                session_id,
                EventKind.CHAMPION,
                {
                    "program_id": program_id,
                    "iteration": iteration,
                    "train_score": train_score,
                    "heldout_score": heldout_score,
                },
            )
        return champion_id

    def champion(self, session_id: int) -> Champion | None:
        """The current champion (latest entry of the history), or None."""
        return self._first(
            Champion,
            "SELECT * FROM champions WHERE session_id = ? ORDER BY id DESC LIMIT 1",
            (session_id,),
        )

    def champion_history(self, session_id: int) -> list[Champion]:
        """Every champion in order of promotion."""
        return self._all(
            Champion, "SELECT * FROM champions WHERE session_id = ? ORDER BY id", (session_id,)
        )
