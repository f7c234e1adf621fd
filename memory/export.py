"""Export every row of a session as JSON Lines, one ``{"table": ..., "row": {...}}`` per line.

Why JSONL: it streams (no session is too large), diffs line by line, and any tool reads it.
JSON-encoded columns are decoded so the output nests naturally; rows are read in id order in
batches, never all at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from memory.store import Store

_JSON_COLUMNS = {"config", "descriptors", "metrics", "per_workload", "artifacts", "findings",
                 "reasons", "checks", "messages", "payload"}

#: (table, SQL selecting a session's rows, ordered) in export order: parents before children.
EXPORT_TABLES: list[tuple[str, str]] = [
    ("sessions", "SELECT * FROM sessions WHERE id = ?"),
    ("program_db_state", "SELECT * FROM program_db_state WHERE session_id = ?"),
    ("hypotheses", "SELECT * FROM hypotheses WHERE session_id = ? ORDER BY id"),
    ("programs", "SELECT * FROM programs WHERE session_id = ? ORDER BY id"),
    ("evaluations", "SELECT * FROM evaluations WHERE session_id = ? ORDER BY id"),
    ("critiques", "SELECT * FROM critiques WHERE session_id = ? ORDER BY id"),
    ("verdicts", "SELECT * FROM verdicts WHERE session_id = ? ORDER BY id"),
    ("champions", "SELECT * FROM champions WHERE session_id = ? ORDER BY id"),
    ("niches", "SELECT * FROM niches WHERE session_id = ? ORDER BY island, cell"),
    ("llm_calls", "SELECT * FROM llm_calls WHERE session_id = ? ORDER BY id"),
    ("directives", "SELECT * FROM directives WHERE session_id = ? ORDER BY id"),
    ("events", "SELECT * FROM events WHERE session_id = ? ORDER BY id"),
]


def _decode(key: str, value: Any) -> Any:
    if key in _JSON_COLUMNS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def iter_session_rows(store: Store, session_id: int,
                      batch: int = 500) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table, row) for every row belonging to the session, table by table."""
    for table, sql in EXPORT_TABLES:
        with store._lock:
            cursor = store.conn.execute(sql, (session_id,))
            rows = cursor.fetchmany(batch)
        while rows:
            for row in rows:
                yield table, {key: _decode(key, row[key]) for key in row.keys()}
            with store._lock:
                rows = cursor.fetchmany(batch)


def export_jsonl(store: Store, session_id: int, out: IO[str]) -> int:
    """Write the session as JSON Lines to ``out``; returns the number of lines written."""
    count = 0
    for table, row in iter_session_rows(store, session_id):
        out.write(json.dumps({"table": table, "row": row}, ensure_ascii=False) + "\n")
        count += 1
    return count
