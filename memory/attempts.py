"""What was tried: programs (with lineage and duplicate rejection) and their evaluations.
The research loop writes these; chat, logs and the dashboard read them."""

from __future__ import annotations

from typing import Any

from memory.base import StoreBase, to_json
from memory.normalize import code_hash as normalised_hash
from memory.records import Evaluation, Program, ProgramAdded
from memory.vocabulary import EventKind, ProgramStatus


class AttemptsMixin(StoreBase):
    """Programs and evaluations."""

    # -- drafts: a coder branch's code, waiting to be filed in plan order -------------------

    def add_draft(self, session_id: int, hypothesis_id: int, code: str, origin: str) -> None:
        """Stage the code a coder wrote for ``hypothesis_id`` (a re-run replaces it)."""
        with self.write():
            self.conn.execute(
                "INSERT OR REPLACE INTO drafts (hypothesis_id, session_id, code, origin, "
                "created_at) VALUES (?, ?, ?, ?, ?)",
                (hypothesis_id, session_id, code, origin, self.now()),
            )

    def draft(self, hypothesis_id: int) -> tuple[str, str] | None:
        """(code, origin) staged for the hypothesis, or None."""
        row = self._one("SELECT code, origin FROM drafts WHERE hypothesis_id = ?", (hypothesis_id,))
        return None if row is None else (row["code"], row["origin"])

    def drop_draft(self, hypothesis_id: int) -> None:
        """Forget a filed draft (its code now lives in ``programs``)."""
        with self.write():
            self.conn.execute("DELETE FROM drafts WHERE hypothesis_id = ?", (hypothesis_id,))

    def program_of_hypothesis(self, hypothesis_id: int) -> int | None:
        """The program filed for a hypothesis, if any."""
        row = self._one(
            "SELECT id FROM programs WHERE hypothesis_id = ? ORDER BY id LIMIT 1", (hypothesis_id,)
        )
        return None if row is None else int(row["id"])

    # -- programs -------------------------------------------------------------------------

    def add_program(
        self,
        session_id: int,
        code: str,
        parent_id: int | None = None,
        island: int = 0,
        hypothesis_id: int | None = None,
        iteration: int = 0,
        origin: str = "llm",
        status: ProgramStatus = ProgramStatus.PENDING,
    ) -> ProgramAdded:
        """Record a candidate before it is evaluated, unless the session already holds the
        same normalised code: then nothing is inserted, a ``duplicate`` event is logged, and
        the result carries ``duplicate=True`` with the existing program's id."""
        digest = normalised_hash(code)
        with self.write():
            existing = self.conn.execute(
                "SELECT id FROM programs WHERE session_id = ? AND code_hash = ?",
                (session_id, digest),
            ).fetchone()
            if existing is not None:
                self._event(
                    session_id,
                    EventKind.DUPLICATE,
                    {
                        "existing_program_id": existing["id"],
                        "parent_id": parent_id,
                        "hypothesis_id": hypothesis_id,
                        "iteration": iteration,
                    },
                )
                return ProgramAdded(int(existing["id"]), True, digest)
            program_id = self._insert(
                "programs",
                {
                    "session_id": session_id,
                    "iteration": iteration,
                    "code": code,
                    "code_hash": digest,
                    "parent_id": parent_id,
                    "island": island,
                    "hypothesis_id": hypothesis_id,
                    "status": status,
                    "origin": origin,
                    "created_at": self.now(),
                },
            )
        return ProgramAdded(program_id, False, digest)

    def set_program_status(self, program_id: int, status: ProgramStatus) -> None:
        """Move a program along its life (pending, evaluated, failed, rejected, accepted...)."""
        with self.write():
            self.conn.execute("UPDATE programs SET status = ? WHERE id = ?", (status, program_id))

    def get_program(self, program_id: int) -> Program | None:
        """The program with this id, or None."""
        return self._first(Program, "SELECT * FROM programs WHERE id = ?", (program_id,))

    def program(self, program_id: int) -> Program:
        """The program with an id the memory handed out (a candidate's, a parent's, a
        champion's): programs are never deleted, so a missing one is a bug, not an input."""
        program = self.get_program(program_id)
        if program is None:
            raise LookupError(f"no program #{program_id} in this workspace")
        return program

    def programs(
        self,
        session_id: int,
        *,
        island: int | None = None,
        status: ProgramStatus | None = None,
        iteration: int | None = None,
        after_id: int = 0,
        limit: int = 100,
        newest_first: bool = True,
    ) -> list[Program]:
        """Programs of a session, filtered; ``after_id`` pages forward (for ``--follow``)."""
        sql = "SELECT * FROM programs WHERE session_id = ? AND id > ?"
        params: list[Any] = [session_id, after_id]
        for column, value in (("island", island), ("status", status), ("iteration", iteration)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        sql += f" ORDER BY id {'DESC' if newest_first else 'ASC'} LIMIT ?"
        return self._all(Program, sql, [*params, limit])

    def lineage(self, program_id: int, max_depth: int = 1000) -> list[Program]:
        """The ancestry of a program, root first and the program itself last."""
        chain: list[Program] = []
        current = self.get_program(program_id)
        while current is not None and len(chain) < max_depth:
            chain.append(current)
            current = self.get_program(current.parent_id) if current.parent_id else None
        return chain[::-1]

    def children(self, program_id: int) -> list[Program]:
        """Programs derived directly from this one."""
        return self._all(
            Program, "SELECT * FROM programs WHERE parent_id = ? ORDER BY id", (program_id,)
        )

    # -- evaluations ----------------------------------------------------------------------

    def add_evaluation(
        self,
        program_id: int,
        split: str,
        stage: str,
        score: float | None,
        feasible: bool,
        status: str,
        metrics: dict[str, Any] | None = None,
        per_workload: dict[str, Any] | None = None,
        artifacts: dict[str, Any] | None = None,
        run_time_s: float | None = None,
    ) -> int:
        """Record one scoring of a program; scenario and code hash are copied so the result
        serves as an evaluation cache for any later session on the same scenario version."""
        with self.write():
            row = self.conn.execute(
                "SELECT p.session_id, p.code_hash, s.scenario, s.scenario_version "
                "FROM programs p JOIN sessions s ON s.id = p.session_id WHERE p.id = ?",
                (program_id,),
            ).fetchone()
            if row is None:
                raise KeyError(f"no program {program_id}")
            return self._insert(
                "evaluations",
                {
                    "program_id": program_id,
                    "session_id": row["session_id"],
                    "scenario": row["scenario"],
                    "scenario_version": row["scenario_version"],
                    "code_hash": row["code_hash"],
                    "split": split,
                    "stage": stage,
                    "score": score,
                    "feasible": int(bool(feasible)),
                    "status": status,
                    "metrics": to_json(metrics or {}),
                    "per_workload": to_json(per_workload or {}),
                    "artifacts": to_json(artifacts or {}),
                    "run_time_s": run_time_s,
                    "created_at": self.now(),
                },
            )

    def evaluations(self, program_id: int) -> list[Evaluation]:
        """Every evaluation of a program, oldest first."""
        return self._all(
            Evaluation, "SELECT * FROM evaluations WHERE program_id = ? ORDER BY id", (program_id,)
        )

    def evaluation_count(self, session_id: int) -> int:
        """How many evaluations a session ran, any split and stage: the closing summary."""
        row = self._one("SELECT count(*) FROM evaluations WHERE session_id = ?", (session_id,))
        return 0 if row is None else int(row[0])

    def latest_evaluation(
        self, program_id: int, split: str | None = None, stage: str | None = None
    ) -> Evaluation | None:
        """The most recent evaluation of a program, optionally on one split and stage."""
        sql = "SELECT * FROM evaluations WHERE program_id = ?"
        params: list[Any] = [program_id]
        if split is not None:
            sql, params = sql + " AND split = ?", [*params, split]
        if stage is not None:
            sql, params = sql + " AND stage = ?", [*params, stage]
        return self._first(Evaluation, sql + " ORDER BY id DESC LIMIT 1", params)

    def latest_near_miss(self, session_id: int) -> int | None:
        """The newest program rejected on held-out: it beat the champion of its verdict on
        train, so its idea may be worth building on. Its verdict carries the mechanical checks
        (a rejection on train carries none). A held-out evaluation alone does not make one: a
        candidate judged again after another lane replaced the champion may have run on
        held-out and then lost on train."""
        row = self._one(  # among the last 50 rejections: bounded however long the session
            "SELECT v.program_id FROM (SELECT id, program_id, checks FROM verdicts "
            "WHERE session_id = ? AND accepted = 0 ORDER BY id DESC LIMIT 50) v "
            "JOIN programs p ON p.id = v.program_id AND p.status = ? "
            "WHERE v.checks != '{}' ORDER BY v.id DESC LIMIT 1",
            (session_id, ProgramStatus.REJECTED),
        )
        return None if row is None else int(row[0])

    def score_of(
        self, program_id: int, split: str, stage: str = "full"
    ) -> tuple[float | None, int] | None:
        """(score, infeasible runs) of the program's latest evaluation on ``split`` and
        ``stage``, or None when it never ran there: a prompt's table needs no per-workload
        values, and parsing them costs milliseconds per row."""
        row = self._one(
            "SELECT score, json_extract(metrics, '$.infeasible_runs') AS infeasible "
            "FROM evaluations WHERE program_id = ? AND split = ? AND stage = ? "
            "ORDER BY id DESC LIMIT 1",
            (program_id, split, stage),
        )
        return None if row is None else (row["score"], int(row["infeasible"] or 0))

    def find_evaluation_by_hash(
        self, scenario: str, split: str, stage: str, code_hash: str, scenario_version: str = ""
    ) -> Evaluation | None:
        """A cached evaluation of the same normalised code on the same scenario version, split
        and stage, from any session of the workspace (latest first), or None."""
        return self._first(
            Evaluation,
            "SELECT * FROM evaluations WHERE scenario = ? AND scenario_version = ? AND split = ? "
            "AND stage = ? AND code_hash = ? ORDER BY id DESC LIMIT 1",
            (scenario, scenario_version, split, stage, code_hash),
        )
