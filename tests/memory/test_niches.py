"""The program database's look-ups: stored config, island elites, placed programs."""

from __future__ import annotations

import json

from memory import Descriptor, ProgramDatabase, ProgramDbConfig

CONFIG = ProgramDbConfig(
    descriptors=(Descriptor("spot_share", 0.0, 1.0, 4),), num_islands=2, direction="min"
)


def _code(i: int) -> str:
    return f"def decide(s):\n    return {i}\n"


def test_niche_reads_before_anything_is_placed(store, session_id):
    assert store.program_db_config(session_id) is None
    assert store.elites(session_id, 0) == []
    assert store.niche_count(session_id, 0) == 0
    assert store.elite_at(session_id, 0, 0) is None
    assert store.fittest_elite(session_id) is None
    assert store.placed_id_range(session_id) is None
    assert store.placed_program_from(session_id, 1) is None


def test_niche_reads_follow_placements(store, session_id):
    pdb = ProgramDatabase(store, session_id, CONFIG)
    assert ProgramDbConfig.from_dict(json.loads(store.program_db_config(session_id))) == CONFIG
    seed = store.add_program(session_id, _code(0)).program_id
    unplaced = store.add_program(session_id, _code(1)).program_id
    low = store.add_program(session_id, _code(2), island=0).program_id
    high = store.add_program(session_id, _code(3), island=1).program_id
    pdb.seed_islands(seed, 10.0, {"spot_share": 0.1})
    pdb.place(low, 4.0, {"spot_share": 0.9})  # fitness -4: the fittest anywhere
    pdb.place(high, 7.0, {"spot_share": 0.6})

    assert store.elites(session_id, 0) == [(low, -4.0, "3"), (seed, -10.0, "0")]
    assert store.elites(session_id, 0, limit=1) == [(low, -4.0, "3")]
    assert store.elites(session_id, 1) == [(high, -7.0, "2"), (seed, -10.0, "0")]
    assert store.niche_count(session_id, 0) == 2
    assert [store.elite_at(session_id, 0, i) for i in range(3)] == [seed, low, None]
    assert store.fittest_elite(session_id) == low
    assert store.placed_id_range(session_id) == (seed, high)
    assert store.placed_program_from(session_id, unplaced) == low
    assert store.placed_program_from(session_id, high + 1) is None
