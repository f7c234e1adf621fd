"""The words memory stores for statuses, outcomes and event kinds, one ``StrEnum`` each.

A member is a ``str``: it compares equal to its text, hashes like it (so it finds the text's
key in a dict, and the text finds its key), prints as it, and SQLite and JSON store it as that
same text. Databases and exports written before these enums existed read back unchanged.

Reading a row goes through ``read``: a word outside the vocabulary (written by a newer or an
older version, or by a tool filling a workspace through the public API) still reads back as its
text, wrapped as an instance of the enum that belongs to no member, instead of failing the read.
``Vocabulary("word")`` itself stays strict and raises ``ValueError`` for such a word.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Vocabulary(StrEnum):
    """A closed set of stored words that reads back any word found in a database."""

    @classmethod
    def read(cls, text: str) -> Self:
        """The member spelled ``text``; for a word outside the vocabulary, an instance holding
        that text that is no member (``in cls`` is False), so old databases stay readable."""
        try:
            return cls(text)
        except ValueError:
            stranger = str.__new__(cls, text)
            stranger._name_ = text
            stranger._value_ = text
            return stranger


class SessionStatus(Vocabulary):
    """Where a session is in its life (``sessions.status``); the detail column says why."""

    #: Stored, not driven yet.
    CREATED = "created"
    #: A process drives it (and holds its lease).
    RUNNING = "running"
    #: An approval-mode plan waits for a person (``adrs chat`` → ``/approve``).
    AWAITING_APPROVAL = "awaiting_approval"
    #: The user interrupted the run (Ctrl-C); it can be resumed.
    STOPPED = "stopped"
    #: The model endpoint went down. Also what a ``RUNNING`` or ``AWAITING_APPROVAL`` session
    #: is shown as when no process holds its lease (``kill -9``, power loss).
    INTERRUPTED = "interrupted"
    #: An error ended the run; the detail holds it.
    FAILED = "failed"
    #: The budget allowed no more iterations; the detail holds the stop reason.
    FINISHED = "finished"


class ProgramStatus(Vocabulary):
    """Where a candidate program is on its way from filed to judged (``programs.status``)."""

    #: Filed, not evaluated yet.
    PENDING = "pending"
    #: Erred or ran infeasibly in the sandbox, at stage 1 or on the full train split.
    FAILED = "failed"
    #: Scored worse than its parent on the stage-1 subset: the cascade stopped there.
    STAGE1_REJECTED = "stage1_rejected"
    #: Scored on the full train split, waiting for its verdict.
    EVALUATED = "evaluated"
    #: The verifier accepted it; it becomes the champion in the same transaction.
    ACCEPTED = "accepted"
    #: The verifier rejected it (its verdict says why).
    REJECTED = "rejected"
    #: Is or was the session's champion: the seed, and every accepted candidate.
    CHAMPION = "champion"


class HypothesisOutcome(Vocabulary):
    """How a planner hypothesis ended (``hypotheses.outcome``; NULL while in flight). Only
    ``SUCCESS_OUTCOMES`` count as progress; the digest lists every other outcome as a failure."""

    #: The verifier accepted its program.
    ACCEPTED = "accepted"
    #: Counts as progress; written by earlier versions and by tools, not by this loop.
    IMPROVED = "improved"
    #: Its program became champion; counts as progress. Written by earlier versions and tools.
    CHAMPION = "champion"
    #: The verifier rejected its program.
    REJECTED = "rejected"
    #: Its program erred or ran infeasibly before it was measured: the idea is untested.
    FAILED = "failed"
    #: Its program lost to its parent on the stage-1 subset.
    STAGE1_REJECTED = "stage1_rejected"
    #: The coder produced no usable program: the idea is untested.
    CODER_FAILED = "coder_failed"
    #: The coder wrote code the session already holds (same normalised code).
    DUPLICATE = "duplicate"
    #: A person rejected the plan it was part of.
    REJECTED_BY_USER = "rejected_by_user"
    #: A person replaced its text; the edited hypothesis is a new row.
    EDITED_BY_USER = "edited_by_user"


class DirectiveStatus(Vocabulary):
    """Whether a user's steering instruction is still in force (``directives.status``)."""

    #: In force: the planner reads it at every plan.
    ACTIVE = "active"
    #: A one-shot directive acted upon (its iteration is recorded).
    CONSUMED = "consumed"
    #: Withdrawn by the user.
    REVOKED = "revoked"


class EventKind(Vocabulary):
    """What a session's event says (``events.kind``); the payload carries the details."""

    # -- written by memory with the row they describe
    SESSION_CREATED = "session_created"
    #: A session status change, with its detail.
    STATUS = "status"
    #: A program became the champion, with its scores.
    CHAMPION = "champion"
    #: A program was refused as a copy of stored code.
    DUPLICATE = "duplicate"
    #: The user added a directive.
    DIRECTIVE = "directive"
    #: Elites moved between islands of the program database.
    MIGRATION = "migration"

    # -- the research loop, as the console shows it
    #: A step outside the iterations (scoring the seed, the final test), in words.
    STAGE = "stage"
    PLAN = "plan"
    #: A coder's program was filed for evaluation.
    CANDIDATE = "candidate"
    CODER_FAILED = "coder_failed"
    #: A candidate's cascade ended, with its program status.
    EVALUATED = "evaluated"
    #: The champion changed while a candidate was judged: it is judged again.
    REJUDGE = "rejudge"
    VERDICT = "verdict"
    CRITIQUE = "critique"
    #: An iteration was recorded, with the active minutes so far (resume adds them up).
    ITERATION_DONE = "iteration_done"
    #: A lane honours a requested pause, then goes on.
    PAUSED = "paused"
    RESUMED = "resumed"
    #: A plan waits for approval (the console's view; ``PLAN_PENDING`` is the protocol's).
    AWAITING_APPROVAL = "awaiting_approval"
    #: The endpoint answered HTTP 429: every lane waits.
    RATE_LIMITED = "rate_limited"
    #: The session launched no more iterations, with the reason.
    STOP = "stop"
    #: The final champion's one score on the test split.
    FINAL_TEST = "final_test"

    # -- steering between processes (``graph.control``) and the chat log
    PLAN_PENDING = "plan_pending"
    PLAN_APPROVED = "plan_approved"
    PLAN_REJECTED = "plan_rejected"
    PAUSE_REQUESTED = "pause_requested"
    RESUME_REQUESTED = "resume_requested"
    #: A chat command and its reply.
    CHAT = "chat"

    # -- the scenario's references, recorded so every later view compares with the same ones
    BASELINE = "baseline"
    #: The optimum or a bound: the best any policy could score.
    LIMIT = "limit"
