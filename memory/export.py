"""Export every row of a session as JSON Lines, one ``{"table": ..., "row": {...}}`` per line.

Why JSONL: it streams (no session is too large), diffs line by line, and any tool reads it.
JSON-encoded columns are decoded so the output nests naturally; rows are read in id order in
batches, never all at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from memory.records import JSON_COLUMNS
from memory.store import Store

#: (table, key column, order) in export order: parents before children.
EXPORT_TABLES: list[tuple[str, str, str]] = [
    ("sessions", "id", "id"),
    ("program_db_state", "session_id", "session_id"),
    ("hypotheses", "session_id", "id"),
    ("programs", "session_id", "id"),
    ("evaluations", "session_id", "id"),
    ("critiques", "session_id", "id"),
    ("verdicts", "session_id", "id"),
    ("champions", "session_id", "id"),
    ("niches", "session_id", "island, cell"),
    ("llm_calls", "session_id", "id"),
    ("directives", "session_id", "id"),
    ("events", "session_id", "id"),
]


def _decode(key: str, value: Any) -> Any:
    if key in JSON_COLUMNS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def iter_session_rows(
    store: Store, session_id: int, batch: int = 500
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table, row) for every row belonging to the session, table by table, in batches
    (``Store.stream``)."""
    for table, key, order in EXPORT_TABLES:
        for row in store.stream(table, key, session_id, order, batch):
            yield table, {name: _decode(name, value) for name, value in row.items()}


def export_jsonl(store: Store, session_id: int, out: IO[str]) -> int:
    """Write the session as JSON Lines to ``out``; returns the number of lines written."""
    count = 0
    for table, row in iter_session_rows(store, session_id):
        out.write(json.dumps({"table": table, "row": row}, ensure_ascii=False) + "\n")
        count += 1
    return count
