"""The SQLite schema of the workspace store, as an ordered list of versioned migrations.

Why migrations and not ``CREATE TABLE IF NOT EXISTS``: a workspace outlives the code that made
it. ``PRAGMA user_version`` records how far a database has been brought; opening it applies
every later step once, inside one transaction each, so an old workspace keeps its history and
gains the new tables (the full-text index is back-filled from rows written before it existed).
Never edit a released step: append a new one.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

#: Version 1: the attempt log (sessions, programs, evaluations, reasoning, steering, events).
_V1_CORE = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    scenario TEXT NOT NULL,
    scenario_version TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL DEFAULT '{}',
    seed INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'created',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    iterations INTEGER NOT NULL DEFAULT 0,
    llm_calls INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    champion_program_id INTEGER,
    best_train_score REAL,
    best_heldout_score REAL,
    status_detail TEXT
);
CREATE TABLE programs (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    iteration INTEGER NOT NULL DEFAULT 0,
    code TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    parent_id INTEGER REFERENCES programs(id),
    island INTEGER NOT NULL DEFAULT 0,
    hypothesis_id INTEGER REFERENCES hypotheses(id),
    status TEXT NOT NULL DEFAULT 'pending',
    origin TEXT NOT NULL DEFAULT 'llm',
    descriptors TEXT,
    fitness REAL,
    created_at REAL NOT NULL,
    UNIQUE (session_id, code_hash)
);
CREATE INDEX programs_session ON programs(session_id, id);
CREATE INDEX programs_parent ON programs(parent_id);
CREATE TABLE evaluations (
    id INTEGER PRIMARY KEY,
    program_id INTEGER NOT NULL REFERENCES programs(id),
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    scenario TEXT NOT NULL,
    scenario_version TEXT NOT NULL DEFAULT '',
    code_hash TEXT NOT NULL,
    split TEXT NOT NULL,
    stage TEXT NOT NULL,
    score REAL,
    feasible INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    metrics TEXT NOT NULL DEFAULT '{}',
    per_workload TEXT NOT NULL DEFAULT '{}',
    artifacts TEXT NOT NULL DEFAULT '{}',
    run_time_s REAL,
    created_at REAL NOT NULL
);
CREATE INDEX evaluations_program ON evaluations(program_id, id);
CREATE INDEX evaluations_cache ON evaluations(scenario, scenario_version, split, stage, code_hash);
CREATE TABLE hypotheses (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    iteration INTEGER NOT NULL,
    text TEXT NOT NULL,
    rationale TEXT NOT NULL DEFAULT '',
    expected_effect TEXT NOT NULL DEFAULT '',
    parent_program_id INTEGER REFERENCES programs(id),
    outcome TEXT,
    outcome_detail TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX hypotheses_session ON hypotheses(session_id, id);
CREATE TABLE critiques (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    iteration INTEGER NOT NULL,
    program_id INTEGER REFERENCES programs(id),
    text TEXT NOT NULL,
    findings TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL
);
CREATE INDEX critiques_session ON critiques(session_id, id);
CREATE TABLE verdicts (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    program_id INTEGER NOT NULL REFERENCES programs(id),
    accepted INTEGER NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    checks TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL
);
CREATE INDEX verdicts_program ON verdicts(program_id, id);
CREATE INDEX verdicts_session ON verdicts(session_id, id);
CREATE TABLE llm_calls (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    iteration INTEGER NOT NULL,
    role TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    messages TEXT NOT NULL DEFAULT '[]',
    response TEXT NOT NULL DEFAULT '',
    reasoning TEXT,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    latency_s REAL NOT NULL DEFAULT 0,
    error TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX llm_calls_session ON llm_calls(session_id, id);
CREATE INDEX llm_calls_role ON llm_calls(session_id, role, iteration);
CREATE TABLE directives (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    created_at REAL NOT NULL,
    consumed_at REAL,
    consumed_iteration INTEGER
);
CREATE INDEX directives_session ON directives(session_id, status);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL
);
CREATE INDEX events_session ON events(session_id, id);
"""

#: Version 2: one full-text index over everything a person or agent may want to find again.
_V2_SEARCH = """
CREATE VIRTUAL TABLE search_index USING fts5(
    body, kind UNINDEXED, ref_id UNINDEXED, session_id UNINDEXED, tokenize = 'porter unicode61'
);
CREATE TRIGGER hypotheses_fts AFTER INSERT ON hypotheses BEGIN
    INSERT INTO search_index(body, kind, ref_id, session_id) VALUES (
        new.text || ' ' || new.rationale || ' ' || new.expected_effect,
        'hypothesis', new.id, new.session_id);
END;
CREATE TRIGGER critiques_fts AFTER INSERT ON critiques BEGIN
    INSERT INTO search_index(body, kind, ref_id, session_id) VALUES (
        new.text || ' ' || new.findings, 'critique', new.id, new.session_id);
END;
CREATE TRIGGER verdicts_fts AFTER INSERT ON verdicts BEGIN
    INSERT INTO search_index(body, kind, ref_id, session_id) VALUES (
        new.reasons, 'verdict', new.id, new.session_id);
END;
CREATE TRIGGER llm_calls_fts AFTER INSERT ON llm_calls BEGIN
    INSERT INTO search_index(body, kind, ref_id, session_id) VALUES (
        new.messages || ' ' || new.response || ' ' || coalesce(new.reasoning, '') || ' '
            || coalesce(new.error, ''),
        'llm_call', new.id, new.session_id);
END;
INSERT INTO search_index(body, kind, ref_id, session_id)
    SELECT text || ' ' || rationale || ' ' || expected_effect, 'hypothesis', id, session_id
    FROM hypotheses;
INSERT INTO search_index(body, kind, ref_id, session_id)
    SELECT text || ' ' || findings, 'critique', id, session_id FROM critiques;
INSERT INTO search_index(body, kind, ref_id, session_id)
    SELECT reasons, 'verdict', id, session_id FROM verdicts;
INSERT INTO search_index(body, kind, ref_id, session_id)
    SELECT messages || ' ' || response || ' ' || coalesce(reasoning, '') || ' '
        || coalesce(error, ''), 'llm_call', id, session_id
    FROM llm_calls;
"""

#: Version 3: the program database (MAP-Elites niches per island) and the champion history.
_V3_PROGRAM_DB = """
CREATE TABLE niches (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    island INTEGER NOT NULL,
    cell TEXT NOT NULL,
    program_id INTEGER NOT NULL REFERENCES programs(id),
    fitness REAL NOT NULL,
    placed_iteration INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, island, cell)
);
CREATE INDEX niches_fitness ON niches(session_id, island, fitness DESC);
CREATE TABLE program_db_state (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
    config TEXT NOT NULL,
    last_migration_iteration INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE champions (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    program_id INTEGER NOT NULL REFERENCES programs(id),
    iteration INTEGER NOT NULL,
    train_score REAL,
    heldout_score REAL,
    created_at REAL NOT NULL
);
CREATE INDEX champions_session ON champions(session_id, id);
CREATE INDEX hypotheses_outcome ON hypotheses(session_id, outcome, id);
"""

#: Version 4: coder drafts. Parallel coder branches finish in any order; staging their code by
#: hypothesis and filing it in plan order keeps program ids (which parent selection, tie-breaks
#: and prompts see) the same from run to run.
_V4_DRAFTS = """
CREATE TABLE drafts (
    hypothesis_id INTEGER PRIMARY KEY REFERENCES hypotheses(id),
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    code TEXT NOT NULL,
    origin TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX programs_hypothesis ON programs(hypothesis_id);
"""

#: Version 5: prompts read one iteration's hypotheses and programs (a coder's siblings, the
#: critic's other candidates); without these a session with thousands of attempts scans them all.
#: And model calls are full-text indexed when someone searches, not as they are written: their
#: prompts are the largest text the loop stores (tens of kB a call), tokenising them was the
#: loop's biggest cost per call, and most are never searched. ``search_progress`` records how
#: far the index has caught up (rows written before this version are indexed already).
_V5_ITERATIONS = """
CREATE INDEX hypotheses_iteration ON hypotheses(session_id, iteration, id);
CREATE INDEX programs_iteration ON programs(session_id, iteration, id);
DROP TRIGGER llm_calls_fts;
CREATE TABLE search_progress (kind TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
INSERT INTO search_progress(kind, last_id) SELECT 'llm_call', coalesce(max(id), 0) FROM llm_calls;
"""

#: Version 6: research lanes. Several lanes of one session plan, code and evaluate at once;
#: each iteration number is claimed (``rounds``) before its plan, so lanes never share one and
#: budgets count what is in flight. A claim is keyed by the lane and the lane's previous
#: iteration, so a plan re-run after a crash finds its claim instead of taking another.
#: ``lanes`` is the live board (stage, calls in flight) other processes read.
_V6_LANES = """
CREATE TABLE rounds (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    iteration INTEGER NOT NULL,
    lane INTEGER NOT NULL,
    after INTEGER NOT NULL,
    claimed_at REAL NOT NULL,
    done_at REAL,
    PRIMARY KEY (session_id, iteration),
    UNIQUE (session_id, lane, after)
);
CREATE TABLE lanes (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    lane INTEGER NOT NULL,
    stage TEXT NOT NULL,
    iteration INTEGER,
    calls INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    PRIMARY KEY (session_id, lane)
);
"""

#: Version 7: session leases. Who drives a session now (``memory.lease``); the lock itself is
#: an ``flock`` on a file, which the kernel releases when the process dies.
_V7_LEASES = """
CREATE TABLE leases (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    started_at REAL NOT NULL,
    command TEXT NOT NULL DEFAULT ''
);
"""

Migration = Callable[[sqlite3.Connection], None]


def _script(sql: str) -> Migration:
    def apply(conn: sqlite3.Connection) -> None:
        for statement in _split_statements(sql):
            conn.execute(statement)

    return apply


def _split_statements(sql: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies whole (``executescript`` would
    commit the surrounding transaction, which defeats one-transaction-per-step)."""
    statements, current = [], ""
    for line in sql.strip().splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


#: ``MIGRATIONS[i]`` brings a database from version ``i`` to ``i + 1``.
MIGRATIONS: list[Migration] = [
    _script(_V1_CORE),
    _script(_V2_SEARCH),
    _script(_V3_PROGRAM_DB),
    _script(_V4_DRAFTS),
    _script(_V5_ITERATIONS),
    _script(_V6_LANES),
    _script(_V7_LEASES),
]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    """The version a database has been migrated to (0 for a new file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply every missing step up to ``target``, one immediate transaction per step.

    Safe when several processes open the same new file at once: each step re-reads the version
    under the write lock, so a step already applied by another process is skipped.
    Returns the version reached. ``conn`` must be in autocommit mode (``isolation_level=None``).
    """
    if target > SCHEMA_VERSION:
        raise ValueError(f"schema version {target} is newer than this code ({SCHEMA_VERSION})")
    while schema_version(conn) < target:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = schema_version(conn)
            if version >= target:
                conn.execute("COMMIT")
                break
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"this workspace database has schema version {version}, newer than this adrs "
            f"({SCHEMA_VERSION}): upgrade adrs"
        )
    return version


class NotAStore(Exception):
    """The file at the store's path is not an ADRS memory; it was left untouched."""


_SQLITE_HEADER = b"SQLite format 3\x00"


def check_file(path: Path) -> None:
    """Refuse, before anything writes to it, a path that is not (yet) an ADRS memory: a folder,
    a file that is not SQLite, or another program's SQLite database. Opening one normally would
    switch it to WAL and add our tables, changing a file that is not ours."""
    if not path.exists():
        return
    if not path.is_file():
        raise NotAStore(f"{path} is not a file: move it away or choose another workspace")
    with path.open("rb") as handle:
        header = handle.read(len(_SQLITE_HEADER))
    if not header:
        return  # an empty file: a store whose creation was cut short
    if header != _SQLITE_HEADER:
        raise NotAStore(
            f"{path} is not an SQLite database (so not an ADRS memory): move it "
            "away or choose another workspace"
        )
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
            version = schema_version(conn)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as err:
        raise NotAStore(
            f"{path} is damaged ({err}): restore it from a copy or move it away"
        ) from None
    if tables and (version == 0 or "sessions" not in tables):
        raise NotAStore(
            f"{path} is another program's SQLite database, not an ADRS memory: "
            "it was left unchanged; choose another workspace"
        )


def connect(path: str, timeout_s: float = 30.0) -> sqlite3.Connection:
    """Open a connection tuned for one writer and many readers in other processes.

    WAL lets readers proceed while the writer commits; ``busy_timeout`` makes a second writer
    wait instead of failing with "database is locked"; autocommit mode lets callers take
    ``BEGIN IMMEDIATE`` so a write transaction never has to upgrade a read lock (an upgrade
    that fails immediately, without waiting, under WAL).
    """
    conn = sqlite3.connect(path, timeout=timeout_s, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn
