"""Schema creation, WAL mode, and migration of an older database to the current version."""

from __future__ import annotations

import sqlite3

import pytest

from memory import SCHEMA_VERSION, open_store
from memory.schema import connect, migrate, schema_version


def test_new_store_is_current_and_in_wal_mode(tmp_path):
    with open_store(tmp_path) as store:
        assert schema_version(store.conn) == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
    for table in (
        "sessions",
        "programs",
        "evaluations",
        "hypotheses",
        "critiques",
        "verdicts",
        "llm_calls",
        "directives",
        "events",
        "search_index",
        "niches",
        "champions",
    ):
        assert table in tables
    assert (tmp_path / "adrs.db").exists()


def test_migration_from_version_1_keeps_rows_and_backfills_search(tmp_path):
    path = tmp_path / "adrs.db"
    conn = connect(str(path))
    assert migrate(conn, target=1) == 1
    conn.execute(
        "INSERT INTO sessions(name, scenario, created_at, updated_at) "
        "VALUES ('old', 'spot_single', 0, 0)"
    )
    conn.execute(
        "INSERT INTO hypotheses(session_id, iteration, text, created_at) "
        "VALUES (1, 1, 'switch to on-demand when preemptions cluster', 0)"
    )
    conn.execute(
        "INSERT INTO llm_calls(session_id, iteration, role, response, created_at) "
        "VALUES (1, 1, 'planner', 'try hysteresis', 0)"
    )
    conn.close()

    with open_store(tmp_path) as store:
        assert schema_version(store.conn) == SCHEMA_VERSION
        assert store.session_by_name("old").scenario == "spot_single"
        assert [h.kind for h in store.search("preemptions")] == ["hypothesis"]
        assert [c.role for c in store.llm_calls(1, query="hysteresis")] == ["planner"]
        # New tables work on the migrated file.
        assert store.champion(1) is None
        store.add_hypothesis(1, 2, "a new idea about preemptions")
        assert len(store.search("preemptions")) == 2


def test_reopening_does_not_reapply_migrations(tmp_path):
    open_store(tmp_path).close()
    with open_store(tmp_path) as store:
        assert schema_version(store.conn) == SCHEMA_VERSION


def test_database_from_newer_code_is_refused(tmp_path):
    path = tmp_path / "adrs.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        open_store(tmp_path)
