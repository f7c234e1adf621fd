"""Why things were tried and what was decided: planner hypotheses and their outcomes, critic
diagnoses, verifier verdicts with reasons (shown to the planner and the user)."""

from __future__ import annotations

from typing import Any

from memory.base import StoreBase, to_json
from memory.records import Critique, Hypothesis, Verdict
from memory.vocabulary import HypothesisOutcome, ProgramStatus


class JudgementsMixin(StoreBase):
    """Hypotheses, critiques, verdicts."""

    # -- hypotheses, critiques, verdicts ----------------------------------------------------

    def add_hypothesis(
        self,
        session_id: int,
        iteration: int,
        text: str,
        rationale: str = "",
        expected_effect: str = "",
        parent_program_id: int | None = None,
    ) -> int:
        """Record a planner hypothesis; its outcome is set once its program is judged."""
        with self.write():
            return self._insert(
                "hypotheses",
                {
                    "session_id": session_id,
                    "iteration": iteration,
                    "text": text,
                    "rationale": rationale,
                    "expected_effect": expected_effect,
                    "parent_program_id": parent_program_id,
                    "created_at": self.now(),
                },
            )

    def set_hypothesis_outcome(
        self, hypothesis_id: int, outcome: HypothesisOutcome, detail: str = ""
    ) -> None:
        """Close a hypothesis: ``accepted``/``improved``/``champion`` count as success; any
        other outcome (``rejected``, ``failed``, ``duplicate``...) as failure."""
        with self.write():
            self.conn.execute(
                "UPDATE hypotheses SET outcome = ?, outcome_detail = ? WHERE id = ?",
                (outcome, detail, hypothesis_id),
            )

    def get_hypothesis(self, hypothesis_id: int) -> Hypothesis | None:
        """The hypothesis with this id, or None."""
        return self._first(Hypothesis, "SELECT * FROM hypotheses WHERE id = ?", (hypothesis_id,))

    def hypothesis(self, hypothesis_id: int) -> Hypothesis:
        """The hypothesis with an id the memory handed out (a plan's, a program's): hypotheses
        are never deleted, so a missing one is a bug, not an input."""
        hypothesis = self.get_hypothesis(hypothesis_id)
        if hypothesis is None:
            raise LookupError(f"no hypothesis {hypothesis_id} in this workspace")
        return hypothesis

    def hypotheses(
        self, session_id: int, iteration: int | None = None, limit: int = 100
    ) -> list[Hypothesis]:
        """Hypotheses of a session, newest first, optionally of one iteration."""
        sql, params = "SELECT * FROM hypotheses WHERE session_id = ?", [session_id]
        if iteration is not None:
            sql, params = sql + " AND iteration = ?", [*params, iteration]
        return self._all(Hypothesis, sql + " ORDER BY id DESC LIMIT ?", [*params, limit])

    def hypotheses_in_flight(
        self, session_id: int, other_than: int, limit: int = 20
    ) -> list[Hypothesis]:
        """Hypotheses with no outcome yet from iterations other than ``other_than``: what the
        session's other lanes are trying right now, newest first."""
        return self._all(
            Hypothesis,
            "SELECT * FROM hypotheses WHERE session_id = ? AND "
            "outcome IS NULL AND iteration != ? ORDER BY id DESC LIMIT ?",
            (session_id, other_than, limit),
        )

    def add_critique(
        self,
        session_id: int,
        iteration: int,
        text: str,
        program_id: int | None = None,
        findings: list[Any] | None = None,
    ) -> int:
        """Record the critic's diagnosis (free text plus structured findings)."""
        with self.write():
            return self._insert(
                "critiques",
                {
                    "session_id": session_id,
                    "iteration": iteration,
                    "program_id": program_id,
                    "text": text,
                    "findings": to_json(findings or []),
                    "created_at": self.now(),
                },
            )

    def critiques(
        self, session_id: int, iteration: int | None = None, limit: int = 100
    ) -> list[Critique]:
        """Critiques of a session, newest first."""
        sql, params = "SELECT * FROM critiques WHERE session_id = ?", [session_id]
        if iteration is not None:
            sql, params = sql + " AND iteration = ?", [*params, iteration]
        return self._all(Critique, sql + " ORDER BY id DESC LIMIT ?", [*params, limit])

    def program_critiques(self, program_id: int) -> list[Critique]:
        """The critic's diagnoses of one program, oldest first: shown with the program."""
        return self._all(
            Critique, "SELECT * FROM critiques WHERE program_id = ? ORDER BY id", (program_id,)
        )

    def add_verdict(
        self,
        program_id: int,
        accepted: bool,
        reasons: list[str],
        checks: dict[str, Any] | None = None,
    ) -> int:
        """Record the verifier's decision; rejected programs get status ``rejected``."""
        with self.write():
            row = self.conn.execute(
                "SELECT session_id FROM programs WHERE id = ?", (program_id,)
            ).fetchone()
            if row is None:
                raise KeyError(f"no program {program_id}")
            verdict_id = self._insert(
                "verdicts",
                {
                    "session_id": row["session_id"],
                    "program_id": program_id,
                    "accepted": int(bool(accepted)),
                    "reasons": to_json(list(reasons)),
                    "checks": to_json(checks or {}),
                    "created_at": self.now(),
                },
            )
            if not accepted:
                self.conn.execute(
                    "UPDATE programs SET status = ? WHERE id = ?",
                    (ProgramStatus.REJECTED, program_id),
                )
        return verdict_id

    def verdicts(self, program_id: int) -> list[Verdict]:
        """Verdicts on one program, oldest first."""
        return self._all(
            Verdict, "SELECT * FROM verdicts WHERE program_id = ? ORDER BY id", (program_id,)
        )

    def session_verdicts(self, session_id: int, limit: int = 100) -> list[Verdict]:
        """Verdicts of a session, newest first."""
        return self._all(
            Verdict,
            "SELECT * FROM verdicts WHERE session_id = ? ORDER BY id DESC LIMIT ?",
            (session_id, limit),
        )
