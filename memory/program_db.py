"""The program database: islands of MAP-Elites niches, seeded parent selection, inspirations
from neighbouring niches, and ring migration between islands.

Why this shape: islands evolve apart so one lucky lineage cannot take over the whole search;
niches over behaviour descriptors (declared by the scenario, e.g. share of work on spot, share
on on-demand, code length) keep different *kinds* of policies alive, each niche holding its best
program; migration every few iterations lets good ideas cross islands.

Reproducibility: every random choice draws from ``random.Random`` seeded by a string built from
(session seed, iteration, island, purpose), and every query has a total order, so the same seed
and the same history give the same parents. All state is in SQLite (``niches`` and
``program_db_state``): a resumed session continues exactly where it stopped, with no pickles.
"""

from __future__ import annotations

import json
import random

from memory.program_db_config import Descriptor, ParentChoice, Placement, ProgramDbConfig
from memory.store import Store
from memory.vocabulary import EventKind
from simulators.direction import merit, sign

__all__ = ["Descriptor", "ParentChoice", "Placement", "ProgramDatabase", "ProgramDbConfig"]


class ProgramDatabase:
    """Islands and niches of one session, persisted in the store."""

    def __init__(self, store: Store, session_id: int, config: ProgramDbConfig | None = None):
        """Open the database of a session. The first open persists ``config``; later opens
        (resume) use the stored one and refuse a different ``config``."""
        self.store = store
        self.session_id = session_id
        session = store.get_session(session_id)
        if session is None:
            raise KeyError(f"no session {session_id}")
        self.seed = session.seed
        stored = store.program_db_config(session_id)
        if stored is None:
            self.config = config or ProgramDbConfig()
            store.init_program_db(session_id, self.config.to_json())
        else:
            self.config = ProgramDbConfig.from_dict(json.loads(stored))
            if config is not None and config != self.config:
                raise ValueError("program database config differs from the one stored at start")

    # -- placement ------------------------------------------------------------------------

    def fitness(self, score: float) -> float:
        """Higher-is-better fitness of a raw score."""
        return merit(score, self.config.direction)

    def cell_of(self, descriptors: dict[str, float]) -> str:
        """The niche key of a behaviour, e.g. ``"3,0,7"`` (``""`` with no descriptors)."""
        missing = [d.name for d in self.config.descriptors if d.name not in descriptors]
        if missing:
            raise ValueError(f"behaviour descriptors missing: {missing}")
        return ",".join(str(d.bin_of(float(descriptors[d.name]))) for d in self.config.descriptors)

    def place(
        self,
        program_id: int,
        score: float,
        descriptors: dict[str, float],
        iteration: int = 0,
        islands: list[int] | None = None,
    ) -> Placement:
        """Record a feasible program's score and behaviour and make it its niche's elite on its
        island if the niche is empty or it is strictly fitter (ties keep the incumbent)."""
        program = self.store.get_program(program_id)
        if program is None:
            raise KeyError(f"no program {program_id}")
        fit, cell = self.fitness(score), self.cell_of(descriptors)
        targets = islands if islands is not None else [program.island % self.config.num_islands]
        results = []
        with self.store.write() as conn:
            conn.execute(
                "UPDATE programs SET fitness = ?, descriptors = ? WHERE id = ?",
                (fit, json.dumps(descriptors, sort_keys=True), program_id),
            )
            for island in targets:
                results.append(self._offer(conn, island, cell, program_id, fit, iteration))
        return results[0]

    def seed_islands(self, program_id: int, score: float, descriptors: dict[str, float]) -> None:
        """Place the seed program on every island, so each starts from it."""
        self.place(program_id, score, descriptors, 0, list(range(self.config.num_islands)))

    def _offer(
        self, conn, island: int, cell: str, program_id: int, fit: float, iteration: int
    ) -> Placement:
        incumbent = conn.execute(
            "SELECT program_id, fitness FROM niches WHERE session_id = ? AND island = ? "
            "AND cell = ?",
            (self.session_id, island, cell),
        ).fetchone()
        if incumbent is not None and (
            incumbent["program_id"] == program_id or incumbent["fitness"] >= fit
        ):
            return Placement(cell, island, False)
        conn.execute(
            "INSERT OR REPLACE INTO niches(session_id, island, cell, program_id, fitness, "
            "placed_iteration) VALUES (?, ?, ?, ?, ?, ?)",
            (self.session_id, island, cell, program_id, fit, iteration),
        )
        displaced = None if incumbent is None else int(incumbent["program_id"])
        return Placement(cell, island, True, displaced)

    # -- selection ------------------------------------------------------------------------

    def rng(self, iteration: int, island: int, purpose: str) -> random.Random:
        """The generator for one decision; a str seed hashes identically in every process."""
        return random.Random(f"{self.seed}:{iteration}:{island}:{purpose}")

    def elites(self, island: int, limit: int = 1000) -> list[tuple[int, float, str]]:
        """(program_id, fitness, cell) of an island's elites, fittest first."""
        return self.store.elites(self.session_id, island, limit)

    def select_parents(
        self, iteration: int, count: int = 1, island: int | None = None
    ) -> list[ParentChoice]:
        """``count`` parents (with inspirations) for this iteration, from ``island`` or, by
        default, island ``iteration % num_islands``. Same seed and history, same answer."""
        home = iteration % self.config.num_islands if island is None else island
        return [self._select_one(iteration, home, slot) for slot in range(count)]

    def _select_one(self, iteration: int, island: int, slot: int) -> ParentChoice:
        rng = self.rng(iteration, island, f"parent{slot}")
        draw = rng.random()
        cfg = self.config
        if draw < cfg.exploitation:
            mode, pool = "exploit", self.elites(island, cfg.elite_pool)
            weights = [1.0 / (rank + 1) for rank in range(len(pool))]
            pick = rng.choices(pool, weights)[0][0] if pool else None
        elif draw < cfg.exploitation + cfg.exploration:
            mode, pick = "explore", self._nth_elite(island, rng)
        else:
            mode, pick = "random", self._random_program(rng)
        if pick is None:  # empty island: start from the session's best anywhere
            mode, pick = "fallback", self._global_best()
        if pick is None:
            raise LookupError("the program database is empty: place the seed program first")
        return ParentChoice(pick, island, mode, self.inspirations(pick, iteration, island, slot))

    def _nth_elite(self, island: int, rng: random.Random) -> int | None:
        count = self.store.niche_count(self.session_id, island)
        if not count:
            return None
        return self.store.elite_at(self.session_id, island, rng.randrange(count))

    def _random_program(self, rng: random.Random) -> int | None:
        """Any placed (scored, feasible) program of the session: the first at or after a
        uniformly drawn id. Two indexed look-ups, so it stays fast with any number of programs
        (an OFFSET scan grew to tens of milliseconds at 10,000); programs after a gap in the
        ids are slightly more likely, which a random pick can afford."""
        bounds = self.store.placed_id_range(self.session_id)
        if bounds is None:
            return None
        return self.store.placed_program_from(self.session_id, rng.randint(bounds[0], bounds[1]))

    def _global_best(self) -> int | None:
        return self.store.fittest_elite(self.session_id)

    def inspirations(
        self, parent_id: int, iteration: int, island: int, slot: int = 0, count: int | None = None
    ) -> list[int]:
        """Elites of niches nearest the parent's (Chebyshev distance over bins) on the island:
        the fittest few of the closest ring, sampled with the seeded generator."""
        count = self.config.num_inspirations if count is None else count
        parent = self.store.get_program(parent_id)
        if count <= 0 or parent is None or parent.descriptors is None:
            return []
        origin = _cell_bins(self.cell_of(parent.descriptors))
        candidates = [
            (max((abs(a - b) for a, b in zip(origin, _cell_bins(cell))), default=0), -fit, pid)
            for pid, fit, cell in self.elites(island, limit=100_000)
            if pid != parent_id
        ]
        candidates.sort()
        pool = [pid for _, _, pid in candidates[: 2 * count]]
        rng = self.rng(iteration, island, f"inspire{slot}")
        return rng.sample(pool, min(count, len(pool)))

    # -- migration ------------------------------------------------------------------------

    def maybe_migrate(self, iteration: int) -> list[tuple[int, int, int]]:
        """Every ``migration_interval`` iterations, copy each island's top elites to the next
        island of the ring (placed by the usual niche rule). Returns (program, from, to) moves
        that took effect. Idempotent per iteration, so a resumed session does not migrate twice.
        """
        cfg = self.config
        if cfg.num_islands < 2 or cfg.migration_interval <= 0:
            return []
        moves: list[tuple[int, int, int]] = []
        with self.store.write() as conn:
            last = conn.execute(
                "SELECT last_migration_iteration FROM program_db_state WHERE session_id = ?",
                (self.session_id,),
            ).fetchone()[0]
            if iteration - last < cfg.migration_interval:
                return []
            # Snapshot every island first, so a migrant moves one hop per migration.
            offers = [
                (island, (island + 1) % cfg.num_islands, self.elites(island, cfg.migration_count))
                for island in range(cfg.num_islands)
            ]
            for source, target, migrants in offers:
                for program_id, fit, cell in migrants:
                    if self._offer(conn, target, cell, program_id, fit, iteration).placed:
                        moves.append((program_id, source, target))
            conn.execute(
                "UPDATE program_db_state SET last_migration_iteration = ? WHERE session_id = ?",
                (iteration, self.session_id),
            )
            self.store.add_event(
                self.session_id,
                EventKind.MIGRATION,
                {"iteration": iteration, "moves": [list(m) for m in moves]},
            )
        return moves

    # -- summaries ------------------------------------------------------------------------

    def best_per_island(self, per_island: int = 3) -> dict[int, list[tuple[int, float]]]:
        """Island -> [(program_id, raw score)] of its fittest elites."""
        unturn = sign(self.config.direction)  # a merit times its sign is the raw score
        return {
            island: [(pid, unturn * fit) for pid, fit, _ in self.elites(island, per_island)]
            for island in range(self.config.num_islands)
        }


def _cell_bins(cell: str) -> tuple[int, ...]:
    return tuple(int(part) for part in cell.split(",")) if cell else ()
