"""The read model: named queries the dashboard, the report, chat and the CLI read.

Each joins or summarises rows that several parts of the store own (a program with its
hypothesis and latest score, verdicts with their program's iteration), so it lives here rather
than in any one part; each returns typed rows, so no view depends on column names or on how a
column is encoded. The views only lay out what these return.
"""

from __future__ import annotations

from dataclasses import dataclass

from memory.base import StoreBase
from memory.records import SUCCESS_OUTCOMES, Hypothesis
from memory.vocabulary import ProgramStatus
from simulators.direction import sign


@dataclass(frozen=True)
class LineageNode:
    """A program as a node of its session's lineage tree; ``score`` is its latest train score
    past the cheap first cascade stage."""

    id: int
    parent_id: int | None
    iteration: int
    status: ProgramStatus
    origin: str
    hypothesis: str | None
    score: float | None


@dataclass(frozen=True)
class VerdictSummary:
    """A verdict with what the user needs to place it: its program's iteration and idea."""

    id: int
    program_id: int
    accepted: bool
    reasons: list[str]
    iteration: int
    hypothesis: str | None


@dataclass(frozen=True)
class VerdictReasons:
    """Whether a verdict accepted its program, and why (the rules it cites)."""

    accepted: bool
    reasons: list[str]


@dataclass(frozen=True)
class CandidateScore:
    """A candidate program (not a baseline) with its latest full score on one split."""

    id: int
    iteration: int
    status: ProgramStatus
    score: float | None


@dataclass(frozen=True)
class BaselineScore:
    """A baseline program (``origin`` ``baseline`` or ``baseline:NAME``) with its score."""

    id: int
    origin: str
    score: float | None


@dataclass(frozen=True)
class RoleUsage:
    """What one agent role cost a session: calls, tokens, dollars, mean latency, errors."""

    role: str
    calls: int
    input_tokens: int | None
    output_tokens: int | None
    cost_usd: float | None
    latency_s: float | None
    errors: int | None


@dataclass(frozen=True)
class RankedProgram:
    """A valid program with its score on the ranking split and its latest held-out score."""

    id: int
    iteration: int
    island: int
    parent_id: int | None
    status: ProgramStatus
    origin: str
    hypothesis: str | None
    score: float | None
    heldout: float | None


@dataclass(frozen=True)
class RecentAttempt:
    """A program as the planner's digest recalls it: scores and the verdict's reasons
    (``accepted`` is None before any verdict)."""

    id: int
    iteration: int
    parent_id: int | None
    status: ProgramStatus
    hypothesis: str | None
    score: float | None
    heldout: float | None
    accepted: bool | None
    reasons: list[str] | None


class ReadsMixin(StoreBase):
    """Named read queries across the parts of the store."""

    def session_lineage(self, session_id: int, limit: int = 2000) -> list[LineageNode]:
        """Programs of a session in creation order, baselines excluded: the nodes of the
        dashboard's lineage tree (each names its parent)."""
        return self._all(
            LineageNode,
            "SELECT p.id, p.parent_id, p.iteration, p.status, p.origin, h.text AS hypothesis, "
            "(SELECT score FROM evaluations e WHERE e.program_id = p.id AND e.split = 'train' "
            " AND e.stage != 'stage1' ORDER BY e.id DESC LIMIT 1) AS score "
            "FROM programs p LEFT JOIN hypotheses h ON h.id = p.hypothesis_id "
            "WHERE p.session_id = ? AND p.origin NOT LIKE 'baseline%' ORDER BY p.id LIMIT ?",
            (session_id, limit),
        )

    def verdict_summaries(self, session_id: int, limit: int = 200) -> list[VerdictSummary]:
        """Verdicts of a session, newest first, each with its program's iteration and
        hypothesis: the dashboard's verdict table."""
        return self._all(
            VerdictSummary,
            "SELECT v.id, v.program_id, v.accepted, v.reasons, p.iteration, h.text AS hypothesis "
            "FROM verdicts v JOIN programs p ON p.id = v.program_id "
            "LEFT JOIN hypotheses h ON h.id = p.hypothesis_id "
            "WHERE v.session_id = ? ORDER BY v.id DESC LIMIT ?",
            (session_id, limit),
        )

    def verdict_reasons(self, session_id: int) -> list[VerdictReasons]:
        """Every verdict of a session, in no particular order: what the acceptance rate and
        the rejections-by-rule statistics count."""
        return self._all(
            VerdictReasons,
            "SELECT accepted, reasons FROM verdicts WHERE session_id = ?",
            (session_id,),
        )

    def evaluation_tally(self) -> dict[tuple[str, str], int]:
        """Evaluations stored in this workspace per (split, stage): what a run cost in
        simulator work, for benchmarks and capacity planning."""
        rows = self._rows("SELECT split, stage, count(*) AS n FROM evaluations GROUP BY 1, 2")
        return {(row["split"], row["stage"]): int(row["n"]) for row in rows}

    def session_iterations(self, session_id: int) -> list[int]:
        """Iterations that left any trace (a call, a hypothesis or a program), ascending: the
        dashboard's iteration navigation."""
        rows = self._rows(
            "SELECT iteration FROM llm_calls WHERE session_id = ? UNION "
            "SELECT iteration FROM hypotheses WHERE session_id = ? UNION "
            "SELECT iteration FROM programs WHERE session_id = ? ORDER BY 1",
            (session_id, session_id, session_id),
        )
        return [int(row["iteration"]) for row in rows]

    def session_change_stamp(self, session_id: int) -> str:
        """An opaque token that changes whenever anything is added to the session (an event,
        a call, an evaluation, a counter, a lane): the live pages poll it to know when to
        reload."""
        row = self._one(
            "SELECT (SELECT max(id) FROM events WHERE session_id = ?) AS e, "
            "(SELECT max(id) FROM llm_calls WHERE session_id = ?) AS c, "
            "(SELECT max(id) FROM evaluations WHERE session_id = ?) AS v, "
            "(SELECT updated_at FROM sessions WHERE id = ?) AS u, "
            "(SELECT max(updated_at) FROM lanes WHERE session_id = ?) AS l",
            (session_id, session_id, session_id, session_id, session_id),
        )
        assert row is not None  # an aggregate query always returns one row
        return f"{row['e']}-{row['c']}-{row['v']}-{row['u']}-{row['l']}"

    def workspace_change_stamp(self) -> str:
        """An opaque token that changes whenever a session is added or any session row changes
        (status, counters): the sessions list polls it."""
        row = self._one("SELECT count(*) AS n, max(updated_at) AS u FROM sessions")
        assert row is not None  # an aggregate query always returns one row
        return f"{row['n']}-{row['u']}"

    def candidate_scores(self, session_id: int, split: str = "train") -> list[CandidateScore]:
        """Candidates of a session (baselines excluded) in creation order, each with its latest
        score on ``split`` past the first cascade stage (None when it has none): the points of
        the score-over-iterations chart."""
        return self._all(
            CandidateScore,
            "SELECT p.id, p.iteration, p.status, (SELECT score FROM evaluations e "
            " WHERE e.program_id = p.id AND e.split = ? AND e.stage != 'stage1' "
            " AND e.score IS NOT NULL ORDER BY e.id DESC LIMIT 1) AS score "
            "FROM programs p WHERE p.session_id = ? AND p.origin NOT LIKE 'baseline%' "
            "ORDER BY p.id",
            (split, session_id),
        )

    def baseline_scores(self, session_id: int, split: str = "train") -> list[BaselineScore]:
        """Baseline programs of a session with their score on ``split``: the latest full-stage
        score, else the latest of any stage (None when never scored there)."""
        return self._all(
            BaselineScore,
            "SELECT p.id, p.origin, (SELECT score FROM evaluations e WHERE e.program_id = p.id "
            " AND e.split = ? AND e.score IS NOT NULL ORDER BY (e.stage = 'full') DESC, e.id DESC "
            " LIMIT 1) AS score FROM programs p WHERE p.session_id = ? "
            "AND p.origin LIKE 'baseline%'",
            (split, session_id),
        )

    def role_usage(self, session_id: int) -> list[RoleUsage]:
        """Model calls of a session summed per agent role, by role name: the cost table."""
        return self._all(
            RoleUsage,
            "SELECT role, count(*) AS calls, sum(input_tokens) AS input_tokens, "
            "sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd, "
            "avg(latency_s) AS latency_s, sum(error IS NOT NULL) AS errors FROM llm_calls "
            "WHERE session_id = ? GROUP BY role ORDER BY role",
            (session_id,),
        )

    def ranked_programs(
        self, session_id: int, direction: str = "min", limit: int = 5, split: str = "train"
    ) -> list[RankedProgram]:
        """The best valid programs by their ``split`` score (full stage preferred), best first
        for ``direction`` (``min``: lowest first). Rejected and failed programs and baselines
        are left out: a score won by reading the future is not a result."""
        return self._all(
            RankedProgram,
            "SELECT * FROM (SELECT p.id, p.iteration, p.island, p.parent_id, p.status, p.origin, "
            "h.text AS hypothesis, "
            "(SELECT score FROM evaluations e WHERE e.program_id = p.id AND e.split = ? "
            " AND e.score IS NOT NULL ORDER BY (e.stage = 'full') DESC, e.id DESC LIMIT 1) "
            "AS score, "
            "(SELECT score FROM evaluations e WHERE e.program_id = p.id AND e.split = 'heldout' "
            " AND e.score IS NOT NULL ORDER BY e.id DESC LIMIT 1) AS heldout "
            "FROM programs p LEFT JOIN hypotheses h ON h.id = p.hypothesis_id "
            "WHERE p.session_id = ? AND p.status NOT IN (?, ?) "
            "AND p.origin NOT LIKE 'baseline%') WHERE score IS NOT NULL ORDER BY score * ? DESC "
            "LIMIT ?",
            (
                split,
                session_id,
                ProgramStatus.REJECTED,
                ProgramStatus.FAILED,
                sign(direction),
                limit,
            ),
        )

    def recent_attempts(self, session_id: int, limit: int = 12) -> list[RecentAttempt]:
        """The session's newest programs, newest first, each with its latest train and held-out
        scores and its latest verdict: what the digest tells the planner was just tried."""
        return self._all(
            RecentAttempt,
            "SELECT p.id, p.iteration, p.parent_id, p.status, h.text AS hypothesis, "
            "(SELECT score FROM evaluations e WHERE e.program_id = p.id AND e.split = 'train' "
            "ORDER BY e.id DESC LIMIT 1) AS score, "
            "(SELECT score FROM evaluations e WHERE e.program_id = p.id AND e.split = 'heldout' "
            "ORDER BY e.id DESC LIMIT 1) AS heldout, v.accepted, v.reasons "
            "FROM (SELECT * FROM programs WHERE session_id = ? ORDER BY id DESC LIMIT ?) p "
            "LEFT JOIN hypotheses h ON h.id = p.hypothesis_id "
            "LEFT JOIN verdicts v ON v.id = (SELECT max(id) FROM verdicts WHERE program_id = p.id) "
            "ORDER BY p.id DESC",
            (session_id, limit),
        )

    def failed_hypotheses(self, session_id: int, scan: int = 200) -> list[Hypothesis]:
        """The newest ``scan`` hypotheses whose outcome is not a success (any outcome outside
        ``SUCCESS_OUTCOMES``), newest first: the ideas the digest tells the planner not to
        retry."""
        done = tuple(sorted(SUCCESS_OUTCOMES))
        return self._all(
            Hypothesis,
            "SELECT * FROM hypotheses WHERE session_id = ? AND outcome IS NOT NULL "
            f"AND outcome NOT IN ({','.join('?' * len(done))}) ORDER BY id DESC LIMIT ?",
            (session_id, *done, scan),
        )
