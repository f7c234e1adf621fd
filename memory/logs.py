"""The agents' reasoning log (every LLM call), user directives, and the session event stream.

LLM call records are scrubbed of anything key-like before they are written; the session's
token and dollar totals are bumped in the same transaction so budget checks read one row.
"""

from __future__ import annotations

from typing import Any

from memory.base import StoreBase, to_json
from memory.records import Directive, Event, LlmCall
from memory.vocabulary import DirectiveStatus, EventKind
from simulators.scrub import scrub_secrets, scrub_text


class LogsMixin(StoreBase):
    """LLM calls, directives, events."""

    # -- LLM calls ------------------------------------------------------------------------

    def record_llm_call(self, session_id: int, iteration: int, record: dict[str, Any]) -> int:
        """Store one model call. ``record`` keys: role, model, messages (list of
        ``{role, content}``), response, reasoning, input_tokens, output_tokens, cost_usd,
        latency_s, error. Unknown keys are ignored; secrets are scrubbed from every field."""
        clean = scrub_secrets(dict(record))
        input_tokens = int(clean.get("input_tokens") or 0)
        output_tokens = int(clean.get("output_tokens") or 0)
        cost_usd = float(clean.get("cost_usd") or 0.0)
        reasoning, error = clean.get("reasoning"), clean.get("error")
        with self.write():
            call_id = self._insert(
                "llm_calls",
                {
                    "session_id": session_id,
                    "iteration": iteration,
                    "role": str(clean.get("role") or "unknown"),
                    "model": str(clean.get("model") or ""),
                    "messages": to_json(list(clean.get("messages") or [])),
                    "response": str(clean.get("response") or ""),
                    "reasoning": None if reasoning is None else str(reasoning),
                    "input_tokens": input_tokens,
                    "output_tokens": output_tokens,
                    "cost_usd": cost_usd,
                    "latency_s": float(clean.get("latency_s") or 0.0),
                    "error": None if error is None else scrub_text(str(error)),
                    "created_at": self.now(),
                },
            )
            self.conn.execute(
                "UPDATE sessions SET llm_calls = llm_calls + 1, input_tokens = input_tokens + ?, "
                "output_tokens = output_tokens + ?, cost_usd = cost_usd + ?, updated_at = ? "
                "WHERE id = ?",
                (input_tokens, output_tokens, cost_usd, self.now(), session_id),
            )
        return call_id

    def llm_calls(
        self,
        session_id: int,
        *,
        role: str | None = None,
        iteration: int | None = None,
        query: str | None = None,
        after_id: int = 0,
        limit: int = 200,
        newest_first: bool = False,
    ) -> list[LlmCall]:
        """LLM calls of a session filtered by role, iteration and full-text ``query``."""
        sql = "SELECT c.* FROM llm_calls c"
        params: list[Any] = []
        if query:
            from memory.search import fts_query

            self.index_new_calls()  # type: ignore[attr-defined]  # the Store has SearchMixin
            sql += (
                " JOIN (SELECT DISTINCT ref_id FROM search_index WHERE search_index MATCH ? "
                "AND kind = 'llm_call') m ON m.ref_id = c.id"
            )
            params.append(fts_query(query))
        sql += " WHERE c.session_id = ? AND c.id > ?"
        params += [session_id, after_id]
        if role is not None:
            sql, params = sql + " AND c.role = ?", [*params, role]
        if iteration is not None:
            sql, params = sql + " AND c.iteration = ?", [*params, iteration]
        sql += f" ORDER BY c.id {'DESC' if newest_first else 'ASC'} LIMIT ?"
        return self._all(LlmCall, sql, [*params, limit])

    def llm_calls_since(self, session_id: int, after_id: int, limit: int = 200) -> list[LlmCall]:
        """Calls with id greater than ``after_id``, oldest first: the ``--follow`` tail."""
        return self.llm_calls(session_id, after_id=after_id, limit=limit)

    # -- directives -----------------------------------------------------------------------

    def add_directive(self, session_id: int, text: str) -> int:
        """Store a user's steering instruction; the planner sees it at its next plan."""
        with self.write():
            directive_id = self._insert(
                "directives",
                {
                    "session_id": session_id,
                    "text": scrub_text(text),
                    "status": DirectiveStatus.ACTIVE,
                    "created_at": self.now(),
                },
            )
            self._event(session_id, EventKind.DIRECTIVE, {"directive_id": directive_id})
        return directive_id

    def active_directives(self, session_id: int) -> list[Directive]:
        """Directives still in force, oldest first."""
        return self._all(
            Directive,
            "SELECT * FROM directives WHERE session_id = ? AND status = ? ORDER BY id",
            (session_id, DirectiveStatus.ACTIVE),
        )

    def directives(self, session_id: int) -> list[Directive]:
        """Every directive of a session, whatever its status, oldest first."""
        return self._all(
            Directive, "SELECT * FROM directives WHERE session_id = ? ORDER BY id", (session_id,)
        )

    def consume_directive(self, directive_id: int, iteration: int) -> None:
        """Mark a one-shot directive as acted upon at ``iteration`` (it leaves the digest)."""
        self._close_directive(directive_id, DirectiveStatus.CONSUMED, iteration)

    def revoke_directive(self, directive_id: int) -> None:
        """Withdraw a directive the user no longer wants."""
        self._close_directive(directive_id, DirectiveStatus.REVOKED, None)

    def _close_directive(
        self, directive_id: int, status: DirectiveStatus, iteration: int | None
    ) -> None:
        with self.write():
            self.conn.execute(
                "UPDATE directives SET status = ?, consumed_at = ?, consumed_iteration = ? "
                "WHERE id = ? AND status = ?",
                (status, self.now(), iteration, directive_id, DirectiveStatus.ACTIVE),
            )

    # -- events ---------------------------------------------------------------------------

    def add_event(
        self, session_id: int, kind: EventKind, payload: dict[str, Any] | None = None
    ) -> int:
        """Append a fact to the session's event stream (payload scrubbed, JSON-plain)."""
        with self.write():
            return self._event(session_id, kind, scrub_secrets(payload or {}))

    def events(
        self,
        session_id: int,
        *,
        kind: EventKind | None = None,
        after_id: int = 0,
        limit: int = 200,
    ) -> list[Event]:
        """Events after ``after_id``, oldest first, optionally of one kind."""
        sql = "SELECT * FROM events WHERE session_id = ? AND id > ?"
        params: list[Any] = [session_id, after_id]
        if kind is not None:
            sql, params = sql + " AND kind = ?", [*params, kind]
        return self._all(Event, sql + " ORDER BY id LIMIT ?", [*params, limit])

    def latest_event(
        self, session_id: int, kind: EventKind | tuple[EventKind, ...]
    ) -> Event | None:
        """The newest event of one kind, or of any of a tuple of kinds (the last stop, the last
        test score, the last plan decision), or None. One query walking the stream newest first,
        so it costs the same however long the session."""
        kinds = (kind,) if isinstance(kind, str) else kind
        marks = ",".join("?" * len(kinds))
        return self._first(
            Event,
            f"SELECT * FROM events WHERE session_id = ? AND kind IN ({marks}) "
            "ORDER BY id DESC LIMIT 1",
            (session_id, *kinds),
        )
