"""The connection every part of the store shares: locking, transactions, row decoding.

One ``StoreBase`` owns one SQLite connection. A re-entrant lock serialises threads of the same
process (LangGraph may run branches in threads); ``BEGIN IMMEDIATE`` takes the file's write lock
up front so concurrent processes queue on ``busy_timeout`` instead of failing.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

import sqlite_utils

from memory.records import from_row
from memory.schema import check_file, connect, migrate
from memory.vocabulary import EventKind

T = TypeVar("T")

DB_FILENAME = "adrs.db"


def to_json(value: Any) -> str:
    """Compact JSON for a column; unknown objects (paths, numpy scalars) become strings."""
    return json.dumps(value, default=_json_default, separators=(",", ":"))


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    if hasattr(value, "tolist"):  # numpy array
        return value.tolist()
    return str(value)


class StoreBase:
    """Connection, lock and transaction helpers shared by the store's parts."""

    def __init__(self, path: str | Path, timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        check_file(self.path)
        self.conn = connect(str(self.path), timeout_s=timeout_s)
        #: sqlite-utils view of the same connection: table listings, ``rows_where`` streaming.
        self.db = sqlite_utils.Database(self.conn)
        self._lock = threading.RLock()
        migrate(self.conn)

    def close(self) -> None:
        """Close the connection (the file and its WAL stay consistent)."""
        with self._lock:
            self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``); nests as a no-op."""
        with self._lock:
            if self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def _insert(self, table: str, record: dict[str, Any]) -> int:
        """Insert one row inside the current write transaction; return its id.

        Plain SQL rather than ``db[table].insert``: sqlite-utils introspects the table on every
        call, which made inserts several times slower on the research loop's hot path.
        """
        columns = ", ".join(record)
        marks = ", ".join("?" * len(record))
        cursor = self.conn.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(record.values())
        )
        row_id = cursor.lastrowid
        assert row_id is not None  # set by every successful INSERT on a rowid table
        return row_id

    def stream(
        self, table: str, column: str, value: Any, order: str, batch: int = 500
    ) -> Iterator[dict[str, Any]]:
        """Every row of ``table`` whose ``column`` is ``value``, in ``order``, fetched ``batch``
        rows at a time: the lock is held while a batch is read, never across a ``yield``, so a
        slow reader (an export to a pipe) never stalls the research loop's writes."""
        with self._lock:
            rows = self.db[table].rows_where(f"{column} = ?", [value], order_by=order)
            chunk = list(itertools.islice(rows, batch))
        while chunk:
            yield from chunk
            with self._lock:
                chunk = list(itertools.islice(rows, batch))

    def _rows(self, sql: str, params: tuple | list = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def _one(self, sql: str, params: tuple | list = ()) -> sqlite3.Row | None:
        with self._lock:
            return self.conn.execute(sql, params).fetchone()

    def _all(self, cls: type[T], sql: str, params: tuple | list = ()) -> list[T]:
        return [from_row(cls, row) for row in self._rows(sql, params)]

    def _first(self, cls: type[T], sql: str, params: tuple | list = ()) -> T | None:
        row = self._one(sql, params)
        return None if row is None else from_row(cls, row)

    def _event(self, session_id: int, kind: EventKind, payload: dict[str, Any]) -> int:
        """Insert an event row inside the caller's write transaction."""
        return self._insert(
            "events",
            {
                "session_id": session_id,
                "kind": kind,
                "payload": to_json(payload),
                "created_at": self.now(),
            },
        )

    @staticmethod
    def now() -> float:
        """Wall-clock timestamp stored on every row (seconds since the epoch)."""
        return time.time()
