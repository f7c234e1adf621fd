"""The program database's reads: its stored configuration, island elites, placed programs.

``ProgramDatabase`` (``program_db.py``) decides which parents to pick and where to place a
program; these are the look-ups it decides from. Every query has a total order, so the same
seed and history give the same parents.
"""

from __future__ import annotations

from dataclasses import dataclass

from memory.base import StoreBase
from memory.vocabulary import ProgramStatus


@dataclass(frozen=True)
class IslandElite:
    """An elite of one island's niche, with its program's status and hypothesis."""

    island: int
    program_id: int
    fitness: float
    cell: str
    status: ProgramStatus
    hypothesis: str | None


class NichesMixin(StoreBase):
    """Look-ups over ``niches``, ``program_db_state`` and placed programs."""

    def program_db_config(self, session_id: int) -> str | None:
        """The JSON configuration the session's program database was opened with first, or
        None before its first open."""
        row = self._one("SELECT config FROM program_db_state WHERE session_id = ?", (session_id,))
        return None if row is None else str(row["config"])

    def init_program_db(self, session_id: int, config_json: str) -> None:
        """Persist the program database's configuration at its first open (a concurrent first
        open that got there earlier wins)."""
        with self.write():
            self.conn.execute(
                "INSERT OR IGNORE INTO program_db_state(session_id, config) VALUES (?, ?)",
                (session_id, config_json),
            )

    def elites(
        self, session_id: int, island: int, limit: int = 1000
    ) -> list[tuple[int, float, str]]:
        """(program_id, fitness, cell) of an island's niche elites, fittest first."""
        rows = self._rows(
            "SELECT program_id, fitness, cell FROM niches WHERE session_id = ? AND island = ? "
            "ORDER BY fitness DESC, program_id LIMIT ?",
            (session_id, island, limit),
        )
        return [(int(r["program_id"]), float(r["fitness"]), r["cell"]) for r in rows]

    def niche_count(self, session_id: int, island: int) -> int:
        """How many niches of an island hold an elite."""
        row = self._one(
            "SELECT count(*) FROM niches WHERE session_id = ? AND island = ?", (session_id, island)
        )
        return 0 if row is None else int(row[0])

    def elite_at(self, session_id: int, island: int, offset: int) -> int | None:
        """The elite of an island's ``offset``-th niche in cell order, or None past the end."""
        row = self._one(
            "SELECT program_id FROM niches WHERE session_id = ? AND island = ? "
            "ORDER BY cell LIMIT 1 OFFSET ?",
            (session_id, island, offset),
        )
        return None if row is None else int(row[0])

    def fittest_elite(self, session_id: int) -> int | None:
        """The fittest elite on any island of the session, or None when nothing is placed."""
        row = self._one(
            "SELECT program_id FROM niches WHERE session_id = ? "
            "ORDER BY fitness DESC, program_id LIMIT 1",
            (session_id,),
        )
        return None if row is None else int(row[0])

    def placed_id_range(self, session_id: int) -> tuple[int, int] | None:
        """(lowest, highest) id of the session's placed (scored, feasible) programs, or None
        when none is placed. Two indexed look-ups, however many programs."""
        placed = "FROM programs WHERE session_id = ? AND fitness IS NOT NULL ORDER BY id"
        first = self._one(f"SELECT id {placed} LIMIT 1", (session_id,))
        if first is None:
            return None
        last = self._one(f"SELECT id {placed} DESC LIMIT 1", (session_id,))
        return int(first[0]), int((first if last is None else last)[0])

    def placed_program_from(self, session_id: int, program_id: int) -> int | None:
        """The first placed program of the session whose id is ``program_id`` or higher."""
        row = self._one(
            "SELECT id FROM programs WHERE session_id = ? AND fitness IS NOT NULL AND id >= ? "
            "ORDER BY id LIMIT 1",
            (session_id, program_id),
        )
        return None if row is None else int(row[0])

    def island_elites(self, session_id: int, per_island: int = 3) -> list[IslandElite]:
        """The ``per_island`` fittest elites of every island that holds any, by island and
        then fittest first: the standings the digest shows the planner."""
        islands = self._rows(
            "SELECT DISTINCT island FROM niches WHERE session_id = ? ORDER BY island",
            (session_id,),
        )
        return [
            elite
            for row in islands
            for elite in self._all(
                IslandElite,
                "SELECT n.island, n.program_id, n.fitness, n.cell, p.status, h.text AS hypothesis "
                "FROM niches n JOIN programs p ON p.id = n.program_id "
                "LEFT JOIN hypotheses h ON h.id = p.hypothesis_id "
                "WHERE n.session_id = ? AND n.island = ? "
                "ORDER BY n.fitness DESC, n.program_id LIMIT ?",
                (session_id, row["island"], per_island),
            )
        ]
