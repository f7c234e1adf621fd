"""Program database: niches, seeded parent selection, inspirations, ring migration, resume."""

from __future__ import annotations

import pytest

from memory import Descriptor, ProgramDatabase, ProgramDbConfig, open_store

CONFIG = ProgramDbConfig(
    descriptors=(Descriptor("spot_share", 0.0, 1.0, 4), Descriptor("code_len", 0, 400, 4)),
    num_islands=3,
    direction="min",
    migration_interval=5,
    migration_count=1,
)


def _program(i: int) -> str:
    return f"def decide(s):\n    return {i}\n"


def _fill(store, seed: int, name: str = "run", n: int = 40) -> tuple[int, ProgramDatabase]:
    """A session grown by the same deterministic history: parents from select_parents."""
    sid = store.create_session(name, "spot_single", seed=seed)
    pdb = ProgramDatabase(store, sid, CONFIG)
    root = store.add_program(sid, _program(0), origin="seed").program_id
    pdb.seed_islands(root, 100.0, {"spot_share": 0.5, "code_len": 40})
    for i in range(1, n):
        choice = pdb.select_parents(i)[0]
        pid = store.add_program(
            sid, _program(i), parent_id=choice.program_id, island=choice.island, iteration=i
        ).program_id
        pdb.place(
            pid,
            100.0 - (i * 7) % 13,
            {"spot_share": (i % 10) / 10, "code_len": (i * 37) % 400},
            iteration=i,
        )
        pdb.maybe_migrate(i)
    return sid, pdb


def _choices(pdb: ProgramDatabase, iterations=range(40, 60)):
    return [
        (c.program_id, c.mode, tuple(c.inspirations))
        for it in iterations
        for c in pdb.select_parents(it, count=3)
    ]


def test_same_seed_same_parents_in_separate_databases(tmp_path):
    with open_store(tmp_path / "a") as a, open_store(tmp_path / "b") as b:
        _, pdb_a = _fill(a, seed=5)
        _, pdb_b = _fill(b, seed=5)
        assert _choices(pdb_a) == _choices(pdb_b)
        assert [p.parent_id for p in a.programs(1, limit=100)] == [
            p.parent_id for p in b.programs(1, limit=100)
        ]
        _, pdb_c = _fill(a, seed=6, name="other")
        assert _choices(pdb_c) != _choices(pdb_a)
        modes = {mode for _, mode, _ in _choices(pdb_a)}
        assert {"exploit", "explore", "random"} <= modes


def test_resume_continues_identically(tmp_path):
    with open_store(tmp_path) as store:
        sid, pdb = _fill(store, seed=9)
        before = _choices(pdb)
    with open_store(tmp_path) as reopened:
        resumed = ProgramDatabase(reopened, sid)  # config comes from the database
        assert resumed.config == CONFIG
        assert _choices(resumed) == before
        same = ProgramDbConfig(
            **{
                **CONFIG.__dict__,
                "descriptors": [
                    {"name": "spot_share", "low": 0.0, "high": 1.0, "bins": 4},
                    {"name": "code_len", "low": 0, "high": 400, "bins": 4},
                ],
            }
        )
        assert ProgramDatabase(reopened, sid, same).config == CONFIG
        with pytest.raises(ValueError):
            ProgramDatabase(reopened, sid, ProgramDbConfig(num_islands=2))


def test_niche_keeps_the_fitter_program(store):
    sid = store.create_session("n", "spot_single")
    pdb = ProgramDatabase(store, sid, CONFIG)
    a = store.add_program(sid, _program(1)).program_id
    b = store.add_program(sid, _program(2)).program_id
    c = store.add_program(sid, _program(3)).program_id
    behaviour = {"spot_share": 0.1, "code_len": 10}
    assert pdb.place(a, 50.0, behaviour).placed
    worse = pdb.place(b, 60.0, behaviour)  # direction=min: 60 is worse
    assert not worse.placed
    better = pdb.place(c, 40.0, behaviour)
    assert better.placed and better.displaced_program_id == a
    assert pdb.best_per_island(1)[0] == [(c, 40.0)]
    assert pdb.cell_of({"spot_share": 7.0, "code_len": -3}) == "3,0"  # clamped
    with pytest.raises(ValueError):
        pdb.cell_of({"spot_share": 0.2})


def test_ring_migration_moves_best_to_next_island(store):
    sid = store.create_session("m", "spot_single")
    pdb = ProgramDatabase(store, sid, CONFIG)
    progs = [store.add_program(sid, _program(i), island=i).program_id for i in range(3)]
    for i, pid in enumerate(progs):
        pdb.place(pid, 10.0 + i, {"spot_share": i / 3, "code_len": 100 * i})
    assert pdb.maybe_migrate(3) == []  # not yet due
    moves = pdb.maybe_migrate(5)
    assert sorted(moves) == [(progs[0], 0, 1), (progs[1], 1, 2), (progs[2], 2, 0)]
    assert {pid for pid, _, _ in pdb.elites(1)} == {progs[0], progs[1]}
    # One hop per migration, and never twice for the same interval.
    assert progs[0] not in {pid for pid, _, _ in pdb.elites(2)}
    assert pdb.maybe_migrate(6) == []
    assert store.events(sid, kind="migration")[0].payload["iteration"] == 5


def test_inspirations_come_from_neighbouring_niches(store):
    sid = store.create_session("i", "spot_single")
    cfg = ProgramDbConfig(
        descriptors=(Descriptor("x", 0, 10, 10),), num_islands=1, num_inspirations=2
    )
    pdb = ProgramDatabase(store, sid, cfg)
    ids = {}
    for x in (0, 1, 2, 5, 9):
        ids[x] = store.add_program(sid, _program(x)).program_id
        pdb.place(ids[x], float(x), {"x": x + 0.5})
    picks = pdb.inspirations(ids[1], iteration=1, island=0)
    assert set(picks) <= {ids[0], ids[2], ids[5]} and len(picks) == 2
    assert ids[9] not in picks


def test_empty_database_says_what_to_do(store):
    sid = store.create_session("e", "spot_single")
    with pytest.raises(LookupError, match="seed"):
        ProgramDatabase(store, sid).select_parents(0)
