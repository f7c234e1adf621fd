"""Full-text search (SQLite FTS5) over hypotheses, critiques, verdict reasons and LLM calls.

Triggers in the schema keep one ``search_index`` table in step with the first three tables; model
calls are indexed when a search needs them (``index_new_calls``): their prompts are large and
rarely searched, so the research loop does not pay to tokenise them as it writes. User text is
turned into a safe FTS query (every word quoted, all required) so punctuation such as ``-`` or
``:`` in "on-demand" or "error: timeout" never becomes FTS syntax.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from memory.base import StoreBase
from memory.records import SearchHit

SEARCH_KINDS = ("hypothesis", "critique", "verdict", "llm_call")

_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str:
    """An FTS5 query matching rows that contain every word of ``text`` (prefix on the last)."""
    words = _WORD.findall(text)
    if not words:
        return '""'
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


class SearchMixin(StoreBase):
    """``search`` across the indexed kinds of rows."""

    def index_new_calls(self) -> None:
        """Bring the full-text index up to date with the model calls written since the last
        search. A read-only workspace is searched as far as it was indexed."""
        try:
            with self.write() as conn:
                last = conn.execute(
                    "SELECT last_id FROM search_progress WHERE kind = 'llm_call'"
                ).fetchone()
                newest = conn.execute("SELECT coalesce(max(id), 0) FROM llm_calls").fetchone()[0]
                if last is None or newest <= last[0]:
                    return
                conn.execute(
                    "INSERT INTO search_index(body, kind, ref_id, session_id) "
                    "SELECT messages || ' ' || response || ' ' || coalesce(reasoning, '') || ' ' "
                    "|| coalesce(error, ''), 'llm_call', id, session_id FROM llm_calls "
                    "WHERE id > ? AND id <= ? ORDER BY id",
                    (last[0], newest),
                )
                conn.execute(
                    "UPDATE search_progress SET last_id = ? WHERE kind = 'llm_call'", (newest,)
                )
        except sqlite3.OperationalError as err:
            if "readonly" not in str(err).lower():
                raise

    def search(
        self,
        query: str,
        session_id: int | None = None,
        kinds: tuple[str, ...] | list[str] | None = None,
        limit: int = 20,
    ) -> list[SearchHit]:
        """Best matches first (bm25), with ``[...]`` around matched words in the snippet."""
        if not kinds or "llm_call" in kinds:
            self.index_new_calls()
        sql = (
            "SELECT kind, ref_id, session_id, "
            "snippet(search_index, 0, '[', ']', ' … ', 16) AS snippet, rank "
            "FROM search_index WHERE search_index MATCH ?"
        )
        params: list[Any] = [fts_query(query)]
        if session_id is not None:
            sql, params = sql + " AND session_id = ?", [*params, session_id]
        if kinds:
            unknown = set(kinds) - set(SEARCH_KINDS)
            if unknown:
                raise ValueError(f"unknown search kinds {sorted(unknown)}; use {SEARCH_KINDS}")
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            params += list(kinds)
        rows = self._rows(sql + " ORDER BY rank LIMIT ?", [*params, limit])
        return [_hit(row) for row in rows]

    def search_any_word(self, session_id: int, words: list[str], limit: int = 6) -> list[SearchHit]:
        """Hypotheses, critiques and verdicts of a session matching any of ``words``, best
        first (bm25 ranks rows matching more words higher), with plain snippets: the memory a
        chat question is sent with. A question is not a conjunction, so any word may match.
        Each word is quoted, so it is never read as FTS syntax."""
        if not words:
            return []
        rows = self._rows(
            "SELECT kind, ref_id, session_id, snippet(search_index, 0, '', '', ' … ', 24) "
            "AS snippet, rank FROM search_index WHERE search_index MATCH ? AND session_id = ? "
            "AND kind != 'llm_call' ORDER BY rank LIMIT ?",
            (" OR ".join(f'"{word}"' for word in words), session_id, limit),
        )
        return [_hit(row) for row in rows]


def _hit(row: sqlite3.Row) -> SearchHit:
    return SearchHit(
        row["kind"], int(row["ref_id"]), int(row["session_id"]), row["snippet"], float(row["rank"])
    )
