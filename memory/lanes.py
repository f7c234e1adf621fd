"""Research lanes in memory: iteration claims (``rounds``) and the live board (``lanes``).

Several lanes of one session run at once. Each iteration number is *claimed* before its plan
is made, in one transaction that also decides whether the budget allows it: lanes never share a
number, and a budget counts the iterations in flight as well as the finished ones, so four
lanes under a budget of five launch five iterations, not eight. A claim is keyed by its lane
and the lane's previous iteration: a plan that is re-run after ``kill -9`` finds its claim
again instead of taking (and spending) another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from memory.base import StoreBase


@dataclass(frozen=True)
class RoundCounts:
    """Iterations of a session as a budget sees them (read inside the claiming transaction)."""

    done: int
    in_flight: int
    since_champion: int
    cost_usd: float


@dataclass(frozen=True)
class LaneRow:
    """One lane on the live board: what it is doing, for which iteration, calls in flight."""

    lane: int
    stage: str
    iteration: int | None
    calls: int
    updated_at: float


class LanesMixin(StoreBase):
    """Claims of iteration numbers and the lanes' live board."""

    def claim_iteration(
        self, session_id: int, lane: int, after: int, refuse: Callable[[RoundCounts], str | None]
    ) -> int | str:
        """The iteration ``lane`` runs after its iteration ``after``: the one it claimed
        before (a re-run), or a new number when ``refuse(counts)`` has no reason to stop."""
        with self.write() as conn:
            row = conn.execute(
                "SELECT iteration FROM rounds WHERE session_id = ? AND lane = ? AND after = ?",
                (session_id, lane, after),
            ).fetchone()
            if row is not None:
                return int(row[0])
            reason = refuse(self._round_counts(session_id))
            if reason:
                return reason
            top = conn.execute(
                "SELECT max(coalesce((SELECT max(iteration) FROM rounds WHERE session_id = ?), 0),"
                " iterations, ?) FROM sessions WHERE id = ?",
                (session_id, after, session_id),
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO rounds(session_id, iteration, lane, after, claimed_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (session_id, top + 1, lane, after, self.now()),
            )
            return top + 1

    def round_counts(self, session_id: int) -> RoundCounts:
        """Finished and in-flight iterations, and finished ones since the champion."""
        with self._lock:
            return self._round_counts(session_id)

    def _round_counts(self, session_id: int) -> RoundCounts:
        done, cost = self.conn.execute(
            "SELECT iterations, cost_usd FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
        in_flight = self.conn.execute(
            "SELECT count(*) FROM rounds WHERE session_id = ? AND done_at IS NULL", (session_id,)
        ).fetchone()[0]
        champion = self.conn.execute(
            "SELECT iteration FROM champions WHERE session_id = ? ORDER BY id DESC LIMIT 1",
            (session_id,),
        ).fetchone()
        since = 0
        if champion is not None:
            claimed_done = self.conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE iteration > ?) FROM rounds "
                "WHERE session_id = ? AND done_at IS NOT NULL",
                (champion[0], session_id),
            ).fetchone()
            # Iterations finished before claims existed (older sessions) count by number.
            unclaimed = max(0, done - claimed_done[0] - champion[0])
            since = claimed_done[1] + unclaimed
        return RoundCounts(
            done=int(done),
            in_flight=int(in_flight),
            since_champion=int(since),
            cost_usd=float(cost or 0.0),
        )

    def record_iteration(self, session_id: int, iteration: int) -> None:
        """Note that ``iteration`` has completed (once: a re-run after a crash counts nothing).
        A claimed iteration adds one to the session's count; an unclaimed one (written by
        older code or by hand) moves the count to at least its number, never backwards."""
        with self.write() as conn:
            now = self.now()
            closed = conn.execute(
                "UPDATE rounds SET done_at = ? WHERE session_id = ? AND iteration = ? "
                "AND done_at IS NULL",
                (now, session_id, iteration),
            ).rowcount
            claimed = (
                closed
                or conn.execute(
                    "SELECT 1 FROM rounds WHERE session_id = ? AND iteration = ?",
                    (session_id, iteration),
                ).fetchone()
            )
            if closed:
                conn.execute(
                    "UPDATE sessions SET iterations = iterations + 1, updated_at = ? WHERE id = ?",
                    (now, session_id),
                )
            elif not claimed:
                conn.execute(
                    "UPDATE sessions SET iterations = max(iterations, ?), "
                    "updated_at = ? WHERE id = ?",
                    (iteration, now, session_id),
                )

    def set_lane(
        self,
        session_id: int,
        lane: int,
        stage: str,
        iteration: int | None = None,
        calls: int | None = None,
    ) -> None:
        """Put a lane's stage (and, when given, its iteration and calls in flight) on the
        board; what is not given keeps its last value."""
        with self.write() as conn:
            conn.execute(
                "INSERT INTO lanes(session_id, lane, stage, iteration, calls, updated_at) "
                "VALUES (?, ?, ?, ?, coalesce(?, 0), ?) ON CONFLICT(session_id, lane) DO UPDATE "
                "SET stage = excluded.stage, iteration = coalesce(?, iteration), "
                "calls = coalesce(?, calls), updated_at = excluded.updated_at",
                (session_id, lane, stage, iteration, calls, self.now(), iteration, calls),
            )

    def set_lane_calls(self, session_id: int, lane: int, calls: int) -> None:
        """A lane's calls in flight changed (its stage stays)."""
        with self.write() as conn:
            conn.execute(
                "UPDATE lanes SET calls = ?, updated_at = ? WHERE session_id = ? AND lane = ?",
                (calls, self.now(), session_id, lane),
            )

    def lanes(self, session_id: int) -> list[LaneRow]:
        """The session's lanes as last reported, by lane number."""
        rows = self._rows(
            "SELECT lane, stage, iteration, calls, updated_at FROM lanes "
            "WHERE session_id = ? ORDER BY lane",
            (session_id,),
        )
        return [LaneRow(int(r[0]), r[1], r[2], int(r[3]), float(r[4])) for r in rows]
